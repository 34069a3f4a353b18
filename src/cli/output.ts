// What stockctl prints: aligned tables for people, JSON for scripts, and one-line reasons
// on failure.

import { io } from './io.js';
import type { CommandResult, LedgerEvent, Position, ReservationView } from '../ledger/types.js';

export interface Output {
  readonly json: boolean;
  /** Prints a JSON value (--json) or the human form. */
  emit(value: unknown, human: () => string): void;
}

export function makeOutput(json: boolean, write: (s: string) => void = (s) => io.out(s)): Output {
  return {
    json,
    emit(value, human) {
      write(json ? `${JSON.stringify(value)}\n` : `${human()}\n`);
    },
  };
}

const CELL_CHARS_MAX = 66;

export function table(headers: readonly string[], rows: readonly (readonly (string | number | boolean | null)[])[]): string {
  const cells = rows.map((r) =>
    r.map((c) => {
      const s = c === null ? '-' : String(c);
      return s.length > CELL_CHARS_MAX ? `${s.slice(0, CELL_CHARS_MAX - 3)}...` : s;
    }),
  );
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]): string =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(headers), ...cells.map(line)].join('\n');
}

export function positionsTable(positions: readonly (Position | null)[], refs?: readonly { sku: string; location: string }[]): string {
  return table(
    ['SKU', 'LOCATION', 'ON_HAND', 'RESERVED', 'AVAILABLE', 'SEQ'],
    positions.map((p, i) => (p === null ? [refs?.[i]?.sku ?? '?', refs?.[i]?.location ?? '?', null, null, null, 'not found'] : [p.sku, p.location, p.on_hand, p.reserved, p.available, p.seq])),
  );
}

export function reservationText(r: ReservationView): string {
  const head = `reservation ${r.reservation_id} ${r.state}, order_ref ${r.order_ref === '' ? '-' : r.order_ref}, created ${new Date(r.created_ms).toISOString()}, deadline ${new Date(r.deadline_ms).toISOString()}`;
  const lines = table(
    ['SKU', 'LOCATION', 'RESERVED', 'COMMITTED'],
    r.lines.map((l) => [l.sku, l.location, l.quantity, r.committed_lines.find((c) => c.sku === l.sku && c.location === l.location)?.quantity ?? null]),
  );
  return `${head}\n${lines}`;
}

export function eventsTable(events: readonly LedgerEvent[]): string {
  return table(
    ['SEQ', 'LOG_INDEX', 'TIME', 'KIND', 'SKU@LOCATION', 'D_ON_HAND', 'D_RESERVED', 'ON_HAND', 'RESERVED', 'OP_ID', 'RESERVATION', 'HASH'],
    events.map((e) => [
      e.seq,
      e.log_index,
      new Date(e.time_ms).toISOString(),
      e.kind,
      `${e.sku}@${e.location}`,
      e.delta_on_hand,
      e.delta_reserved,
      e.on_hand,
      e.reserved,
      e.op_id === '' ? null : e.op_id,
      e.reservation_id === '' ? null : e.reservation_id,
      e.hash.slice(0, 12),
    ]),
  );
}

/** One line saying why a command did not succeed (null for OK). */
export function refusalReason(r: CommandResult): string | null {
  switch (r.code) {
    case 'OK':
      return null;
    case 'INVALID_ARGUMENT':
      return `INVALID_ARGUMENT: ${r.field}: ${r.limit}, got ${r.value}`;
    case 'INSUFFICIENT_STOCK':
      return `INSUFFICIENT_STOCK: ${r.short_lines.map((s) => `${s.sku}@${s.location} requested ${s.requested}, available ${s.available}`).join('; ')}`;
    case 'ON_HAND_MISMATCH':
      return `ON_HAND_MISMATCH: expected on_hand ${r.expected_on_hand}, actual ${r.on_hand}`;
    case 'OP_ID_TOO_OLD':
      return `OP_ID_TOO_OLD: id time ${r.id_time_ms}, log time ${r.log_time_ms}, dedup window ${r.window_ms} ms: ${r.detail}`;
    case 'CUSTOMER_LIMIT':
      return `CUSTOMER_LIMIT: customer ${r.customer_id} on ${r.sku}: limit ${r.limit}, used ${r.used}, requested ${r.requested}, remaining ${r.remaining}`;
    case 'COUNT_BELOW_HELD':
      return `COUNT_BELOW_HELD: ${r.sku}@${r.location} counted ${r.counted}, reservations hold ${r.held}`;
    default:
      return `${r.code}: ${r.detail}`;
  }
}

export function resultText(id: string, r: CommandResult): string {
  const replay = r.replay ? ' (replay: already applied under this id)' : '';
  if (r.code !== 'OK') return `${refusalReason(r) ?? r.code} [id ${id}]${replay}`;
  const parts = [`OK [id ${id}]${replay}`];
  if (r.reservation !== null) parts.push(reservationText(r.reservation));
  if (r.positions.length > 0) parts.push(positionsTable(r.positions));
  return parts.join('\n');
}
