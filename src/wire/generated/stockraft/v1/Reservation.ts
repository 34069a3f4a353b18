// Original file: proto/stockraft/v1/inventory.proto

import type { ReservationState as _stockraft_v1_ReservationState, ReservationState__Output as _stockraft_v1_ReservationState__Output } from '../../stockraft/v1/ReservationState.js';
import type { Line as _stockraft_v1_Line, Line__Output as _stockraft_v1_Line__Output } from '../../stockraft/v1/Line.js';
import type { Long } from '@grpc/proto-loader';

export interface Reservation {
  'reservation_id'?: (string);
  'state'?: (_stockraft_v1_ReservationState);
  'lines'?: (_stockraft_v1_Line)[];
  'order_ref'?: (string);
  'created_ms'?: (number | string | Long);
  'deadline_ms'?: (number | string | Long);
  'committed_lines'?: (_stockraft_v1_Line)[];
  'customer_id'?: (string);
  'backordered_lines'?: (_stockraft_v1_Line)[];
  'queue_position'?: (number);
  'wait_deadline_ms'?: (number | string | Long);
}

export interface Reservation__Output {
  'reservation_id': (string);
  'state': (_stockraft_v1_ReservationState__Output);
  'lines': (_stockraft_v1_Line__Output)[];
  'order_ref': (string);
  'created_ms': (number);
  'deadline_ms': (number);
  'committed_lines': (_stockraft_v1_Line__Output)[];
  'customer_id': (string);
  'backordered_lines': (_stockraft_v1_Line__Output)[];
  'queue_position': (number);
  'wait_deadline_ms': (number);
}
