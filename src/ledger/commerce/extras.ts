// Commerce state of a position (rules version 4), kept beside the PositionTable columns for
// the few positions that use it: the backorder limit, the low-stock threshold, units in
// transit, the reservations with unfilled (backordered) units in arrival order, and the
// wait-list. A position without any of it has no entry, so plain positions cost nothing.

export class PositionExtra {
  backorder_limit = 0;
  low_stock_threshold = 0;
  in_transit = 0;
  /** Sum of the unfilled units of the reservations in `backorders`: always
   * max(0, reserved - on_hand) (checked by the invariants). */
  unfilled = 0;
  /** Reservation ids with unfilled units on this position, in arrival order. */
  readonly backorders: string[] = [];
  /** WAITING reservation ids, in arrival order (head first). Bounded by WAIT_QUEUE_MAX. */
  readonly waiting: string[] = [];
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
