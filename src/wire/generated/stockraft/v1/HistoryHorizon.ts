// Original file: proto/stockraft/v1/inventory.proto

import type { Long } from '@grpc/proto-loader';

export interface HistoryHorizon {
  'seq'?: (number | string | Long);
  'log_index'?: (number | string | Long);
  'time_ms'?: (number | string | Long);
  'on_hand'?: (number | string | Long);
  'reserved'?: (number | string | Long);
  'hash'?: (string);
}

export interface HistoryHorizon__Output {
  'seq': (number);
  'log_index': (number);
  'time_ms': (number);
  'on_hand': (number);
  'reserved': (number);
  'hash': (string);
}
