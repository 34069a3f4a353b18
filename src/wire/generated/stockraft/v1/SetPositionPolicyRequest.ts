// Original file: proto/stockraft/v1/inventory.proto

import type { Long } from '@grpc/proto-loader';

export interface SetPositionPolicyRequest {
  'op_id'?: (string);
  'sku'?: (string);
  'location'?: (string);
  'backorder_limit'?: (number | string | Long);
  'low_stock_threshold'?: (number | string | Long);
  'id_time_ms'?: (number | string | Long);
  '_id_time_ms'?: "id_time_ms";
}

export interface SetPositionPolicyRequest__Output {
  'op_id': (string);
  'sku': (string);
  'location': (string);
  'backorder_limit': (number);
  'low_stock_threshold': (number);
  'id_time_ms'?: (number);
  '_id_time_ms'?: "id_time_ms";
}
