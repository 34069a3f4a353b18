// Original file: proto/stockraft/v1/inventory.proto

import type { StatusResponse as _stockraft_v1_StatusResponse, StatusResponse__Output as _stockraft_v1_StatusResponse__Output } from '../../stockraft/v1/StatusResponse.js';

export interface MembershipResponse {
  'status'?: (_stockraft_v1_StatusResponse | null);
}

export interface MembershipResponse__Output {
  'status': (_stockraft_v1_StatusResponse__Output | null);
}
