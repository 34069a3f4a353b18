// Original file: proto/stockraft/v1/inventory.proto

import type { Long } from '@grpc/proto-loader';

export interface TransferRequest {
  'op_id'?: (string);
  'sku'?: (string);
  'from_location'?: (string);
  'to_location'?: (string);
  'quantity'?: (number | string | Long);
  'reference'?: (string);
  'id_time_ms'?: (number | string | Long);
  '_id_time_ms'?: "id_time_ms";
}

export interface TransferRequest__Output {
  'op_id': (string);
  'sku': (string);
  'from_location': (string);
  'to_location': (string);
  'quantity': (number);
  'reference': (string);
  'id_time_ms'?: (number);
  '_id_time_ms'?: "id_time_ms";
}
