import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { AddLearnerRequest as _stockraft_v1_AddLearnerRequest, AddLearnerRequest__Output as _stockraft_v1_AddLearnerRequest__Output } from './stockraft/v1/AddLearnerRequest.js';
import type { AdjustRequest as _stockraft_v1_AdjustRequest, AdjustRequest__Output as _stockraft_v1_AdjustRequest__Output } from './stockraft/v1/AdjustRequest.js';
import type { AdminEvent as _stockraft_v1_AdminEvent, AdminEvent__Output as _stockraft_v1_AdminEvent__Output } from './stockraft/v1/AdminEvent.js';
import type { AllocationLine as _stockraft_v1_AllocationLine, AllocationLine__Output as _stockraft_v1_AllocationLine__Output } from './stockraft/v1/AllocationLine.js';
import type { BackupChunk as _stockraft_v1_BackupChunk, BackupChunk__Output as _stockraft_v1_BackupChunk__Output } from './stockraft/v1/BackupChunk.js';
import type { BackupRequest as _stockraft_v1_BackupRequest, BackupRequest__Output as _stockraft_v1_BackupRequest__Output } from './stockraft/v1/BackupRequest.js';
import type { ClusterClient as _stockraft_v1_ClusterClient, ClusterDefinition as _stockraft_v1_ClusterDefinition } from './stockraft/v1/Cluster.js';
import type { CommandResult as _stockraft_v1_CommandResult, CommandResult__Output as _stockraft_v1_CommandResult__Output } from './stockraft/v1/CommandResult.js';
import type { CommitRequest as _stockraft_v1_CommitRequest, CommitRequest__Output as _stockraft_v1_CommitRequest__Output } from './stockraft/v1/CommitRequest.js';
import type { CountBelowHeldDetail as _stockraft_v1_CountBelowHeldDetail, CountBelowHeldDetail__Output as _stockraft_v1_CountBelowHeldDetail__Output } from './stockraft/v1/CountBelowHeldDetail.js';
import type { CountRequest as _stockraft_v1_CountRequest, CountRequest__Output as _stockraft_v1_CountRequest__Output } from './stockraft/v1/CountRequest.js';
import type { CustomerLimitDetail as _stockraft_v1_CustomerLimitDetail, CustomerLimitDetail__Output as _stockraft_v1_CustomerLimitDetail__Output } from './stockraft/v1/CustomerLimitDetail.js';
import type { Event as _stockraft_v1_Event, Event__Output as _stockraft_v1_Event__Output } from './stockraft/v1/Event.js';
import type { ExtendRequest as _stockraft_v1_ExtendRequest, ExtendRequest__Output as _stockraft_v1_ExtendRequest__Output } from './stockraft/v1/ExtendRequest.js';
import type { GetOutcomeRequest as _stockraft_v1_GetOutcomeRequest, GetOutcomeRequest__Output as _stockraft_v1_GetOutcomeRequest__Output } from './stockraft/v1/GetOutcomeRequest.js';
import type { GetOutcomeResponse as _stockraft_v1_GetOutcomeResponse, GetOutcomeResponse__Output as _stockraft_v1_GetOutcomeResponse__Output } from './stockraft/v1/GetOutcomeResponse.js';
import type { GetPositionRequest as _stockraft_v1_GetPositionRequest, GetPositionRequest__Output as _stockraft_v1_GetPositionRequest__Output } from './stockraft/v1/GetPositionRequest.js';
import type { GetPositionResponse as _stockraft_v1_GetPositionResponse, GetPositionResponse__Output as _stockraft_v1_GetPositionResponse__Output } from './stockraft/v1/GetPositionResponse.js';
import type { GetPositionsRequest as _stockraft_v1_GetPositionsRequest, GetPositionsRequest__Output as _stockraft_v1_GetPositionsRequest__Output } from './stockraft/v1/GetPositionsRequest.js';
import type { GetPositionsResponse as _stockraft_v1_GetPositionsResponse, GetPositionsResponse__Output as _stockraft_v1_GetPositionsResponse__Output } from './stockraft/v1/GetPositionsResponse.js';
import type { GetReservationRequest as _stockraft_v1_GetReservationRequest, GetReservationRequest__Output as _stockraft_v1_GetReservationRequest__Output } from './stockraft/v1/GetReservationRequest.js';
import type { GetReservationResponse as _stockraft_v1_GetReservationResponse, GetReservationResponse__Output as _stockraft_v1_GetReservationResponse__Output } from './stockraft/v1/GetReservationResponse.js';
import type { HistoryHorizon as _stockraft_v1_HistoryHorizon, HistoryHorizon__Output as _stockraft_v1_HistoryHorizon__Output } from './stockraft/v1/HistoryHorizon.js';
import type { InvalidDetail as _stockraft_v1_InvalidDetail, InvalidDetail__Output as _stockraft_v1_InvalidDetail__Output } from './stockraft/v1/InvalidDetail.js';
import type { InventoryClient as _stockraft_v1_InventoryClient, InventoryDefinition as _stockraft_v1_InventoryDefinition } from './stockraft/v1/Inventory.js';
import type { Line as _stockraft_v1_Line, Line__Output as _stockraft_v1_Line__Output } from './stockraft/v1/Line.js';
import type { ListAdminEventsRequest as _stockraft_v1_ListAdminEventsRequest, ListAdminEventsRequest__Output as _stockraft_v1_ListAdminEventsRequest__Output } from './stockraft/v1/ListAdminEventsRequest.js';
import type { ListAdminEventsResponse as _stockraft_v1_ListAdminEventsResponse, ListAdminEventsResponse__Output as _stockraft_v1_ListAdminEventsResponse__Output } from './stockraft/v1/ListAdminEventsResponse.js';
import type { ListEventsRequest as _stockraft_v1_ListEventsRequest, ListEventsRequest__Output as _stockraft_v1_ListEventsRequest__Output } from './stockraft/v1/ListEventsRequest.js';
import type { ListEventsResponse as _stockraft_v1_ListEventsResponse, ListEventsResponse__Output as _stockraft_v1_ListEventsResponse__Output } from './stockraft/v1/ListEventsResponse.js';
import type { ListPositionsRequest as _stockraft_v1_ListPositionsRequest, ListPositionsRequest__Output as _stockraft_v1_ListPositionsRequest__Output } from './stockraft/v1/ListPositionsRequest.js';
import type { ListPositionsResponse as _stockraft_v1_ListPositionsResponse, ListPositionsResponse__Output as _stockraft_v1_ListPositionsResponse__Output } from './stockraft/v1/ListPositionsResponse.js';
import type { MarkHistoryArchivedRequest as _stockraft_v1_MarkHistoryArchivedRequest, MarkHistoryArchivedRequest__Output as _stockraft_v1_MarkHistoryArchivedRequest__Output } from './stockraft/v1/MarkHistoryArchivedRequest.js';
import type { MarkHistoryArchivedResponse as _stockraft_v1_MarkHistoryArchivedResponse, MarkHistoryArchivedResponse__Output as _stockraft_v1_MarkHistoryArchivedResponse__Output } from './stockraft/v1/MarkHistoryArchivedResponse.js';
import type { Member as _stockraft_v1_Member, Member__Output as _stockraft_v1_Member__Output } from './stockraft/v1/Member.js';
import type { MembershipResponse as _stockraft_v1_MembershipResponse, MembershipResponse__Output as _stockraft_v1_MembershipResponse__Output } from './stockraft/v1/MembershipResponse.js';
import type { Op as _stockraft_v1_Op, Op__Output as _stockraft_v1_Op__Output } from './stockraft/v1/Op.js';
import type { Position as _stockraft_v1_Position, Position__Output as _stockraft_v1_Position__Output } from './stockraft/v1/Position.js';
import type { PositionKey as _stockraft_v1_PositionKey, PositionKey__Output as _stockraft_v1_PositionKey__Output } from './stockraft/v1/PositionKey.js';
import type { PromoteRequest as _stockraft_v1_PromoteRequest, PromoteRequest__Output as _stockraft_v1_PromoteRequest__Output } from './stockraft/v1/PromoteRequest.js';
import type { ReceiveTransferRequest as _stockraft_v1_ReceiveTransferRequest, ReceiveTransferRequest__Output as _stockraft_v1_ReceiveTransferRequest__Output } from './stockraft/v1/ReceiveTransferRequest.js';
import type { ReleaseRequest as _stockraft_v1_ReleaseRequest, ReleaseRequest__Output as _stockraft_v1_ReleaseRequest__Output } from './stockraft/v1/ReleaseRequest.js';
import type { RemoveRequest as _stockraft_v1_RemoveRequest, RemoveRequest__Output as _stockraft_v1_RemoveRequest__Output } from './stockraft/v1/RemoveRequest.js';
import type { Reservation as _stockraft_v1_Reservation, Reservation__Output as _stockraft_v1_Reservation__Output } from './stockraft/v1/Reservation.js';
import type { ReserveRequest as _stockraft_v1_ReserveRequest, ReserveRequest__Output as _stockraft_v1_ReserveRequest__Output } from './stockraft/v1/ReserveRequest.js';
import type { SetClusterVersionRequest as _stockraft_v1_SetClusterVersionRequest, SetClusterVersionRequest__Output as _stockraft_v1_SetClusterVersionRequest__Output } from './stockraft/v1/SetClusterVersionRequest.js';
import type { SetClusterVersionResponse as _stockraft_v1_SetClusterVersionResponse, SetClusterVersionResponse__Output as _stockraft_v1_SetClusterVersionResponse__Output } from './stockraft/v1/SetClusterVersionResponse.js';
import type { SetPositionPolicyRequest as _stockraft_v1_SetPositionPolicyRequest, SetPositionPolicyRequest__Output as _stockraft_v1_SetPositionPolicyRequest__Output } from './stockraft/v1/SetPositionPolicyRequest.js';
import type { SetSkuPolicyRequest as _stockraft_v1_SetSkuPolicyRequest, SetSkuPolicyRequest__Output as _stockraft_v1_SetSkuPolicyRequest__Output } from './stockraft/v1/SetSkuPolicyRequest.js';
import type { ShortLine as _stockraft_v1_ShortLine, ShortLine__Output as _stockraft_v1_ShortLine__Output } from './stockraft/v1/ShortLine.js';
import type { SnapshotRequest as _stockraft_v1_SnapshotRequest, SnapshotRequest__Output as _stockraft_v1_SnapshotRequest__Output } from './stockraft/v1/SnapshotRequest.js';
import type { SnapshotResponse as _stockraft_v1_SnapshotResponse, SnapshotResponse__Output as _stockraft_v1_SnapshotResponse__Output } from './stockraft/v1/SnapshotResponse.js';
import type { StatusRequest as _stockraft_v1_StatusRequest, StatusRequest__Output as _stockraft_v1_StatusRequest__Output } from './stockraft/v1/StatusRequest.js';
import type { StatusResponse as _stockraft_v1_StatusResponse, StatusResponse__Output as _stockraft_v1_StatusResponse__Output } from './stockraft/v1/StatusResponse.js';
import type { SubmitRequest as _stockraft_v1_SubmitRequest, SubmitRequest__Output as _stockraft_v1_SubmitRequest__Output } from './stockraft/v1/SubmitRequest.js';
import type { SubmitResponse as _stockraft_v1_SubmitResponse, SubmitResponse__Output as _stockraft_v1_SubmitResponse__Output } from './stockraft/v1/SubmitResponse.js';
import type { TransferLeadershipRequest as _stockraft_v1_TransferLeadershipRequest, TransferLeadershipRequest__Output as _stockraft_v1_TransferLeadershipRequest__Output } from './stockraft/v1/TransferLeadershipRequest.js';
import type { TransferRequest as _stockraft_v1_TransferRequest, TransferRequest__Output as _stockraft_v1_TransferRequest__Output } from './stockraft/v1/TransferRequest.js';
import type { WatchEvent as _stockraft_v1_WatchEvent, WatchEvent__Output as _stockraft_v1_WatchEvent__Output } from './stockraft/v1/WatchEvent.js';
import type { WatchRequest as _stockraft_v1_WatchRequest, WatchRequest__Output as _stockraft_v1_WatchRequest__Output } from './stockraft/v1/WatchRequest.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  stockraft: {
    v1: {
      AddLearnerRequest: MessageTypeDefinition<_stockraft_v1_AddLearnerRequest, _stockraft_v1_AddLearnerRequest__Output>
      AdjustRequest: MessageTypeDefinition<_stockraft_v1_AdjustRequest, _stockraft_v1_AdjustRequest__Output>
      AdminEvent: MessageTypeDefinition<_stockraft_v1_AdminEvent, _stockraft_v1_AdminEvent__Output>
      AllocationLine: MessageTypeDefinition<_stockraft_v1_AllocationLine, _stockraft_v1_AllocationLine__Output>
      AllocationStrategy: EnumTypeDefinition
      BackupChunk: MessageTypeDefinition<_stockraft_v1_BackupChunk, _stockraft_v1_BackupChunk__Output>
      BackupRequest: MessageTypeDefinition<_stockraft_v1_BackupRequest, _stockraft_v1_BackupRequest__Output>
      Cluster: SubtypeConstructor<typeof grpc.Client, _stockraft_v1_ClusterClient> & { service: _stockraft_v1_ClusterDefinition }
      CommandResult: MessageTypeDefinition<_stockraft_v1_CommandResult, _stockraft_v1_CommandResult__Output>
      CommitRequest: MessageTypeDefinition<_stockraft_v1_CommitRequest, _stockraft_v1_CommitRequest__Output>
      Consistency: EnumTypeDefinition
      CountBelowHeldDetail: MessageTypeDefinition<_stockraft_v1_CountBelowHeldDetail, _stockraft_v1_CountBelowHeldDetail__Output>
      CountRequest: MessageTypeDefinition<_stockraft_v1_CountRequest, _stockraft_v1_CountRequest__Output>
      CustomerLimitDetail: MessageTypeDefinition<_stockraft_v1_CustomerLimitDetail, _stockraft_v1_CustomerLimitDetail__Output>
      Event: MessageTypeDefinition<_stockraft_v1_Event, _stockraft_v1_Event__Output>
      EventKind: EnumTypeDefinition
      ExtendRequest: MessageTypeDefinition<_stockraft_v1_ExtendRequest, _stockraft_v1_ExtendRequest__Output>
      GetOutcomeRequest: MessageTypeDefinition<_stockraft_v1_GetOutcomeRequest, _stockraft_v1_GetOutcomeRequest__Output>
      GetOutcomeResponse: MessageTypeDefinition<_stockraft_v1_GetOutcomeResponse, _stockraft_v1_GetOutcomeResponse__Output>
      GetPositionRequest: MessageTypeDefinition<_stockraft_v1_GetPositionRequest, _stockraft_v1_GetPositionRequest__Output>
      GetPositionResponse: MessageTypeDefinition<_stockraft_v1_GetPositionResponse, _stockraft_v1_GetPositionResponse__Output>
      GetPositionsRequest: MessageTypeDefinition<_stockraft_v1_GetPositionsRequest, _stockraft_v1_GetPositionsRequest__Output>
      GetPositionsResponse: MessageTypeDefinition<_stockraft_v1_GetPositionsResponse, _stockraft_v1_GetPositionsResponse__Output>
      GetReservationRequest: MessageTypeDefinition<_stockraft_v1_GetReservationRequest, _stockraft_v1_GetReservationRequest__Output>
      GetReservationResponse: MessageTypeDefinition<_stockraft_v1_GetReservationResponse, _stockraft_v1_GetReservationResponse__Output>
      HistoryHorizon: MessageTypeDefinition<_stockraft_v1_HistoryHorizon, _stockraft_v1_HistoryHorizon__Output>
      InvalidDetail: MessageTypeDefinition<_stockraft_v1_InvalidDetail, _stockraft_v1_InvalidDetail__Output>
      Inventory: SubtypeConstructor<typeof grpc.Client, _stockraft_v1_InventoryClient> & { service: _stockraft_v1_InventoryDefinition }
      Line: MessageTypeDefinition<_stockraft_v1_Line, _stockraft_v1_Line__Output>
      ListAdminEventsRequest: MessageTypeDefinition<_stockraft_v1_ListAdminEventsRequest, _stockraft_v1_ListAdminEventsRequest__Output>
      ListAdminEventsResponse: MessageTypeDefinition<_stockraft_v1_ListAdminEventsResponse, _stockraft_v1_ListAdminEventsResponse__Output>
      ListEventsRequest: MessageTypeDefinition<_stockraft_v1_ListEventsRequest, _stockraft_v1_ListEventsRequest__Output>
      ListEventsResponse: MessageTypeDefinition<_stockraft_v1_ListEventsResponse, _stockraft_v1_ListEventsResponse__Output>
      ListPositionsRequest: MessageTypeDefinition<_stockraft_v1_ListPositionsRequest, _stockraft_v1_ListPositionsRequest__Output>
      ListPositionsResponse: MessageTypeDefinition<_stockraft_v1_ListPositionsResponse, _stockraft_v1_ListPositionsResponse__Output>
      MarkHistoryArchivedRequest: MessageTypeDefinition<_stockraft_v1_MarkHistoryArchivedRequest, _stockraft_v1_MarkHistoryArchivedRequest__Output>
      MarkHistoryArchivedResponse: MessageTypeDefinition<_stockraft_v1_MarkHistoryArchivedResponse, _stockraft_v1_MarkHistoryArchivedResponse__Output>
      Member: MessageTypeDefinition<_stockraft_v1_Member, _stockraft_v1_Member__Output>
      MembershipResponse: MessageTypeDefinition<_stockraft_v1_MembershipResponse, _stockraft_v1_MembershipResponse__Output>
      Op: MessageTypeDefinition<_stockraft_v1_Op, _stockraft_v1_Op__Output>
      Position: MessageTypeDefinition<_stockraft_v1_Position, _stockraft_v1_Position__Output>
      PositionKey: MessageTypeDefinition<_stockraft_v1_PositionKey, _stockraft_v1_PositionKey__Output>
      PromoteRequest: MessageTypeDefinition<_stockraft_v1_PromoteRequest, _stockraft_v1_PromoteRequest__Output>
      ReceiveTransferRequest: MessageTypeDefinition<_stockraft_v1_ReceiveTransferRequest, _stockraft_v1_ReceiveTransferRequest__Output>
      ReleaseRequest: MessageTypeDefinition<_stockraft_v1_ReleaseRequest, _stockraft_v1_ReleaseRequest__Output>
      RemoveRequest: MessageTypeDefinition<_stockraft_v1_RemoveRequest, _stockraft_v1_RemoveRequest__Output>
      Reservation: MessageTypeDefinition<_stockraft_v1_Reservation, _stockraft_v1_Reservation__Output>
      ReservationState: EnumTypeDefinition
      ReserveRequest: MessageTypeDefinition<_stockraft_v1_ReserveRequest, _stockraft_v1_ReserveRequest__Output>
      ResultCode: EnumTypeDefinition
      SetClusterVersionRequest: MessageTypeDefinition<_stockraft_v1_SetClusterVersionRequest, _stockraft_v1_SetClusterVersionRequest__Output>
      SetClusterVersionResponse: MessageTypeDefinition<_stockraft_v1_SetClusterVersionResponse, _stockraft_v1_SetClusterVersionResponse__Output>
      SetPositionPolicyRequest: MessageTypeDefinition<_stockraft_v1_SetPositionPolicyRequest, _stockraft_v1_SetPositionPolicyRequest__Output>
      SetSkuPolicyRequest: MessageTypeDefinition<_stockraft_v1_SetSkuPolicyRequest, _stockraft_v1_SetSkuPolicyRequest__Output>
      ShortLine: MessageTypeDefinition<_stockraft_v1_ShortLine, _stockraft_v1_ShortLine__Output>
      SnapshotRequest: MessageTypeDefinition<_stockraft_v1_SnapshotRequest, _stockraft_v1_SnapshotRequest__Output>
      SnapshotResponse: MessageTypeDefinition<_stockraft_v1_SnapshotResponse, _stockraft_v1_SnapshotResponse__Output>
      StatusRequest: MessageTypeDefinition<_stockraft_v1_StatusRequest, _stockraft_v1_StatusRequest__Output>
      StatusResponse: MessageTypeDefinition<_stockraft_v1_StatusResponse, _stockraft_v1_StatusResponse__Output>
      SubmitRequest: MessageTypeDefinition<_stockraft_v1_SubmitRequest, _stockraft_v1_SubmitRequest__Output>
      SubmitResponse: MessageTypeDefinition<_stockraft_v1_SubmitResponse, _stockraft_v1_SubmitResponse__Output>
      TransferLeadershipRequest: MessageTypeDefinition<_stockraft_v1_TransferLeadershipRequest, _stockraft_v1_TransferLeadershipRequest__Output>
      TransferRequest: MessageTypeDefinition<_stockraft_v1_TransferRequest, _stockraft_v1_TransferRequest__Output>
      WatchEvent: MessageTypeDefinition<_stockraft_v1_WatchEvent, _stockraft_v1_WatchEvent__Output>
      WatchRequest: MessageTypeDefinition<_stockraft_v1_WatchRequest, _stockraft_v1_WatchRequest__Output>
    }
  }
}

