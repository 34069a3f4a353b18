// Original file: proto/stockraft/v1/inventory.proto

import type { Position as _stockraft_v1_Position, Position__Output as _stockraft_v1_Position__Output } from '../../stockraft/v1/Position.js';

export interface GetPositionResponse {
  'found'?: (boolean);
  'position'?: (_stockraft_v1_Position | null);
}

export interface GetPositionResponse__Output {
  'found': (boolean);
  'position': (_stockraft_v1_Position__Output | null);
}
