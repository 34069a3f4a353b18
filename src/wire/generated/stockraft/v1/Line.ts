// Original file: proto/stockraft/v1/inventory.proto

import type { Long } from '@grpc/proto-loader';

export interface Line {
  'sku'?: (string);
  'location'?: (string);
  'quantity'?: (number | string | Long);
}

export interface Line__Output {
  'sku': (string);
  'location': (string);
  'quantity': (number);
}
