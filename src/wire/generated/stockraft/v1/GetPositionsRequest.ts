// Original file: proto/stockraft/v1/inventory.proto

import type { PositionKey as _stockraft_v1_PositionKey, PositionKey__Output as _stockraft_v1_PositionKey__Output } from '../../stockraft/v1/PositionKey.js';
import type { Consistency as _stockraft_v1_Consistency, Consistency__Output as _stockraft_v1_Consistency__Output } from '../../stockraft/v1/Consistency.js';

export interface GetPositionsRequest {
  'keys'?: (_stockraft_v1_PositionKey)[];
  'consistency'?: (_stockraft_v1_Consistency);
}

export interface GetPositionsRequest__Output {
  'keys': (_stockraft_v1_PositionKey__Output)[];
  'consistency': (_stockraft_v1_Consistency__Output);
}
