// The `commerce` workload (ledger rules version 4, docs/commerce.md): a drop SKU with a
// per-customer limit and a wait-list, and a SKU stocked at two locations with backorder
// limits, allocation across them, transfers between them and cycle counts; reserves,
// commits, releases and receipts in between. Setup (setupOps) raises nothing itself: the
// run raises the cluster version to 4, then records the policies and the initial stock
// like any other operation, so the checker sees them.
//
// TTLs and wait deadlines are far beyond any run: the checker (checkers/commerce.ts)
// treats a reservation as held until a settle is sent, and expiry is the expiry workload's
// subject.

import type { Line } from '../src/ledger/types.js';
import type { AllocationArgs, CompletionType, OpArgs, OpResult } from './history.js';
import type { Rng } from './rng.js';
import type { OpGenerator, PositionRef } from './workloads.js';

export const COMMERCE_TTL_MS = 6 * 3_600_000;
export const COMMERCE_WAIT_MS = 3_600_000;
/** A share of the waits is short, so that waits also end unserved (WAIT_EXPIRE) under the
 * faults, not only through grants and releases. */
export const COMMERCE_SHORT_WAIT_MS_MIN = 2_000;
export const COMMERCE_SHORT_WAIT_MS_MAX = 8_000;
const SHORT_WAIT_SHARE = 0.3;
export const DROP: PositionRef = { sku: 'drop-0', location: 'w1' };
export const SPLIT_SKU = 'bo-0';
export const SPLIT_LOCATIONS = ['w1', 'w2'] as const;
export const COMMERCE_POSITIONS: readonly PositionRef[] = [DROP, ...SPLIT_LOCATIONS.map((location) => ({ sku: SPLIT_SKU, location }))];
export const CUSTOMER_LIMIT = 2;
export const BACKORDER_LIMIT = 3;
export const COMMERCE_INITIAL_ON_HAND = 6;
const REGULARS = 10;
const REGULAR_SHARE = 0.3;
const NEWCOMER_WINDOW_OPS = 20;
const NEWCOMERS_PER_WINDOW = 3;
const HELD_MAX = 12;
const TRANSFERS_OPEN_MAX = 8;

/** Policies before any stock: limits are in force from the first reserve. */
export function commerceSetupOps(run_tag: string): OpArgs[] {
  const ops: OpArgs[] = [{ f: 'set-sku-policy', op_id: `${run_tag}-skupol`, sku: DROP.sku, customer_limit: CUSTOMER_LIMIT, customer_window_ms: 0 }];
  for (const p of COMMERCE_POSITIONS) {
    const backorder_limit = p.sku === SPLIT_SKU ? BACKORDER_LIMIT : 0;
    ops.push({ f: 'set-position-policy', op_id: `${run_tag}-pospol-${p.sku}-${p.location}`, sku: p.sku, location: p.location, backorder_limit, low_stock_threshold: 2 });
  }
  return ops;
}

interface Held {
  readonly id: string;
  readonly waiting: boolean;
}

export class CommerceGenerator implements OpGenerator {
  private seq = 0;
  private readonly held: Held[] = [];
  private readonly transfers: { id: string; quantity: number }[] = [];
  private readonly lastOnHand = new Map<string, number>();

  constructor(
    private readonly process: number,
    private readonly rng: Rng,
    private readonly run_tag: string,
  ) {}

  private id(kind: string): string {
    return `${this.run_tag}-${kind}${this.process}-${++this.seq}`;
  }

  next(): OpArgs {
    const r = this.rng;
    const roll = r.int(100);
    // Stock arrives slower than buyers take it: the drop sells out (waits, grants) and
    // the split SKU runs into its backorder limits.
    if (roll < 24) return this.reserveDrop();
    if (roll < 40) return this.reserveSplit();
    if (roll < 54 && this.held.length > 0) return this.settle('commit');
    if (roll < 66 && this.held.length > 0) return this.settle('release');
    if (roll < 70) return { f: 'adjust', op_id: this.id('a'), ...r.pick(COMMERCE_POSITIONS), delta: r.range(1, 2) };
    if (roll < 77) return this.transfer();
    if (roll < 84 && this.transfers.length > 0) return this.receive();
    if (roll < 88) return this.count();
    if (roll < 92 && this.held.length > 0) return { f: 'get-reservation', reservation_id: r.pick(this.held).id };
    return { f: 'read', ...r.pick(COMMERCE_POSITIONS) };
  }

  /** A regular from a pool every process shares (concurrent reserves of one customer from
   * several clients race the limit), or one of a few newcomers of this process's current
   * window (fresh demand: a for-ever limit would otherwise shut everyone out). */
  private customer(): string {
    if (this.rng.chance(REGULAR_SHARE)) return `cust-r${this.rng.int(REGULARS)}`;
    return `cust-p${this.process}-${Math.floor(this.seq / NEWCOMER_WINDOW_OPS)}-${this.rng.int(NEWCOMERS_PER_WINDOW)}`;
  }

  private reserveDrop(): OpArgs {
    const line: Line = { ...DROP, quantity: this.rng.range(1, 2) };
    const wait = this.rng.chance(0.6);
    const wait_ms = this.rng.chance(SHORT_WAIT_SHARE) ? this.rng.range(COMMERCE_SHORT_WAIT_MS_MIN, COMMERCE_SHORT_WAIT_MS_MAX) : COMMERCE_WAIT_MS;
    return { f: 'reserve', reservation_id: this.id('d'), lines: [line], ttl_ms: COMMERCE_TTL_MS, customer_id: this.customer(), ...(wait ? { wait_ms } : {}) };
  }

  private reserveSplit(): OpArgs {
    const r = this.rng;
    const quantity = r.range(1, 3);
    if (r.chance(0.4)) {
      const locations = r.chance(0.5) ? [...SPLIT_LOCATIONS] : [...SPLIT_LOCATIONS].reverse();
      const allocation: AllocationArgs = { sku: SPLIT_SKU, locations, quantity, strategy: r.chance(0.5) ? 'PRIORITY' : 'MOST_AVAILABLE', split: r.chance(0.5) };
      return { f: 'reserve', reservation_id: this.id('s'), lines: [], ttl_ms: COMMERCE_TTL_MS, allocations: [allocation] };
    }
    const line: Line = { sku: SPLIT_SKU, location: r.pick(SPLIT_LOCATIONS), quantity };
    return { f: 'reserve', reservation_id: this.id('b'), lines: [line], ttl_ms: COMMERCE_TTL_MS, ...(r.chance(0.6) ? { backorder: true } : {}) };
  }

  private settle(kind: 'commit' | 'release'): OpArgs {
    const target = this.rng.pick(this.held);
    const op_id = this.id(kind[0]);
    return kind === 'commit' ? { f: 'commit', op_id, reservation_id: target.id } : { f: 'release', op_id, reservation_id: target.id };
  }

  private transfer(): OpArgs {
    const from = this.rng.int(2);
    return { f: 'transfer', op_id: this.id('t'), sku: SPLIT_SKU, from_location: SPLIT_LOCATIONS[from], to_location: SPLIT_LOCATIONS[1 - from], quantity: this.rng.range(1, 2) };
  }

  private receive(): OpArgs {
    const t = this.transfers.shift()!;
    // Mostly in full; sometimes one short (a variance).
    const received = this.rng.chance(0.25) ? t.quantity - 1 : t.quantity;
    return { f: 'receive-transfer', op_id: this.id('v'), transfer_id: t.id, received };
  }

  private count(): OpArgs {
    const location = this.rng.pick(SPLIT_LOCATIONS);
    const seen = this.lastOnHand.get(`${SPLIT_SKU}@${location}`) ?? COMMERCE_INITIAL_ON_HAND;
    const counted = Math.max(0, seen + this.rng.range(-1, 1));
    return { f: 'count', op_id: this.id('k'), sku: SPLIT_SKU, location, counted };
  }

  /** Learns from a completion: held reservations, open transfers, last seen on_hand. */
  observe(args: OpArgs, type: CompletionType, result: OpResult | undefined): void {
    if (result?.kind === 'read' && result.position !== null) this.lastOnHand.set(`${result.position.sku}@${result.position.location}`, result.position.on_hand);
    if (result?.kind === 'command' && result.result.code === 'OK') {
      for (const p of result.result.positions) this.lastOnHand.set(`${p.sku}@${p.location}`, p.on_hand);
    }
    if (args.f === 'reserve' && type === 'ok') {
      const waiting = result?.kind === 'command' && result.result.code === 'OK' && result.result.reservation?.state === 'WAITING';
      this.held.push({ id: args.reservation_id, waiting });
      if (this.held.length > HELD_MAX) this.held.shift();
    }
    if ((args.f === 'commit' || args.f === 'release') && type !== 'info') {
      const code = result?.kind === 'command' ? result.result.code : null;
      // A backordered or waiting reservation stays held: it may be committed later.
      if (code !== 'RESERVATION_BACKORDERED' && code !== 'RESERVATION_WAITING') {
        const i = this.held.findIndex((h) => h.id === args.reservation_id);
        if (i >= 0) this.held.splice(i, 1);
      }
    }
    if (args.f === 'transfer' && type === 'ok' && this.transfers.length < TRANSFERS_OPEN_MAX) this.transfers.push({ id: args.op_id, quantity: args.quantity });
  }
}
