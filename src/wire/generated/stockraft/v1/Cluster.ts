// Original file: proto/stockraft/v1/inventory.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AddLearnerRequest as _stockraft_v1_AddLearnerRequest, AddLearnerRequest__Output as _stockraft_v1_AddLearnerRequest__Output } from '../../stockraft/v1/AddLearnerRequest.js';
import type { BackupChunk as _stockraft_v1_BackupChunk, BackupChunk__Output as _stockraft_v1_BackupChunk__Output } from '../../stockraft/v1/BackupChunk.js';
import type { BackupRequest as _stockraft_v1_BackupRequest, BackupRequest__Output as _stockraft_v1_BackupRequest__Output } from '../../stockraft/v1/BackupRequest.js';
import type { ListAdminEventsRequest as _stockraft_v1_ListAdminEventsRequest, ListAdminEventsRequest__Output as _stockraft_v1_ListAdminEventsRequest__Output } from '../../stockraft/v1/ListAdminEventsRequest.js';
import type { ListAdminEventsResponse as _stockraft_v1_ListAdminEventsResponse, ListAdminEventsResponse__Output as _stockraft_v1_ListAdminEventsResponse__Output } from '../../stockraft/v1/ListAdminEventsResponse.js';
import type { MarkHistoryArchivedRequest as _stockraft_v1_MarkHistoryArchivedRequest, MarkHistoryArchivedRequest__Output as _stockraft_v1_MarkHistoryArchivedRequest__Output } from '../../stockraft/v1/MarkHistoryArchivedRequest.js';
import type { MarkHistoryArchivedResponse as _stockraft_v1_MarkHistoryArchivedResponse, MarkHistoryArchivedResponse__Output as _stockraft_v1_MarkHistoryArchivedResponse__Output } from '../../stockraft/v1/MarkHistoryArchivedResponse.js';
import type { MembershipResponse as _stockraft_v1_MembershipResponse, MembershipResponse__Output as _stockraft_v1_MembershipResponse__Output } from '../../stockraft/v1/MembershipResponse.js';
import type { PromoteRequest as _stockraft_v1_PromoteRequest, PromoteRequest__Output as _stockraft_v1_PromoteRequest__Output } from '../../stockraft/v1/PromoteRequest.js';
import type { RemoveRequest as _stockraft_v1_RemoveRequest, RemoveRequest__Output as _stockraft_v1_RemoveRequest__Output } from '../../stockraft/v1/RemoveRequest.js';
import type { SetClusterVersionRequest as _stockraft_v1_SetClusterVersionRequest, SetClusterVersionRequest__Output as _stockraft_v1_SetClusterVersionRequest__Output } from '../../stockraft/v1/SetClusterVersionRequest.js';
import type { SetClusterVersionResponse as _stockraft_v1_SetClusterVersionResponse, SetClusterVersionResponse__Output as _stockraft_v1_SetClusterVersionResponse__Output } from '../../stockraft/v1/SetClusterVersionResponse.js';
import type { SnapshotRequest as _stockraft_v1_SnapshotRequest, SnapshotRequest__Output as _stockraft_v1_SnapshotRequest__Output } from '../../stockraft/v1/SnapshotRequest.js';
import type { SnapshotResponse as _stockraft_v1_SnapshotResponse, SnapshotResponse__Output as _stockraft_v1_SnapshotResponse__Output } from '../../stockraft/v1/SnapshotResponse.js';
import type { StatusRequest as _stockraft_v1_StatusRequest, StatusRequest__Output as _stockraft_v1_StatusRequest__Output } from '../../stockraft/v1/StatusRequest.js';
import type { StatusResponse as _stockraft_v1_StatusResponse, StatusResponse__Output as _stockraft_v1_StatusResponse__Output } from '../../stockraft/v1/StatusResponse.js';
import type { TransferLeadershipRequest as _stockraft_v1_TransferLeadershipRequest, TransferLeadershipRequest__Output as _stockraft_v1_TransferLeadershipRequest__Output } from '../../stockraft/v1/TransferLeadershipRequest.js';

export interface ClusterClient extends grpc.Client {
  AddLearner(argument: _stockraft_v1_AddLearnerRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_MembershipResponse__Output>): grpc.ClientUnaryCall;
  AddLearner(argument: _stockraft_v1_AddLearnerRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_stockraft_v1_MembershipResponse__Output>): grpc.ClientUnaryCall;
  AddLearner(argument: _stockraft_v1_AddLearnerRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_MembershipResponse__Output>): grpc.ClientUnaryCall;
  AddLearner(argument: _stockraft_v1_AddLearnerRequest, callback: grpc.requestCallback<_stockraft_v1_MembershipResponse__Output>): grpc.ClientUnaryCall;
  addLearner(argument: _stockraft_v1_AddLearnerRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_MembershipResponse__Output>): grpc.ClientUnaryCall;
  addLearner(argument: _stockraft_v1_AddLearnerRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_stockraft_v1_MembershipResponse__Output>): grpc.ClientUnaryCall;
  addLearner(argument: _stockraft_v1_AddLearnerRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_MembershipResponse__Output>): grpc.ClientUnaryCall;
  addLearner(argument: _stockraft_v1_AddLearnerRequest, callback: grpc.requestCallback<_stockraft_v1_MembershipResponse__Output>): grpc.ClientUnaryCall;
  
  Backup(argument: _stockraft_v1_BackupRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_stockraft_v1_BackupChunk__Output>;
  Backup(argument: _stockraft_v1_BackupRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_stockraft_v1_BackupChunk__Output>;
  backup(argument: _stockraft_v1_BackupRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_stockraft_v1_BackupChunk__Output>;
  backup(argument: _stockraft_v1_BackupRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_stockraft_v1_BackupChunk__Output>;
  
  ListAdminEvents(argument: _stockraft_v1_ListAdminEventsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_ListAdminEventsResponse__Output>): grpc.ClientUnaryCall;
  ListAdminEvents(argument: _stockraft_v1_ListAdminEventsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_stockraft_v1_ListAdminEventsResponse__Output>): grpc.ClientUnaryCall;
  ListAdminEvents(argument: _stockraft_v1_ListAdminEventsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_ListAdminEventsResponse__Output>): grpc.ClientUnaryCall;
  ListAdminEvents(argument: _stockraft_v1_ListAdminEventsRequest, callback: grpc.requestCallback<_stockraft_v1_ListAdminEventsResponse__Output>): grpc.ClientUnaryCall;
  listAdminEvents(argument: _stockraft_v1_ListAdminEventsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_ListAdminEventsResponse__Output>): grpc.ClientUnaryCall;
  listAdminEvents(argument: _stockraft_v1_ListAdminEventsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_stockraft_v1_ListAdminEventsResponse__Output>): grpc.ClientUnaryCall;
  listAdminEvents(argument: _stockraft_v1_ListAdminEventsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_ListAdminEventsResponse__Output>): grpc.ClientUnaryCall;
  listAdminEvents(argument: _stockraft_v1_ListAdminEventsRequest, callback: grpc.requestCallback<_stockraft_v1_ListAdminEventsResponse__Output>): grpc.ClientUnaryCall;
  
  MarkHistoryArchived(argument: _stockraft_v1_MarkHistoryArchivedRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_MarkHistoryArchivedResponse__Output>): grpc.ClientUnaryCall;
  MarkHistoryArchived(argument: _stockraft_v1_MarkHistoryArchivedRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_stockraft_v1_MarkHistoryArchivedResponse__Output>): grpc.ClientUnaryCall;
  MarkHistoryArchived(argument: _stockraft_v1_MarkHistoryArchivedRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_MarkHistoryArchivedResponse__Output>): grpc.ClientUnaryCall;
  MarkHistoryArchived(argument: _stockraft_v1_MarkHistoryArchivedRequest, callback: grpc.requestCallback<_stockraft_v1_MarkHistoryArchivedResponse__Output>): grpc.ClientUnaryCall;
  markHistoryArchived(argument: _stockraft_v1_MarkHistoryArchivedRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_MarkHistoryArchivedResponse__Output>): grpc.ClientUnaryCall;
  markHistoryArchived(argument: _stockraft_v1_MarkHistoryArchivedRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_stockraft_v1_MarkHistoryArchivedResponse__Output>): grpc.ClientUnaryCall;
  markHistoryArchived(argument: _stockraft_v1_MarkHistoryArchivedRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_MarkHistoryArchivedResponse__Output>): grpc.ClientUnaryCall;
  markHistoryArchived(argument: _stockraft_v1_MarkHistoryArchivedRequest, callback: grpc.requestCallback<_stockraft_v1_MarkHistoryArchivedResponse__Output>): grpc.ClientUnaryCall;
  
  Promote(argument: _stockraft_v1_PromoteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_MembershipResponse__Output>): grpc.ClientUnaryCall;
  Promote(argument: _stockraft_v1_PromoteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_stockraft_v1_MembershipResponse__Output>): grpc.ClientUnaryCall;
  Promote(argument: _stockraft_v1_PromoteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_MembershipResponse__Output>): grpc.ClientUnaryCall;
  Promote(argument: _stockraft_v1_PromoteRequest, callback: grpc.requestCallback<_stockraft_v1_MembershipResponse__Output>): grpc.ClientUnaryCall;
  promote(argument: _stockraft_v1_PromoteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_MembershipResponse__Output>): grpc.ClientUnaryCall;
  promote(argument: _stockraft_v1_PromoteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_stockraft_v1_MembershipResponse__Output>): grpc.ClientUnaryCall;
  promote(argument: _stockraft_v1_PromoteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_MembershipResponse__Output>): grpc.ClientUnaryCall;
  promote(argument: _stockraft_v1_PromoteRequest, callback: grpc.requestCallback<_stockraft_v1_MembershipResponse__Output>): grpc.ClientUnaryCall;
  
  Remove(argument: _stockraft_v1_RemoveRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_MembershipResponse__Output>): grpc.ClientUnaryCall;
  Remove(argument: _stockraft_v1_RemoveRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_stockraft_v1_MembershipResponse__Output>): grpc.ClientUnaryCall;
  Remove(argument: _stockraft_v1_RemoveRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_MembershipResponse__Output>): grpc.ClientUnaryCall;
  Remove(argument: _stockraft_v1_RemoveRequest, callback: grpc.requestCallback<_stockraft_v1_MembershipResponse__Output>): grpc.ClientUnaryCall;
  remove(argument: _stockraft_v1_RemoveRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_MembershipResponse__Output>): grpc.ClientUnaryCall;
  remove(argument: _stockraft_v1_RemoveRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_stockraft_v1_MembershipResponse__Output>): grpc.ClientUnaryCall;
  remove(argument: _stockraft_v1_RemoveRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_MembershipResponse__Output>): grpc.ClientUnaryCall;
  remove(argument: _stockraft_v1_RemoveRequest, callback: grpc.requestCallback<_stockraft_v1_MembershipResponse__Output>): grpc.ClientUnaryCall;
  
  SetClusterVersion(argument: _stockraft_v1_SetClusterVersionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_SetClusterVersionResponse__Output>): grpc.ClientUnaryCall;
  SetClusterVersion(argument: _stockraft_v1_SetClusterVersionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_stockraft_v1_SetClusterVersionResponse__Output>): grpc.ClientUnaryCall;
  SetClusterVersion(argument: _stockraft_v1_SetClusterVersionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_SetClusterVersionResponse__Output>): grpc.ClientUnaryCall;
  SetClusterVersion(argument: _stockraft_v1_SetClusterVersionRequest, callback: grpc.requestCallback<_stockraft_v1_SetClusterVersionResponse__Output>): grpc.ClientUnaryCall;
  setClusterVersion(argument: _stockraft_v1_SetClusterVersionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_SetClusterVersionResponse__Output>): grpc.ClientUnaryCall;
  setClusterVersion(argument: _stockraft_v1_SetClusterVersionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_stockraft_v1_SetClusterVersionResponse__Output>): grpc.ClientUnaryCall;
  setClusterVersion(argument: _stockraft_v1_SetClusterVersionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_SetClusterVersionResponse__Output>): grpc.ClientUnaryCall;
  setClusterVersion(argument: _stockraft_v1_SetClusterVersionRequest, callback: grpc.requestCallback<_stockraft_v1_SetClusterVersionResponse__Output>): grpc.ClientUnaryCall;
  
  Snapshot(argument: _stockraft_v1_SnapshotRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_SnapshotResponse__Output>): grpc.ClientUnaryCall;
  Snapshot(argument: _stockraft_v1_SnapshotRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_stockraft_v1_SnapshotResponse__Output>): grpc.ClientUnaryCall;
  Snapshot(argument: _stockraft_v1_SnapshotRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_SnapshotResponse__Output>): grpc.ClientUnaryCall;
  Snapshot(argument: _stockraft_v1_SnapshotRequest, callback: grpc.requestCallback<_stockraft_v1_SnapshotResponse__Output>): grpc.ClientUnaryCall;
  snapshot(argument: _stockraft_v1_SnapshotRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_SnapshotResponse__Output>): grpc.ClientUnaryCall;
  snapshot(argument: _stockraft_v1_SnapshotRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_stockraft_v1_SnapshotResponse__Output>): grpc.ClientUnaryCall;
  snapshot(argument: _stockraft_v1_SnapshotRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_SnapshotResponse__Output>): grpc.ClientUnaryCall;
  snapshot(argument: _stockraft_v1_SnapshotRequest, callback: grpc.requestCallback<_stockraft_v1_SnapshotResponse__Output>): grpc.ClientUnaryCall;
  
  Status(argument: _stockraft_v1_StatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  Status(argument: _stockraft_v1_StatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_stockraft_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  Status(argument: _stockraft_v1_StatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  Status(argument: _stockraft_v1_StatusRequest, callback: grpc.requestCallback<_stockraft_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  status(argument: _stockraft_v1_StatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  status(argument: _stockraft_v1_StatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_stockraft_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  status(argument: _stockraft_v1_StatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  status(argument: _stockraft_v1_StatusRequest, callback: grpc.requestCallback<_stockraft_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  
  TransferLeadership(argument: _stockraft_v1_TransferLeadershipRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_MembershipResponse__Output>): grpc.ClientUnaryCall;
  TransferLeadership(argument: _stockraft_v1_TransferLeadershipRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_stockraft_v1_MembershipResponse__Output>): grpc.ClientUnaryCall;
  TransferLeadership(argument: _stockraft_v1_TransferLeadershipRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_MembershipResponse__Output>): grpc.ClientUnaryCall;
  TransferLeadership(argument: _stockraft_v1_TransferLeadershipRequest, callback: grpc.requestCallback<_stockraft_v1_MembershipResponse__Output>): grpc.ClientUnaryCall;
  transferLeadership(argument: _stockraft_v1_TransferLeadershipRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_MembershipResponse__Output>): grpc.ClientUnaryCall;
  transferLeadership(argument: _stockraft_v1_TransferLeadershipRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_stockraft_v1_MembershipResponse__Output>): grpc.ClientUnaryCall;
  transferLeadership(argument: _stockraft_v1_TransferLeadershipRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_MembershipResponse__Output>): grpc.ClientUnaryCall;
  transferLeadership(argument: _stockraft_v1_TransferLeadershipRequest, callback: grpc.requestCallback<_stockraft_v1_MembershipResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface ClusterHandlers extends grpc.UntypedServiceImplementation {
  AddLearner: grpc.handleUnaryCall<_stockraft_v1_AddLearnerRequest__Output, _stockraft_v1_MembershipResponse>;
  
  Backup: grpc.handleServerStreamingCall<_stockraft_v1_BackupRequest__Output, _stockraft_v1_BackupChunk>;
  
  ListAdminEvents: grpc.handleUnaryCall<_stockraft_v1_ListAdminEventsRequest__Output, _stockraft_v1_ListAdminEventsResponse>;
  
  MarkHistoryArchived: grpc.handleUnaryCall<_stockraft_v1_MarkHistoryArchivedRequest__Output, _stockraft_v1_MarkHistoryArchivedResponse>;
  
  Promote: grpc.handleUnaryCall<_stockraft_v1_PromoteRequest__Output, _stockraft_v1_MembershipResponse>;
  
  Remove: grpc.handleUnaryCall<_stockraft_v1_RemoveRequest__Output, _stockraft_v1_MembershipResponse>;
  
  SetClusterVersion: grpc.handleUnaryCall<_stockraft_v1_SetClusterVersionRequest__Output, _stockraft_v1_SetClusterVersionResponse>;
  
  Snapshot: grpc.handleUnaryCall<_stockraft_v1_SnapshotRequest__Output, _stockraft_v1_SnapshotResponse>;
  
  Status: grpc.handleUnaryCall<_stockraft_v1_StatusRequest__Output, _stockraft_v1_StatusResponse>;
  
  TransferLeadership: grpc.handleUnaryCall<_stockraft_v1_TransferLeadershipRequest__Output, _stockraft_v1_MembershipResponse>;
  
}

export interface ClusterDefinition extends grpc.ServiceDefinition {
  AddLearner: MethodDefinition<_stockraft_v1_AddLearnerRequest, _stockraft_v1_MembershipResponse, _stockraft_v1_AddLearnerRequest__Output, _stockraft_v1_MembershipResponse__Output>
  Backup: MethodDefinition<_stockraft_v1_BackupRequest, _stockraft_v1_BackupChunk, _stockraft_v1_BackupRequest__Output, _stockraft_v1_BackupChunk__Output>
  ListAdminEvents: MethodDefinition<_stockraft_v1_ListAdminEventsRequest, _stockraft_v1_ListAdminEventsResponse, _stockraft_v1_ListAdminEventsRequest__Output, _stockraft_v1_ListAdminEventsResponse__Output>
  MarkHistoryArchived: MethodDefinition<_stockraft_v1_MarkHistoryArchivedRequest, _stockraft_v1_MarkHistoryArchivedResponse, _stockraft_v1_MarkHistoryArchivedRequest__Output, _stockraft_v1_MarkHistoryArchivedResponse__Output>
  Promote: MethodDefinition<_stockraft_v1_PromoteRequest, _stockraft_v1_MembershipResponse, _stockraft_v1_PromoteRequest__Output, _stockraft_v1_MembershipResponse__Output>
  Remove: MethodDefinition<_stockraft_v1_RemoveRequest, _stockraft_v1_MembershipResponse, _stockraft_v1_RemoveRequest__Output, _stockraft_v1_MembershipResponse__Output>
  SetClusterVersion: MethodDefinition<_stockraft_v1_SetClusterVersionRequest, _stockraft_v1_SetClusterVersionResponse, _stockraft_v1_SetClusterVersionRequest__Output, _stockraft_v1_SetClusterVersionResponse__Output>
  Snapshot: MethodDefinition<_stockraft_v1_SnapshotRequest, _stockraft_v1_SnapshotResponse, _stockraft_v1_SnapshotRequest__Output, _stockraft_v1_SnapshotResponse__Output>
  Status: MethodDefinition<_stockraft_v1_StatusRequest, _stockraft_v1_StatusResponse, _stockraft_v1_StatusRequest__Output, _stockraft_v1_StatusResponse__Output>
  TransferLeadership: MethodDefinition<_stockraft_v1_TransferLeadershipRequest, _stockraft_v1_MembershipResponse, _stockraft_v1_TransferLeadershipRequest__Output, _stockraft_v1_MembershipResponse__Output>
}
