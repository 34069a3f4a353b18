// Original file: proto/stockraft/v1/inventory.proto

import type { Long } from '@grpc/proto-loader';

export interface CountRequest {
  'op_id'?: (string);
  'sku'?: (string);
  'location'?: (string);
  'counted'?: (number | string | Long);
  'reference'?: (string);
  'id_time_ms'?: (number | string | Long);
  '_id_time_ms'?: "id_time_ms";
}

export interface CountRequest__Output {
  'op_id': (string);
  'sku': (string);
  'location': (string);
  'counted': (number);
  'reference': (string);
  'id_time_ms'?: (number);
  '_id_time_ms'?: "id_time_ms";
}
