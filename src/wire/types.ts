// The shapes of proto/stockraft/v1/inventory.proto messages as @grpc/proto-loader hands them over with
// PROTO_LOADER_OPTIONS (keepCase, longs as Number, enums as names, defaults filled in).
// Incoming values are typed loosely on purpose (enum fields may carry an unknown number,
// messages may be null): the edge validation turns them into ledger commands or refuses.

export type WireEnum = string | number;

export interface WireLine {
  sku: string;
  location: string;
  quantity: number;
}

export interface WirePosition {
  sku: string;
  location: string;
  on_hand: number;
  reserved: number;
  available: number;
  seq: number;
  /** Commerce (rules version 4); 0 when never used. Optional for results built by hand. */
  backordered?: number;
  in_transit?: number;
  backorder_limit?: number;
  low_stock_threshold?: number;
}

export interface WireReservation {
  reservation_id: string;
  state: WireEnum;
  lines: WireLine[];
  order_ref: string;
  created_ms: number;
  deadline_ms: number;
  committed_lines: WireLine[];
  /** Commerce (rules version 4): '' / [] / 0 when unset. */
  customer_id?: string;
  backordered_lines?: WireLine[];
  queue_position?: number;
  wait_deadline_ms?: number;
}

export interface WireShortLine {
  sku: string;
  location: string;
  requested: number;
  available: number;
}

export interface WireInvalidDetail {
  field: string;
  limit: string;
  value: string;
}

export interface WireCommandResult {
  code: WireEnum;
  replay: boolean;
  positions: WirePosition[];
  reservation: WireReservation | null;
  invalid: WireInvalidDetail | null;
  short_lines: WireShortLine[];
  expected_on_hand: number;
  on_hand: number;
  detail: string;
  /** OP_ID_TOO_OLD: the id time, the log time and the dedup window it was judged by
   * (always filled in by the proto loader; optional for results built by hand). */
  id_time_ms?: number;
  log_time_ms?: number;
  window_ms?: number;
  customer_limit?: WireCustomerLimitDetail | null;
  count_below_held?: WireCountBelowHeldDetail | null;
}

export interface WireCustomerLimitDetail {
  sku: string;
  customer_id: string;
  limit: number;
  used: number;
  requested: number;
  remaining: number;
}

export interface WireCountBelowHeldDetail {
  sku: string;
  location: string;
  counted: number;
  held: number;
}

export interface WireAdjust {
  op_id: string;
  sku: string;
  location: string;
  delta: number;
  reason: string;
  reference: string;
  expected_on_hand?: number;
  id_time_ms?: number;
}

export interface WireReserve {
  reservation_id: string;
  lines: WireLine[];
  ttl_ms: number;
  order_ref: string;
  id_time_ms?: number;
  /** Commerce (rules version 4). */
  allocations?: WireAllocationLine[];
  customer_id?: string;
  backorder?: boolean;
  wait_ms?: number;
}

export interface WireAllocationLine {
  sku: string;
  locations: string[];
  quantity: number;
  strategy: WireEnum;
  split: boolean;
}

export interface WireSetPositionPolicy {
  op_id: string;
  sku: string;
  location: string;
  backorder_limit: number;
  low_stock_threshold: number;
  id_time_ms?: number;
}

export interface WireSetSkuPolicy {
  op_id: string;
  sku: string;
  customer_limit: number;
  customer_window_ms: number;
  id_time_ms?: number;
}

export interface WireStockTransfer {
  op_id: string;
  sku: string;
  from_location: string;
  to_location: string;
  quantity: number;
  reference: string;
  id_time_ms?: number;
}

export interface WireReceiveTransfer {
  op_id: string;
  transfer_id: string;
  received: number;
  id_time_ms?: number;
}

export interface WireCount {
  op_id: string;
  sku: string;
  location: string;
  counted: number;
  reference: string;
  id_time_ms?: number;
}

export interface WireCommit {
  op_id: string;
  reservation_id: string;
  lines: WireLine[];
  id_time_ms?: number;
}

export interface WireRelease {
  op_id: string;
  reservation_id: string;
  reason: string;
  id_time_ms?: number;
}

export interface WireExtend {
  op_id: string;
  reservation_id: string;
  ttl_ms: number;
  id_time_ms?: number;
}

export interface WireOp {
  op?: 'adjust' | 'reserve' | 'commit' | 'release' | 'extend' | 'set_position_policy' | 'set_sku_policy' | 'transfer' | 'receive_transfer' | 'count';
  adjust?: WireAdjust | null;
  reserve?: WireReserve | null;
  commit?: WireCommit | null;
  release?: WireRelease | null;
  extend?: WireExtend | null;
  set_position_policy?: WireSetPositionPolicy | null;
  set_sku_policy?: WireSetSkuPolicy | null;
  transfer?: WireStockTransfer | null;
  receive_transfer?: WireReceiveTransfer | null;
  count?: WireCount | null;
}

export interface WireSubmitRequest {
  ops: WireOp[];
}

export interface WireSubmitResponse {
  results: WireCommandResult[];
}

export interface WireGetPositionRequest {
  sku: string;
  location: string;
  consistency: WireEnum;
}

export interface WireGetPositionResponse {
  found: boolean;
  position: WirePosition | null;
}

export interface WireGetPositionsRequest {
  keys: { sku: string; location: string }[];
  consistency: WireEnum;
}

export interface WireGetPositionsResponse {
  positions: WireGetPositionResponse[];
}

export interface WireGetReservationRequest {
  reservation_id: string;
  consistency: WireEnum;
}

export interface WireGetReservationResponse {
  found: boolean;
  reservation: WireReservation | null;
}

export interface WireEvent {
  sku: string;
  location: string;
  seq: number;
  log_index: number;
  time_ms: number;
  kind: WireEnum;
  op_id: string;
  reservation_id: string;
  delta_on_hand: number;
  delta_reserved: number;
  on_hand: number;
  reserved: number;
  prev_hash: string;
  hash: string;
  /** Commerce (proto3 optional): absent unless the event carries it. */
  in_transit?: number | null;
  delta_in_transit?: number | null;
  variance?: number | null;
  customer_id?: string | null;
  transfer_id?: string | null;
  backordered?: number | null;
}

export interface WireListEventsRequest {
  sku: string;
  location: string;
  after_seq: number;
  limit: number;
  consistency: WireEnum;
}

export interface WireListEventsResponse {
  events: WireEvent[];
  next_after_seq: number;
  more: boolean;
  horizon?: WireHistoryHorizon | null;
}

export interface WireHistoryHorizon {
  seq: number;
  log_index: number;
  time_ms: number;
  on_hand: number;
  reserved: number;
  hash: string;
}

export interface WireMarkHistoryArchivedRequest {
  through_index: number;
}

export interface WireMarkHistoryArchivedResponse {
  archived_through_index: number;
}

export interface WireListPositionsRequest {
  after_sku: string;
  after_location: string;
  limit: number;
  consistency: WireEnum;
}

export interface WireListPositionsResponse {
  positions: WirePosition[];
  more: boolean;
}

export interface WireGetOutcomeRequest {
  op_id: string;
  consistency: WireEnum;
}

export interface WireGetOutcomeResponse {
  found: boolean;
  result: WireCommandResult | null;
}

export interface WireWatchRequest {
  from_index: number;
  skip: number;
}

export interface WireWatchEvent {
  event: WireEvent;
  ordinal: number;
}

export interface WireMember {
  id: string;
  address: string;
  role: string;
  has_match_index: boolean;
  match_index: number;
  lag_entries: number;
  protocol_version: string;
  rules_version_min: number;
  rules_version_max: number;
}

export interface WireStatusResponse {
  id: string;
  cluster_id: string;
  address: string;
  role: string;
  term: number;
  leader_id: string;
  leader_address: string;
  commit_index: number;
  applied_index: number;
  snapshot_index: number;
  members: WireMember[];
  head_hash: string;
  rules_version_min: number;
  rules_version_max: number;
  cluster_version: number;
  protocol_version: string;
}

export interface WireSetClusterVersionRequest {
  version: number;
}

export interface WireSetClusterVersionResponse {
  cluster_version: number;
  previous: number;
}

export interface WireAddLearnerRequest {
  id: string;
  address: string;
}

export interface WireIdRequest {
  id: string;
}

export interface WireTransferRequest {
  to: string;
}

export interface WireMembershipResponse {
  status: WireStatusResponse | null;
}

export interface WireSnapshotResponse {
  index: number;
}

export interface WireBackupChunk {
  data: Uint8Array;
}

export type Empty = Record<string, never>;

export interface WireAdminEvent {
  seq: number;
  log_index: number;
  time_ms: number;
  op_id: string;
  action: string;
  principal: string;
  target: string;
  detail: string;
  prev_hash: string;
  hash: string;
}

export interface WireListAdminEventsRequest {
  after_seq: number;
  limit: number;
  consistency: WireEnum;
}

export interface WireListAdminEventsResponse {
  events: WireAdminEvent[];
  next_after_seq: number;
  more: boolean;
  head_seq: number;
  head_hash: string;
}
