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
  return {
    sku: p.sku,
    location: p.location,
    on_hand: p.on_hand,
    reserved: p.reserved,
    available: p.available,
    seq: p.seq,
    backordered: p.backordered ?? 0,
    in_transit: p.in_transit ?? 0,
    backorder_limit: p.backorder_limit ?? 0,
    low_stock_threshold: p.low_stock_threshold ?? 0,
  };
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
    customer_id: r.customer_id ?? '',
    backordered_lines: (r.backordered_lines ?? []).map(lineToWire),
    queue_position: r.queue_position ?? 0,
    wait_deadline_ms: r.wait_deadline_ms ?? 0,
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
    customer_limit: null,
    count_below_held: null,
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
      out.customer_limit = { sku: r.sku, customer_id: r.customer_id, limit: r.limit, used: r.used, requested: r.requested, remaining: r.remaining };
      break;
    case 'COUNT_BELOW_HELD':
      out.count_below_held = { sku: r.sku, location: r.location, counted: r.counted, held: r.held };
      break;
    default:
      out.detail = r.detail;
  }
  return out;
}

export function eventToWire(e: LedgerEvent): WireEvent {
  return { ...e, kind: EVENT_KIND_PREFIX + e.kind };
}

/** The optional commerce fields of an event, present only where the wire carries them:
 * they enter the event hash only when present (verify recomputes it). */
const EVENT_OPTIONAL_FIELDS = ['in_transit', 'delta_in_transit', 'variance', 'customer_id', 'transfer_id', 'backordered'] as const;


// ---- wire -> domain (used by the SDK on replies) ----

export const RESERVATION_STATES: readonly ReservationState[] = ['PENDING', 'COMMITTED', 'RELEASED', 'EXPIRED', 'WAITING'];
export const EVENT_KINDS: readonly EventKind[] = [
  'ADJUST', 'RESERVE', 'COMMIT', 'RELEASE', 'EXPIRE', 'EXTEND',
  'POLICY', 'BACKORDER_FILL', 'WAIT', 'GRANT', 'WAIT_EXPIRE', 'TRANSFER_OUT', 'TRANSFER_IN', 'RECEIVE', 'COUNT', 'LOW_STOCK',
];

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

/** The commerce fields of a position are present in the domain only when non-zero (as
 * the ledger keeps them), so a position that never used them reads as before. */
export function positionFromWire(p: WirePosition): Position {
  const base: Position = { sku: p.sku, location: p.location, on_hand: p.on_hand, reserved: p.reserved, available: p.available, seq: p.seq };
  const extra: { -readonly [K in 'backordered' | 'in_transit' | 'backorder_limit' | 'low_stock_threshold']?: number } = {};
  if ((p.backordered ?? 0) !== 0) extra.backordered = p.backordered;
  if ((p.in_transit ?? 0) !== 0) extra.in_transit = p.in_transit;
  if ((p.backorder_limit ?? 0) !== 0) extra.backorder_limit = p.backorder_limit;
  if ((p.low_stock_threshold ?? 0) !== 0) extra.low_stock_threshold = p.low_stock_threshold;
  return { ...base, ...extra };
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
    ...(r.customer_id !== undefined && r.customer_id !== '' ? { customer_id: r.customer_id } : {}),
    ...(r.backordered_lines !== undefined && r.backordered_lines.length > 0 ? { backordered_lines: r.backordered_lines.map(lineFromWire) } : {}),
    ...(r.queue_position !== undefined && r.queue_position !== 0 ? { queue_position: r.queue_position } : {}),
    ...(r.wait_deadline_ms !== undefined && r.wait_deadline_ms !== 0 ? { wait_deadline_ms: r.wait_deadline_ms } : {}),
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
    case 'CUSTOMER_LIMIT': {
      const d = w.customer_limit;
      if (d === undefined || d === null) throw new Error('reply carries CUSTOMER_LIMIT without customer_limit');
      return { code, replay: w.replay, sku: d.sku, customer_id: d.customer_id, limit: d.limit, used: d.used, requested: d.requested, remaining: d.remaining };
    }
    case 'COUNT_BELOW_HELD': {
      const d = w.count_below_held;
      if (d === undefined || d === null) throw new Error('reply carries COUNT_BELOW_HELD without count_below_held');
      return { code, replay: w.replay, sku: d.sku, location: d.location, counted: d.counted, held: d.held };
    }
    default:
      return { code, replay: w.replay, detail: w.detail };
  }
}

export function eventFromWire(w: WireEvent): LedgerEvent {
  const out: Record<string, unknown> = { ...w, kind: oneOf('event kind', EVENT_KIND_PREFIX, EVENT_KINDS, w.kind) };
  // proto-loader reports an absent optional as undefined or null (and adds the synthetic
  // oneof name `_field`): keep only the fields the event carries.
  for (const f of EVENT_OPTIONAL_FIELDS) {
    if (out[f] === undefined || out[f] === null) delete out[f];
    delete out[`_${f}`];
  }
  return out as unknown as LedgerEvent;
}
