// Original file: proto/stockraft/v1/inventory.proto

import type { Long } from '@grpc/proto-loader';

export interface CustomerLimitDetail {
  'sku'?: (string);
  'customer_id'?: (string);
  'limit'?: (number | string | Long);
  'used'?: (number | string | Long);
  'requested'?: (number | string | Long);
  'remaining'?: (number | string | Long);
}

export interface CustomerLimitDetail__Output {
  'sku': (string);
  'customer_id': (string);
  'limit': (number);
  'used': (number);
  'requested': (number);
  'remaining': (number);
}
