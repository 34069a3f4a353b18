// Carrying out a leader-only call from the node that received it: here when this node
// leads, otherwise forwarded to the leader, and sent again to whoever leads next when an
// attempt fails in a way that allows it, within the caller's deadline.
//
// An attempt may be sent again when it certainly did not apply (the node answered "not
// the leader", "no leader yet", or no connection was made), or when the call is
// idempotent (writes: the ledger deduplicates their ids, so the same request sent twice
// applies once) and the attempt was lost: UNAVAILABLE or an outcome-unknown answer from
// the old leader, or an attempt cut because this node learned of a new leader while it
// was out (a leader that stops answering, e.g. a paused process, never answers at all).
// Otherwise, or when attempts or time run out, the caller learns that the outcome is
// unknown (OutcomeUnknownError) or, if nothing can have applied, that there is no leader.
//
// Forwarded attempts carry FORWARDED_KEY: the receiving node carries the call out itself
// or refuses it, never forwards it again, so calls cannot loop between nodes.

import * as grpc from '@grpc/grpc-js';
import type { NodeId } from '../raft/types.js';
import { NodeError, type StockNode } from '../node/node-api.js';
import { FORWARDED_KEY, LEADER_ADDRESS_KEY, LEADER_ID_KEY, OUTCOME_UNKNOWN_KEY } from '../wire/metadata.js';
import type { CallContext } from './edge.js';
import type { ForwardPool } from './forward-pool.js';
import type { LeaderSignal } from './leader-signal.js';
import { OutcomeUnknownError } from './outcome-unknown.js';
import { FORWARD_ATTEMPTS_MAX, FORWARD_BACKOFF_MS_MAX, FORWARD_BACKOFF_MS_MIN, FORWARD_PASSES_PER_ATTEMPT_MAX } from './limits.js';


export interface LeaderCall<Req, Res> {
  readonly def: grpc.MethodDefinition<Req, Res>;
  readonly request: Req;
  readonly ctx: CallContext;
  /** Sending the request twice has the effect of sending it once. */
  readonly idempotent: boolean;
  /** Carries the call out on this node (when it leads). */
  readonly local: () => Promise<Res>;
}

type Target = { readonly kind: 'local' } | { readonly kind: 'remote'; readonly id: NodeId; readonly address: string };

/** How one attempt ended: a reply, an answer for the caller as it is, or a failure after
 * which the call may be sent again. */
type Attempt<Res> =
  | { readonly kind: 'ok'; readonly value: Res }
  | { readonly kind: 'final'; readonly error: unknown }
  | { readonly kind: 'retry'; readonly reason: string; readonly maybe_applied: boolean; readonly deadline_hit: boolean; readonly hint: NodeId | null; readonly hint_address: string | null };

const REFUSED = /^(not the leader|no leader yet|node is shutting down|No connection established)/;

function retry<Res>(reason: string, maybe_applied: boolean, extra: { deadline_hit?: boolean; hint?: NodeId | null; hint_address?: string | null } = {}): Attempt<Res> {
  return { kind: 'retry', reason, maybe_applied, deadline_hit: extra.deadline_hit ?? false, hint: extra.hint ?? null, hint_address: extra.hint_address ?? null };
}

function isServiceError(err: unknown): err is grpc.ServiceError {
  return err instanceof Error && typeof (err as Partial<grpc.ServiceError>).code === 'number' && 'details' in err;
}

function firstString(md: grpc.Metadata | undefined, key: string): string | null {
  const v = md?.get(key)[0];
  return typeof v === 'string' && v !== '' ? v : null;
}

/** What a failed forwarded attempt allows. `cut`: this node cancelled it (new leader). */
export function classifyForwarded<Res>(err: unknown, cut: boolean): Attempt<Res> {
  if (cut) return retry('attempt cut: this node learned of a new leader while it was out', true);
  if (!isServiceError(err)) return { kind: 'final', error: err };
  const hints = { hint: firstString(err.metadata, LEADER_ID_KEY), hint_address: firstString(err.metadata, LEADER_ADDRESS_KEY) };
  const unknown = (err.metadata?.get(OUTCOME_UNKNOWN_KEY).length ?? 0) > 0;
  switch (err.code) {
    case grpc.status.DEADLINE_EXCEEDED:
      return retry(`forwarded attempt: ${err.details}`, true, { ...hints, deadline_hit: true });
    case grpc.status.UNAVAILABLE:
      return retry(`forwarded attempt: ${err.details}`, unknown || !REFUSED.test(err.details), hints);
    case grpc.status.CANCELLED:
      return retry(`forwarded attempt: ${err.details}`, true, hints);
    default:
      return { kind: 'final', error: err };
  }
}

/** What a failed attempt on this node allows. */
export function classifyLocal<Res>(err: unknown, deadline_at_ms: number): Attempt<Res> {
  if (!(err instanceof NodeError)) return { kind: 'final', error: err };
  const hints = { hint: err.leader_id, hint_address: err.leader_address };
  switch (err.kind) {
    case 'not_leader':
    case 'no_leader':
      return retry(err.message, false, hints);
    case 'outcome_unknown':
      return retry(err.message, true, { ...hints, deadline_hit: Date.now() >= deadline_at_ms });
    default:
      return { kind: 'final', error: err };
  }
}

export class LeaderRoute {
  constructor(
    private readonly node: StockNode,
    private readonly pool: ForwardPool,
    private readonly leaders: LeaderSignal,
    private readonly attempts_max: number = FORWARD_ATTEMPTS_MAX,
  ) {
    if (!Number.isInteger(attempts_max) || attempts_max < 1) throw new Error(`LeaderRoute: attempts_max must be an integer >= 1, got ${attempts_max}`);
  }

  async run<Req, Res>(call: LeaderCall<Req, Res>): Promise<Res> {
    const deadline_at_ms = call.ctx.deadline_at_ms;
    const started_ms = Date.now();
    let attempts = 0;
    let backoff_ms = FORWARD_BACKOFF_MS_MIN;
    let last: Extract<Attempt<Res>, { kind: 'retry' }> | null = null;
    let maybe_applied = false;
    let failed_at: NodeId | null = null;
    for (let pass = 0; pass < this.attempts_max * FORWARD_PASSES_PER_ATTEMPT_MAX && attempts < this.attempts_max; pass++) {
      const left_ms = deadline_at_ms - Date.now();
      if (left_ms <= 0) break;
      const target = this.target(failed_at, last);
      if (target === null || (last !== null && this.sameAsFailed(target, failed_at))) {
        // No leader, or only the one that just failed: wait for a change (or retry it later).
        const changed = await this.leaders.next(target === null ? left_ms : Math.min(backoff_ms, left_ms));
        backoff_ms = Math.min(backoff_ms * 2, FORWARD_BACKOFF_MS_MAX);
        if (changed || target === null) continue;
      }
      attempts++;
      const outcome = target.kind === 'local' ? await this.tryLocal(call) : await this.tryRemote(call, target);
      if (outcome.kind === 'ok') return outcome.value;
      if (outcome.kind === 'final') throw outcome.error;
      last = outcome;
      failed_at = target.kind === 'local' ? this.node.id : target.id;
      maybe_applied ||= outcome.maybe_applied;
      if (outcome.deadline_hit) break;
      if (outcome.maybe_applied && !call.idempotent) throw this.unknown(outcome, `${outcome.reason}; not sent again: the call is not idempotent`);
    }
    const summary = `${attempts} attempt(s) in ${Date.now() - started_ms} ms; last: ${last?.reason ?? 'no leader known'}`;
    if (maybe_applied && last !== null) throw this.unknown(last, summary);
    const view = this.node.status();
    throw new NodeError('no_leader', `no leader took the call (${summary})`, view.leader_id, view.leader_address);
  }

  private unknown(last: Extract<Attempt<unknown>, { kind: 'retry' }>, message: string): OutcomeUnknownError {
    const view = this.node.status();
    const code = last.deadline_hit ? grpc.status.DEADLINE_EXCEEDED : grpc.status.UNAVAILABLE;
    return new OutcomeUnknownError(code, message, view.leader_id, view.leader_address);
  }

  private sameAsFailed(target: Target, failed_at: NodeId | null): boolean {
    return (target.kind === 'local' ? this.node.id : target.id) === failed_at;
  }

  /** Where to send the next attempt: the leader in this node's view, unless that is the
   * node that just failed and the failure named another one. */
  private target(failed_at: NodeId | null, last: { hint: NodeId | null; hint_address: string | null } | null): Target | null {
    const view = this.node.status();
    let id = view.leader_id;
    let address = view.leader_address;
    if ((id === null || id === failed_at) && last?.hint != null && last.hint !== failed_at) {
      id = last.hint;
      address = last.hint_address;
    }
    if (id === null) return null;
    if (id === this.node.id) return { kind: 'local' };
    const resolved = this.node.addressOf(id) ?? address;
    return resolved === null ? null : { kind: 'remote', id, address: resolved };
  }

  private async tryLocal<Req, Res>(call: LeaderCall<Req, Res>): Promise<Attempt<Res>> {
    try {
      return { kind: 'ok', value: await call.local() };
    } catch (err) {
      return classifyLocal(err, call.ctx.deadline_at_ms);
    }
  }

  /** One forwarded attempt, cut when this node learns of another leader while it is out. */
  private async tryRemote<Req, Res>(call: LeaderCall<Req, Res>, target: Extract<Target, { kind: 'remote' }>): Promise<Attempt<Res>> {
    const cut = new AbortController();
    const stop = this.leaders.listen((leader_id) => {
      if (leader_id !== null && leader_id !== target.id) cut.abort();
    });
    try {
      const value = await this.pool.unary(target.address, call.def, call.request, this.forwardMetadata(call.ctx), new Date(call.ctx.deadline_at_ms), cut.signal);
      return { kind: 'ok', value };
    } catch (err) {
      return classifyForwarded(err, cut.signal.aborted);
    } finally {
      stop();
    }
  }

  private forwardMetadata(ctx: CallContext): grpc.Metadata {
    const md = new grpc.Metadata();
    md.set(FORWARDED_KEY, this.node.id);
    // Pass on the caller's own stockraft and authorization metadata, nothing else.
    for (const [key, value] of Object.entries(ctx.metadata.getMap())) {
      if ((key.startsWith('x-stockraft-') && key !== FORWARDED_KEY) || key === 'authorization') md.set(key, value);
    }
    return md;
  }
}
