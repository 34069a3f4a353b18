// Original file: proto/stockraft/v1/inventory.proto

import type { Long } from '@grpc/proto-loader';

export interface AdjustRequest {
  'op_id'?: (string);
  'sku'?: (string);
  'location'?: (string);
  'delta'?: (number | string | Long);
  'reason'?: (string);
  'reference'?: (string);
  'expected_on_hand'?: (number | string | Long);
  'id_time_ms'?: (number | string | Long);
  '_expected_on_hand'?: "expected_on_hand";
  '_id_time_ms'?: "id_time_ms";
}

export interface AdjustRequest__Output {
  'op_id': (string);
  'sku': (string);
  'location': (string);
  'delta': (number);
  'reason': (string);
  'reference': (string);
  'expected_on_hand'?: (number);
  'id_time_ms'?: (number);
  '_expected_on_hand'?: "expected_on_hand";
  '_id_time_ms'?: "id_time_ms";
}
