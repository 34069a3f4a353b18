// Conversions between the ledger's and node's plain values and the wire messages of
// proto/stockraft/v1/inventory.proto, in both directions (the SDK uses the wire -> domain
// half). Only the enum names differ: the wire prefixes them with their enum's name
// (RESULT_CODE_OK, RESERVATION_STATE_PENDING, EVENT_KIND_ADJUST, CONSISTENCY_SERIALIZABLE)
// as buf lint asks, the domain keeps the short names ('OK').

import type { CommandResult, EventKind, LedgerEvent, Line, Position, ReservationState, ReservationView, ResultCode } from '../ledger/types.js';
import { RESULT_CODES } from '../ledger/types.js';
import type {
  WireCommandResult,
  WireEvent,
  WireLine,
  WirePosition,
  WireReservation,
} from './types.js';

export const RESULT_CODE_PREFIX = 'RESULT_CODE_';
export const RESERVATION_STATE_PREFIX = 'RESERVATION_STATE_';
export const EVENT_KIND_PREFIX = 'EVENT_KIND_';
export const CONSISTENCY_PREFIX = 'CONSISTENCY_';

export type DomainConsistency = 'LINEARIZABLE' | 'SERIALIZABLE';

/** The wire name the SDK sends for a read's consistency (absent: the default, linearizable). */
export function consistencyToWire(c: DomainConsistency | undefined): string {
  return CONSISTENCY_PREFIX + (c ?? 'LINEARIZABLE');
}

export function lineToWire(l: Line): WireLine {
  return { sku: l.sku, location: l.location, quantity: l.quantity };
}

export function positionToWire(p: Position): WirePosition {
  return { sku: p.sku, location: p.location, on_hand: p.on_hand, reserved: p.reserved, available: p.available, seq: p.seq };
}

export function reservationToWire(r: ReservationView): WireReservation {
  return {
    reservation_id: r.reservation_id,
    state: RESERVATION_STATE_PREFIX + r.state,
    lines: r.lines.map(lineToWire),
    order_ref: r.order_ref,
    created_ms: r.created_ms,
    deadline_ms: r.deadline_ms,
    committed_lines: r.committed_lines.map(lineToWire),
  };
}

export function resultToWire(r: CommandResult): WireCommandResult {
  const out: WireCommandResult = {
    code: RESULT_CODE_PREFIX + r.code,
    replay: r.replay,
    positions: [],
    reservation: null,
    invalid: null,
    short_lines: [],
    expected_on_hand: 0,
    on_hand: 0,
    detail: '',
    id_time_ms: 0,
    log_time_ms: 0,
    window_ms: 0,
  };
  switch (r.code) {
    case 'OK':
      out.positions = r.positions.map(positionToWire);
      out.reservation = r.reservation === null ? null : reservationToWire(r.reservation);
      break;
    case 'INVALID_ARGUMENT':
      out.invalid = { field: r.field, limit: r.limit, value: r.value };
      break;
    case 'INSUFFICIENT_STOCK':
      out.short_lines = r.short_lines.map((s) => ({ sku: s.sku, location: s.location, requested: s.requested, available: s.available }));
      break;
    case 'ON_HAND_MISMATCH':
      out.expected_on_hand = r.expected_on_hand;
      out.on_hand = r.on_hand;
      break;
    case 'OP_ID_TOO_OLD':
      out.id_time_ms = r.id_time_ms;
      out.log_time_ms = r.log_time_ms;
      out.window_ms = r.window_ms;
      out.detail = r.detail;
      break;
    case 'CUSTOMER_LIMIT':
    case 'COUNT_BELOW_HELD':
      // Commerce results (rules version 4) are not mapped to the wire yet: a text only.
      out.detail = JSON.stringify(r);
      break;
    default:
      out.detail = r.detail;
  }
  return out;
}

export function eventToWire(e: LedgerEvent): WireEvent {
  return { ...e, kind: EVENT_KIND_PREFIX + e.kind };
}


// ---- wire -> domain (used by the SDK on replies) ----

export const RESERVATION_STATES: readonly ReservationState[] = ['PENDING', 'COMMITTED', 'RELEASED', 'EXPIRED'];
export const EVENT_KINDS: readonly EventKind[] = ['ADJUST', 'RESERVE', 'COMMIT', 'RELEASE', 'EXPIRE', 'EXTEND'];

/** The domain name of a prefixed wire enum value; anything else (UNSPECIFIED, a number the
 * loader could not name, a name without the prefix) is a broken reply. */
function oneOf<T extends string>(what: string, prefix: string, allowed: readonly T[], value: unknown): T {
  if (typeof value === 'string' && value.startsWith(prefix)) {
    const name = value.slice(prefix.length);
    if ((allowed as readonly string[]).includes(name)) return name as T;
  }
  throw new Error(`reply carries an unknown ${what}: ${String(value)}`);
}

export function lineFromWire(l: WireLine): Line {
  return { sku: l.sku, location: l.location, quantity: l.quantity };
}

export function positionFromWire(p: WirePosition): Position {
  return { sku: p.sku, location: p.location, on_hand: p.on_hand, reserved: p.reserved, available: p.available, seq: p.seq };
}

export function reservationFromWire(r: WireReservation): ReservationView {
  return {
    reservation_id: r.reservation_id,
    state: oneOf('reservation state', RESERVATION_STATE_PREFIX, RESERVATION_STATES, r.state),
    lines: r.lines.map(lineFromWire),
    order_ref: r.order_ref,
    created_ms: r.created_ms,
    deadline_ms: r.deadline_ms,
    committed_lines: r.committed_lines.map(lineFromWire),
  };
}

export function resultFromWire(w: WireCommandResult): CommandResult {
  const code: ResultCode = oneOf('result code', RESULT_CODE_PREFIX, RESULT_CODES, w.code);
  switch (code) {
    case 'OK':
      return {
        code,
        replay: w.replay,
        positions: w.positions.map(positionFromWire),
        reservation: w.reservation === null ? null : reservationFromWire(w.reservation),
      };
    case 'INVALID_ARGUMENT':
      return { code, replay: false, field: w.invalid?.field ?? '', limit: w.invalid?.limit ?? '', value: w.invalid?.value ?? '' };
    case 'INSUFFICIENT_STOCK':
      return { code, replay: w.replay, short_lines: w.short_lines.map((s) => ({ ...s })) };
    case 'ON_HAND_MISMATCH':
      return { code, replay: w.replay, expected_on_hand: w.expected_on_hand, on_hand: w.on_hand };
    case 'OP_ID_TOO_OLD':
      // Older servers leave the numbers out: absent reads as 0.
      return { code, replay: false, id_time_ms: w.id_time_ms ?? 0, log_time_ms: w.log_time_ms ?? 0, window_ms: w.window_ms ?? 0, detail: w.detail };
    case 'CUSTOMER_LIMIT':
    case 'COUNT_BELOW_HELD':
      throw new Error(`reply carries result code ${code}, which this build does not map from the wire yet`);
    default:
      return { code, replay: w.replay, detail: w.detail };
  }
}

export function eventFromWire(w: WireEvent): LedgerEvent {
  return { ...w, kind: oneOf('event kind', EVENT_KIND_PREFIX, EVENT_KINDS, w.kind) };
}
