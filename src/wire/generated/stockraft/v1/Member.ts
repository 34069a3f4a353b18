// Original file: proto/stockraft/v1/inventory.proto

import type { Long } from '@grpc/proto-loader';

export interface Member {
  'id'?: (string);
  'address'?: (string);
  'role'?: (string);
  'has_match_index'?: (boolean);
  'match_index'?: (number | string | Long);
  'lag_entries'?: (number | string | Long);
  'protocol_version'?: (string);
  'rules_version_min'?: (number);
  'rules_version_max'?: (number);
}

export interface Member__Output {
  'id': (string);
  'address': (string);
  'role': (string);
  'has_match_index': (boolean);
  'match_index': (number);
  'lag_entries': (number);
  'protocol_version': (string);
  'rules_version_min': (number);
  'rules_version_max': (number);
}
