// Original file: proto/stockraft/v1/inventory.proto

import type { Long } from '@grpc/proto-loader';

export interface SnapshotResponse {
  'index'?: (number | string | Long);
}

export interface SnapshotResponse__Output {
  'index': (number);
}
