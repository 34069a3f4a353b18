// Commerce state of the ledger (rules version 4, issue 19) and the hooks the Ledger calls:
// position extras (extras.ts), SKU policies, transfers, customer usage (usage.ts), the
// backorder fills and wait-list grants that follow every change of stock ("settle"), the
// low-stock crossing, and load/state/invariants. The commands themselves are in
// commands.ts and reserve.ts.
//
// `active` turns true at the first commerce command or record; until then the Ledger skips
// every hook, so a ledger that never uses commerce does the work it did before.

import type { PositionRecord, ReservationRecord } from '../records.js';
import { StateCorruption } from '../records.js';
import type { CommandResult, KvWrite, Line, Position, ReservationView } from '../types.js';
import { availableOf, PositionExtras, type CommerceFields } from './extras.js';
import type { CommerceBatch, CommerceHost } from './host.js';
import {
  parseSkuPolicy,
  parseTransfer,
  parseUsage,
  SKU_POLICY_PREFIX,
  skuPolicyKey,
  TRANSFER_PREFIX,
  transferKey,
  USAGE_PREFIX,
  type SkuPolicyRecord,
  type TransferRecord,
} from './records.js';
import { UsageTable } from './usage.js';
import { GRANTS_PER_ENTRY_MAX } from '../limits.js';

export class Commerce {
  active = false;
  readonly extras = new PositionExtras();
  readonly sku_policies = new Map<string, SkuPolicyRecord>();
  readonly transfers = new Map<string, TransferRecord>();
  readonly usage = new UsageTable();
  /** Positions whose wait-list head fits what is available but were left by the per-entry
   * grant bound (GRANTS_PER_ENTRY_MAX). Derived state, never stored: a position is due
   * exactly when its head fits, so a restore rebuilds it (rebuild) and every replica agrees;
   * one whose head no longer fits leaves it at the next settle without an event. */
  private readonly grants_due = new Set<number>();
  /** Grants made in the entry being applied (log index grants_log_index). */
  private grants_in_entry = 0;
  private grants_log_index = -1;

  /** Live waiters per position (LedgerOptions.wait_queue_max, WAIT_QUEUE_MAX). */
  constructor(
    readonly host: CommerceHost,
    readonly wait_queue_max: number,
  ) {}

  // ------------------------------------------------------------ position hooks

  /** The record with its commerce fields (available clamped at 0 under backorders). */
  decorate(slot: number, rec: PositionRecord): PositionRecord {
    const f = this.extras.fields(slot, rec.on_hand, rec.reserved);
    if (f === null) return rec;
    return { ...rec, ...f, available: availableOf(rec.on_hand, rec.reserved) };
  }

  /** A view (no head) of a decorated record. */
  static view(rec: PositionRecord): Position {
    const { head: _head, horizon_seq: _h, ...view } = rec;
    return view;
  }

  lowStockThreshold(slot: number): number {
    return this.extras.get(slot)?.low_stock_threshold ?? 0;
  }

  /** Whether any of the slots has a non-empty wait-list. */
  anyWaiting(slots: readonly number[]): boolean {
    for (const s of slots) if (s >= 0 && (this.extras.get(s)?.waiting.size ?? 0) > 0) return true;
    return false;
  }

  /** Units a new reserve may take at slot: none while others wait there (first come,
   * first served), else max(0, on_hand - reserved). */
  effectiveAvailable(slot: number): number {
    if ((this.extras.get(slot)?.waiting.size ?? 0) > 0) return 0;
    const P = this.host.positions;
    return availableOf(P.onHand(slot), P.reserved(slot));
  }

  backordered(slot: number): number {
    const P = this.host.positions;
    const over = P.reserved(slot) - P.onHand(slot);
    return over > 0 ? over : 0;
  }

  // ------------------------------------------------------------ settle: fills and grants

  /** After a command (or the expiries): fills backorders and grants waiters on every
   * position changed since the last settle. Grants change positions again; the loop ends
   * because each grant empties one queue entry. */
  settle(batch: CommerceBatch): void {
    if (batch.log_index !== this.grants_log_index) {
      this.grants_log_index = batch.log_index;
      this.grants_in_entry = 0;
    }
    // Due positions first, in (sku, location) order so that replicas that rebuilt the set
    // from a snapshot grant in the same order as those that built it entry by entry.
    if (this.grants_due.size > 0) batch.touched.unshift(...this.dueInKeyOrder().reverse());
    if (batch.touched.length === 0) return;
    const done = new Set<number>();
    while (batch.touched.length > 0) {
      const slot = batch.touched.pop()!;
      if (done.has(slot)) continue;
      done.add(slot);
      this.fill(batch, slot);
      this.grant(batch, slot);
    }
  }

  /** Fills the oldest backordered lines of slot by the units that arrived: keeps the
   * unfilled total at max(0, reserved - on_hand). */
  private fill(batch: CommerceBatch, slot: number): void {
    const e = this.extras.get(slot);
    if (e === undefined || e.unfilled === 0) return;
    let excess = e.unfilled - this.backordered(slot);
    const P = this.host.positions;
    const sku = P.sku(slot);
    const location = P.location(slot);
    while (excess > 0) {
      const rid = e.backorders[0];
      const res = this.host.reservations.get(rid);
      if (res === undefined) throw new Error(`ledger invariant broken: backorder queue of ${sku}@${location} names missing reservation ${rid}`);
      const bl = res.backordered_lines ?? [];
      const at = bl.findIndex((l) => l.sku === sku && l.location === location);
      if (at < 0) throw new Error(`ledger invariant broken: reservation ${rid} has no backordered line on ${sku}@${location}`);
      const take = Math.min(excess, bl[at].quantity);
      const left = bl[at].quantity - take;
      const lines: Line[] = bl.filter((_, i) => i !== at);
      if (left > 0) lines.splice(at, 0, { sku: bl[at].sku, location: bl[at].location, quantity: left });
      else e.backorders.shift();
      e.unfilled -= take;
      excess -= take;
      this.host.putReservation(batch, withBackorders(res, lines));
      this.host.change(batch, slot, 'BACKORDER_FILL', res.reservation_id, res.reservation_id, 0, 0, { backordered: left });
    }
  }

  /** Grants the head of slot's wait-list while available covers it. */
  private grant(batch: CommerceBatch, slot: number): void {
    const e = this.extras.get(slot);
    if (e === undefined) return;
    const P = this.host.positions;
    for (let res = e.waiting.peek(); res !== undefined; res = e.waiting.peek()) {
      if (this.host.reservations.get(res.reservation_id) !== res) throw new Error(`ledger invariant broken: wait-list holds ${res.reservation_id}, which is no longer WAITING`);
      const q = res.lines[0].quantity;
      if (availableOf(P.onHand(slot), P.reserved(slot)) < q) break;
      if (this.grants_in_entry >= GRANTS_PER_ENTRY_MAX) {
        this.grants_due.add(slot);
        return;
      }
      this.grants_in_entry++;
      e.waiting.shift();
      const granted: ReservationRecord = { ...res, state: 'PENDING', deadline_ms: batch.time_ms + res.ttl_ms };
      this.host.putReservation(batch, granted);
      this.host.pushExpiry(granted);
      this.host.addOpen();
      this.host.change(batch, slot, 'GRANT', res.reservation_id, res.reservation_id, 0, q, customerField(res));
    }
    this.grants_due.delete(slot);
  }

  /** Whether a wait-list head was left by the per-entry grant bound: the leader proposes a
   * time tick for it as for a due expiry. */
  hasGrantsDue(): boolean {
    return this.grants_due.size > 0;
  }

  private dueInKeyOrder(): number[] {
    const P = this.host.positions;
    const key = (s: number): string => `${P.sku(s)}!${P.location(s)}`;
    return [...this.grants_due].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  }

  // ------------------------------------------------------------ reservation hooks

  /** What commit/release/extend answer before the usual path, or null to go on: a WAITING
   * reservation expires when due, is released out of its queue, and is neither committed
   * nor extended (RESERVATION_WAITING); a PENDING one with unfilled units is not committed
   * (RESERVATION_BACKORDERED). */
  beforeTouch(batch: CommerceBatch, kind: 'commit' | 'release' | 'extend', op_id: string, reservation_id: string): CommandResult | null {
    const res = this.host.reservations.get(reservation_id);
    if (res === undefined) return null;
    if (res.state === 'WAITING') {
      if (res.deadline_ms <= batch.time_ms) {
        this.waitExpire(batch, res);
        return { code: 'RESERVATION_EXPIRED', replay: false, detail: `reservation ${reservation_id} is EXPIRED (its wait ended at ${res.deadline_ms})` };
      }
      if (kind === 'release') {
        const done = this.endWait(batch, res, 'RELEASED', 'RELEASE', op_id);
        return { code: 'OK', replay: false, positions: [done.position], reservation: done.reservation };
      }
      return { code: 'RESERVATION_WAITING', replay: false, detail: `reservation ${reservation_id} is WAITING at place ${this.queuePosition(res)} of its wait-list: it holds nothing yet` };
    }
    if (kind === 'commit' && res.state === 'PENDING' && res.deadline_ms > batch.time_ms && res.backordered_lines !== undefined) {
      const l = res.backordered_lines[0];
      return { code: 'RESERVATION_BACKORDERED', replay: false, detail: `reservation ${reservation_id} has ${l.quantity} unfilled units of ${l.sku}@${l.location}: commit once filled` };
    }
    return null;
  }

  /** A WAITING reservation past its wait deadline: EXPIRED, out of its queue. */
  waitExpire(batch: CommerceBatch, res: ReservationRecord): void {
    this.endWait(batch, res, 'EXPIRED', 'WAIT_EXPIRE', '');
  }

  private endWait(batch: CommerceBatch, res: ReservationRecord, state: 'EXPIRED' | 'RELEASED', kind: 'WAIT_EXPIRE' | 'RELEASE', op_id: string): { position: Position; reservation: ReservationRecord } {
    const l = res.lines[0];
    const slot = this.host.positions.find(l.sku, l.location);
    const e = this.extras.get(slot);
    if (e === undefined) throw new Error(`ledger invariant broken: WAITING reservation ${res.reservation_id} has no wait-list`);
    e.waiting.remove(res);
    const done: ReservationRecord = { ...res, state, final_ms: batch.time_ms };
    this.host.putReservation(batch, done);
    this.host.pushFinal(batch, res.reservation_id);
    this.releaseUsage(batch, done);
    // The head may now fit (a waiter that asked more than available left the front).
    const position = this.host.change(batch, slot, kind, op_id, res.reservation_id, 0, 0, customerField(res));
    return { position, reservation: done };
  }

  /** A PENDING reservation became final (finish): its unfilled units leave the backorder
   * queues, and its customer usage becomes the units sold (none when not committed). */
  onFinish(batch: CommerceBatch, old: ReservationRecord, done: ReservationRecord): void {
    for (const l of old.backordered_lines ?? []) {
      const slot = this.host.positions.find(l.sku, l.location);
      const e = this.extras.get(slot);
      const at = e === undefined ? -1 : e.backorders.indexOf(old.reservation_id);
      if (e === undefined || at < 0) throw new Error(`ledger invariant broken: reservation ${old.reservation_id} is missing from the backorder queue of ${l.sku}@${l.location}`);
      e.backorders.splice(at, 1);
      e.unfilled -= l.quantity;
    }
    this.releaseUsage(batch, done);
  }

  /** Sets the usage of a reservation that left WAITING/PENDING to its units sold. */
  private releaseUsage(batch: CommerceBatch, done: ReservationRecord): void {
    const customer = done.customer_id;
    if (customer === undefined) return;
    for (const sku of new Set(done.lines.map((l) => l.sku))) {
      if (!this.usage.has(sku, customer, done.reservation_id)) continue;
      let sold = 0;
      for (const c of done.committed_lines) if (c.sku === sku) sold += c.quantity;
      this.usage.set(batch.writes, sku, customer, done.reservation_id, done.created_ms, sold, batch.time_ms, this.sku_policies.get(sku)?.customer_window_ms ?? 0);
    }
  }

  /** 1-based place of a WAITING reservation in its wait-list. */
  queuePosition(res: ReservationRecord): number {
    const l = res.lines[0];
    return this.extras.get(this.host.positions.find(l.sku, l.location))?.waiting.position(res) ?? 0;
  }

  /** A reservation as read: a WAITING one with its queue position. */
  readView(res: ReservationRecord): ReservationView {
    return res.state === 'WAITING' ? { ...res, queue_position: this.queuePosition(res) } : res;
  }

  // ------------------------------------------------------------ load, state, invariants

  /** Takes a commerce state record; false when the key is not one. */
  load(key: string, value: unknown): boolean {
    if (key.startsWith(SKU_POLICY_PREFIX)) {
      const r = parseSkuPolicy(key, value);
      this.sku_policies.set(r.sku, r);
    } else if (key.startsWith(TRANSFER_PREFIX)) {
      const r = parseTransfer(key, value);
      this.transfers.set(r.transfer_id, r);
    } else if (key.startsWith(USAGE_PREFIX)) {
      this.usage.load(key, parseUsage(key, value));
    } else {
      return false;
    }
    this.active = true;
    return true;
  }

  /** A loaded position record's commerce fields. */
  loadPosition(slot: number, p: PositionRecord): void {
    if (p.backorder_limit === undefined && p.low_stock_threshold === undefined && p.in_transit === undefined && p.backordered === undefined) return;
    this.active = true;
    const e = this.extras.getOrAdd(slot);
    e.backorder_limit = p.backorder_limit ?? 0;
    e.low_stock_threshold = p.low_stock_threshold ?? 0;
    e.in_transit = p.in_transit ?? 0;
  }

  /** Rebuilds wait-lists and backorder queues from the loaded reservations, in arrival
   * order. */
  rebuild(reservations: Iterable<ReservationRecord>): void {
    const waiting: ReservationRecord[] = [];
    const backordered: ReservationRecord[] = [];
    for (const r of reservations) {
      // A reservation of a commerce reserve keeps commerce fields through its changes.
      if (r.request_fp !== undefined) this.active = true;
      if (r.state === 'WAITING') waiting.push(r);
      else if (r.state === 'PENDING' && r.backordered_lines !== undefined) backordered.push(r);
    }
    if (waiting.length + backordered.length === 0) return;
    this.active = true;
    const byArrival = (a: ReservationRecord, b: ReservationRecord): number => (a.arrival ?? 0) - (b.arrival ?? 0);
    const P = this.host.positions;
    for (const r of waiting.sort(byArrival)) this.extras.getOrAdd(P.find(r.lines[0].sku, r.lines[0].location)).waiting.push(r);
    for (const [slot, e] of this.extras.slots()) {
      const head = e.waiting.peek();
      if (head !== undefined && availableOf(P.onHand(slot), P.reserved(slot)) >= head.lines[0].quantity) this.grants_due.add(slot);
    }
    for (const r of backordered.sort(byArrival)) {
      for (const l of r.backordered_lines!) {
        const slot = P.find(l.sku, l.location);
        if (slot < 0) throw new StateCorruption(`r!${r.reservation_id}`, `backordered line on missing position ${l.sku}@${l.location}`);
        const e = this.extras.getOrAdd(slot);
        e.backorders.push(r.reservation_id);
        e.unfilled += l.quantity;
      }
    }
  }

  /** The commerce records of the 'state' sublevel (unsorted). */
  stateEntries(out: [string, unknown][]): void {
    for (const r of this.sku_policies.values()) out.push([skuPolicyKey(r.sku), r]);
    for (const r of this.transfers.values()) out.push([transferKey(r.transfer_id), r]);
    for (const [k, r] of this.usage.records()) out.push([k, r]);
  }

  /** Per position: unfilled = max(0, reserved - on_hand) <= backorder_limit; every
   * wait-list entry is WAITING on that position; every backorder entry is PENDING with
   * unfilled units there. Throws on the first violation. */
  checkInvariants(): void {
    const P = this.host.positions;
    for (const [slot, e] of this.extras.slots()) {
      const name = `${P.sku(slot)}@${P.location(slot)}`;
      const bo = this.backordered(slot);
      if (e.unfilled !== bo) throw new Error(`ledger invariant broken: ${name} has ${bo} units reserved beyond on_hand but ${e.unfilled} unfilled backordered units`);
      if (bo > e.backorder_limit) throw new Error(`ledger invariant broken: ${name} has ${bo} backordered units, above its backorder limit ${e.backorder_limit}`);
      let live = 0;
      for (const w of e.waiting.live()) {
        live++;
        if (this.host.reservations.get(w.reservation_id) !== w || w.state !== 'WAITING' || P.find(w.lines[0].sku, w.lines[0].location) !== slot) throw new Error(`ledger invariant broken: wait-list of ${name} holds ${w.reservation_id}, which does not wait there`);
      }
      if (live !== e.waiting.size) throw new Error(`ledger invariant broken: wait-list of ${name} counts ${e.waiting.size} but holds ${live}`);
      let sum = 0;
      for (const id of e.backorders) {
        const r = this.host.reservations.get(id);
        const l = r?.backordered_lines?.find((x) => x.sku === P.sku(slot) && x.location === P.location(slot));
        if (r === undefined || r.state !== 'PENDING' || l === undefined) throw new Error(`ledger invariant broken: backorder queue of ${name} names ${id}, which has no unfilled units there`);
        sum += l.quantity;
      }
      if (sum !== e.unfilled) throw new Error(`ledger invariant broken: backorder queue of ${name} holds ${sum} unfilled units, the position counts ${e.unfilled}`);
    }
  }
}

/** The reservation with these unfilled lines (none: the field is absent). */
export function withBackorders(res: ReservationRecord, lines: readonly Line[]): ReservationRecord {
  if (lines.length > 0) return { ...res, backordered_lines: lines };
  const { backordered_lines: _gone, ...rest } = res;
  return rest;
}

/** The customer id as an event field, when the reservation has one. */
export function customerField(res: ReservationView): { customer_id: string } | undefined {
  return res.customer_id === undefined ? undefined : { customer_id: res.customer_id };
}

/** Whether a result names positions with commerce fields (not kept compact by the
 * outcome table, which keeps only the plain quantities). */
export function hasCommerceFields(p: Position): boolean {
  return p.backordered !== undefined || p.in_transit !== undefined || p.backorder_limit !== undefined || p.low_stock_threshold !== undefined;
}

export type { CommerceFields, KvWrite };
