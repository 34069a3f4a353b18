// Original file: proto/stockraft/v1/inventory.proto

import type { Position as _stockraft_v1_Position, Position__Output as _stockraft_v1_Position__Output } from '../../stockraft/v1/Position.js';

export interface ListPositionsResponse {
  'positions'?: (_stockraft_v1_Position)[];
  'more'?: (boolean);
}

export interface ListPositionsResponse__Output {
  'positions': (_stockraft_v1_Position__Output)[];
  'more': (boolean);
}
