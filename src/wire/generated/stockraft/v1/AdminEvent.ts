// Original file: proto/stockraft/v1/inventory.proto

import type { Long } from '@grpc/proto-loader';

export interface AdminEvent {
  'seq'?: (number | string | Long);
  'log_index'?: (number | string | Long);
  'time_ms'?: (number | string | Long);
  'op_id'?: (string);
  'action'?: (string);
  'principal'?: (string);
  'target'?: (string);
  'detail'?: (string);
  'prev_hash'?: (string);
  'hash'?: (string);
}

export interface AdminEvent__Output {
  'seq': (number);
  'log_index': (number);
  'time_ms': (number);
  'op_id': (string);
  'action': (string);
  'principal': (string);
  'target': (string);
  'detail': (string);
  'prev_hash': (string);
  'hash': (string);
}
