// Original file: proto/stockraft/v1/inventory.proto

import type { Long } from '@grpc/proto-loader';

export interface WatchRequest {
  'from_index'?: (number | string | Long);
  'skip'?: (number);
}

export interface WatchRequest__Output {
  'from_index': (number);
  'skip': (number);
}
