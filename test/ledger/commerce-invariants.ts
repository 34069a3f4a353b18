// The checker of the commerce property test: given what a ledger shows (positions,
// reservations, the events of an entry) and what the commands did, lists every broken
// rule. Pure, so that a known-bad state can be fed to it (commerce-property.test.ts).

import type { LedgerEvent, Position, ReservationView } from '../../src/ledger/types.js';

export interface Observed {
  readonly positions: readonly Position[];
  /** Every reservation still readable, by id. */
  readonly reservations: ReadonlyMap<string, ReservationView>;
  /** Sum of on_hand + in_transit the accounting expects: adjust deltas - units sold +
   * count variances + receive variances. */
  readonly expected_total: number;
  /** Per SKU customer limit (for ever), 0: none. */
  readonly customer_limits: ReadonlyMap<string, number>;
}

/** The broken rules of a state, [] when none. */
export function stateViolations(o: Observed): string[] {
  const out: string[] = [];
  let total = 0;
  for (const p of o.positions) {
    const name = `${p.sku}@${p.location}`;
    const bo = p.backordered ?? 0;
    const limit = p.backorder_limit ?? 0;
    total += p.on_hand + (p.in_transit ?? 0);
    if (p.reserved - bo > p.on_hand) out.push(`${name}: reserved - backordered ${p.reserved - bo} > on_hand ${p.on_hand}`);
    if (bo !== Math.max(0, p.reserved - p.on_hand)) out.push(`${name}: backordered ${bo} != max(0, reserved - on_hand)`);
    if (bo > limit) out.push(`${name}: backordered ${bo} > backorder_limit ${limit}`);
    if (p.available !== Math.max(0, p.on_hand - p.reserved)) out.push(`${name}: available ${p.available} != max(0, on_hand - reserved)`);
    if (p.on_hand < 0 || p.reserved < 0 || (p.in_transit ?? 0) < 0) out.push(`${name}: a negative quantity`);
  }
  if (total !== o.expected_total) out.push(`conservation: on_hand + in_transit is ${total}, the accounting expects ${o.expected_total}`);
  const used = new Map<string, number>();
  for (const r of o.reservations.values()) {
    if (r.customer_id === undefined) continue;
    const lines = r.state === 'COMMITTED' ? r.committed_lines : r.state === 'PENDING' || r.state === 'WAITING' ? r.lines : [];
    for (const l of lines) {
      if ((o.customer_limits.get(l.sku) ?? 0) === 0) continue;
      const k = `${l.sku}!${r.customer_id}`;
      used.set(k, (used.get(k) ?? 0) + l.quantity);
    }
  }
  for (const [k, n] of used) {
    const sku = k.slice(0, k.indexOf('!'));
    const limit = o.customer_limits.get(sku) ?? 0;
    if (n > limit) out.push(`customer ${k.slice(sku.length + 1)} holds ${n} units of ${sku}, above the limit ${limit}`);
  }
  return out;
}

/** Follows the wait-lists through events and reports any grant that is not the head of
 * its position's queue (strict first come, first served). */
export class GrantOrder {
  private readonly queues = new Map<string, string[]>();

  feed(events: readonly LedgerEvent[]): string[] {
    const out: string[] = [];
    for (const e of events) {
      const k = `${e.sku}@${e.location}`;
      let q = this.queues.get(k);
      if (q === undefined) this.queues.set(k, (q = []));
      if (e.kind === 'WAIT') q.push(e.reservation_id);
      else if (e.kind === 'WAIT_EXPIRE' || (e.kind === 'RELEASE' && q.includes(e.reservation_id))) q.splice(q.indexOf(e.reservation_id), 1);
      else if (e.kind === 'GRANT') {
        if (q[0] !== e.reservation_id) out.push(`${k}: ${e.reservation_id} granted while ${q[0] ?? 'nobody'} heads the queue`);
        else q.shift();
      }
    }
    return out;
  }
}
