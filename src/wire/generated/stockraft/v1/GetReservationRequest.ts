// Original file: proto/stockraft/v1/inventory.proto

import type { Consistency as _stockraft_v1_Consistency, Consistency__Output as _stockraft_v1_Consistency__Output } from '../../stockraft/v1/Consistency.js';

export interface GetReservationRequest {
  'reservation_id'?: (string);
  'consistency'?: (_stockraft_v1_Consistency);
}

export interface GetReservationRequest__Output {
  'reservation_id': (string);
  'consistency': (_stockraft_v1_Consistency__Output);
}
