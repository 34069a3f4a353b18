// Original file: proto/stockraft/v1/inventory.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AdjustRequest as _stockraft_v1_AdjustRequest, AdjustRequest__Output as _stockraft_v1_AdjustRequest__Output } from '../../stockraft/v1/AdjustRequest.js';
import type { CommandResult as _stockraft_v1_CommandResult, CommandResult__Output as _stockraft_v1_CommandResult__Output } from '../../stockraft/v1/CommandResult.js';
import type { CommitRequest as _stockraft_v1_CommitRequest, CommitRequest__Output as _stockraft_v1_CommitRequest__Output } from '../../stockraft/v1/CommitRequest.js';
import type { CountRequest as _stockraft_v1_CountRequest, CountRequest__Output as _stockraft_v1_CountRequest__Output } from '../../stockraft/v1/CountRequest.js';
import type { ExtendRequest as _stockraft_v1_ExtendRequest, ExtendRequest__Output as _stockraft_v1_ExtendRequest__Output } from '../../stockraft/v1/ExtendRequest.js';
import type { GetOutcomeRequest as _stockraft_v1_GetOutcomeRequest, GetOutcomeRequest__Output as _stockraft_v1_GetOutcomeRequest__Output } from '../../stockraft/v1/GetOutcomeRequest.js';
import type { GetOutcomeResponse as _stockraft_v1_GetOutcomeResponse, GetOutcomeResponse__Output as _stockraft_v1_GetOutcomeResponse__Output } from '../../stockraft/v1/GetOutcomeResponse.js';
import type { GetPositionRequest as _stockraft_v1_GetPositionRequest, GetPositionRequest__Output as _stockraft_v1_GetPositionRequest__Output } from '../../stockraft/v1/GetPositionRequest.js';
import type { GetPositionResponse as _stockraft_v1_GetPositionResponse, GetPositionResponse__Output as _stockraft_v1_GetPositionResponse__Output } from '../../stockraft/v1/GetPositionResponse.js';
import type { GetPositionsRequest as _stockraft_v1_GetPositionsRequest, GetPositionsRequest__Output as _stockraft_v1_GetPositionsRequest__Output } from '../../stockraft/v1/GetPositionsRequest.js';
import type { GetPositionsResponse as _stockraft_v1_GetPositionsResponse, GetPositionsResponse__Output as _stockraft_v1_GetPositionsResponse__Output } from '../../stockraft/v1/GetPositionsResponse.js';
import type { GetReservationRequest as _stockraft_v1_GetReservationRequest, GetReservationRequest__Output as _stockraft_v1_GetReservationRequest__Output } from '../../stockraft/v1/GetReservationRequest.js';
import type { GetReservationResponse as _stockraft_v1_GetReservationResponse, GetReservationResponse__Output as _stockraft_v1_GetReservationResponse__Output } from '../../stockraft/v1/GetReservationResponse.js';
import type { ListEventsRequest as _stockraft_v1_ListEventsRequest, ListEventsRequest__Output as _stockraft_v1_ListEventsRequest__Output } from '../../stockraft/v1/ListEventsRequest.js';
import type { ListEventsResponse as _stockraft_v1_ListEventsResponse, ListEventsResponse__Output as _stockraft_v1_ListEventsResponse__Output } from '../../stockraft/v1/ListEventsResponse.js';
import type { ListPositionsRequest as _stockraft_v1_ListPositionsRequest, ListPositionsRequest__Output as _stockraft_v1_ListPositionsRequest__Output } from '../../stockraft/v1/ListPositionsRequest.js';
import type { ListPositionsResponse as _stockraft_v1_ListPositionsResponse, ListPositionsResponse__Output as _stockraft_v1_ListPositionsResponse__Output } from '../../stockraft/v1/ListPositionsResponse.js';
import type { ReceiveTransferRequest as _stockraft_v1_ReceiveTransferRequest, ReceiveTransferRequest__Output as _stockraft_v1_ReceiveTransferRequest__Output } from '../../stockraft/v1/ReceiveTransferRequest.js';
import type { ReleaseRequest as _stockraft_v1_ReleaseRequest, ReleaseRequest__Output as _stockraft_v1_ReleaseRequest__Output } from '../../stockraft/v1/ReleaseRequest.js';
import type { ReserveRequest as _stockraft_v1_ReserveRequest, ReserveRequest__Output as _stockraft_v1_ReserveRequest__Output } from '../../stockraft/v1/ReserveRequest.js';
import type { SetPositionPolicyRequest as _stockraft_v1_SetPositionPolicyRequest, SetPositionPolicyRequest__Output as _stockraft_v1_SetPositionPolicyRequest__Output } from '../../stockraft/v1/SetPositionPolicyRequest.js';
import type { SetSkuPolicyRequest as _stockraft_v1_SetSkuPolicyRequest, SetSkuPolicyRequest__Output as _stockraft_v1_SetSkuPolicyRequest__Output } from '../../stockraft/v1/SetSkuPolicyRequest.js';
import type { SubmitRequest as _stockraft_v1_SubmitRequest, SubmitRequest__Output as _stockraft_v1_SubmitRequest__Output } from '../../stockraft/v1/SubmitRequest.js';
import type { SubmitResponse as _stockraft_v1_SubmitResponse, SubmitResponse__Output as _stockraft_v1_SubmitResponse__Output } from '../../stockraft/v1/SubmitResponse.js';
import type { TransferRequest as _stockraft_v1_TransferRequest, TransferRequest__Output as _stockraft_v1_TransferRequest__Output } from '../../stockraft/v1/TransferRequest.js';
import type { WatchEvent as _stockraft_v1_WatchEvent, WatchEvent__Output as _stockraft_v1_WatchEvent__Output } from '../../stockraft/v1/WatchEvent.js';
import type { WatchRequest as _stockraft_v1_WatchRequest, WatchRequest__Output as _stockraft_v1_WatchRequest__Output } from '../../stockraft/v1/WatchRequest.js';

export interface InventoryClient extends grpc.Client {
  Adjust(argument: _stockraft_v1_AdjustRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  Adjust(argument: _stockraft_v1_AdjustRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  Adjust(argument: _stockraft_v1_AdjustRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  Adjust(argument: _stockraft_v1_AdjustRequest, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  adjust(argument: _stockraft_v1_AdjustRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  adjust(argument: _stockraft_v1_AdjustRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  adjust(argument: _stockraft_v1_AdjustRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  adjust(argument: _stockraft_v1_AdjustRequest, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  
  Commit(argument: _stockraft_v1_CommitRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  Commit(argument: _stockraft_v1_CommitRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  Commit(argument: _stockraft_v1_CommitRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  Commit(argument: _stockraft_v1_CommitRequest, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  commit(argument: _stockraft_v1_CommitRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  commit(argument: _stockraft_v1_CommitRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  commit(argument: _stockraft_v1_CommitRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  commit(argument: _stockraft_v1_CommitRequest, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  
  Count(argument: _stockraft_v1_CountRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  Count(argument: _stockraft_v1_CountRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  Count(argument: _stockraft_v1_CountRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  Count(argument: _stockraft_v1_CountRequest, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  count(argument: _stockraft_v1_CountRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  count(argument: _stockraft_v1_CountRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  count(argument: _stockraft_v1_CountRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  count(argument: _stockraft_v1_CountRequest, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  
  Extend(argument: _stockraft_v1_ExtendRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  Extend(argument: _stockraft_v1_ExtendRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  Extend(argument: _stockraft_v1_ExtendRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  Extend(argument: _stockraft_v1_ExtendRequest, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  extend(argument: _stockraft_v1_ExtendRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  extend(argument: _stockraft_v1_ExtendRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  extend(argument: _stockraft_v1_ExtendRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  extend(argument: _stockraft_v1_ExtendRequest, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  
  GetOutcome(argument: _stockraft_v1_GetOutcomeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_GetOutcomeResponse__Output>): grpc.ClientUnaryCall;
  GetOutcome(argument: _stockraft_v1_GetOutcomeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_stockraft_v1_GetOutcomeResponse__Output>): grpc.ClientUnaryCall;
  GetOutcome(argument: _stockraft_v1_GetOutcomeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_GetOutcomeResponse__Output>): grpc.ClientUnaryCall;
  GetOutcome(argument: _stockraft_v1_GetOutcomeRequest, callback: grpc.requestCallback<_stockraft_v1_GetOutcomeResponse__Output>): grpc.ClientUnaryCall;
  getOutcome(argument: _stockraft_v1_GetOutcomeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_GetOutcomeResponse__Output>): grpc.ClientUnaryCall;
  getOutcome(argument: _stockraft_v1_GetOutcomeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_stockraft_v1_GetOutcomeResponse__Output>): grpc.ClientUnaryCall;
  getOutcome(argument: _stockraft_v1_GetOutcomeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_GetOutcomeResponse__Output>): grpc.ClientUnaryCall;
  getOutcome(argument: _stockraft_v1_GetOutcomeRequest, callback: grpc.requestCallback<_stockraft_v1_GetOutcomeResponse__Output>): grpc.ClientUnaryCall;
  
  GetPosition(argument: _stockraft_v1_GetPositionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_GetPositionResponse__Output>): grpc.ClientUnaryCall;
  GetPosition(argument: _stockraft_v1_GetPositionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_stockraft_v1_GetPositionResponse__Output>): grpc.ClientUnaryCall;
  GetPosition(argument: _stockraft_v1_GetPositionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_GetPositionResponse__Output>): grpc.ClientUnaryCall;
  GetPosition(argument: _stockraft_v1_GetPositionRequest, callback: grpc.requestCallback<_stockraft_v1_GetPositionResponse__Output>): grpc.ClientUnaryCall;
  getPosition(argument: _stockraft_v1_GetPositionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_GetPositionResponse__Output>): grpc.ClientUnaryCall;
  getPosition(argument: _stockraft_v1_GetPositionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_stockraft_v1_GetPositionResponse__Output>): grpc.ClientUnaryCall;
  getPosition(argument: _stockraft_v1_GetPositionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_GetPositionResponse__Output>): grpc.ClientUnaryCall;
  getPosition(argument: _stockraft_v1_GetPositionRequest, callback: grpc.requestCallback<_stockraft_v1_GetPositionResponse__Output>): grpc.ClientUnaryCall;
  
  GetPositions(argument: _stockraft_v1_GetPositionsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_GetPositionsResponse__Output>): grpc.ClientUnaryCall;
  GetPositions(argument: _stockraft_v1_GetPositionsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_stockraft_v1_GetPositionsResponse__Output>): grpc.ClientUnaryCall;
  GetPositions(argument: _stockraft_v1_GetPositionsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_GetPositionsResponse__Output>): grpc.ClientUnaryCall;
  GetPositions(argument: _stockraft_v1_GetPositionsRequest, callback: grpc.requestCallback<_stockraft_v1_GetPositionsResponse__Output>): grpc.ClientUnaryCall;
  getPositions(argument: _stockraft_v1_GetPositionsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_GetPositionsResponse__Output>): grpc.ClientUnaryCall;
  getPositions(argument: _stockraft_v1_GetPositionsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_stockraft_v1_GetPositionsResponse__Output>): grpc.ClientUnaryCall;
  getPositions(argument: _stockraft_v1_GetPositionsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_GetPositionsResponse__Output>): grpc.ClientUnaryCall;
  getPositions(argument: _stockraft_v1_GetPositionsRequest, callback: grpc.requestCallback<_stockraft_v1_GetPositionsResponse__Output>): grpc.ClientUnaryCall;
  
  GetReservation(argument: _stockraft_v1_GetReservationRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_GetReservationResponse__Output>): grpc.ClientUnaryCall;
  GetReservation(argument: _stockraft_v1_GetReservationRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_stockraft_v1_GetReservationResponse__Output>): grpc.ClientUnaryCall;
  GetReservation(argument: _stockraft_v1_GetReservationRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_GetReservationResponse__Output>): grpc.ClientUnaryCall;
  GetReservation(argument: _stockraft_v1_GetReservationRequest, callback: grpc.requestCallback<_stockraft_v1_GetReservationResponse__Output>): grpc.ClientUnaryCall;
  getReservation(argument: _stockraft_v1_GetReservationRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_GetReservationResponse__Output>): grpc.ClientUnaryCall;
  getReservation(argument: _stockraft_v1_GetReservationRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_stockraft_v1_GetReservationResponse__Output>): grpc.ClientUnaryCall;
  getReservation(argument: _stockraft_v1_GetReservationRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_GetReservationResponse__Output>): grpc.ClientUnaryCall;
  getReservation(argument: _stockraft_v1_GetReservationRequest, callback: grpc.requestCallback<_stockraft_v1_GetReservationResponse__Output>): grpc.ClientUnaryCall;
  
  ListEvents(argument: _stockraft_v1_ListEventsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_ListEventsResponse__Output>): grpc.ClientUnaryCall;
  ListEvents(argument: _stockraft_v1_ListEventsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_stockraft_v1_ListEventsResponse__Output>): grpc.ClientUnaryCall;
  ListEvents(argument: _stockraft_v1_ListEventsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_ListEventsResponse__Output>): grpc.ClientUnaryCall;
  ListEvents(argument: _stockraft_v1_ListEventsRequest, callback: grpc.requestCallback<_stockraft_v1_ListEventsResponse__Output>): grpc.ClientUnaryCall;
  listEvents(argument: _stockraft_v1_ListEventsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_ListEventsResponse__Output>): grpc.ClientUnaryCall;
  listEvents(argument: _stockraft_v1_ListEventsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_stockraft_v1_ListEventsResponse__Output>): grpc.ClientUnaryCall;
  listEvents(argument: _stockraft_v1_ListEventsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_ListEventsResponse__Output>): grpc.ClientUnaryCall;
  listEvents(argument: _stockraft_v1_ListEventsRequest, callback: grpc.requestCallback<_stockraft_v1_ListEventsResponse__Output>): grpc.ClientUnaryCall;
  
  ListPositions(argument: _stockraft_v1_ListPositionsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_ListPositionsResponse__Output>): grpc.ClientUnaryCall;
  ListPositions(argument: _stockraft_v1_ListPositionsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_stockraft_v1_ListPositionsResponse__Output>): grpc.ClientUnaryCall;
  ListPositions(argument: _stockraft_v1_ListPositionsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_ListPositionsResponse__Output>): grpc.ClientUnaryCall;
  ListPositions(argument: _stockraft_v1_ListPositionsRequest, callback: grpc.requestCallback<_stockraft_v1_ListPositionsResponse__Output>): grpc.ClientUnaryCall;
  listPositions(argument: _stockraft_v1_ListPositionsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_ListPositionsResponse__Output>): grpc.ClientUnaryCall;
  listPositions(argument: _stockraft_v1_ListPositionsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_stockraft_v1_ListPositionsResponse__Output>): grpc.ClientUnaryCall;
  listPositions(argument: _stockraft_v1_ListPositionsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_ListPositionsResponse__Output>): grpc.ClientUnaryCall;
  listPositions(argument: _stockraft_v1_ListPositionsRequest, callback: grpc.requestCallback<_stockraft_v1_ListPositionsResponse__Output>): grpc.ClientUnaryCall;
  
  ReceiveTransfer(argument: _stockraft_v1_ReceiveTransferRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  ReceiveTransfer(argument: _stockraft_v1_ReceiveTransferRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  ReceiveTransfer(argument: _stockraft_v1_ReceiveTransferRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  ReceiveTransfer(argument: _stockraft_v1_ReceiveTransferRequest, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  receiveTransfer(argument: _stockraft_v1_ReceiveTransferRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  receiveTransfer(argument: _stockraft_v1_ReceiveTransferRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  receiveTransfer(argument: _stockraft_v1_ReceiveTransferRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  receiveTransfer(argument: _stockraft_v1_ReceiveTransferRequest, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  
  Release(argument: _stockraft_v1_ReleaseRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  Release(argument: _stockraft_v1_ReleaseRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  Release(argument: _stockraft_v1_ReleaseRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  Release(argument: _stockraft_v1_ReleaseRequest, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  release(argument: _stockraft_v1_ReleaseRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  release(argument: _stockraft_v1_ReleaseRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  release(argument: _stockraft_v1_ReleaseRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  release(argument: _stockraft_v1_ReleaseRequest, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  
  Reserve(argument: _stockraft_v1_ReserveRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  Reserve(argument: _stockraft_v1_ReserveRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  Reserve(argument: _stockraft_v1_ReserveRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  Reserve(argument: _stockraft_v1_ReserveRequest, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  reserve(argument: _stockraft_v1_ReserveRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  reserve(argument: _stockraft_v1_ReserveRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  reserve(argument: _stockraft_v1_ReserveRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  reserve(argument: _stockraft_v1_ReserveRequest, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  
  SetPositionPolicy(argument: _stockraft_v1_SetPositionPolicyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  SetPositionPolicy(argument: _stockraft_v1_SetPositionPolicyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  SetPositionPolicy(argument: _stockraft_v1_SetPositionPolicyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  SetPositionPolicy(argument: _stockraft_v1_SetPositionPolicyRequest, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  setPositionPolicy(argument: _stockraft_v1_SetPositionPolicyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  setPositionPolicy(argument: _stockraft_v1_SetPositionPolicyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  setPositionPolicy(argument: _stockraft_v1_SetPositionPolicyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  setPositionPolicy(argument: _stockraft_v1_SetPositionPolicyRequest, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  
  SetSkuPolicy(argument: _stockraft_v1_SetSkuPolicyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  SetSkuPolicy(argument: _stockraft_v1_SetSkuPolicyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  SetSkuPolicy(argument: _stockraft_v1_SetSkuPolicyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  SetSkuPolicy(argument: _stockraft_v1_SetSkuPolicyRequest, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  setSkuPolicy(argument: _stockraft_v1_SetSkuPolicyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  setSkuPolicy(argument: _stockraft_v1_SetSkuPolicyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  setSkuPolicy(argument: _stockraft_v1_SetSkuPolicyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  setSkuPolicy(argument: _stockraft_v1_SetSkuPolicyRequest, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  
  Submit(argument: _stockraft_v1_SubmitRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_SubmitResponse__Output>): grpc.ClientUnaryCall;
  Submit(argument: _stockraft_v1_SubmitRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_stockraft_v1_SubmitResponse__Output>): grpc.ClientUnaryCall;
  Submit(argument: _stockraft_v1_SubmitRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_SubmitResponse__Output>): grpc.ClientUnaryCall;
  Submit(argument: _stockraft_v1_SubmitRequest, callback: grpc.requestCallback<_stockraft_v1_SubmitResponse__Output>): grpc.ClientUnaryCall;
  submit(argument: _stockraft_v1_SubmitRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_SubmitResponse__Output>): grpc.ClientUnaryCall;
  submit(argument: _stockraft_v1_SubmitRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_stockraft_v1_SubmitResponse__Output>): grpc.ClientUnaryCall;
  submit(argument: _stockraft_v1_SubmitRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_SubmitResponse__Output>): grpc.ClientUnaryCall;
  submit(argument: _stockraft_v1_SubmitRequest, callback: grpc.requestCallback<_stockraft_v1_SubmitResponse__Output>): grpc.ClientUnaryCall;
  
  Transfer(argument: _stockraft_v1_TransferRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  Transfer(argument: _stockraft_v1_TransferRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  Transfer(argument: _stockraft_v1_TransferRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  Transfer(argument: _stockraft_v1_TransferRequest, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  transfer(argument: _stockraft_v1_TransferRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  transfer(argument: _stockraft_v1_TransferRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  transfer(argument: _stockraft_v1_TransferRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  transfer(argument: _stockraft_v1_TransferRequest, callback: grpc.requestCallback<_stockraft_v1_CommandResult__Output>): grpc.ClientUnaryCall;
  
  Watch(argument: _stockraft_v1_WatchRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_stockraft_v1_WatchEvent__Output>;
  Watch(argument: _stockraft_v1_WatchRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_stockraft_v1_WatchEvent__Output>;
  watch(argument: _stockraft_v1_WatchRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_stockraft_v1_WatchEvent__Output>;
  watch(argument: _stockraft_v1_WatchRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_stockraft_v1_WatchEvent__Output>;
  
}

export interface InventoryHandlers extends grpc.UntypedServiceImplementation {
  Adjust: grpc.handleUnaryCall<_stockraft_v1_AdjustRequest__Output, _stockraft_v1_CommandResult>;
  
  Commit: grpc.handleUnaryCall<_stockraft_v1_CommitRequest__Output, _stockraft_v1_CommandResult>;
  
  Count: grpc.handleUnaryCall<_stockraft_v1_CountRequest__Output, _stockraft_v1_CommandResult>;
  
  Extend: grpc.handleUnaryCall<_stockraft_v1_ExtendRequest__Output, _stockraft_v1_CommandResult>;
  
  GetOutcome: grpc.handleUnaryCall<_stockraft_v1_GetOutcomeRequest__Output, _stockraft_v1_GetOutcomeResponse>;
  
  GetPosition: grpc.handleUnaryCall<_stockraft_v1_GetPositionRequest__Output, _stockraft_v1_GetPositionResponse>;
  
  GetPositions: grpc.handleUnaryCall<_stockraft_v1_GetPositionsRequest__Output, _stockraft_v1_GetPositionsResponse>;
  
  GetReservation: grpc.handleUnaryCall<_stockraft_v1_GetReservationRequest__Output, _stockraft_v1_GetReservationResponse>;
  
  ListEvents: grpc.handleUnaryCall<_stockraft_v1_ListEventsRequest__Output, _stockraft_v1_ListEventsResponse>;
  
  ListPositions: grpc.handleUnaryCall<_stockraft_v1_ListPositionsRequest__Output, _stockraft_v1_ListPositionsResponse>;
  
  ReceiveTransfer: grpc.handleUnaryCall<_stockraft_v1_ReceiveTransferRequest__Output, _stockraft_v1_CommandResult>;
  
  Release: grpc.handleUnaryCall<_stockraft_v1_ReleaseRequest__Output, _stockraft_v1_CommandResult>;
  
  Reserve: grpc.handleUnaryCall<_stockraft_v1_ReserveRequest__Output, _stockraft_v1_CommandResult>;
  
  SetPositionPolicy: grpc.handleUnaryCall<_stockraft_v1_SetPositionPolicyRequest__Output, _stockraft_v1_CommandResult>;
  
  SetSkuPolicy: grpc.handleUnaryCall<_stockraft_v1_SetSkuPolicyRequest__Output, _stockraft_v1_CommandResult>;
  
  Submit: grpc.handleUnaryCall<_stockraft_v1_SubmitRequest__Output, _stockraft_v1_SubmitResponse>;
  
  Transfer: grpc.handleUnaryCall<_stockraft_v1_TransferRequest__Output, _stockraft_v1_CommandResult>;
  
  Watch: grpc.handleServerStreamingCall<_stockraft_v1_WatchRequest__Output, _stockraft_v1_WatchEvent>;
  
}

export interface InventoryDefinition extends grpc.ServiceDefinition {
  Adjust: MethodDefinition<_stockraft_v1_AdjustRequest, _stockraft_v1_CommandResult, _stockraft_v1_AdjustRequest__Output, _stockraft_v1_CommandResult__Output>
  Commit: MethodDefinition<_stockraft_v1_CommitRequest, _stockraft_v1_CommandResult, _stockraft_v1_CommitRequest__Output, _stockraft_v1_CommandResult__Output>
  Count: MethodDefinition<_stockraft_v1_CountRequest, _stockraft_v1_CommandResult, _stockraft_v1_CountRequest__Output, _stockraft_v1_CommandResult__Output>
  Extend: MethodDefinition<_stockraft_v1_ExtendRequest, _stockraft_v1_CommandResult, _stockraft_v1_ExtendRequest__Output, _stockraft_v1_CommandResult__Output>
  GetOutcome: MethodDefinition<_stockraft_v1_GetOutcomeRequest, _stockraft_v1_GetOutcomeResponse, _stockraft_v1_GetOutcomeRequest__Output, _stockraft_v1_GetOutcomeResponse__Output>
  GetPosition: MethodDefinition<_stockraft_v1_GetPositionRequest, _stockraft_v1_GetPositionResponse, _stockraft_v1_GetPositionRequest__Output, _stockraft_v1_GetPositionResponse__Output>
  GetPositions: MethodDefinition<_stockraft_v1_GetPositionsRequest, _stockraft_v1_GetPositionsResponse, _stockraft_v1_GetPositionsRequest__Output, _stockraft_v1_GetPositionsResponse__Output>
  GetReservation: MethodDefinition<_stockraft_v1_GetReservationRequest, _stockraft_v1_GetReservationResponse, _stockraft_v1_GetReservationRequest__Output, _stockraft_v1_GetReservationResponse__Output>
  ListEvents: MethodDefinition<_stockraft_v1_ListEventsRequest, _stockraft_v1_ListEventsResponse, _stockraft_v1_ListEventsRequest__Output, _stockraft_v1_ListEventsResponse__Output>
  ListPositions: MethodDefinition<_stockraft_v1_ListPositionsRequest, _stockraft_v1_ListPositionsResponse, _stockraft_v1_ListPositionsRequest__Output, _stockraft_v1_ListPositionsResponse__Output>
  ReceiveTransfer: MethodDefinition<_stockraft_v1_ReceiveTransferRequest, _stockraft_v1_CommandResult, _stockraft_v1_ReceiveTransferRequest__Output, _stockraft_v1_CommandResult__Output>
  Release: MethodDefinition<_stockraft_v1_ReleaseRequest, _stockraft_v1_CommandResult, _stockraft_v1_ReleaseRequest__Output, _stockraft_v1_CommandResult__Output>
  Reserve: MethodDefinition<_stockraft_v1_ReserveRequest, _stockraft_v1_CommandResult, _stockraft_v1_ReserveRequest__Output, _stockraft_v1_CommandResult__Output>
  SetPositionPolicy: MethodDefinition<_stockraft_v1_SetPositionPolicyRequest, _stockraft_v1_CommandResult, _stockraft_v1_SetPositionPolicyRequest__Output, _stockraft_v1_CommandResult__Output>
  SetSkuPolicy: MethodDefinition<_stockraft_v1_SetSkuPolicyRequest, _stockraft_v1_CommandResult, _stockraft_v1_SetSkuPolicyRequest__Output, _stockraft_v1_CommandResult__Output>
  Submit: MethodDefinition<_stockraft_v1_SubmitRequest, _stockraft_v1_SubmitResponse, _stockraft_v1_SubmitRequest__Output, _stockraft_v1_SubmitResponse__Output>
  Transfer: MethodDefinition<_stockraft_v1_TransferRequest, _stockraft_v1_CommandResult, _stockraft_v1_TransferRequest__Output, _stockraft_v1_CommandResult__Output>
  Watch: MethodDefinition<_stockraft_v1_WatchRequest, _stockraft_v1_WatchEvent, _stockraft_v1_WatchRequest__Output, _stockraft_v1_WatchEvent__Output>
}
