// Commerce state of a position (rules version 4), kept beside the PositionTable columns for
// the few positions that use it: the backorder limit, the low-stock threshold, units in
// transit, the reservations with unfilled (backordered) units in arrival order, and the
// wait-list. A position without any of it has no entry, so plain positions cost nothing.

import type { ReservationRecord } from '../records.js';

/** A position's wait-list: WAITING reservation records in arrival order. Taking the head
 * and leaving from anywhere (release, wait expiry) are O(1) amortised: an entry that left
 * is only marked, and dropped when it reaches the head or when marked entries outnumber
 * live ones; the array is compacted once half of it is behind the head. Length: at most
 * about twice the live entries (bounded by the wait-list limit). */
export class WaitQueue {
  private items: ReservationRecord[] = [];
  private head = 0;
  private readonly gone = new Set<ReservationRecord>();
  /** Live entries. */
  size = 0;

  push(r: ReservationRecord): void {
    this.items.push(r);
    this.size++;
  }

  /** The first live entry. */
  peek(): ReservationRecord | undefined {
    while (this.head < this.items.length && this.gone.has(this.items[this.head])) this.gone.delete(this.items[this.head++]);
    return this.head < this.items.length ? this.items[this.head] : undefined;
  }

  /** Takes the head (peek() first). */
  shift(): void {
    this.head++;
    this.size--;
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  /** Marks r, a live entry (the caller holds it WAITING on this position), as gone. */
  remove(r: ReservationRecord): void {
    if (this.gone.has(r)) throw new Error(`ledger invariant broken: ${r.reservation_id} left its wait-list twice`);
    this.gone.add(r);
    this.size--;
    // Leavers behind a head that stays would pile up: drop them once they outnumber the
    // live entries (amortised O(1) per leave).
    if (this.gone.size >= 1024 && this.gone.size > this.size) {
      this.items = [...this.live()];
      this.head = 0;
      this.gone.clear();
    }
  }

  /** 1-based place of r among the live entries, 0 when absent. O(length). */
  position(r: ReservationRecord): number {
    let n = 0;
    for (let i = this.head; i < this.items.length; i++) {
      const x = this.items[i];
      if (this.gone.has(x)) continue;
      n++;
      if (x === r) return n;
    }
    return 0;
  }

  /** The live entries in order. */
  *live(): IterableIterator<ReservationRecord> {
    for (let i = this.head; i < this.items.length; i++) if (!this.gone.has(this.items[i])) yield this.items[i];
  }
}

export class PositionExtra {
  backorder_limit = 0;
  low_stock_threshold = 0;
  in_transit = 0;
  /** Sum of the unfilled units of the reservations in `backorders`: always
   * max(0, reserved - on_hand) (checked by the invariants). */
  unfilled = 0;
  /** Reservation ids with unfilled units on this position, in arrival order. */
  readonly backorders: string[] = [];
  /** WAITING reservations, in arrival order (head first). Bounded by WAIT_QUEUE_MAX. */
  readonly waiting = new WaitQueue();
}

/** The quantities a position's record and view carry for commerce, each only when
 * non-zero (types.ts Position). */
export interface CommerceFields {
  backordered?: number;
  in_transit?: number;
  backorder_limit?: number;
  low_stock_threshold?: number;
}

export class PositionExtras {
  private readonly by_slot = new Map<number, PositionExtra>();

  get(slot: number): PositionExtra | undefined {
    return this.by_slot.get(slot);
  }

  getOrAdd(slot: number): PositionExtra {
    let e = this.by_slot.get(slot);
    if (e === undefined) {
      e = new PositionExtra();
      this.by_slot.set(slot, e);
    }
    return e;
  }

  slots(): IterableIterator<[number, PositionExtra]> {
    return this.by_slot.entries();
  }

  /** The commerce fields of a position with these quantities. */
  fields(slot: number, on_hand: number, reserved: number): CommerceFields | null {
    const e = this.by_slot.get(slot);
    const backordered = reserved > on_hand ? reserved - on_hand : 0;
    if (e === undefined && backordered === 0) return null;
    const f: CommerceFields = {};
    if (backordered > 0) f.backordered = backordered;
    if (e !== undefined) {
      if (e.in_transit > 0) f.in_transit = e.in_transit;
      if (e.backorder_limit > 0) f.backorder_limit = e.backorder_limit;
      if (e.low_stock_threshold > 0) f.low_stock_threshold = e.low_stock_threshold;
    }
    return f;
  }
}

/** Available units: what on_hand holds beyond every reservation, never negative. */
export function availableOf(on_hand: number, reserved: number): number {
  return on_hand > reserved ? on_hand - reserved : 0;
}
