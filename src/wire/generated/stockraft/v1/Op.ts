// Original file: proto/stockraft/v1/inventory.proto

import type { AdjustRequest as _stockraft_v1_AdjustRequest, AdjustRequest__Output as _stockraft_v1_AdjustRequest__Output } from '../../stockraft/v1/AdjustRequest.js';
import type { ReserveRequest as _stockraft_v1_ReserveRequest, ReserveRequest__Output as _stockraft_v1_ReserveRequest__Output } from '../../stockraft/v1/ReserveRequest.js';
import type { CommitRequest as _stockraft_v1_CommitRequest, CommitRequest__Output as _stockraft_v1_CommitRequest__Output } from '../../stockraft/v1/CommitRequest.js';
import type { ReleaseRequest as _stockraft_v1_ReleaseRequest, ReleaseRequest__Output as _stockraft_v1_ReleaseRequest__Output } from '../../stockraft/v1/ReleaseRequest.js';
import type { ExtendRequest as _stockraft_v1_ExtendRequest, ExtendRequest__Output as _stockraft_v1_ExtendRequest__Output } from '../../stockraft/v1/ExtendRequest.js';
import type { SetPositionPolicyRequest as _stockraft_v1_SetPositionPolicyRequest, SetPositionPolicyRequest__Output as _stockraft_v1_SetPositionPolicyRequest__Output } from '../../stockraft/v1/SetPositionPolicyRequest.js';
import type { SetSkuPolicyRequest as _stockraft_v1_SetSkuPolicyRequest, SetSkuPolicyRequest__Output as _stockraft_v1_SetSkuPolicyRequest__Output } from '../../stockraft/v1/SetSkuPolicyRequest.js';
import type { TransferRequest as _stockraft_v1_TransferRequest, TransferRequest__Output as _stockraft_v1_TransferRequest__Output } from '../../stockraft/v1/TransferRequest.js';
import type { ReceiveTransferRequest as _stockraft_v1_ReceiveTransferRequest, ReceiveTransferRequest__Output as _stockraft_v1_ReceiveTransferRequest__Output } from '../../stockraft/v1/ReceiveTransferRequest.js';
import type { CountRequest as _stockraft_v1_CountRequest, CountRequest__Output as _stockraft_v1_CountRequest__Output } from '../../stockraft/v1/CountRequest.js';

export interface Op {
  'adjust'?: (_stockraft_v1_AdjustRequest | null);
  'reserve'?: (_stockraft_v1_ReserveRequest | null);
  'commit'?: (_stockraft_v1_CommitRequest | null);
  'release'?: (_stockraft_v1_ReleaseRequest | null);
  'extend'?: (_stockraft_v1_ExtendRequest | null);
  'set_position_policy'?: (_stockraft_v1_SetPositionPolicyRequest | null);
  'set_sku_policy'?: (_stockraft_v1_SetSkuPolicyRequest | null);
  'transfer'?: (_stockraft_v1_TransferRequest | null);
  'receive_transfer'?: (_stockraft_v1_ReceiveTransferRequest | null);
  'count'?: (_stockraft_v1_CountRequest | null);
  'op'?: "adjust"|"reserve"|"commit"|"release"|"extend"|"set_position_policy"|"set_sku_policy"|"transfer"|"receive_transfer"|"count";
}

export interface Op__Output {
  'adjust'?: (_stockraft_v1_AdjustRequest__Output | null);
  'reserve'?: (_stockraft_v1_ReserveRequest__Output | null);
  'commit'?: (_stockraft_v1_CommitRequest__Output | null);
  'release'?: (_stockraft_v1_ReleaseRequest__Output | null);
  'extend'?: (_stockraft_v1_ExtendRequest__Output | null);
  'set_position_policy'?: (_stockraft_v1_SetPositionPolicyRequest__Output | null);
  'set_sku_policy'?: (_stockraft_v1_SetSkuPolicyRequest__Output | null);
  'transfer'?: (_stockraft_v1_TransferRequest__Output | null);
  'receive_transfer'?: (_stockraft_v1_ReceiveTransferRequest__Output | null);
  'count'?: (_stockraft_v1_CountRequest__Output | null);
  'op'?: "adjust"|"reserve"|"commit"|"release"|"extend"|"set_position_policy"|"set_sku_policy"|"transfer"|"receive_transfer"|"count";
}
