// Original file: proto/stockraft/v1/inventory.proto

import type { Consistency as _stockraft_v1_Consistency, Consistency__Output as _stockraft_v1_Consistency__Output } from '../../stockraft/v1/Consistency.js';
import type { Long } from '@grpc/proto-loader';

export interface ListAdminEventsRequest {
  'after_seq'?: (number | string | Long);
  'limit'?: (number);
  'consistency'?: (_stockraft_v1_Consistency);
}

export interface ListAdminEventsRequest__Output {
  'after_seq': (number);
  'limit': (number);
  'consistency': (_stockraft_v1_Consistency__Output);
}
