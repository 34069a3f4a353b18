// Original file: proto/stockraft/v1/inventory.proto

import type { Long } from '@grpc/proto-loader';

export interface SetSkuPolicyRequest {
  'op_id'?: (string);
  'sku'?: (string);
  'customer_limit'?: (number | string | Long);
  'customer_window_ms'?: (number | string | Long);
  'id_time_ms'?: (number | string | Long);
  '_id_time_ms'?: "id_time_ms";
}

export interface SetSkuPolicyRequest__Output {
  'op_id': (string);
  'sku': (string);
  'customer_limit': (number);
  'customer_window_ms': (number);
  'id_time_ms'?: (number);
  '_id_time_ms'?: "id_time_ms";
}
