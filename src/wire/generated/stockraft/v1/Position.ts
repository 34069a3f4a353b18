// Original file: proto/stockraft/v1/inventory.proto

import type { Long } from '@grpc/proto-loader';

export interface Position {
  'sku'?: (string);
  'location'?: (string);
  'on_hand'?: (number | string | Long);
  'reserved'?: (number | string | Long);
  'available'?: (number | string | Long);
  'seq'?: (number | string | Long);
}

export interface Position__Output {
  'sku': (string);
  'location': (string);
  'on_hand': (number);
  'reserved': (number);
  'available': (number);
  'seq': (number);
}
