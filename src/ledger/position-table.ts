// Positions in memory, one slot each: the SKU string, a location number, on_hand,
// reserved and seq in float64 columns, and the chain head as 32 raw bytes. Lookup goes
// location -> (SKU, location number) -> slot, so neither a combined "sku!location" key
// string nor a record object is kept per position; records and views are built when asked
// for. Positions are never removed, so slots are dense 0..size-1 in creation order.
//
// Bytes per position (1M positions, one location): SKU string ~32, its slot in `skus` 8,
// its index entry ~12 (slot-index.ts; a Map entry was ~30), numbers 40, head 32: ~124 B (a
// record object with a 64-hex head string and its map key took ~370 B).

import { BytePages, F64Pages, SLOTS_MAX } from './paged.js';
import { hashKey, SlotIndex } from './slot-index.js';
import type { PositionRecord } from './records.js';
import { detach } from './strings.js';
import type { Position } from './types.js';

const ON_HAND = 0;
const RESERVED = 1;
const SEQ = 2;
const LOCATION = 3;
/** Seq of the position's history horizon (0: full history kept). */
const HORIZON = 4;
const HEAD_BYTES = 32;

interface LocationEntry {
  readonly index: number;
  readonly name: string;
}

export class PositionTable {
  private readonly by_location = new Map<string, LocationEntry>();
  /** Location number -> entry. Bounded by the number of positions. */
  private readonly locations: LocationEntry[] = [];
  private readonly skus: string[] = [];
  /** (SKU, location number) -> slot. */
  private readonly index = new SlotIndex();
  private readonly nums = new F64Pages(5);
  private readonly heads = new BytePages(HEAD_BYTES);

  get size(): number {
    return this.skus.length;
  }

  /** The slot of (sku, location), or -1. */
  find(sku: string, location: string): number {
    const loc = this.by_location.get(location);
    if (loc === undefined) return -1;
    return this.findIn(sku, loc.index, hashKey(sku, loc.index));
  }

  private findIn(sku: string, location_index: number, h: number): number {
    const skus = this.skus;
    const nums = this.nums;
    const index = this.index;
    for (let slot = index.firstUnder(h); slot >= 0; slot = index.nextUnder()) {
      if (skus[slot] === sku && nums.get(slot, LOCATION) === location_index) return slot;
    }
    return -1;
  }

  /** A new position with zero quantities, seq 0 and no head. The names are detached:
   * they may be slices of a decoded entry's text (strings.ts) and live as long as the
   * position. */
  add(sku: string, location: string): number {
    const before = this.skus.length;
    const slot = this.findOrAdd(sku, location);
    if (this.skus.length === before) throw new Error(`position ${sku}@${location} already exists`);
    return slot;
  }

  /** The slot of (sku, location), made as add() does when absent (one lookup). */
  findOrAdd(sku: string, location: string): number {
    let loc = this.by_location.get(location);
    if (loc !== undefined) {
      const found = this.findIn(sku, loc.index, hashKey(sku, loc.index));
      if (found >= 0) return found;
    }
    const slot = this.skus.length;
    if (slot >= SLOTS_MAX) throw new RangeError(`at most ${SLOTS_MAX} positions`);
    if (loc === undefined) {
      const name = detach(location);
      loc = { index: this.locations.length, name };
      this.locations.push(loc);
      this.by_location.set(name, loc);
    }
    const kept = detach(sku);
    this.skus.push(kept);
    this.nums.ensure(slot);
    this.heads.ensure(slot);
    this.nums.set(slot, LOCATION, loc.index);
    this.index.insert(hashKey(kept, loc.index), slot);
    return slot;
  }

  sku(slot: number): string {
    return this.skus[slot];
  }

  location(slot: number): string {
    return this.locations[this.nums.get(slot, LOCATION)].name;
  }

  onHand(slot: number): number {
    return this.nums.get(slot, ON_HAND);
  }

  reserved(slot: number): number {
    return this.nums.get(slot, RESERVED);
  }

  available(slot: number): number {
    return this.nums.get(slot, ON_HAND) - this.nums.get(slot, RESERVED);
  }

  seq(slot: number): number {
    return this.nums.get(slot, SEQ);
  }

  /** Seq of the last pruned event (the horizon), 0 when the full history is kept. */
  horizon(slot: number): number {
    return this.nums.get(slot, HORIZON);
  }

  setHorizon(slot: number, seq: number): void {
    this.nums.set(slot, HORIZON, seq);
  }

  /** Hash of the latest event as 64 hex digits ('' before the first event). */
  head(slot: number): string {
    return this.nums.get(slot, SEQ) === 0 ? '' : this.heads.hex(slot);
  }

  /** Sets the quantities and chain end after an event (head: 64 hex digits). The caller
   * asserts the invariants on the record it writes (assertPosition). */
  set(slot: number, on_hand: number, reserved: number, seq: number, head: string): void {
    this.heads.setHex(slot, head);
    this.nums.set(slot, ON_HAND, on_hand);
    this.nums.set(slot, RESERVED, reserved);
    this.nums.set(slot, SEQ, seq);
  }

  /** The stored form (what the 'state' sublevel holds under p!<sku>!<location>). */
  record(slot: number): PositionRecord {
    const on_hand = this.onHand(slot);
    const reserved = this.reserved(slot);
    const rec = { sku: this.sku(slot), location: this.location(slot), on_hand, reserved, available: on_hand - reserved, seq: this.seq(slot), head: this.head(slot) };
    const horizon_seq = this.horizon(slot);
    return horizon_seq > 0 ? { ...rec, horizon_seq } : rec;
  }

  /** The read form (no head). */
  view(slot: number): Position {
    const on_hand = this.onHand(slot);
    const reserved = this.reserved(slot);
    return { sku: this.sku(slot), location: this.location(slot), on_hand, reserved, available: on_hand - reserved, seq: this.seq(slot) };
  }
}
