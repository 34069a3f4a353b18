// Original file: proto/stockraft/v1/inventory.proto

import type { AdminEvent as _stockraft_v1_AdminEvent, AdminEvent__Output as _stockraft_v1_AdminEvent__Output } from '../../stockraft/v1/AdminEvent.js';
import type { Long } from '@grpc/proto-loader';

export interface ListAdminEventsResponse {
  'events'?: (_stockraft_v1_AdminEvent)[];
  'next_after_seq'?: (number | string | Long);
  'more'?: (boolean);
  'head_seq'?: (number | string | Long);
  'head_hash'?: (string);
}

export interface ListAdminEventsResponse__Output {
  'events': (_stockraft_v1_AdminEvent__Output)[];
  'next_after_seq': (number);
  'more': (boolean);
  'head_seq': (number);
  'head_hash': (string);
}
