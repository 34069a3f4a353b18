// Recorded outcomes in memory. They are kept for the dedup window (24 h of log time by
// default; then they live on in the 'outcomes' sublevel on disk), so at a million ops they are most of the ledger's memory. Each outcome is one
// slot of fixed-width columns (outcome time, kind, position slot, the position's
// quantities after the command) plus a 16-byte digest of its fingerprint
// (fingerprint.ts); the id strings are kept by slot and found through a SlotIndex
// (slot-index.ts), ~12 B an id instead of a Map entry's ~50.
//
// Nearly every outcome is an OK result that touched one position (an Adjust, a single-line
// Reserve/Commit/Release/Extend): its CommandResult is rebuilt on demand (replays and
// GetOutcome are rare next to applies), field for field the one apply returned; the
// reservation such a result named is kept by reference. Any other result is kept as is.
// A reserve's outcome also holds the live reservation (reservation-store.ts) for as long
// as it exists.
//
// The stored (LevelDB) form is the full OutcomeRecord with the fingerprint in its digest
// form (fingerprint.ts); the loader also takes records stored with the full text.

import { FP_DIGEST_BYTES, FP_KEY_PREFIX, fingerprintDigest } from './fingerprint.js';
import { BytePages, F64Pages, SLOTS_MAX } from './paged.js';
import { hashKey, SlotIndex } from './slot-index.js';
import type { PositionTable } from './position-table.js';
import type { OutcomeRecord, ReservationRecord } from './records.js';
import { detach } from './strings.js';
import type { CommandResult, Position, ReservationView } from './types.js';

/** Fingerprint of a successful reserve's outcome: the content lives in the reservation
 * record. Never a fingerprint() output (those are JSON arrays). */
export const RESERVE_FP = '=reservation';

// Column layout of a slot. KIND_POSITION holds position slot * 8 + kind (exact: slots
// are below 2^30).
const AT_MS = 0;
const KIND_POSITION = 1;
const ON_HAND = 2;
const RESERVED = 3;
const SEQ = 4;
/** Log index of the entry that applied the command (0 for records from before it was kept). */
const AT_INDEX = 5;
const COLUMNS = 6;
const KIND_BITS = 8;

// Kinds. TIED (a flag) marks a successful reserve's outcome, whose content is its
// reservation (no fingerprint digest).
const FREE = 0;
/** OK, one position, no reservation (an Adjust). */
const ONE_BARE = 1;
/** OK, one position and the reservation in `extra`. */
const ONE_RES = 2;
/** Any other result, whole in `extra`. */
const GENERAL = 3;
const KIND_MASK = 3;
const TIED = 4;

function kindOf(kind_position: number): number {
  return kind_position % KIND_BITS;
}

export class OutcomeTable {
  /** The id whose outcome each slot holds; undefined for a free slot. */
  private readonly ids: (string | undefined)[] = [];
  private readonly index = new SlotIndex();
  /** Slots given back by delete(), reused first. Bounded by the slots ever used. */
  private readonly free: number[] = [];
  private used = 0;
  private readonly nums = new F64Pages(COLUMNS);
  private readonly fps = new BytePages(FP_DIGEST_BYTES);
  /** By slot: ONE_RES: the ReservationView; GENERAL: the CommandResult; else undefined.
   * An array, not a Map: slots are dense, and a Map entry per outcome cost more to set
   * than the rest of add(). */
  private readonly extra: (ReservationView | CommandResult | undefined)[] = [];
  /** By slot: the live reservation of a reserve's outcome (reservation-store.ts), which
   * keeps the slot: delete() refuses a slot that holds one. A reservation is found through
   * its outcome's index entry instead of a Map of its own keyed by the same id. */
  private readonly held: (ReservationRecord | undefined)[] = [];
  /** The last id hashed and its hash: apply looks an id up (replay check) and then adds
   * it, so the second hash of the same string is skipped. */
  private hashed_id = '';
  private hashed = hashKey('');

  constructor(private readonly positions: PositionTable) {}

  get size(): number {
    return this.index.size;
  }

  /** The slot of id's outcome, or -1. */
  find(id: string): number {
    return this.findHashed(id, this.hashOf(id));
  }

  private hashOf(id: string): number {
    if (id !== this.hashed_id) {
      this.hashed = hashKey(id);
      this.hashed_id = id;
    }
    return this.hashed;
  }

  private findHashed(id: string, h: number): number {
    const ids = this.ids;
    const index = this.index;
    for (let slot = index.firstUnder(h); slot >= 0; slot = index.nextUnder()) if (ids[slot] === id) return slot;
    return -1;
  }

  /** Records rec under id (which must be free). A one-position OK result whose position
   * exists, with safe-integer quantities and `available` = on_hand - reserved, is kept as
   * numbers; everything else whole. With detach_id, the id string is copied first (a loaded key's slice).
   * digest: fingerprintDigest(rec.fp) when the caller has it already; position_slot: the
   * slot of the result's one position when the caller has looked it up (else -2).
   * Returns the slot. */
  add(id: string, rec: OutcomeRecord, detach_id = false, digest: Uint8Array | null = null, position_slot = -2): number {
    const h = this.hashOf(id);
    if (this.findHashed(id, h) >= 0) throw new Error(`outcome ${id} recorded twice`);
    const r = rec.result;
    const tied = rec.fp === RESERVE_FP;
    let slot = this.free.pop();
    if (slot === undefined) {
      if (this.used >= SLOTS_MAX) throw new RangeError(`at most ${SLOTS_MAX} outcomes`);
      slot = this.used++;
      this.nums.ensure(slot);
      this.fps.ensure(slot);
    }
    let kind = GENERAL;
    let pslot = -1;
    if (r.code === 'OK' && r.replay === false && r.positions.length === 1) {
      const p = r.positions[0];
      // Only what the columns hold exactly: safe integers, available derived.
      const exact = Number.isSafeInteger(p.on_hand) && Number.isSafeInteger(p.reserved) && Number.isSafeInteger(p.seq) && p.available === p.on_hand - p.reserved;
      pslot = !exact ? -1 : position_slot !== -2 ? position_slot : this.positions.find(p.sku, p.location);
      if (pslot >= 0) {
        kind = r.reservation === null ? ONE_BARE : ONE_RES;
        this.nums.set(slot, ON_HAND, p.on_hand);
        this.nums.set(slot, RESERVED, p.reserved);
        this.nums.set(slot, SEQ, p.seq);
        this.extra[slot] = r.reservation === null ? undefined : r.reservation;
      }
    }
    if (kind === GENERAL) this.extra[slot] = r;
    this.nums.set(slot, KIND_POSITION, Math.max(pslot, 0) * KIND_BITS + (tied ? kind | TIED : kind));
    this.nums.set(slot, AT_MS, rec.at_ms);
    this.nums.set(slot, AT_INDEX, rec.at_index ?? 0);
    if (digest !== null) this.fps.setBytes(slot, digest, 0);
    else if (tied) {
      // no fingerprint: the content is the reservation
    } else if (rec.fp.startsWith(FP_KEY_PREFIX) && rec.fp.length === 1 + 2 * FP_DIGEST_BYTES) this.fps.setHex(slot, rec.fp.slice(1)); // setHex checks the digits
    else this.fps.setBytes(slot, fingerprintDigest(rec.fp), 0);
    this.ids[slot] = detach_id ? detach(id) : id;
    this.held[slot] = undefined;
    this.index.insert(h, slot);
    return slot;
  }

  /** Forgets id's outcome; false when there is none. */
  delete(id: string): boolean {
    const h = this.hashOf(id);
    const slot = this.findHashed(id, h);
    if (slot < 0) return false;
    if (this.held[slot] !== undefined) throw new Error(`ledger invariant broken: outcome ${id} would leave memory before its reservation`);
    this.index.remove(h, slot);
    this.ids[slot] = undefined;
    this.extra[slot] = undefined;
    this.nums.set(slot, KIND_POSITION, FREE);
    this.free.push(slot);
    return true;
  }

  /** The reservation slot's outcome keeps (undefined: none). */
  reservationAt(slot: number): ReservationRecord | undefined {
    return this.held[slot];
  }

  /** Keeps res (or nothing) with the outcome in slot, which must be in use. */
  holdReservation(slot: number, res: ReservationRecord | undefined): void {
    if (this.ids[slot] === undefined) throw new Error(`ledger invariant broken: reservation ${res?.reservation_id ?? ''} held by free outcome slot ${slot}`);
    this.held[slot] = res;
  }

  /** Every reservation held, in slot order. */
  *reservations(): IterableIterator<ReservationRecord> {
    const held = this.held;
    for (let slot = 0; slot < held.length; slot++) {
      const r = held[slot];
      if (r !== undefined) yield r;
    }
  }

  atMs(slot: number): number {
    return this.nums.get(slot, AT_MS);
  }

  atIndex(slot: number): number {
    return this.nums.get(slot, AT_INDEX);
  }

  /** Whether slot holds a successful reserve's outcome (content: its reservation). */
  isTied(slot: number): boolean {
    return (kindOf(this.nums.get(slot, KIND_POSITION)) & TIED) !== 0;
  }

  /** Whether slot's fingerprint digest equals that of fp (text form). */
  sameFingerprint(slot: number, fp: string): boolean {
    return !this.isTied(slot) && this.fps.equals(slot, fingerprintDigest(fp), 0);
  }

  code(slot: number): CommandResult['code'] {
    const kind = kindOf(this.nums.get(slot, KIND_POSITION)) & KIND_MASK;
    return kind === GENERAL ? (this.extra[slot] as CommandResult).code : 'OK';
  }

  /** The recorded result (replay: false), as apply returned it. */
  result(slot: number): CommandResult {
    const kind_position = this.nums.get(slot, KIND_POSITION);
    const kind = kindOf(kind_position) & KIND_MASK;
    if (kind === GENERAL) return this.extra[slot] as CommandResult;
    if (kind === FREE) throw new Error(`outcome slot ${slot} is free`);
    const pslot = (kind_position - kindOf(kind_position)) / KIND_BITS;
    const on_hand = this.nums.get(slot, ON_HAND);
    const reserved = this.nums.get(slot, RESERVED);
    const position: Position = {
      sku: this.positions.sku(pslot),
      location: this.positions.location(pslot),
      on_hand,
      reserved,
      available: on_hand - reserved,
      seq: this.nums.get(slot, SEQ),
    };
    const reservation = kind === ONE_RES ? (this.extra[slot] as ReservationView) : null;
    return { code: 'OK', replay: false, positions: [position], reservation };
  }

  /** The stored form (fingerprint as FP_KEY_PREFIX and 32 hex digits). */
  record(slot: number): OutcomeRecord {
    const fp = this.isTied(slot) ? RESERVE_FP : FP_KEY_PREFIX + this.fps.hex(slot);
    const at_index = this.atIndex(slot);
    const rec: OutcomeRecord = { result: this.result(slot), fp, at_ms: this.atMs(slot) };
    return at_index === 0 ? rec : { ...rec, at_index };
  }

  /** [id, slot] of every outcome, in slot order. */
  *entries(): IterableIterator<[string, number]> {
    const ids = this.ids;
    for (let slot = 0; slot < ids.length; slot++) {
      const id = ids[slot];
      if (id !== undefined) yield [id, slot];
    }
  }
}
