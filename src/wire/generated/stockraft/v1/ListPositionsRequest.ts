// Original file: proto/stockraft/v1/inventory.proto

import type { Consistency as _stockraft_v1_Consistency, Consistency__Output as _stockraft_v1_Consistency__Output } from '../../stockraft/v1/Consistency.js';

export interface ListPositionsRequest {
  'after_sku'?: (string);
  'after_location'?: (string);
  'limit'?: (number);
  'consistency'?: (_stockraft_v1_Consistency);
}

export interface ListPositionsRequest__Output {
  'after_sku': (string);
  'after_location': (string);
  'limit': (number);
  'consistency': (_stockraft_v1_Consistency__Output);
}
