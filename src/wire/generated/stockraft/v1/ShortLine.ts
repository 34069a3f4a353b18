// Original file: proto/stockraft/v1/inventory.proto

import type { Long } from '@grpc/proto-loader';

export interface ShortLine {
  'sku'?: (string);
  'location'?: (string);
  'requested'?: (number | string | Long);
  'available'?: (number | string | Long);
}

export interface ShortLine__Output {
  'sku': (string);
  'location': (string);
  'requested': (number);
  'available': (number);
}
