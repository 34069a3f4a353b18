// Operation generators. `ledger`: reserve (one or two lines), commit (sometimes partial),
// release, extend and adjust on a few positions with scarce stock, plus linearizable
// reads. `register`: single-position operations only, for the linearizability checker.
// `expiry`: short-TTL reservations watched until they end (expiry-workload.ts).
// `commerce`: customer limits, wait-lists, backorders, allocation, transfers and counts
// (commerce-workload.ts; cluster version 4).
// Generators are per process and seeded; they remember the reservations their process
// holds so that commits and releases mostly name live ones (and sometimes others').

import type { Line } from '../src/ledger/types.js';
import type { CompletionType, OpArgs, OpResult } from './history.js';
import type { Rng } from './rng.js';
import { COMMERCE_INITIAL_ON_HAND, COMMERCE_POSITIONS } from './commerce-workload.js';

export const WORKLOADS = ['ledger', 'register', 'expiry', 'commerce'] as const;
export type WorkloadName = (typeof WORKLOADS)[number];

/** What a client process draws its operations from and reports completions to. */
export interface OpGenerator {
  next(): OpArgs;
  observe(args: OpArgs, type: CompletionType, result: OpResult | undefined): void;
}

/** Far beyond any run: expiry is not part of the model (see position-model.ts). */
export const TTL_MS = 6 * 3_600_000;
const HELD_MAX = 16;
const SHARED_MAX = 256;

export interface PositionRef {
  readonly sku: string;
  readonly location: string;
}

export interface WorkloadSpec {
  readonly name: WorkloadName;
  readonly positions: readonly PositionRef[];
  /** Stock each position starts with (one adjust each, before clients start). */
  readonly initial_on_hand: number;
}

export function workloadSpec(name: WorkloadName): WorkloadSpec {
  if (name === 'ledger') {
    const positions: PositionRef[] = [];
    for (const sku of ['sku-0', 'sku-1', 'sku-2']) for (const location of ['loc-a', 'loc-b']) positions.push({ sku, location });
    return { name, positions, initial_on_hand: 6 };
  }
  if (name === 'commerce') {
    // commerce-workload.ts: a drop SKU with a customer limit and a wait-list, and a SKU at
    // two locations with backorders, allocation, transfers and counts.
    return { name, positions: COMMERCE_POSITIONS, initial_on_hand: COMMERCE_INITIAL_ON_HAND };
  }
  if (name === 'expiry') {
    // Stocked far beyond what a run can reserve or sell: a refusal for want of stock would
    // hide what the workload is after (when reservations end).
    return { name, positions: [0, 1].map((i) => ({ sku: `exp-${i}`, location: 'e' })), initial_on_hand: 1_000_000 };
  }
  return { name, positions: [0, 1, 2, 3].map((i) => ({ sku: `reg-${i}`, location: 'r' })), initial_on_hand: 10 };
}

/** Reservations any process may name (for cross-process conflicts). */
export class SharedReservations {
  readonly ids: string[] = [];
  readonly lines = new Map<string, readonly Line[]>();
  add(id: string, lines: readonly Line[]): void {
    this.ids.push(id);
    this.lines.set(id, lines);
    if (this.ids.length > SHARED_MAX) this.lines.delete(this.ids.shift()!);
  }
}

export class Generator implements OpGenerator {
  private seq = 0;
  private readonly held: { id: string; lines: readonly Line[] }[] = [];
  private readonly lastSeen = new Map<string, number>();

  constructor(
    private readonly spec: WorkloadSpec,
    private readonly process: number,
    private readonly rng: Rng,
    private readonly shared: SharedReservations,
    private readonly run_tag: string,
  ) {}

  private id(kind: string): string {
    return `${this.run_tag}-${kind}${this.process}-${++this.seq}`;
  }

  next(): OpArgs {
    const r = this.rng;
    const pos = r.pick(this.spec.positions);
    const roll = r.int(100);
    if (this.spec.name === 'register') {
      if (roll < 40) return { f: 'read', ...pos };
      if (roll < 52) return { f: 'adjust', op_id: this.id('a'), ...pos, delta: r.range(1, 3) };
      if (roll < 60) return { f: 'adjust', op_id: this.id('a'), ...pos, delta: -1 };
      if (roll < 70) {
        const seen = this.lastSeen.get(`${pos.sku}@${pos.location}`) ?? 0;
        return { f: 'adjust', op_id: this.id('a'), ...pos, delta: 1, expected_on_hand: seen };
      }
      if (roll < 85 || this.held.length === 0) return this.reserve([pos]);
      return this.settle(roll < 95 ? 'commit' : 'release');
    }
    if (roll < 25) return { f: 'read', ...pos };
    if (roll < 35) return { f: 'adjust', op_id: this.id('a'), ...pos, delta: r.range(1, 4) };
    if (roll < 38) return { f: 'adjust', op_id: this.id('a'), ...pos, delta: -1 };
    if (roll < 41) {
      const seen = this.lastSeen.get(`${pos.sku}@${pos.location}`) ?? 0;
      return { f: 'adjust', op_id: this.id('a'), ...pos, delta: 2, expected_on_hand: seen };
    }
    if (roll < 66 || this.held.length === 0) {
      const two = r.chance(0.3);
      const other = r.pick(this.spec.positions.filter((p) => p !== pos));
      return this.reserve(two ? [pos, other] : [pos]);
    }
    if (roll < 84) return this.settle('commit');
    if (roll < 94) return this.settle('release');
    return this.settle('extend');
  }

  private reserve(positions: readonly PositionRef[]): OpArgs {
    const lines = positions.map((p) => ({ sku: p.sku, location: p.location, quantity: this.rng.range(1, 3) }));
    return { f: 'reserve', reservation_id: this.id('r'), lines, ttl_ms: TTL_MS };
  }

  private settle(kind: 'commit' | 'release' | 'extend'): OpArgs {
    // Mostly our own live reservations; sometimes anyone's, to race other processes.
    let target: { id: string; lines: readonly Line[] };
    if (this.shared.ids.length > 0 && this.rng.chance(0.15)) {
      const id = this.rng.pick(this.shared.ids);
      target = { id, lines: this.shared.lines.get(id) ?? [] };
    } else {
      target = this.held[this.rng.int(this.held.length)];
    }
    const op_id = this.id(kind[0]);
    if (kind === 'release') return { f: 'release', op_id, reservation_id: target.id };
    if (kind === 'extend') return { f: 'extend', op_id, reservation_id: target.id, ttl_ms: TTL_MS };
    if (this.spec.name === 'ledger' && this.rng.chance(0.2) && target.lines.length > 0) {
      const lines = target.lines.map((l) => ({ ...l, quantity: this.rng.range(1, l.quantity) }));
      return { f: 'commit', op_id, reservation_id: target.id, lines };
    }
    return { f: 'commit', op_id, reservation_id: target.id };
  }

  /** Learns from a completion: held reservations, last seen on_hand (for compare-and-set). */
  observe(args: OpArgs, type: CompletionType, result: OpResult | undefined): void {
    if (result?.kind === 'read' && result.position !== null) {
      this.lastSeen.set(`${result.position.sku}@${result.position.location}`, result.position.on_hand);
    }
    if (result?.kind === 'command' && result.result.code === 'OK') {
      for (const p of result.result.positions) this.lastSeen.set(`${p.sku}@${p.location}`, p.on_hand);
    }
    if (args.f === 'reserve' && type === 'ok') {
      this.held.push({ id: args.reservation_id, lines: args.lines });
      if (this.held.length > HELD_MAX) this.held.shift();
      this.shared.add(args.reservation_id, args.lines);
    }
    if ((args.f === 'commit' || args.f === 'release') && type !== 'info') {
      const i = this.held.findIndex((h) => h.id === args.reservation_id);
      if (i >= 0 && (type === 'ok' || result !== undefined)) this.held.splice(i, 1);
    }
  }
}
