// What the commerce checkers read out of a paired history: positions, reservation views
// and CUSTOMER_LIMIT refusals of results, and the per-reservation facts (customer, units
// per SKU, settles) the customer-limit and wait-list checks share.

import type { CommandResult, Line, Position, ReservationView } from '../../src/ledger/types.js';
import type { Operation } from '../history.js';

/** The values a CUSTOMER_LIMIT refusal reports. */
export type CustomerLimitRefusal = Extract<CommandResult, { code: 'CUSTOMER_LIMIT' }>;

export function commandOf(o: Operation): CommandResult | undefined {
  return o.result !== undefined && o.result.kind === 'command' ? o.result.result : undefined;
}

export function okView(o: Operation): ReservationView | null {
  const r = commandOf(o);
  if (r === undefined || r.code !== 'OK' || r.reservation === null) return null;
  return r.reservation;
}

export function okPositions(o: Operation): readonly Position[] {
  const r = commandOf(o);
  return r !== undefined && r.code === 'OK' ? r.positions : [];
}

export function customerLimitOf(o: Operation): CustomerLimitRefusal | null {
  const r = commandOf(o);
  return r !== undefined && r.code === 'CUSTOMER_LIMIT' ? r : null;
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
  readonly view: ReservationView | null;
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
