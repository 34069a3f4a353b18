// Channels to the cluster's endpoints and the retry policy of every call: which endpoint
// an attempt goes to (the leader for writes when known, otherwise the current endpoint,
// moving on when one fails), how long an attempt may take, and how many attempts a call
// gets. Writes are always retried with the same ids, so a retry never applies twice.

import * as grpc from '@grpc/grpc-js';
import { GRPC_MESSAGE_BYTES_MAX } from '../wire/protos.js';
import { LEADER_ADDRESS_KEY, OUTCOME_UNKNOWN_KEY } from '../wire/metadata.js';
import { STATUS_DETAILS_KEY, StatusDetailsCodec, type StatusDetails } from '../wire/status-details.js';
import { addressProblem } from '../wire/names.js';
import { StockraftError, isServiceError } from './errors.js';

export const ENDPOINTS_MAX = 64;
export const BACKOFF_MS_MIN = 25;
export const BACKOFF_MS_MAX = 1000;
/** An endpoint that failed is not taken for the leader again for this long, even when a
 * node still names it (followers keep naming a dead leader until their election timeout). */
export const FAILED_QUARANTINE_MS = 2000;

export type Target = 'leader' | 'any' | { readonly endpoint: number };

export interface CallPolicy {
  /** Budget of the whole call, all attempts together. */
  readonly deadline_ms: number;
  readonly attempts_max: number;
  /** The id of the write, for error reports. */
  readonly id?: string | null;
}

/** Asks a node who leads; the Endpoints object uses it to find the leader's endpoint. */
export type LeaderProbe = (endpoint: number, deadline: Date) => Promise<string | null>;

// A server's refusal is read from its google.rpc.ErrorInfo reason (src/wire/status-details.ts);
// the message text is matched only when the trailer is absent (servers before v1 details).

/** Reasons of refusals given before anything is proposed: the write certainly did not apply. */
const NOT_PROPOSED_REASONS: ReadonlySet<string> = new Set(['NO_LEADER', 'NOT_LEADER', 'SHUTTING_DOWN', 'OVERLOADED']);
/** Reasons of a node that is up and answering, only not able to carry the call out now. */
const LIVE_REASONS: ReadonlySet<string> = new Set(['NO_LEADER', 'NOT_LEADER', 'OVERLOADED']);

function retryable(err: grpc.ServiceError, reason: string | null): boolean {
  if (err.code === grpc.status.UNAVAILABLE || err.code === grpc.status.DEADLINE_EXCEEDED) return true;
  // Overload passes; a message that is too large does not.
  if (reason !== null) return err.code === grpc.status.RESOURCE_EXHAUSTED && reason === 'OVERLOADED';
  return err.code === grpc.status.RESOURCE_EXHAUSTED && err.details.startsWith('overloaded');
}

/** Refusals the edge gives before anything is proposed: the write certainly did not apply. */
const NOT_PROPOSED = /^(no leader yet|not the leader|node is shutting down|overloaded|No connection established)/;

/** Refusals of a node that is up and answering, only not able to carry the call out now
 * (no leader yet, not the leader, overloaded). Such a node is not quarantined: it is
 * often the next leader, and during an election every node answers this way. */
const LIVE_REFUSAL = /^(no leader yet|not the leader|overloaded)/;

const SHUTTING_DOWN = /^node is shutting down/;

function answered(err: grpc.ServiceError, reason: string | null): boolean {
  const live = reason !== null ? LIVE_REASONS.has(reason) : LIVE_REFUSAL.test(err.details);
  return (err.code === grpc.status.UNAVAILABLE || err.code === grpc.status.RESOURCE_EXHAUSTED) && live;
}

/** Whether a failed write attempt may still have been applied (so the final error says
 * "outcome unknown"): a timeout, an explicit unknown outcome, or a connection lost while
 * the call was in flight. */
function mayHaveApplied(err: grpc.ServiceError, reason: string | null): boolean {
  if (err.code === grpc.status.DEADLINE_EXCEEDED) return true;
  if (reason === 'OUTCOME_UNKNOWN' || (err.metadata?.get(OUTCOME_UNKNOWN_KEY).length ?? 0) > 0) return true;
  const not_proposed = reason !== null ? NOT_PROPOSED_REASONS.has(reason) : NOT_PROPOSED.test(err.details);
  return err.code === grpc.status.UNAVAILABLE && !not_proposed;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The leader address a refusal names: ErrorInfo's leader_address, else the older metadata key. */
export function leaderHint(err: grpc.ServiceError, details: StatusDetails | null): string | null {
  const from_info = details?.metadata['leader_address'];
  if (typeof from_info === 'string' && from_info !== '') return from_info;
  const v = err.metadata?.get(LEADER_ADDRESS_KEY)[0];
  return typeof v === 'string' && v !== '' ? v : null;
}

export class Endpoints {
  readonly addresses: readonly string[];
  private readonly clients: grpc.Client[];
  /** Index of the endpoint believed to lead, or null. */
  leader: number | null = null;
  /** Endpoint used for calls any node can serve; moves on when it fails. */
  private current = 0;
  private probe: LeaderProbe | null = null;
  private closed = false;
  /** When each endpoint last failed (Date.now() ms), for FAILED_QUARANTINE_MS. */
  private readonly failed_at: number[];
  private readonly details_codec = new StatusDetailsCodec();

  constructor(
    addresses: readonly string[],
    credentials: grpc.ChannelCredentials = grpc.credentials.createInsecure(),
    interceptors: grpc.Interceptor[] = [],
  ) {
    if (addresses.length < 1 || addresses.length > ENDPOINTS_MAX) {
      throw new Error(`endpoints: need 1..${ENDPOINTS_MAX} addresses, got ${addresses.length}`);
    }
    for (const a of addresses) {
      const problem = addressProblem(a);
      if (problem !== null) throw new Error(`endpoints: each entry ${problem}`);
    }
    this.addresses = [...addresses];
    const options = {
      'grpc.max_receive_message_length': GRPC_MESSAGE_BYTES_MAX,
      'grpc.max_send_message_length': GRPC_MESSAGE_BYTES_MAX,
      // Fail over quickly: a dead endpoint should cost one short reconnect, not seconds.
      'grpc.initial_reconnect_backoff_ms': 100,
      'grpc.max_reconnect_backoff_ms': 1000,
      interceptors,
    };
    this.clients = this.addresses.map((a) => new grpc.Client(a, credentials, options));
    this.current = Math.floor(Math.random() * this.addresses.length);
    this.failed_at = this.addresses.map(() => 0);
  }

  private quarantined(i: number): boolean {
    return Date.now() - (this.failed_at[i] ?? 0) < FAILED_QUARANTINE_MS;
  }

  setLeaderProbe(probe: LeaderProbe): void {
    this.probe = probe;
  }

  client(i: number): grpc.Client {
    const c = this.clients[i];
    if (c === undefined) throw new Error(`endpoints: no endpoint ${i} (have ${this.clients.length})`);
    return c;
  }

  indexOf(address: string): number | null {
    const i = this.addresses.indexOf(address);
    return i < 0 ? null : i;
  }

  /** Asks endpoints in turn who leads, until one knows a leader among our endpoints. */
  private async discoverLeader(deadline_at_ms: number): Promise<void> {
    if (this.probe === null) return;
    for (let k = 0; k < this.addresses.length && Date.now() < deadline_at_ms; k++) {
      const i = (this.current + k) % this.addresses.length;
      const probe_deadline = new Date(Math.min(deadline_at_ms, Date.now() + 1000));
      try {
        const address = await this.probe(i, probe_deadline);
        if (address === null) continue;
        const li = this.indexOf(address);
        if (li !== null && !this.quarantined(li)) {
          this.leader = li;
          return;
        }
      } catch {
        // This endpoint cannot tell: ask the next one.
      }
    }
  }

  private async pick(target: Target, deadline_at_ms: number): Promise<number> {
    if (typeof target === 'object') return target.endpoint;
    if (target === 'leader') {
      if (this.leader === null) await this.discoverLeader(deadline_at_ms);
      if (this.leader !== null) return this.leader;
    }
    return this.current;
  }

  /** Whether endpoint i has a live connection. A call that failed with UNAVAILABLE on a
   * connected endpoint was refused or lost further on (the node passed it to a leader
   * that just died); the endpoint itself is fine. */
  private connected(i: number): boolean {
    return this.client(i).getChannel().getConnectivityState(false) === grpc.connectivityState.READY;
  }

  /** Records a failed attempt at endpoint i. Only an endpoint that is down itself (no
   * connection, or shutting down) or let the deadline pass is quarantined. A live node that refused (no leader yet, not the leader, overloaded) or
   * whose forwarded call failed is not: it is often the next leader. */
  private failed(i: number, err: grpc.ServiceError, details: StatusDetails | null): void {
    const reason = details?.reason ?? null;
    const shutting_down = reason !== null ? reason === 'SHUTTING_DOWN' : SHUTTING_DOWN.test(err.details);
    const down = err.code === grpc.status.UNAVAILABLE && !answered(err, reason) && (shutting_down || !this.connected(i));
    if (down || err.code === grpc.status.DEADLINE_EXCEEDED) this.failed_at[i] = Date.now();
    const hint = leaderHint(err, details);
    const hinted = hint !== null ? this.indexOf(hint) : null;
    if (this.leader === i) this.leader = null;
    if (hinted !== null && hinted !== i && !this.quarantined(hinted)) this.leader = hinted;
    if (this.current === i) this.current = this.nextHealthy(i);
  }

  /** The endpoint after i that has not failed lately (or simply the next one). */
  private nextHealthy(i: number): number {
    const n = this.addresses.length;
    for (let k = 1; k <= n; k++) {
      const j = (i + k) % n;
      if (!this.quarantined(j)) return j;
    }
    return (i + 1) % n;
  }

  /** One call with retries across endpoints, within the policy's budget. */
  async unary<Req, Res>(def: grpc.MethodDefinition<Req, Res>, request: Req, target: Target, policy: CallPolicy): Promise<Res> {
    if (this.closed) throw new Error('StockraftClient is closed');
    const deadline_at_ms = Date.now() + policy.deadline_ms;
    let last: grpc.ServiceError | null = null;
    let last_details: StatusDetails | null = null;
    let unknown = false;
    let attempt = 0;
    while (attempt < policy.attempts_max) {
      attempt++;
      const now = Date.now();
      if (now >= deadline_at_ms) break;
      const i = await this.pick(target, deadline_at_ms);
      // An attempt may use the whole remaining budget only when it is the last one.
      const left_ms = deadline_at_ms - Date.now();
      const attempt_ms = attempt === policy.attempts_max ? left_ms : Math.max(Math.min(left_ms, policy.deadline_ms / 2), 1);
      try {
        return await this.once(i, def, request, new Date(Date.now() + attempt_ms));
      } catch (err) {
        if (!isServiceError(err)) throw err;
        last = err;
        const details = this.statusDetails(err);
        last_details = details;
        const reason = details?.reason ?? null;
        if (mayHaveApplied(err, reason)) unknown = true;
        if (!retryable(err, reason)) throw new StockraftError(err.code, err.details, false, attempt, policy.id ?? null, details);
        this.failed(i, err, details);
        const backoff = Math.min(BACKOFF_MS_MAX, BACKOFF_MS_MIN * 2 ** (attempt - 1));
        if (attempt < policy.attempts_max && Date.now() + backoff < deadline_at_ms) await sleep(backoff);
      }
    }
    const code = last?.code ?? grpc.status.DEADLINE_EXCEEDED;
    const details = last?.details ?? `no answer within ${policy.deadline_ms} ms`;
    throw new StockraftError(code, details, unknown && policy.id !== undefined && policy.id !== null, attempt, policy.id ?? null, last_details);
  }

  /** The google.rpc details of a failed call (null when the server sent none). */
  statusDetails(err: grpc.ServiceError): StatusDetails | null {
    const raw = err.metadata?.get(STATUS_DETAILS_KEY)[0];
    return raw instanceof Uint8Array ? this.details_codec.decode(raw) : null;
  }

  once<Req, Res>(i: number, def: grpc.MethodDefinition<Req, Res>, request: Req, deadline: Date): Promise<Res> {
    return new Promise((resolve, reject) => {
      this.client(i).makeUnaryRequest(def.path, def.requestSerialize, def.responseDeserialize, request, new grpc.Metadata(), { deadline }, (err, res) => {
        if (err) reject(err);
        else if (res === undefined) reject(new Error(`${def.path}: empty reply`));
        else resolve(res);
      });
    });
  }

  stream<Req, Res>(i: number, def: grpc.MethodDefinition<Req, Res>, request: Req, deadline?: Date): grpc.ClientReadableStream<Res> {
    if (this.closed) throw new Error('StockraftClient is closed');
    const options: grpc.CallOptions = deadline === undefined ? {} : { deadline };
    return this.client(i).makeServerStreamRequest(def.path, def.requestSerialize, def.responseDeserialize, request, new grpc.Metadata(), options);
  }

  /** Endpoint index to try next for streams and calls any node can serve. */
  currentEndpoint(): number {
    return this.current;
  }

  markFailed(i: number): void {
    this.failed_at[i] = Date.now();
    if (this.current === i) this.current = this.nextHealthy(i);
    if (this.leader === i) this.leader = null;
  }

  close(): void {
    this.closed = true;
    for (const c of this.clients) c.close();
  }
}
