// Original file: proto/stockraft/v1/inventory.proto

import type { Long } from '@grpc/proto-loader';

export interface MarkHistoryArchivedResponse {
  'archived_through_index'?: (number | string | Long);
}

export interface MarkHistoryArchivedResponse__Output {
  'archived_through_index': (number);
}
