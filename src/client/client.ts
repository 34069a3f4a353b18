// StockraftClient: the TypeScript SDK order systems use. Typed methods for every call of
// stockraft.v1.Inventory and stockraft.v1.Cluster; leader discovery and failover across
// endpoints; a deadline on every call; op ids made here (time-ordered) when the caller
// gives none; writes whose outcome is unknown retried with the same id; and, opt-in,
// concurrent writes gathered into Submit batches.

import * as grpc from '@grpc/grpc-js';
import type { AdminAction, AdminEvent, CommandResult, HistoryHorizon, LedgerEvent, Line, Position, ReservationView } from '../ledger/types.js';
import { clusterService, inventoryService } from '../wire/protos.js';
import type * as W from '../wire/types.js';
import { consistencyToWire, eventFromWire, positionFromWire, reservationFromWire, resultFromWire } from '../wire/map.js';
import { Endpoints, type Target } from './endpoints.js';
import { Batcher, BatchQueueFull, type BatchingOptions } from './batcher.js';
import { OpIdGenerator } from './ids.js';
import { StockraftError, isServiceError } from './errors.js';
import { EdgeError, singleOpCommand } from '../wire/validate.js';
import {
  commerceToWire,
  reserveCommerceToWire,
  rpcName,
  type CommerceOpInput,
  type CountInput,
  type ReceiveTransferInput,
  type ReserveCommerceInput,
  type SetPositionPolicyInput,
  type SetSkuPolicyInput,
  type TransferInput,
} from './commerce.js';

export type Consistency = 'LINEARIZABLE' | 'SERIALIZABLE';

export interface StockraftClientOptions {
  /** host:port of one or more nodes; any node serves any call. */
  readonly endpoints: readonly string[];
  /** Budget of one call, all retries together (default 10,000 ms). */
  readonly deadline_ms?: number;
  /** Attempts per call across endpoints (default 10). */
  readonly attempts_max?: number;
  /** Opt-in: gather concurrent writes into Submit batches. */
  readonly batching?: BatchingOptions;
  readonly credentials?: grpc.ChannelCredentials;
  /** E.g. bearerTokenInterceptor(token) from this package. */
  readonly interceptors?: grpc.Interceptor[];
}

/** Every write takes an optional id and, with a caller-chosen id, optionally the time the
 * caller made it (`id_time_ms`, ms since the epoch, the same on every use of the id): with
 * it the ledger refuses the id once it is older than the cluster's dedup window
 * (OP_ID_TOO_OLD) and the leader skips its own check. Without an id the SDK makes one and
 * sends its time. A caller-chosen id without a time is checked by the leader against every
 * outcome it ever recorded (a read barrier more per call): never the call's own time,
 * which would make an id used long ago look new. */
export interface IdInput {
  readonly id_time_ms?: number;
}

export interface AdjustInput extends IdInput {
  readonly op_id?: string;
  readonly sku: string;
  readonly location: string;
  readonly delta: number;
  readonly reason?: string;
  readonly reference?: string;
  readonly expected_on_hand?: number;
}
export interface ReserveInput extends IdInput, ReserveCommerceInput {
  readonly reservation_id?: string;
  readonly lines: readonly Line[];
  readonly ttl_ms: number;
  readonly order_ref?: string;
}
export interface CommitInput extends IdInput {
  readonly op_id?: string;
  readonly reservation_id: string;
  readonly lines?: readonly Line[];
}
export interface ReleaseInput extends IdInput {
  readonly op_id?: string;
  readonly reservation_id: string;
  readonly reason?: string;
}
export interface ExtendInput extends IdInput {
  readonly op_id?: string;
  readonly reservation_id: string;
  readonly ttl_ms: number;
}

export type OpInput =
  | ({ readonly kind: 'adjust' } & AdjustInput)
  | ({ readonly kind: 'reserve' } & ReserveInput)
  | ({ readonly kind: 'commit' } & CommitInput)
  | ({ readonly kind: 'release' } & ReleaseInput)
  | ({ readonly kind: 'extend' } & ExtendInput)
  | CommerceOpInput;

/** A write's result with the id it was made under (generated when not given). */
export type WriteResult = CommandResult & { readonly id: string };

/** The plain CommandResult of a write, without the id (Omit<> does not distribute over
 * the union, so use this rather than a rest spread). */
export function commandResult(w: WriteResult): CommandResult {
  const { id: _id, ...rest } = w;
  return rest as CommandResult;
}

export interface ReadOptions {
  readonly consistency?: Consistency;
  /** Ask this endpoint (index into endpoints) rather than the current one. */
  readonly endpoint?: number;
}

export interface EventPage {
  readonly events: readonly LedgerEvent[];
  readonly next_after_seq: number;
  readonly more: boolean;
  /** Set when after_seq was below the position's history horizon: events 1..horizon.seq
   * were pruned (history retention) and the page starts at horizon.seq + 1. */
  readonly horizon?: HistoryHorizon;
}

export interface AdminEventPage {
  readonly events: readonly AdminEvent[];
  readonly next_after_seq: number;
  readonly more: boolean;
  /** The answering node's stored admin chain end (seq 0 and '' before any event). */
  readonly head_seq: number;
  readonly head_hash: string;
}

export interface WatchItem {
  readonly event: LedgerEvent;
  /** Place of the event among the events of its log index, from 0. */
  readonly ordinal: number;
}

export interface WatchOptions {
  readonly from_index: number;
  /** Events at from_index already seen (resume cursor). */
  readonly skip?: number;
  /** Reconnects without progress before giving up (default 10). */
  readonly reconnects_max?: number;
}

export type Status = W.WireStatusResponse;

export interface EndpointStatus {
  readonly endpoint: string;
  readonly status: Status | null;
  readonly error: string | null;
}

const DEFAULT_DEADLINE_MS = 10_000;
// With the backoff (25 ms doubling to 1 s) ten attempts span about 4.5 s: enough to ride out a
// leader election (timeouts 0.5-1 s by default) inside the default 10 s budget.
const DEFAULT_ATTEMPTS = 10;

type MethodDef<Req, Res> = grpc.MethodDefinition<Req, Res>;

function methods(svc: grpc.ServiceDefinition): (name: string) => MethodDef<unknown, unknown> {
  return (name) => {
    const m = svc[name];
    if (m === undefined) throw new Error(`proto: no method ${name}`);
    return m as MethodDef<unknown, unknown>;
  };
}

function wireLines(lines: readonly Line[] | undefined): W.WireLine[] {
  return (lines ?? []).map((l) => ({ sku: l.sku, location: l.location, quantity: l.quantity }));
}

export class StockraftClient {
  readonly endpoints: Endpoints;
  private readonly deadline_ms: number;
  private readonly attempts_max: number;
  private readonly ids = new OpIdGenerator();
  private readonly batcher: Batcher | null;
  private readonly inv = methods(inventoryService().service);
  private readonly clu = methods(clusterService().service);

  constructor(options: StockraftClientOptions) {
    this.deadline_ms = options.deadline_ms ?? DEFAULT_DEADLINE_MS;
    this.attempts_max = options.attempts_max ?? DEFAULT_ATTEMPTS;
    if (!Number.isInteger(this.deadline_ms) || this.deadline_ms < 1 || this.deadline_ms > 600_000) {
      throw new Error(`deadline_ms must be an integer in 1..600000, got ${this.deadline_ms}`);
    }
    if (!Number.isInteger(this.attempts_max) || this.attempts_max < 1 || this.attempts_max > 100) {
      throw new Error(`attempts_max must be an integer in 1..100, got ${this.attempts_max}`);
    }
    this.endpoints = new Endpoints(options.endpoints, options.credentials, options.interceptors);
    this.endpoints.setLeaderProbe(async (i, deadline) => {
      const st = (await this.endpoints.once(i, this.clu('Status'), {}, deadline)) as Status;
      return st.leader_address === '' ? null : st.leader_address;
    });
    this.batcher = options.batching === undefined ? null : new Batcher((ops) => this.submitWire(ops, 'batch'), options.batching);
  }

  // ---- writes ----

  /** The id of a write and the id time to send: the SDK's own id with the time it carries,
   * or the caller's id with the caller's time if given (see IdInput). */
  private idFor(given: string | undefined, id_time_ms: number | undefined): { id: string; stamp: { id_time_ms?: number } } {
    if (given === undefined) {
      const made = this.ids.nextStamped();
      return { id: made.id, stamp: { id_time_ms: made.time_ms } };
    }
    return { id: given, stamp: id_time_ms === undefined ? {} : { id_time_ms } };
  }

  /** Encodes an op for the wire, choosing an id when the caller gave none. The wire body is
   * made once per call, so every retry carries the same id and id time. */
  private toWire(op: OpInput): { id: string; wire: W.WireOp } {
    switch (op.kind) {
      case 'adjust': {
        const { id, stamp } = this.idFor(op.op_id, op.id_time_ms);
        const adjust: W.WireAdjust = {
          ...stamp,
          op_id: id,
          sku: op.sku,
          location: op.location,
          delta: op.delta,
          reason: op.reason ?? '',
          reference: op.reference ?? '',
        };
        if (op.expected_on_hand !== undefined) adjust.expected_on_hand = op.expected_on_hand;
        return { id, wire: { adjust } };
      }
      case 'reserve': {
        const { id, stamp } = this.idFor(op.reservation_id, op.id_time_ms);
        return { id, wire: { reserve: { ...stamp, reservation_id: id, lines: wireLines(op.lines), ttl_ms: op.ttl_ms, order_ref: op.order_ref ?? '', ...reserveCommerceToWire(op) } } };
      }
      case 'commit': {
        const { id, stamp } = this.idFor(op.op_id, op.id_time_ms);
        return { id, wire: { commit: { ...stamp, op_id: id, reservation_id: op.reservation_id, lines: wireLines(op.lines) } } };
      }
      case 'release': {
        const { id, stamp } = this.idFor(op.op_id, op.id_time_ms);
        return { id, wire: { release: { ...stamp, op_id: id, reservation_id: op.reservation_id, reason: op.reason ?? '' } } };
      }
      case 'extend': {
        const { id, stamp } = this.idFor(op.op_id, op.id_time_ms);
        return { id, wire: { extend: { ...stamp, op_id: id, reservation_id: op.reservation_id, ttl_ms: op.ttl_ms } } };
      }
      default: {
        const { id, stamp } = this.idFor(op.op_id, op.id_time_ms);
        return { id, wire: commerceToWire(op, id, stamp) };
      }
    }
  }

  private async write(op: OpInput): Promise<WriteResult> {
    const { id, wire } = this.toWire(op);
    let result: W.WireCommandResult;
    if (this.batcher !== null) {
      // One invalid op would make the server refuse the whole batch, failing every caller
      // in it: check each op here with the server's own rules before it joins a batch.
      try {
        singleOpCommand({ ...wire, op: op.kind });
      } catch (err) {
        if (err instanceof EdgeError) throw new StockraftError(grpc.status.INVALID_ARGUMENT, err.message, false, 0, id);
        throw err;
      }
      // Rough size: JSON is within a small factor of the protobuf encoding.
      try {
        result = await this.batcher.add(id, wire, JSON.stringify(wire).length + 16);
      } catch (err) {
        // The batch failed as a whole: report it under this op's own id.
        if (err instanceof StockraftError) throw new StockraftError(err.code, err.details, err.outcome_unknown, err.attempts, id, err.status_details);
        if (err instanceof BatchQueueFull) throw new StockraftError(grpc.status.RESOURCE_EXHAUSTED, err.message, false, 0, id);
        throw err;
      }
    } else {
      const name = rpcName(op.kind);
      const body = wire[op.kind];
      result = (await this.call(this.inv(name), body, 'leader', id)) as W.WireCommandResult;
    }
    return { ...resultFromWire(result), id };
  }

  adjust(input: AdjustInput): Promise<WriteResult> {
    return this.write({ kind: 'adjust', ...input });
  }
  reserve(input: ReserveInput): Promise<WriteResult> {
    return this.write({ kind: 'reserve', ...input });
  }
  commit(input: CommitInput): Promise<WriteResult> {
    return this.write({ kind: 'commit', ...input });
  }
  release(input: ReleaseInput): Promise<WriteResult> {
    return this.write({ kind: 'release', ...input });
  }
  extend(input: ExtendInput): Promise<WriteResult> {
    return this.write({ kind: 'extend', ...input });
  }
  /** Commerce (cluster version 4): a position's backorder limit and low-stock threshold. */
  setPositionPolicy(input: SetPositionPolicyInput): Promise<WriteResult> {
    return this.write({ kind: 'set_position_policy', ...input });
  }
  /** Commerce: a SKU's per-customer limit and its window. */
  setSkuPolicy(input: SetSkuPolicyInput): Promise<WriteResult> {
    return this.write({ kind: 'set_sku_policy', ...input });
  }
  /** Commerce: ships units between locations (in transit until received); the id is the transfer id. */
  transfer(input: TransferInput): Promise<WriteResult> {
    return this.write({ kind: 'transfer', ...input });
  }
  /** Commerce: receives a transfer once, recording received - shipped as variance. */
  receiveTransfer(input: ReceiveTransferInput): Promise<WriteResult> {
    return this.write({ kind: 'receive_transfer', ...input });
  }
  /** Commerce: a cycle count sets on_hand to `counted`, recording the variance. */
  count(input: CountInput): Promise<WriteResult> {
    return this.write({ kind: 'count', ...input });
  }

  /** 1..1000 ops as one proposal, applied in order; one result per op. */
  async submit(ops: readonly OpInput[]): Promise<WriteResult[]> {
    const encoded = ops.map((op) => this.toWire(op));
    const results = await this.submitWire(
      encoded.map((e) => e.wire),
      encoded.length === 1 ? (encoded[0] as { id: string }).id : `batch of ${encoded.length} from ${encoded[0]?.id ?? 'nothing'}`,
    );
    return results.map((r, i) => ({ ...resultFromWire(r), id: (encoded[i] as { id: string }).id }));
  }

  /** `label` names the batch in errors; every op in it carries its own id, so a retry is safe. */
  private async submitWire(ops: W.WireOp[], label: string): Promise<W.WireCommandResult[]> {
    const res = (await this.call(this.inv('Submit'), { ops }, 'leader', label)) as W.WireSubmitResponse;
    if (res.results.length !== ops.length) throw new Error(`Submit answered ${res.results.length} results for ${ops.length} ops`);
    return res.results;
  }

  /** Sends the open batch now (batching only). */
  flush(): void {
    this.batcher?.flush();
  }

  /** Batches and ops sent through batching so far. */
  batchStats(): { batches: number; ops: number } {
    return { batches: this.batcher?.batches_sent ?? 0, ops: this.batcher?.ops_sent ?? 0 };
  }

  // ---- reads ----

  private readTarget(options?: ReadOptions): Target {
    return options?.endpoint === undefined ? 'any' : { endpoint: options.endpoint };
  }

  async getPosition(sku: string, location: string, options?: ReadOptions): Promise<Position | null> {
    const res = (await this.call(this.inv('GetPosition'), { sku, location, consistency: consistencyToWire(options?.consistency) }, this.readTarget(options))) as W.WireGetPositionResponse;
    return res.found && res.position !== null ? positionFromWire(res.position) : null;
  }

  async getPositions(keys: readonly { sku: string; location: string }[], options?: ReadOptions): Promise<(Position | null)[]> {
    const res = (await this.call(this.inv('GetPositions'), { keys, consistency: consistencyToWire(options?.consistency) }, this.readTarget(options))) as W.WireGetPositionsResponse;
    return res.positions.map((p) => (p.found && p.position !== null ? positionFromWire(p.position) : null));
  }

  async getReservation(reservation_id: string, options?: ReadOptions): Promise<ReservationView | null> {
    const res = (await this.call(this.inv('GetReservation'), { reservation_id, consistency: consistencyToWire(options?.consistency) }, this.readTarget(options))) as W.WireGetReservationResponse;
    return res.found && res.reservation !== null ? reservationFromWire(res.reservation) : null;
  }

  async listEvents(sku: string, location: string, options?: ReadOptions & { after_seq?: number; limit?: number }): Promise<EventPage> {
    const req = { sku, location, after_seq: options?.after_seq ?? 0, limit: options?.limit ?? 0, consistency: consistencyToWire(options?.consistency) };
    const res = (await this.call(this.inv('ListEvents'), req, this.readTarget(options))) as W.WireListEventsResponse;
    const page = { events: res.events.map(eventFromWire), next_after_seq: res.next_after_seq, more: res.more };
    const h = res.horizon;
    return h === undefined || h === null ? page : { ...page, horizon: { kind: 'HORIZON', sku, location, ...h } };
  }

  async listPositions(options?: ReadOptions & { after?: { sku: string; location: string } | null; limit?: number }): Promise<{ positions: Position[]; more: boolean }> {
    const req = {
      after_sku: options?.after?.sku ?? '',
      after_location: options?.after?.location ?? '',
      limit: options?.limit ?? 0,
      consistency: consistencyToWire(options?.consistency),
    };
    const res = (await this.call(this.inv('ListPositions'), req, this.readTarget(options))) as W.WireListPositionsResponse;
    return { positions: res.positions.map(positionFromWire), more: res.more };
  }

  async getOutcome(op_id: string, options?: ReadOptions): Promise<CommandResult | null> {
    const res = (await this.call(this.inv('GetOutcome'), { op_id, consistency: consistencyToWire(options?.consistency) }, this.readTarget(options))) as W.WireGetOutcomeResponse;
    return res.found && res.result !== null ? resultFromWire(res.result) : null;
  }

  /** Ledger events from a log index on, in order, resuming on another endpoint after a
   * disconnect without skipping or repeating an event. Ends only when the caller stops. */
  async *watch(options: WatchOptions): AsyncGenerator<WatchItem, void, undefined> {
    let from_index = options.from_index;
    let skip = options.skip ?? 0;
    const reconnects_max = options.reconnects_max ?? 10;
    let failures = 0;
    const def = this.inv('Watch') as MethodDef<W.WireWatchRequest, W.WireWatchEvent>;
    for (;;) {
      const i = this.endpoints.currentEndpoint();
      const stream = this.endpoints.stream(i, def, { from_index, skip });
      try {
        for await (const msg of stream as AsyncIterable<W.WireWatchEvent>) {
          const event = eventFromWire(msg.event);
          failures = 0;
          if (event.log_index === from_index) skip = msg.ordinal + 1;
          else {
            from_index = event.log_index;
            skip = msg.ordinal + 1;
          }
          yield { event, ordinal: msg.ordinal };
        }
        // The server ended the stream cleanly (shutdown): resume elsewhere.
      } catch (err) {
        if (!isServiceError(err) || !(err.code === grpc.status.UNAVAILABLE || err.code === grpc.status.RESOURCE_EXHAUSTED || err.code === grpc.status.CANCELLED || err.code === grpc.status.INTERNAL)) {
          throw isServiceError(err) ? new StockraftError(err.code, err.details, false, failures + 1, null, this.endpoints.statusDetails(err)) : err;
        }
      } finally {
        stream.cancel();
      }
      failures++;
      if (failures > reconnects_max) throw new StockraftError(grpc.status.UNAVAILABLE, `watch: ${failures} reconnects without an event`, false, failures);
      this.endpoints.markFailed(i);
      await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** failures)));
    }
  }

  // ---- cluster ----

  async status(endpoint?: number): Promise<Status> {
    return (await this.call(this.clu('Status'), {}, endpoint === undefined ? 'any' : { endpoint })) as Status;
  }

  /** Every endpoint's own status (or why it did not answer). */
  async statusAll(deadline_ms = 2000): Promise<EndpointStatus[]> {
    return Promise.all(
      this.endpoints.addresses.map(async (endpoint, i) => {
        try {
          const status = (await this.endpoints.once(i, this.clu('Status'), {}, new Date(Date.now() + deadline_ms))) as Status;
          return { endpoint, status, error: null };
        } catch (err) {
          return { endpoint, status: null, error: isServiceError(err) ? `${grpc.status[err.code]}: ${err.details}` : String(err) };
        }
      }),
    );
  }

  async addLearner(id: string, address: string): Promise<Status | null> {
    return ((await this.call(this.clu('AddLearner'), { id, address }, 'leader')) as W.WireMembershipResponse).status;
  }
  async promote(id: string): Promise<Status | null> {
    return ((await this.call(this.clu('Promote'), { id }, 'leader')) as W.WireMembershipResponse).status;
  }
  async remove(id: string): Promise<Status | null> {
    return ((await this.call(this.clu('Remove'), { id }, 'leader')) as W.WireMembershipResponse).status;
  }
  async transferLeadership(to: string): Promise<Status | null> {
    const st = ((await this.call(this.clu('TransferLeadership'), { to }, 'leader')) as W.WireMembershipResponse).status;
    this.endpoints.leader = null;
    return st;
  }
  /** A page of the replicated admin history (membership changes, leader transfers,
   * snapshots, role reloads, with who made them). Admin only. */
  async listAdminEvents(options?: ReadOptions & { after_seq?: number; limit?: number }): Promise<AdminEventPage> {
    const req = { after_seq: options?.after_seq ?? 0, limit: options?.limit ?? 0, consistency: consistencyToWire(options?.consistency) };
    const res = (await this.call(this.clu('ListAdminEvents'), req, this.readTarget(options))) as W.WireListAdminEventsResponse;
    const events = res.events.map((e): AdminEvent => ({ kind: 'ADMIN', ...e, action: e.action as AdminAction }));
    return { events, next_after_seq: res.next_after_seq, more: res.more, head_seq: res.head_seq, head_hash: res.head_hash };
  }

  /** Records that history through log index `through_index` is archived, so retention
   * may prune it (admin only); returns the mark after the call. */
  async markHistoryArchived(through_index: number): Promise<number> {
    const res = (await this.call(this.clu('MarkHistoryArchived'), { through_index }, 'leader')) as W.WireMarkHistoryArchivedResponse;
    return res.archived_through_index;
  }

  /** Raises the cluster version (through the leader); FAILED_PRECONDITION names a member
   * that lacks the version. Resolves with the version after and before the call. */
  async setClusterVersion(version: number): Promise<W.WireSetClusterVersionResponse> {
    return (await this.call(this.clu('SetClusterVersion'), { version }, 'leader')) as W.WireSetClusterVersionResponse;
  }

  async snapshot(endpoint?: number): Promise<number> {
    return ((await this.call(this.clu('Snapshot'), {}, endpoint === undefined ? 'any' : { endpoint })) as W.WireSnapshotResponse).index;
  }

  /** The ledger snapshot chunks of one node's consistent backup. Not retried: a backup
   * that breaks off must start again. */
  async *backup(endpoint?: number): AsyncGenerator<Uint8Array, void, undefined> {
    const i = endpoint ?? this.endpoints.currentEndpoint();
    const stream = this.endpoints.stream(i, this.clu('Backup') as MethodDef<W.Empty, W.WireBackupChunk>, {});
    try {
      for await (const msg of stream as AsyncIterable<W.WireBackupChunk>) yield msg.data;
    } catch (err) {
      throw isServiceError(err) ? new StockraftError(err.code, err.details, false, 1) : err;
    } finally {
      stream.cancel();
    }
  }

  private call(def: MethodDef<unknown, unknown>, request: unknown, target: Target, id: string | null = null): Promise<unknown> {
    return this.endpoints.unary(def, request, target, { deadline_ms: this.deadline_ms, attempts_max: this.attempts_max, id });
  }

  /** Sends any open batch, waits (within one call deadline) for batched writes in flight
   * to be answered, then closes every channel. Unbatched calls in flight fail. */
  async close(): Promise<void> {
    if (this.batcher !== null) {
      let timer: NodeJS.Timeout | null = null;
      const limit = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.deadline_ms)));
      await Promise.race([this.batcher.drained(), limit]);
      if (timer !== null) clearTimeout(timer);
    }
    this.endpoints.close();
  }
}
