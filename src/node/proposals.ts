// The table of client proposals a node is waiting on. Callers queue commands; the node
// packs queued commands into as few raft entries as the per-entry bound allows (many
// concurrent callers share one entry and one fsync), proposes them, and records which
// slice of each entry's results belongs to which caller. An entry that applies at the
// proposed (index, term) resolves its callers; one that applies with another term, or a
// lost leadership, rejects them with 'outcome_unknown' (the commands may or may not have
// been applied: callers retry with the same ids).

import type { Command, CommandResult } from '../ledger/types.js';
import { NodeError } from './node-api.js';

export interface ProposalLimits {
  /** Callers queued or in flight; beyond it propose() is refused 'overloaded'. */
  readonly callers_max: number;
  /** Commands packed into one raft entry. */
  readonly entry_commands_max: number;
}

export const DEFAULT_PROPOSAL_LIMITS: ProposalLimits = { callers_max: 20_000, entry_commands_max: 1000 };

interface Caller {
  readonly commands: readonly Command[];
  readonly resolve: (r: readonly CommandResult[]) => void;
  readonly reject: (e: Error) => void;
  readonly deadline_at_ms: number;
  settled: boolean;
  timer: NodeJS.Timeout | null;
}

interface InFlight {
  readonly term: number;
  readonly parts: { caller: Caller; offset: number; count: number }[];
}

export class ProposalTable {
  private queue: Caller[] = [];
  private readonly inflight = new Map<number, InFlight>();
  private callers = 0;
  private last_callers = 0;
  private next_callers_max = Number.MAX_SAFE_INTEGER;

  constructor(private readonly limits: ProposalLimits = DEFAULT_PROPOSAL_LIMITS) {
    if (!Number.isInteger(limits.callers_max) || limits.callers_max < 1) throw new Error(`callers_max must be a positive integer, got ${limits.callers_max}`);
    if (!Number.isInteger(limits.entry_commands_max) || limits.entry_commands_max < 1) {
      throw new Error(`entry_commands_max must be a positive integer, got ${limits.entry_commands_max}`);
    }
  }

  get size(): number {
    return this.callers;
  }

  get queued(): number {
    return this.queue.length;
  }

  /** Queues one caller's commands. The returned promise settles when their entry applies. */
  enqueue(commands: readonly Command[], deadline_at_ms: number): Promise<readonly CommandResult[]> {
    if (commands.length === 0) return Promise.reject(new NodeError('invalid', 'commands: at least 1 command is required, got 0'));
    if (commands.length > this.limits.entry_commands_max) {
      return Promise.reject(new NodeError('invalid', `commands: at most ${this.limits.entry_commands_max} per call, got ${commands.length}`));
    }
    if (this.callers >= this.limits.callers_max) {
      return Promise.reject(new NodeError('overloaded', `proposals in flight: limit ${this.limits.callers_max} reached`));
    }
    return new Promise((resolve, reject) => {
      const caller: Caller = { commands, resolve, reject, deadline_at_ms, settled: false, timer: null };
      const wait_ms = Math.max(1, Math.min(deadline_at_ms - Date.now(), 600_000));
      caller.timer = setTimeout(() => this.settle(caller, new NodeError('outcome_unknown', `deadline passed after ${wait_ms} ms before the entry applied`)), wait_ms);
      this.callers += 1;
      this.queue.push(caller);
    });
  }

  private settle(caller: Caller, outcome: Error | readonly CommandResult[]): void {
    if (caller.settled) return;
    caller.settled = true;
    this.callers -= 1;
    if (caller.timer) clearTimeout(caller.timer);
    if (outcome instanceof Error) caller.reject(outcome);
    else caller.resolve(outcome);
  }

  /** Takes queued callers for the next entry: at most entry_commands_max commands. Callers
   * whose deadline already passed are skipped (they were rejected by their timer). */
  takeBatch(): { commands: Command[]; parts: { caller: Caller; offset: number; count: number }[] } | null {
    const commands: Command[] = [];
    const parts: { caller: Caller; offset: number; count: number }[] = [];
    while (this.queue.length > 0) {
      const c = this.queue[0]!;
      if (c.settled) {
        this.queue.shift();
        continue;
      }
      if (commands.length + c.commands.length > this.limits.entry_commands_max && commands.length > 0) break;
      if (parts.length >= this.next_callers_max) break;
      this.queue.shift();
      parts.push({ caller: c, offset: commands.length, count: c.commands.length });
      for (const cmd of c.commands) commands.push(cmd);
    }
    this.last_callers = parts.length;
    if (parts.length > 0) this.next_callers_max = Number.MAX_SAFE_INTEGER;
    return parts.length === 0 ? null : { commands, parts };
  }

  /** Puts callers back at the head of the queue (their entry was too large to encode). */
  requeueFront(parts: { caller: Caller }[]): void {
    this.queue.unshift(...parts.map((p) => p.caller));
  }

  /** The next takeBatch takes at most half as many callers as the last one did. */
  halveNextBatch(): void {
    this.next_callers_max = Math.max(1, Math.floor(this.last_callers / 2));
  }

  /** The batch was proposed at (index, term). */
  proposed(index: number, term: number, parts: { caller: Caller; offset: number; count: number }[]): void {
    if (this.inflight.has(index)) {
      // Two live proposals at one index can only mean the old one was overwritten.
      this.failEntry(index, 'its log index was reused by a newer proposal');
    }
    this.inflight.set(index, { term, parts });
  }

  /** The batch could not be proposed. */
  refused(parts: { caller: Caller }[], err: NodeError): void {
    for (const p of parts) this.settle(p.caller, err);
  }

  /** The entry at `index` applied with `term`, producing `results` (one per command). */
  applied(index: number, term: number, results: readonly CommandResult[]): void {
    const f = this.inflight.get(index);
    if (!f) return;
    this.inflight.delete(index);
    if (f.term !== term) {
      for (const p of f.parts) this.settle(p.caller, new NodeError('outcome_unknown', `entry ${index} was replaced by one of term ${term}`));
      return;
    }
    for (const p of f.parts) {
      const slice = results.slice(p.offset, p.offset + p.count);
      if (slice.length !== p.count) {
        this.settle(p.caller, new Error(`entry ${index} produced ${results.length} results, caller expected ${p.count} at ${p.offset}`));
      } else this.settle(p.caller, slice);
    }
  }

  /** An entry applied that carries no client commands (no-op, tick, membership): any
   * proposal waiting at that index was overwritten. */
  appliedOther(index: number): void {
    if (this.inflight.has(index)) this.failEntry(index, 'another entry was committed at its index');
  }

  private failEntry(index: number, why: string): void {
    const f = this.inflight.get(index);
    if (!f) return;
    this.inflight.delete(index);
    for (const p of f.parts) this.settle(p.caller, new NodeError('outcome_unknown', `entry ${index}: ${why}`));
  }

  /** Leadership was lost (or the node is closing): every caller learns the outcome is
   * unknown; queued but never proposed callers get `queued_error`. */
  failAll(inflight_error: NodeError, queued_error: NodeError): void {
    for (const index of [...this.inflight.keys()]) {
      const f = this.inflight.get(index)!;
      this.inflight.delete(index);
      for (const p of f.parts) this.settle(p.caller, inflight_error);
    }
    const q = this.queue;
    this.queue = [];
    for (const c of q) this.settle(c, queued_error);
  }

  /** Rejects callers still queued (never proposed), e.g. when this node stopped leading. */
  failQueued(err: NodeError): void {
    const q = this.queue;
    this.queue = [];
    for (const c of q) this.settle(c, err);
  }
}
