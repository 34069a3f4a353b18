// The one wrapper every client-facing handler goes through. It bounds the calls in
// flight, turns undecodable requests and EdgeErrors into INVALID_ARGUMENT, routes
// leader-only calls to the leader (leader-route.ts: forwarded from followers, sent again
// to a new leader when leadership moves; forwarded calls carry a mark and are never
// forwarded again), answers before the caller's deadline so that a late answer still
// carries its outcome-unknown metadata, maps NodeError kinds to gRPC status codes
// (docs/ARCHITECTURE.md "Errors at the edge") and counts every call by method and code.
// An authentication or role check belongs here too, in one place.

import * as grpc from '@grpc/grpc-js';
import { HistoryCompactedError, NodeError, type StockNode } from '../node/node-api.js';
import { EdgeError } from '../wire/validate.js';
import type { EdgeMetrics } from './edge-metrics.js';
import type { ForwardPool } from './forward-pool.js';
import { FORWARDED_KEY, LEADER_ADDRESS_KEY, LEADER_ID_KEY, OUTCOME_UNKNOWN_KEY } from '../wire/metadata.js';
import { ERROR_DOMAIN, STATUS_DETAILS_KEY, StatusDetailsCodec } from '../wire/status-details.js';
import { LeaderRoute } from './leader-route.js';
import { LeaderSignal } from './leader-signal.js';
import { OUTCOME_UNKNOWN_ADVICE, OutcomeUnknownError } from './outcome-unknown.js';
import { CALL_TIMEOUT_MS_MAX, DEFAULT_CALL_TIMEOUT_MS, REPLY_MARGIN_MS_MAX, REPLY_MARGIN_MS_MIN } from './limits.js';


/** The margin kept back from a call whose deadline is `budget_ms` away. */
export function replyMarginMs(budget_ms: number): number {
  return Math.min(REPLY_MARGIN_MS_MAX, Math.max(REPLY_MARGIN_MS_MIN, Math.round(budget_ms / 20)));
}


export interface CallContext {
  readonly method: string;
  /** Absolute time (Date.now() clock) by which the answer must be given: the caller's
   * deadline less the reply margin. */
  readonly deadline_at_ms: number;
  /** True when another node forwarded this call here. */
  readonly forwarded: boolean;
  readonly metadata: grpc.Metadata;
}

/** 'leader': carried out by the leader; a follower forwards it. 'local': any node. */
export type Route = 'leader' | 'local';

export interface UnarySpec<Req, Res> {
  readonly route: Route;
  /** Sending the same request twice has the effect of sending it once (writes: the ledger
   * deduplicates their ids). Lets a leader-only call whose attempt was lost be sent again
   * to the next leader; other calls are sent again only when they certainly did not apply. */
  readonly idempotent?: boolean;
  handle(request: Req, ctx: CallContext): Promise<Res>;
}

export interface StreamSpec<Req, Res> {
  /** Writes replies with `write` (which resolves when the stream can take more) and
   * resolves when the stream is complete; `cancelled` reports a gone caller. */
  handle(request: Req, ctx: CallContext, out: StreamOut<Res>): Promise<void>;
}

export interface StreamOut<Res> {
  write(message: Res): Promise<void>;
  cancelled(): boolean;
  onCancel(fn: () => void): void;
}

/** A failure that already knows its gRPC status (e.g. UNIMPLEMENTED, OUT_OF_RANGE). */
export class EdgeStatusError extends Error {
  constructor(
    readonly code: grpc.status,
    message: string,
  ) {
    super(message);
    this.name = 'EdgeStatusError';
  }
}

/** What a request decodes to when its bytes are not a valid message. */
export class MalformedRequest {
  constructor(readonly reason: string) {}
}

interface StatusOut {
  code: grpc.status;
  details: string;
  metadata: grpc.Metadata;
}

export interface EdgeOptions {
  readonly calls_inflight_max: number;
  readonly streams_max: number;
}

/** RetryInfo's delay for UNAVAILABLE (no leader or not the leader: an election settles in
 * a few election timeouts) and RESOURCE_EXHAUSTED (a queue drains in a few apply rounds). */
export const UNAVAILABLE_RETRY_DELAY_MS = 100;
export const OVERLOADED_RETRY_DELAY_MS = 200;

/** ErrorInfo's reason: the NodeError kind upper-cased where there is one. */
function reasonOf(err: unknown, out: StatusOut): string {
  if (err instanceof EdgeError) return 'INVALID_ARGUMENT';
  if (err instanceof OutcomeUnknownError || out.metadata.get(OUTCOME_UNKNOWN_KEY).length > 0) return 'OUTCOME_UNKNOWN';
  if (err instanceof NodeError) return err.kind === 'invalid' ? 'INVALID_ARGUMENT' : err.kind.toUpperCase();
  if (err instanceof HistoryCompactedError) return 'COMPACTED';
  return grpc.status[out.code] ?? 'UNKNOWN';
}

export class Edge {
  private readonly details_codec = new StatusDetailsCodec();
  private inflight = 0;
  private streams = 0;
  private readonly leader_route: LeaderRoute;

  constructor(
    readonly node: StockNode,
    forwarder: ForwardPool,
    private readonly metrics: EdgeMetrics,
    private readonly options: EdgeOptions,
  ) {
    if (!Number.isInteger(options.calls_inflight_max) || options.calls_inflight_max < 1) {
      throw new Error(`calls_inflight_max must be an integer >= 1, got ${options.calls_inflight_max}`);
    }
    if (!Number.isInteger(options.streams_max) || options.streams_max < 1) {
      throw new Error(`streams_max must be an integer >= 1, got ${options.streams_max}`);
    }
    // Calls past the in-flight bound are refused before they route, each routed call
    // listens at most once: one more than the bound covers the call being refused.
    this.leader_route = new LeaderRoute(node, forwarder, new LeaderSignal(node, options.calls_inflight_max + 1));
  }

  /** Replaces a service's request decoders so undecodable bytes reach the wrapper as a
   * MalformedRequest (answered INVALID_ARGUMENT) instead of an INTERNAL error. */
  static tolerantService(service: grpc.ServiceDefinition): grpc.ServiceDefinition {
    const out: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
    for (const [name, def] of Object.entries(service)) {
      const m = def as grpc.MethodDefinition<unknown, unknown>;
      out[name] = {
        ...m,
        requestDeserialize: (bytes: Buffer) => {
          try {
            return m.requestDeserialize(bytes);
          } catch (err) {
            return new MalformedRequest(err instanceof Error ? err.message : String(err));
          }
        },
      };
    }
    return out as grpc.ServiceDefinition;
  }

  unary<Req, Res>(method: string, def: grpc.MethodDefinition<Req, Res>, spec: UnarySpec<Req, Res>): grpc.handleUnaryCall<Req, Res> {
    return (call, callback) => {
      const started_ms = performance.now();
      let answered = false;
      const answer = (out: StatusOut | null, reply?: Res): void => {
        if (answered) return;
        answered = true;
        clearTimeout(guard);
        const code = out === null ? 'OK' : grpc.status[out.code];
        this.metrics.observe(method, code ?? String(out?.code), (performance.now() - started_ms) / 1000);
        if (out === null) callback(null, reply);
        else callback({ code: out.code, details: out.details, metadata: out.metadata });
      };
      this.inflight++;
      this.metrics.inflight(1);
      const ctx = this.contextOf(method, call.metadata, call.getDeadline());
      // A handler still working at the deadline is answered for (it ends by its own
      // deadline soon after); it stays counted in flight until it does. The guard fires
      // halfway into the reply margin, after handlers that keep to ctx.deadline_at_ms.
      const guard_at_ms = (ctx.deadline_at_ms + ctx.end_at_ms) / 2;
      const guard = setTimeout(() => {
        const late = new OutcomeUnknownError(grpc.status.DEADLINE_EXCEEDED, `no answer within the call's deadline (${ctx.budget_ms} ms)`);
        answer(this.statusOf(late, ctx));
      }, Math.max(0, guard_at_ms - Date.now()));
      this.runUnary(def, spec, call.request, ctx)
        .then(
          (reply) => answer(null, reply),
          (err: unknown) => answer(this.statusOf(err, ctx)),
        )
        .finally(() => {
          this.inflight--;
          this.metrics.inflight(-1);
        });
    };
  }

  stream<Req, Res>(method: string, spec: StreamSpec<Req, Res>): grpc.handleServerStreamingCall<Req, Res> {
    return (call) => {
      const started_ms = performance.now();
      this.streams++;
      this.metrics.inflight(1);
      let done = false;
      const finish = (out: StatusOut | null): void => {
        if (done) return;
        done = true;
        this.streams--;
        this.metrics.inflight(-1);
        const code = out === null ? 'OK' : (grpc.status[out.code] ?? String(out.code));
        this.metrics.observe(method, code, (performance.now() - started_ms) / 1000);
        if (call.cancelled || call.destroyed) return;
        if (out === null) call.end();
        else call.emit('error', { code: out.code, details: out.details, metadata: out.metadata });
      };
      const cancelFns: (() => void)[] = [];
      let cancelled = false;
      const onGone = (): void => {
        if (cancelled) return;
        cancelled = true;
        for (const fn of cancelFns) fn();
      };
      call.on('cancelled', onGone);
      call.on('close', onGone);
      call.on('error', onGone);
      const out: StreamOut<Res> = {
        write: (message) =>
          new Promise<void>((resolve) => {
            if (cancelled) {
              resolve();
              return;
            }
            if (call.write(message)) resolve();
            else call.once('drain', () => resolve());
          }),
        cancelled: () => cancelled,
        onCancel: (fn) => {
          if (cancelled) fn();
          else cancelFns.push(fn);
        },
      };
      // Streams may outlive any default deadline: only an explicit one applies.
      const ctx = this.contextOf(method, call.metadata, call.getDeadline(), Number.POSITIVE_INFINITY);
      const run = async (): Promise<void> => {
        if (this.streams > this.options.streams_max) {
          throw new NodeError('overloaded', `node has ${this.streams - 1} streams open, limit streams_max=${this.options.streams_max}: retry later`);
        }
        this.admit(call.request);
        await spec.handle(call.request, ctx, out);
      };
      run().then(
        () => finish(null),
        (err: unknown) => finish(this.statusOf(err, ctx)),
      );
    };
  }

  private contextOf(method: string, metadata: grpc.Metadata, deadline: grpc.Deadline, default_timeout_ms = DEFAULT_CALL_TIMEOUT_MS): CallContext & { readonly end_at_ms: number; readonly budget_ms: number } {
    const now = Date.now();
    const given = deadline instanceof Date ? deadline.getTime() : deadline;
    let end_ms: number;
    if (Number.isFinite(given)) end_ms = Math.min(given, now + CALL_TIMEOUT_MS_MAX);
    else end_ms = Number.isFinite(default_timeout_ms) ? now + default_timeout_ms : Number.POSITIVE_INFINITY;
    const budget_ms = Math.max(0, end_ms - now);
    const deadline_at_ms = Number.isFinite(end_ms) ? end_ms - Math.min(replyMarginMs(budget_ms), budget_ms / 2) : end_ms;
    const forwarded = metadata.get(FORWARDED_KEY).length > 0;
    return { method, deadline_at_ms, forwarded, metadata, end_at_ms: end_ms, budget_ms };
  }

  /** Refuses calls beyond the in-flight bound and requests that did not decode. */
  private admit(request: unknown): void {
    if (this.inflight > this.options.calls_inflight_max) {
      throw new NodeError('overloaded', `node is serving ${this.inflight - 1} calls, limit calls_inflight_max=${this.options.calls_inflight_max}: retry later`);
    }
    if (request instanceof MalformedRequest) throw new EdgeError('request', 'must be a valid protobuf message', request.reason);
  }

  private async runUnary<Req, Res>(def: grpc.MethodDefinition<Req, Res>, spec: UnarySpec<Req, Res>, request: Req, ctx: CallContext): Promise<Res> {
    this.admit(request);
    // A forwarded call is carried out here or refused, never passed on again.
    if (spec.route !== 'leader' || ctx.forwarded) return spec.handle(request, ctx);
    return this.leader_route.run({ def, request, ctx, idempotent: spec.idempotent === true, local: () => spec.handle(request, ctx) });
  }

  /** The gRPC status for a failed call, with its google.rpc details in the trailer
   * (src/wire/status-details.ts) beside the older x-stockraft-* metadata keys. A leader's
   * answer passed through keeps the leader's own trailer. */
  statusOf(err: unknown, ctx: CallContext): StatusOut {
    const out = this.bareStatusOf(err, ctx);
    if (isServiceError(err) || out.metadata.get(STATUS_DETAILS_KEY).length > 0) return out;
    const reason = reasonOf(err, out);
    const info: Record<string, string> = {};
    const leader_id = out.metadata.get(LEADER_ID_KEY)[0];
    const leader_address = out.metadata.get(LEADER_ADDRESS_KEY)[0];
    if (typeof leader_id === 'string') info['leader_id'] = leader_id;
    if (typeof leader_address === 'string') info['leader_address'] = leader_address;
    if (err instanceof HistoryCompactedError) {
      info['first_retained_index'] = String(err.first_retained_index);
      info['archived_through_index'] = String(err.archived_through_index);
    }
    const retry = out.code === grpc.status.UNAVAILABLE || out.code === grpc.status.RESOURCE_EXHAUSTED;
    const bytes = this.details_codec.encode({
      code: out.code,
      message: out.details,
      field_violations: err instanceof EdgeError ? [{ field: err.field, description: `${err.limit}, got ${err.value}` }] : [],
      reason,
      domain: ERROR_DOMAIN,
      metadata: info,
      retry_delay_ms: retry ? (out.code === grpc.status.RESOURCE_EXHAUSTED ? OVERLOADED_RETRY_DELAY_MS : UNAVAILABLE_RETRY_DELAY_MS) : null,
    });
    out.metadata.set(STATUS_DETAILS_KEY, bytes);
    return out;
  }

  private bareStatusOf(err: unknown, ctx: CallContext): StatusOut {
    const metadata = new grpc.Metadata();
    if (err instanceof EdgeError) {
      return { code: grpc.status.INVALID_ARGUMENT, details: err.message, metadata };
    }
    if (err instanceof EdgeStatusError) {
      return { code: err.code, details: err.message, metadata };
    }
    if (err instanceof HistoryCompactedError) {
      return { code: grpc.status.OUT_OF_RANGE, details: err.message, metadata };
    }
    if (err instanceof OutcomeUnknownError) {
      metadata.set(OUTCOME_UNKNOWN_KEY, '1');
      if (err.leader_id !== null) metadata.set(LEADER_ID_KEY, err.leader_id);
      if (err.leader_address !== null) metadata.set(LEADER_ADDRESS_KEY, err.leader_address);
      return { code: err.code, details: `${OUTCOME_UNKNOWN_ADVICE}; ${err.message}`, metadata };
    }
    if (err instanceof NodeError) {
      if (err.leader_id !== null) metadata.set(LEADER_ID_KEY, err.leader_id);
      const address = err.leader_address ?? (err.leader_id !== null ? this.node.addressOf(err.leader_id) : null);
      if (address !== null) metadata.set(LEADER_ADDRESS_KEY, address);
      switch (err.kind) {
        case 'not_leader':
          return { code: grpc.status.UNAVAILABLE, details: `not the leader (leader: ${err.leader_id ?? 'unknown'}): retry at the leader; ${err.message}`, metadata };
        case 'no_leader':
          return { code: grpc.status.UNAVAILABLE, details: `no leader yet: retry; ${err.message}`, metadata };
        case 'outcome_unknown': {
          metadata.set(OUTCOME_UNKNOWN_KEY, '1');
          const late = Date.now() >= ctx.deadline_at_ms;
          return {
            code: late ? grpc.status.DEADLINE_EXCEEDED : grpc.status.UNAVAILABLE,
            details: `${OUTCOME_UNKNOWN_ADVICE}; ${err.message}`,
            metadata,
          };
        }
        case 'overloaded':
          return { code: grpc.status.RESOURCE_EXHAUSTED, details: `overloaded: ${err.message}`, metadata };
        case 'disk_full':
          return { code: grpc.status.RESOURCE_EXHAUSTED, details: `disk full: ${err.message}`, metadata };
        case 'invalid':
          return { code: grpc.status.INVALID_ARGUMENT, details: err.message, metadata };
        case 'shutting_down':
          return { code: grpc.status.UNAVAILABLE, details: `node is shutting down: retry on another node; ${err.message}`, metadata };
      }
    }
    if (isServiceError(err)) {
      // A forwarded call's answer from the leader, passed through unchanged (a deadline
      // or a lost attempt never gets here: leader-route.ts answers it as an unknown outcome).
      return { code: err.code, details: err.details, metadata: err.metadata ?? metadata };
    }
    const message = err instanceof Error ? err.message : String(err);
    return { code: grpc.status.INTERNAL, details: `internal error: ${message}`, metadata };
  }
}

function isServiceError(err: unknown): err is grpc.ServiceError {
  return err instanceof Error && typeof (err as Partial<grpc.ServiceError>).code === 'number' && 'details' in err;
}
