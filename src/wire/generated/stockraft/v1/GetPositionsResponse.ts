// Original file: proto/stockraft/v1/inventory.proto

import type { GetPositionResponse as _stockraft_v1_GetPositionResponse, GetPositionResponse__Output as _stockraft_v1_GetPositionResponse__Output } from '../../stockraft/v1/GetPositionResponse.js';

export interface GetPositionsResponse {
  'positions'?: (_stockraft_v1_GetPositionResponse)[];
}

export interface GetPositionsResponse__Output {
  'positions': (_stockraft_v1_GetPositionResponse__Output)[];
}
