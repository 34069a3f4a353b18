// Original file: proto/stockraft/v1/inventory.proto

import type { Member as _stockraft_v1_Member, Member__Output as _stockraft_v1_Member__Output } from '../../stockraft/v1/Member.js';
import type { Long } from '@grpc/proto-loader';

export interface StatusResponse {
  'id'?: (string);
  'cluster_id'?: (string);
  'address'?: (string);
  'role'?: (string);
  'term'?: (number | string | Long);
  'leader_id'?: (string);
  'leader_address'?: (string);
  'commit_index'?: (number | string | Long);
  'applied_index'?: (number | string | Long);
  'snapshot_index'?: (number | string | Long);
  'members'?: (_stockraft_v1_Member)[];
  'head_hash'?: (string);
  'rules_version_min'?: (number);
  'rules_version_max'?: (number);
  'cluster_version'?: (number);
  'protocol_version'?: (string);
}

export interface StatusResponse__Output {
  'id': (string);
  'cluster_id': (string);
  'address': (string);
  'role': (string);
  'term': (number);
  'leader_id': (string);
  'leader_address': (string);
  'commit_index': (number);
  'applied_index': (number);
  'snapshot_index': (number);
  'members': (_stockraft_v1_Member__Output)[];
  'head_hash': (string);
  'rules_version_min': (number);
  'rules_version_max': (number);
  'cluster_version': (number);
  'protocol_version': (string);
}
