// Original file: proto/stockraft/v1/inventory.proto

import type { Long } from '@grpc/proto-loader';

export interface CountBelowHeldDetail {
  'sku'?: (string);
  'location'?: (string);
  'counted'?: (number | string | Long);
  'held'?: (number | string | Long);
}

export interface CountBelowHeldDetail__Output {
  'sku': (string);
  'location': (string);
  'counted': (number);
  'held': (number);
}
