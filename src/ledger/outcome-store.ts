// Compact in-memory form of op outcomes. The ledger keeps one outcome per op for the
// retention window (24 h of log time by default), so at a million ops they dominate the
// heap. Nearly all of them are an OK result that touched one position (an Adjust, a
// single-line Reserve/Commit/Release/Extend): such an outcome is kept as one flat object
// holding the quantities, and the CommandResult is rebuilt on demand (replays and
// GetOutcome are rare next to applies). Every other outcome keeps its OutcomeRecord as is.
// The stored (LevelDB) form is always the full OutcomeRecord: expand() gives it back
// field for field, so state written before and after this change is the same.

import type { OutcomeRecord } from './records.js';
import { detach } from './strings.js';
import type { CommandResult, Position, ReservationView } from './types.js';

/** OK result with exactly one position after the change. Strings are shared with the
 * position record (interned names); the reservation is the record the result named. */
export class OnePositionOutcome {
  constructor(
    readonly fp: string,
    readonly at_ms: number,
    readonly sku: string,
    readonly location: string,
    readonly on_hand: number,
    readonly reserved: number,
    readonly seq: number,
    readonly reservation: ReservationView | null,
  ) {}

  get result(): CommandResult {
    const position: Position = {
      sku: this.sku,
      location: this.location,
      on_hand: this.on_hand,
      reserved: this.reserved,
      available: this.on_hand - this.reserved,
      seq: this.seq,
    };
    return { code: 'OK', replay: false, positions: [position], reservation: this.reservation };
  }
}

/** Prefix of an Adjust's fingerprint up to its position (see fingerprint.ts): the same
 * JSON array text, whose first three elements are the kind, the sku and the location. */
export function adjustFpPrefix(sku: string, location: string): string {
  return `["adjust",${JSON.stringify(sku)},${JSON.stringify(location)},`;
}

/** OK Adjust: one position, no reservation. Keeps only the rest of the fingerprint after
 * its sku and location (those are the position's own names, kept anyway), and no
 * reservation field: ~40 B less than a OnePositionOutcome, and Adjusts are most outcomes. */
export class AdjustOutcome {
  constructor(
    readonly fp_rest: string,
    readonly at_ms: number,
    readonly sku: string,
    readonly location: string,
    readonly on_hand: number,
    readonly reserved: number,
    readonly seq: number,
  ) {}

  get fp(): string {
    return adjustFpPrefix(this.sku, this.location) + this.fp_rest;
  }

  get result(): CommandResult {
    const position: Position = {
      sku: this.sku,
      location: this.location,
      on_hand: this.on_hand,
      reserved: this.reserved,
      available: this.on_hand - this.reserved,
      seq: this.seq,
    };
    return { code: 'OK', replay: false, positions: [position], reservation: null };
  }
}

export type StoredOutcome = OnePositionOutcome | AdjustOutcome | OutcomeRecord;

/** Whether o is a successful reserve's outcome (whose content is its reservation). */
export function isReserveFp(o: StoredOutcome, reserve_fp: string): boolean {
  return !(o instanceof AdjustOutcome) && o.fp === reserve_fp;
}

/** The compact form of rec when it has one (rec's strings and reservation are kept by
 * reference unless detach_names: loaded records, whose strings are detached), else rec
 * itself. `available` is derived, so it must equal on_hand - reserved. */
export function compactOutcome(rec: OutcomeRecord, detach_names = false): StoredOutcome {
  const r = rec.result;
  if (r.code !== 'OK' || r.replay !== false || r.positions.length !== 1) return rec;
  const p = r.positions[0];
  if (p.available !== p.on_hand - p.reserved) return rec;
  // A loaded record's names are slices of the stored value's text (strings.ts).
  const sku = detach_names ? detach(p.sku) : p.sku;
  const location = detach_names ? detach(p.location) : p.location;
  if (r.reservation === null) {
    const prefix = adjustFpPrefix(p.sku, p.location);
    if (rec.fp.startsWith(prefix) && rec.fp.length > prefix.length) {
      // The rest is cut from the full text: detach it so it does not pin that text.
      return new AdjustOutcome(detach(rec.fp.slice(prefix.length)), rec.at_ms, sku, location, p.on_hand, p.reserved, p.seq);
    }
  }
  const fp = detach_names ? detach(rec.fp) : rec.fp;
  return new OnePositionOutcome(fp, rec.at_ms, sku, location, p.on_hand, p.reserved, p.seq, r.reservation);
}

/** The full record (what LevelDB holds) of a stored outcome. */
export function expandOutcome(o: StoredOutcome): OutcomeRecord {
  if (o instanceof OnePositionOutcome || o instanceof AdjustOutcome) return { result: o.result, fp: o.fp, at_ms: o.at_ms };
  return o;
}

/** The result code without rebuilding the result. */
export function outcomeCode(o: StoredOutcome): CommandResult['code'] {
  return o instanceof OnePositionOutcome || o instanceof AdjustOutcome ? 'OK' : o.result.code;
}
