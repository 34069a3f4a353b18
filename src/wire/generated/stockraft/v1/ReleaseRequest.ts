// Original file: proto/stockraft/v1/inventory.proto

import type { Long } from '@grpc/proto-loader';

export interface ReleaseRequest {
  'op_id'?: (string);
  'reservation_id'?: (string);
  'reason'?: (string);
  'id_time_ms'?: (number | string | Long);
  '_id_time_ms'?: "id_time_ms";
}

export interface ReleaseRequest__Output {
  'op_id': (string);
  'reservation_id': (string);
  'reason': (string);
  'id_time_ms'?: (number);
  '_id_time_ms'?: "id_time_ms";
}
