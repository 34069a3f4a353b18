// Original file: proto/stockraft/v1/inventory.proto

import type { Line as _stockraft_v1_Line, Line__Output as _stockraft_v1_Line__Output } from '../../stockraft/v1/Line.js';
import type { Long } from '@grpc/proto-loader';

export interface CommitRequest {
  'op_id'?: (string);
  'reservation_id'?: (string);
  'lines'?: (_stockraft_v1_Line)[];
  'id_time_ms'?: (number | string | Long);
  '_id_time_ms'?: "id_time_ms";
}

export interface CommitRequest__Output {
  'op_id': (string);
  'reservation_id': (string);
  'lines': (_stockraft_v1_Line__Output)[];
  'id_time_ms'?: (number);
  '_id_time_ms'?: "id_time_ms";
}
