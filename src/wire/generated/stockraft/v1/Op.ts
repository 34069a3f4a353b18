// Original file: proto/stockraft/v1/inventory.proto

import type { AdjustRequest as _stockraft_v1_AdjustRequest, AdjustRequest__Output as _stockraft_v1_AdjustRequest__Output } from '../../stockraft/v1/AdjustRequest.js';
import type { ReserveRequest as _stockraft_v1_ReserveRequest, ReserveRequest__Output as _stockraft_v1_ReserveRequest__Output } from '../../stockraft/v1/ReserveRequest.js';
import type { CommitRequest as _stockraft_v1_CommitRequest, CommitRequest__Output as _stockraft_v1_CommitRequest__Output } from '../../stockraft/v1/CommitRequest.js';
import type { ReleaseRequest as _stockraft_v1_ReleaseRequest, ReleaseRequest__Output as _stockraft_v1_ReleaseRequest__Output } from '../../stockraft/v1/ReleaseRequest.js';
import type { ExtendRequest as _stockraft_v1_ExtendRequest, ExtendRequest__Output as _stockraft_v1_ExtendRequest__Output } from '../../stockraft/v1/ExtendRequest.js';

export interface Op {
  'adjust'?: (_stockraft_v1_AdjustRequest | null);
  'reserve'?: (_stockraft_v1_ReserveRequest | null);
  'commit'?: (_stockraft_v1_CommitRequest | null);
  'release'?: (_stockraft_v1_ReleaseRequest | null);
  'extend'?: (_stockraft_v1_ExtendRequest | null);
  'op'?: "adjust"|"reserve"|"commit"|"release"|"extend";
}

export interface Op__Output {
  'adjust'?: (_stockraft_v1_AdjustRequest__Output | null);
  'reserve'?: (_stockraft_v1_ReserveRequest__Output | null);
  'commit'?: (_stockraft_v1_CommitRequest__Output | null);
  'release'?: (_stockraft_v1_ReleaseRequest__Output | null);
  'extend'?: (_stockraft_v1_ExtendRequest__Output | null);
  'op'?: "adjust"|"reserve"|"commit"|"release"|"extend";
}
