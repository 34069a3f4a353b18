// The `expiry` workload: reservations with short TTLs (1..5 s) on two generously stocked
// positions, watched until they end. Each reservation gets a plan when it is made:
//   leave         - nothing but GetReservation polls: before the deadline (whenever the
//                   process has nothing due) and after it, every POLL_EVERY_MS, until it
//                   is seen EXPIRED (the liveness observation);
//   commit-early  - committed at 20..70% of its TTL;
//   extend        - extended at 20..60% of its TTL by a new 1..5 s, then left alone;
//   late-*        - commit, extend or release tried 0.2..2 s after the deadline, which
//                   must be refused RESERVATION_EXPIRED.
// Times here are the harness's monotonic clock (the recorder's), so a process acts at a
// chosen point of a reservation's life; the checker (checkers/expiry.ts) relies only on
// the recorded invoke/complete times, never on these plans.

import type { Line } from '../src/ledger/types.js';
import type { CompletionType, OpArgs, OpResult } from './history.js';
import type { Rng } from './rng.js';
import type { PositionRef } from './workloads.js';

export const EXPIRY_TTL_MS: readonly [number, number] = [1_000, 5_000];
/** Reservations one process watches at once: enough that several deadlines are always
 * near, few enough that each is polled often. */
const WATCHED_MAX = 6;
/** After a deadline, how often a left-alone reservation is polled, and for how long
 * before the process stops watching it (the checker flags it if a poll still saw it
 * PENDING well after the deadline). */
const POLL_EVERY_MS = 400;
const POLL_FIRST_AFTER_MS = 100;
const POLLS_AFTER_MAX = 25;
const LATE_MS: readonly [number, number] = [200, 2_000];

export type ExpiryPlan = 'leave' | 'commit-early' | 'extend' | 'late-commit' | 'late-extend' | 'late-release';

const PLAN_PERCENT: readonly (readonly [ExpiryPlan, number])[] = [
  ['leave', 45],
  ['commit-early', 20],
  ['extend', 15],
  ['late-commit', 10],
  ['late-extend', 5],
  ['late-release', 5],
];

interface Watched {
  readonly id: string;
  readonly lines: readonly Line[];
  plan: ExpiryPlan;
  /** Deadline as the harness estimates it (reserve completion + TTL, later extends). */
  deadline_ms: number;
  /** When the planned action is due, or null once done (or for `leave`). */
  action_at_ms: number | null;
  polls_after: number;
  next_poll_ms: number;
}

export class ExpiryGenerator {
  private seq = 0;
  private readonly watched: Watched[] = [];

  constructor(
    private readonly positions: readonly PositionRef[],
    private readonly process: number,
    private readonly rng: Rng,
    private readonly run_tag: string,
    /** The recorder's clock (ms since the run started, monotonic). */
    private readonly now: () => number,
  ) {
    if (positions.length < 2) throw new Error(`expiry workload: needs at least 2 positions, got ${positions.length}`);
  }

  private id(kind: string): string {
    return `${this.run_tag}-${kind}${this.process}-${++this.seq}`;
  }

  private ttl(): number {
    return this.rng.range(EXPIRY_TTL_MS[0], EXPIRY_TTL_MS[1]);
  }

  next(): OpArgs {
    const now = this.now();
    const due = this.watched.find((w) => w.action_at_ms !== null && w.action_at_ms <= now);
    if (due !== undefined) return this.action(due);
    const poll = this.watched.find((w) => w.action_at_ms === null && w.next_poll_ms <= now);
    if (poll !== undefined) return { f: 'get-reservation', reservation_id: poll.id };
    if (this.watched.length < WATCHED_MAX) return this.reserve();
    // Nothing due: look at a reservation before its deadline (an early expiry shows here).
    const early = this.watched.filter((w) => w.deadline_ms > now);
    return { f: 'get-reservation', reservation_id: this.rng.pick(early.length > 0 ? early : this.watched).id };
  }

  private reserve(): OpArgs {
    const first = this.rng.pick(this.positions);
    const picked = this.rng.chance(0.2) ? this.positions.slice(0, 2) : [first];
    const lines = picked.map((p) => ({ sku: p.sku, location: p.location, quantity: this.rng.range(1, 2) }));
    return { f: 'reserve', reservation_id: this.id('x'), lines, ttl_ms: this.ttl() };
  }

  private action(w: Watched): OpArgs {
    w.action_at_ms = null;
    switch (w.plan) {
      case 'commit-early':
      case 'late-commit':
        return { f: 'commit', op_id: this.id('c'), reservation_id: w.id };
      case 'extend':
      case 'late-extend':
        return { f: 'extend', op_id: this.id('e'), reservation_id: w.id, ttl_ms: this.ttl() };
      case 'late-release':
        return { f: 'release', op_id: this.id('l'), reservation_id: w.id };
      case 'leave':
        return { f: 'get-reservation', reservation_id: w.id };
    }
  }

  private pickPlan(): ExpiryPlan {
    let roll = this.rng.int(100);
    for (const [plan, percent] of PLAN_PERCENT) {
      if (roll < percent) return plan;
      roll -= percent;
    }
    throw new Error('expiry workload: plan odds do not add up to 100');
  }

  private fraction(lo: number, hi: number): number {
    return lo + ((hi - lo) * this.rng.int(1_001)) / 1_000;
  }

  private startWatching(id: string, lines: readonly Line[], ttl_ms: number): void {
    const now = this.now();
    const plan = this.pickPlan();
    const deadline_ms = now + ttl_ms;
    let action_at_ms: number | null = null;
    if (plan === 'commit-early') action_at_ms = now + ttl_ms * this.fraction(0.2, 0.7);
    else if (plan === 'extend') action_at_ms = now + ttl_ms * this.fraction(0.2, 0.6);
    else if (plan !== 'leave') action_at_ms = deadline_ms + this.rng.range(LATE_MS[0], LATE_MS[1]);
    this.watched.push({ id, lines, plan, deadline_ms, action_at_ms, polls_after: 0, next_poll_ms: deadline_ms + POLL_FIRST_AFTER_MS });
  }

  private stopWatching(id: string): void {
    const i = this.watched.findIndex((w) => w.id === id);
    if (i >= 0) this.watched.splice(i, 1);
  }

  /** Learns from a completion: what to watch, when to poll next, what has ended. */
  observe(args: OpArgs, type: CompletionType, result: OpResult | undefined): void {
    if (args.f === 'reserve') {
      if (type === 'ok') this.startWatching(args.reservation_id, args.lines, args.ttl_ms);
      return;
    }
    if (args.f !== 'commit' && args.f !== 'release' && args.f !== 'extend' && args.f !== 'get-reservation') return;
    const w = this.watched.find((x) => x.id === args.reservation_id);
    if (w === undefined) return;
    if (args.f === 'get-reservation') return this.observePoll(w, result);
    if (args.f === 'extend' && type === 'ok') {
      // Left alone from here, watched against its new deadline.
      w.plan = 'leave';
      w.deadline_ms = Math.max(w.deadline_ms, this.now() + args.ttl_ms);
      w.next_poll_ms = w.deadline_ms + POLL_FIRST_AFTER_MS;
      return;
    }
    // A settle, a refusal (expired or otherwise) or an unknown outcome ends the watch.
    this.stopWatching(w.id);
  }

  private observePoll(w: Watched, result: OpResult | undefined): void {
    const now = this.now();
    const view = result?.kind === 'reservation' ? result.view : undefined;
    // An ended reservation is dropped, unless an action is still planned on it (a late
    // commit must still be tried, and refused).
    if (view === null || (view !== undefined && view.state !== 'PENDING')) {
      if (w.action_at_ms === null) this.stopWatching(w.id);
      return;
    }
    if (now < w.deadline_ms) return;
    w.polls_after++;
    if (w.polls_after > POLLS_AFTER_MAX) return this.stopWatching(w.id);
    w.next_poll_ms = now + POLL_EVERY_MS;
  }
}
