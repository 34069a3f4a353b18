// Original file: proto/stockraft/v1/inventory.proto

import type { Op as _stockraft_v1_Op, Op__Output as _stockraft_v1_Op__Output } from '../../stockraft/v1/Op.js';

export interface SubmitRequest {
  'ops'?: (_stockraft_v1_Op)[];
}

export interface SubmitRequest__Output {
  'ops': (_stockraft_v1_Op__Output)[];
}
