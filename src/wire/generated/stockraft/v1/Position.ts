// Original file: proto/stockraft/v1/inventory.proto

import type { Long } from '@grpc/proto-loader';

export interface Position {
  'sku'?: (string);
  'location'?: (string);
  'on_hand'?: (number | string | Long);
  'reserved'?: (number | string | Long);
  'available'?: (number | string | Long);
  'seq'?: (number | string | Long);
  'backordered'?: (number | string | Long);
  'in_transit'?: (number | string | Long);
  'backorder_limit'?: (number | string | Long);
  'low_stock_threshold'?: (number | string | Long);
}

export interface Position__Output {
  'sku': (string);
  'location': (string);
  'on_hand': (number);
  'reserved': (number);
  'available': (number);
  'seq': (number);
  'backordered': (number);
  'in_transit': (number);
  'backorder_limit': (number);
  'low_stock_threshold': (number);
}
