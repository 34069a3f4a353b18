// What the commerce checkers read out of a paired history: the commerce fields of
// positions, reservation views and refusals, typed loosely enough that a result written by
// an older build (without the fields) still reads, and the per-reservation facts
// (customer, units per SKU, settles) the customer-limit and wait-list checks share.

import type { CommandResult, Line } from '../../src/ledger/types.js';
import type { Operation } from '../history.js';

/** A position as the commerce rules report it (the fields are absent before version 4). */
export interface CommercePosition {
  readonly sku: string;
  readonly location: string;
  readonly on_hand: number;
  readonly reserved: number;
  readonly available: number;
  readonly backordered?: number;
  readonly in_transit?: number;
  readonly backorder_limit?: number;
}

export interface CommerceView {
  readonly reservation_id: string;
  readonly state: string;
  readonly lines: readonly Line[];
  readonly committed_lines: readonly Line[];
  readonly customer_id?: string;
  readonly queue_position?: number;
}

/** The values a CUSTOMER_LIMIT refusal reports. */
export interface CustomerLimitRefusal {
  readonly code: 'CUSTOMER_LIMIT';
  readonly sku: string;
  readonly customer_id: string;
  readonly limit: number;
  readonly used: number;
  readonly requested: number;
  readonly remaining: number;
}

export function commandOf(o: Operation): CommandResult | undefined {
  return o.result !== undefined && o.result.kind === 'command' ? o.result.result : undefined;
}

export function okView(o: Operation): CommerceView | null {
  const r = commandOf(o);
  if (r === undefined || r.code !== 'OK' || r.reservation === null) return null;
  return r.reservation as CommerceView;
}

export function okPositions(o: Operation): readonly CommercePosition[] {
  const r = commandOf(o);
  return r !== undefined && r.code === 'OK' ? (r.positions as readonly CommercePosition[]) : [];
}

export function customerLimitOf(o: Operation): CustomerLimitRefusal | null {
  const r = commandOf(o) as { readonly code: string } | undefined;
  return r !== undefined && r.code === 'CUSTOMER_LIMIT' ? (r as CustomerLimitRefusal) : null;
}

export function unitsOn(lines: readonly Line[], sku: string): number {
  let n = 0;
  for (const l of lines) if (l.sku === sku) n += l.quantity;
  return n;
}

/** Units a reserve asks for on a SKU: explicit lines plus allocation quantities. */
export function requestedOn(o: Operation, sku: string): number {
  if (o.args.f !== 'reserve') return 0;
  let n = unitsOn(o.args.lines, sku);
  for (const a of o.args.allocations ?? []) if (a.sku === sku) n += a.quantity;
  return n;
}

/** What a reserve asked for, allocations as lines with location '' (for per-SKU sums). */
export function requestedLines(o: Operation): readonly Line[] {
  if (o.args.f !== 'reserve') return [];
  return [...o.args.lines, ...(o.args.allocations ?? []).map((a) => ({ sku: a.sku, location: '', quantity: a.quantity }))];
}

/** One reservation the workload made, with everything that names it. */
export interface ReservationFacts {
  readonly reserve: Operation;
  /** The ok reserve's view (concrete lines: allocation picks, waiting line), else null. */
  readonly view: CommerceView | null;
  readonly settles: Operation[];
  readonly reads: Operation[];
}

export function reservationFacts(ops: readonly Operation[]): Map<string, ReservationFacts> {
  const out = new Map<string, ReservationFacts>();
  for (const o of ops) {
    if (o.args.f === 'reserve') out.set(o.args.reservation_id, { reserve: o, view: okView(o), settles: [], reads: [] });
  }
  for (const o of ops) {
    const a = o.args;
    if (a.f === 'commit' || a.f === 'release') out.get(a.reservation_id)?.settles.push(o);
    if (a.f === 'get-reservation') out.get(a.reservation_id)?.reads.push(o);
  }
  return out;
}

/** Completion time, or +Infinity when the outcome was never seen in time. */
export function completeMs(o: Operation): number {
  return o.complete === null || o.resolved || o.type === 'info' ? Number.POSITIVE_INFINITY : o.complete.time_ms;
}
