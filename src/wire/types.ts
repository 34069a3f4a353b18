// The shapes of proto/stockraft/v1/inventory.proto messages, derived from the types that
// @grpc/proto-loader's generator writes into src/wire/generated/ (`npm run gen:types`, with
// the loader options of src/wire/protos.ts). Two families:
// - Requests (what the server decodes, what the SDK builds) are the generated *permissive*
//   types: every field optional, int64 as number | string | Long. The server's loader hands
//   int64 over as exact decimal strings (SERVER_PROTO_LOADER_OPTIONS), the SDK sends numbers;
//   the edge validation (src/wire/validate.ts) accepts both and refuses anything else, so
//   requests stay typed loosely on purpose (messages may be null, fields absent).
// - Replies (what the server builds, what the SDK decodes with int64 as Number and defaults
//   filled in) are the generated *output* types, with one hand-kept change below.

import type * as G from './generated/stockraft/v1/index.js';

/** An enum field as the loader really hands it over: its name, or the bare number when the
 * number has no name in the loaded proto (a newer peer, a broken client). The generated
 * output types admit the names only, which is stricter than what arrives: enum fields are
 * widened to this, and src/wire/map.ts / validate.ts check them. */
export type WireEnum = string | number;

/** A generated output type with its enum fields (K) widened to WireEnum (see above). */
type LooseEnums<T, K extends keyof T> = Omit<T, K> & { [P in K]: WireEnum };

// ---- requests (generated permissive types) ----

export type WireAdjust = G.AdjustRequest;
export type WireReserve = G.ReserveRequest;
export type WireCommit = G.CommitRequest;
export type WireRelease = G.ReleaseRequest;
export type WireExtend = G.ExtendRequest;
export type WireOp = G.Op;
export type WireSubmitRequest = G.SubmitRequest;
export type WireGetPositionRequest = G.GetPositionRequest;
export type WireGetPositionsRequest = G.GetPositionsRequest;
export type WireGetReservationRequest = G.GetReservationRequest;
export type WireListEventsRequest = G.ListEventsRequest;
export type WireListPositionsRequest = G.ListPositionsRequest;
export type WireGetOutcomeRequest = G.GetOutcomeRequest;
export type WireWatchRequest = G.WatchRequest;
export type WireMarkHistoryArchivedRequest = G.MarkHistoryArchivedRequest;
export type WireSetClusterVersionRequest = G.SetClusterVersionRequest;
export type WireAddLearnerRequest = G.AddLearnerRequest;
export type WireIdRequest = G.PromoteRequest | G.RemoveRequest;
export type WireTransferRequest = G.TransferLeadershipRequest;
export type WireListAdminEventsRequest = G.ListAdminEventsRequest;
// Commerce (ledger rules version 4, docs/commerce.md).
export type WireAllocationLine = G.AllocationLine;
export type WireSetPositionPolicy = G.SetPositionPolicyRequest;
export type WireSetSkuPolicy = G.SetSkuPolicyRequest;
export type WireStockTransfer = G.TransferRequest;
export type WireReceiveTransfer = G.ReceiveTransferRequest;
export type WireCount = G.CountRequest;

// ---- replies (generated output types) ----

export type WireLine = G.Line__Output;
export type WirePosition = G.Position__Output;
export type WireShortLine = G.ShortLine__Output;
export type WireInvalidDetail = G.InvalidDetail__Output;
export type WireHistoryHorizon = G.HistoryHorizon__Output;
export type WireReservation = LooseEnums<G.Reservation__Output, 'state'>;
export type WireEvent = LooseEnums<G.Event__Output, 'kind'>;

/** The OP_ID_TOO_OLD numbers stay optional: the loader always fills them in, but results
 * built by hand (older fixtures, the SDK's own batching) may leave them out. */
type IdTimeFields = 'id_time_ms' | 'log_time_ms' | 'window_ms';
/** Likewise the commerce details (results built by hand before rules version 4). */
type CommerceDetailFields = 'customer_limit' | 'count_below_held';
export type WireCommandResult = Omit<LooseEnums<G.CommandResult__Output, 'code'>, 'reservation' | IdTimeFields | CommerceDetailFields> &
  Partial<Pick<G.CommandResult__Output, IdTimeFields | CommerceDetailFields>> & { reservation: WireReservation | null };

export type WireSubmitResponse = { results: WireCommandResult[] };
export type WireGetPositionResponse = G.GetPositionResponse__Output;
export type WireGetPositionsResponse = G.GetPositionsResponse__Output;
export type WireGetReservationResponse = Omit<G.GetReservationResponse__Output, 'reservation'> & { reservation: WireReservation | null };
/** horizon stays optional: the server leaves it out when the page starts above the
 * history horizon (the loader reads that back as null). */
export type WireListEventsResponse = Omit<G.ListEventsResponse__Output, 'events' | 'horizon'> & {
  events: WireEvent[];
  horizon?: WireHistoryHorizon | null;
};
export type WireListPositionsResponse = G.ListPositionsResponse__Output;
export type WireGetOutcomeResponse = Omit<G.GetOutcomeResponse__Output, 'result'> & { result: WireCommandResult | null };
export type WireWatchEvent = Omit<G.WatchEvent__Output, 'event'> & { event: WireEvent };
export type WireMarkHistoryArchivedResponse = G.MarkHistoryArchivedResponse__Output;
export type WireMember = G.Member__Output;
export type WireStatusResponse = G.StatusResponse__Output;
export type WireSetClusterVersionResponse = G.SetClusterVersionResponse__Output;
export type WireMembershipResponse = G.MembershipResponse__Output;
export type WireSnapshotResponse = G.SnapshotResponse__Output;
/** The loader reads bytes as a Buffer; the server sends any Uint8Array (a Buffer is one). */
export type WireBackupChunk = Omit<G.BackupChunk__Output, 'data'> & { data: Uint8Array };
export type WireAdminEvent = G.AdminEvent__Output;
export type WireListAdminEventsResponse = G.ListAdminEventsResponse__Output;

export type Empty = Record<string, never>;
