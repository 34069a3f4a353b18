// Original file: proto/stockraft/v1/inventory.proto

import type { Long } from '@grpc/proto-loader';

export interface MarkHistoryArchivedRequest {
  'through_index'?: (number | string | Long);
}

export interface MarkHistoryArchivedRequest__Output {
  'through_index': (number);
}
