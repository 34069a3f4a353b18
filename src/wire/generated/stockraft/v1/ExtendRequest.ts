// Original file: proto/stockraft/v1/inventory.proto

import type { Long } from '@grpc/proto-loader';

export interface ExtendRequest {
  'op_id'?: (string);
  'reservation_id'?: (string);
  'ttl_ms'?: (number | string | Long);
  'id_time_ms'?: (number | string | Long);
  '_id_time_ms'?: "id_time_ms";
}

export interface ExtendRequest__Output {
  'op_id': (string);
  'reservation_id': (string);
  'ttl_ms': (number);
  'id_time_ms'?: (number);
  '_id_time_ms'?: "id_time_ms";
}
