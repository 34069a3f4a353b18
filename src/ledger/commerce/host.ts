// What the commerce part of the ledger (rules version 4) needs from the Ledger that owns
// it: the position table and reservations, and the few primitives that append events and
// keep the expiry and prune queues. The Ledger hands an object of closures over its
// private members, so commerce code changes state only through these.

import type { CommerceEventFields } from '../history.js';
import type { PositionTable } from '../position-table.js';
import type { ReservationRecord } from '../records.js';
import type { ReservationLookup } from '../reservation-store.js';
import type { EventKind, KvWrite, Position } from '../types.js';

/** The part of an apply batch commerce uses. */
export interface CommerceBatch {
  readonly log_index: number;
  readonly time_ms: number;
  readonly writes: KvWrite[];
  /** Index of the command being applied within its entry (arrival order). */
  cmd_index: number;
  /** Positions changed since the last settle (only while commerce is active). */
  touched: number[];
}

export interface CommerceHost {
  readonly positions: PositionTable;
  /** Reservations by id (kept with their reserve outcomes: reservation-store.ts). */
  readonly reservations: ReservationLookup;
  /** Appends an event to the position in `slot` and applies the deltas. */
  change(batch: CommerceBatch, slot: number, kind: EventKind, op_id: string, reservation_id: string, delta_on_hand: number, delta_reserved: number, extra?: CommerceEventFields): Position;
  /** Stores a reservation record (memory and write). */
  putReservation(batch: CommerceBatch, res: ReservationRecord): void;
  /** Schedules the reservation's deadline (PENDING expiry or WAITING give-up). */
  pushExpiry(res: ReservationRecord): void;
  /** Counts a reservation that became PENDING (a grant). */
  addOpen(): void;
  /** Schedules a final reservation to leave memory after the retention. */
  pushFinal(batch: CommerceBatch, reservation_id: string): void;
}
