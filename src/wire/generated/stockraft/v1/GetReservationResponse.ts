// Original file: proto/stockraft/v1/inventory.proto

import type { Reservation as _stockraft_v1_Reservation, Reservation__Output as _stockraft_v1_Reservation__Output } from '../../stockraft/v1/Reservation.js';

export interface GetReservationResponse {
  'found'?: (boolean);
  'reservation'?: (_stockraft_v1_Reservation | null);
}

export interface GetReservationResponse__Output {
  'found': (boolean);
  'reservation': (_stockraft_v1_Reservation__Output | null);
}
