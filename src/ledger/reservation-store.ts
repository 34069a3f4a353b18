// The ledger's reservations, kept with their reserve outcomes. Every reservation is made
// by a successful reserve, whose outcome is recorded under the same id, and that outcome
// leaves memory only together with the reservation (a 'r' prune once it is final: the
// outcome of a successful reserve is never pruned on its own). So the reservation lives
// in its outcome's slot (outcome-store.ts) and is found through the outcome index: no
// second Map keyed by the same id (a Map entry was ~50 B and one cache-missing insert per
// reserve).
//
// A reserve stores its reservation before apply records the outcome (the outcome holds
// the result). That one reservation waits in `unplaced` until place() moves it into the
// new slot; apply asserts none is left waiting after each command.

import type { OutcomeTable } from './outcome-store.js';
import type { ReservationRecord } from './records.js';

/** How commerce code (commerce/host.ts) and reads find a reservation by its id. */
export interface ReservationLookup {
  /** The reservation with this id, or undefined (never made, or final and pruned). */
  get(reservation_id: string): ReservationRecord | undefined;
}

export class ReservationStore implements ReservationLookup {
  private count = 0;
  /** A new reservation whose reserve outcome is not recorded yet (at most one). */
  private unplaced: ReservationRecord | null = null;

  constructor(private readonly outcomes: OutcomeTable) {}

  get size(): number {
    return this.count;
  }

  get(reservation_id: string): ReservationRecord | undefined {
    const u = this.unplaced;
    if (u !== null && u.reservation_id === reservation_id) return u;
    const slot = this.outcomes.find(reservation_id);
    return slot < 0 ? undefined : this.outcomes.reservationAt(slot);
  }

  /** Stores res: replaces the reservation of its id, or, for a new one, keeps it until
   * place() gives it its outcome's slot. */
  put(res: ReservationRecord): void {
    const id = res.reservation_id;
    const u = this.unplaced;
    if (u !== null && u.reservation_id === id) {
      this.unplaced = res;
      return;
    }
    const slot = this.outcomes.find(id);
    if (slot >= 0) {
      if (this.outcomes.reservationAt(slot) === undefined) throw new Error(`ledger invariant broken: new reservation ${id} under an id whose outcome is already recorded`);
      this.outcomes.holdReservation(slot, res);
      return;
    }
    if (u !== null) throw new Error(`ledger invariant broken: reservation ${id} made while ${u.reservation_id} waits for its outcome`);
    this.unplaced = res;
    this.count++;
  }

  /** Moves the new reservation with this id into the slot of its just recorded outcome. */
  place(reservation_id: string, slot: number): void {
    const u = this.unplaced;
    if (u === null || u.reservation_id !== reservation_id) throw new Error(`ledger invariant broken: reserve outcome ${reservation_id} recorded without its reservation`);
    this.outcomes.holdReservation(slot, u);
    this.unplaced = null;
  }

  /** Throws when a reservation still waits for its outcome (after a command). */
  assertPlaced(): void {
    if (this.unplaced !== null) throw new Error(`ledger invariant broken: reservation ${this.unplaced.reservation_id} has no reserve outcome`);
  }

  /** Adds a loaded reservation to the outcome in slot (which must hold none yet). */
  load(slot: number, res: ReservationRecord): void {
    if (this.outcomes.reservationAt(slot) !== undefined) throw new Error(`reservation ${res.reservation_id} given twice`);
    this.outcomes.holdReservation(slot, res);
    this.count++;
  }

  /** Forgets the reservation held by the outcome in slot (before the outcome goes). */
  drop(slot: number): void {
    if (this.outcomes.reservationAt(slot) === undefined) throw new Error(`ledger invariant broken: outcome slot ${slot} holds no reservation to drop`);
    this.outcomes.holdReservation(slot, undefined);
    this.count--;
  }

  /** Every reservation, in outcome slot order (a new one not yet placed last). */
  *values(): IterableIterator<ReservationRecord> {
    yield* this.outcomes.reservations();
    if (this.unplaced !== null) yield this.unplaced;
  }
}
