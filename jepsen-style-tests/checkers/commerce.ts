// The commerce workload's checker, a pure function of the recorded history and the final
// reads of every node. It verifies:
//   - no oversell beyond backorder limits: at every state a client or the event history
//     saw, held units (reserved - backordered) fit on_hand and backordered units fit the
//     position's backorder limit; and per position, units sold by acknowledged commits plus
//     units still held never exceed what may have come in plus the backorder limit;
//   - per-customer limits (commerce-customers.ts), refusal values included;
//   - wait-list grants in arrival order (commerce-waits.ts);
//   - conservation across transfers: per SKU, final on_hand + in_transit over its
//     positions equals adjusts - committed + receive variances + count variances;
//   - and, as for every workload, that the nodes agree and each position's chain holds.
// Unknown outcomes widen the allowed ranges; a run without final reads is 'unknown'.

import type { LedgerEvent, Position } from '../../src/ledger/types.js';
import { positionKey, type FinalState, type Operation } from '../history.js';
import { AnomalyList, type Anomaly } from './anomaly.js';
import { checkCustomerLimits } from './commerce-customers.js';
import { commandOf, okPositions, okView, requestedLines, reservationFacts } from './commerce-facts.js';
import { checkWaitLists } from './commerce-waits.js';
import { checkAgreement } from './invariants.js';

export interface CommerceReport {
  readonly valid: boolean | 'unknown';
  readonly anomalies: readonly Anomaly[];
  readonly anomaly_counts: Record<string, number>;
  readonly skipped: readonly string[];
  readonly stats: {
    readonly customer_refusals: number;
    readonly customer_skus: number;
    readonly waiting: number;
    readonly grants: number;
    readonly wait_expiries: number;
    readonly transfers: number;
    readonly counts: number;
  };
}

interface Range {
  lo: number;
  hi: number;
}

/** Highest backorder limit any policy op that may have applied set on each position. */
function backorderLimits(ops: readonly Operation[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const o of ops) {
    if (o.args.f !== 'set-position-policy' || o.type === 'fail') continue;
    const k = positionKey(o.args.sku, o.args.location);
    out.set(k, Math.max(out.get(k) ?? 0, o.args.backorder_limit));
  }
  return out;
}

function checkState(p: Position, where: string, limits: ReadonlyMap<string, number>, out: AnomalyList): void {
  const k = positionKey(p.sku, p.location);
  const backordered = Math.max(0, p.reserved - p.on_hand);
  const limit = limits.get(k) ?? 0;
  if (p.on_hand < 0 || p.reserved < 0 || (p.in_transit ?? 0) < 0) {
    out.add({ kind: 'backorder-limit', position: k, detail: `${where}: negative quantity (on_hand ${p.on_hand}, reserved ${p.reserved}, in_transit ${p.in_transit ?? 0})` });
  }
  if (backordered > limit) {
    out.add({ kind: 'backorder-limit', position: k, detail: `${where}: reserved ${p.reserved} over on_hand ${p.on_hand} is ${backordered} backordered, limit ${limit}` });
  }
  if (p.backordered !== undefined && p.backordered !== backordered) {
    out.add({ kind: 'commerce-report-mismatch', position: k, detail: `${where}: backordered ${p.backordered}, max(0, reserved - on_hand) is ${backordered}` });
  }
  if (p.available !== Math.max(0, p.on_hand - p.reserved)) {
    out.add({ kind: 'commerce-report-mismatch', position: k, detail: `${where}: available ${p.available}, max(0, on_hand - reserved) is ${Math.max(0, p.on_hand - p.reserved)}` });
  }
}

function checkSeenStates(ops: readonly Operation[], final: FinalState | null, limits: ReadonlyMap<string, number>, out: AnomalyList): void {
  for (const o of ops) {
    for (const p of okPositions(o)) checkState(p, `result of op ${o.id}`, limits, out);
    if (o.result?.kind === 'read' && o.result.position !== null) checkState(o.result.position, `read op ${o.id}`, limits, out);
  }
  for (const n of final?.nodes ?? []) {
    for (const p of n.positions) checkState(p, `final state of ${n.id}`, limits, out);
    for (const e of n.events) {
      if ((e as { kind: string }).kind === 'ADMIN') continue;
      // A BACKORDER_FILL's backordered is its line's unfilled units, not the position's.
      const { backordered, ...rest } = e;
      const state = e.kind === 'BACKORDER_FILL' ? rest : { ...rest, ...(backordered !== undefined ? { backordered } : {}) };
      checkState({ ...state, available: Math.max(0, e.on_hand - e.reserved) }, `event ${e.kind} seq ${e.seq} on ${n.id}`, limits, out);
    }
  }
}

function bump(m: Map<string, Range>, key: string, lo: number, hi: number): void {
  const r = m.get(key) ?? { lo: 0, hi: 0 };
  r.lo += lo;
  r.hi += hi;
  m.set(key, r);
}

/** Signed change with an unknown outcome: the range spans 0 and the change. */
function maybe(m: Map<string, Range>, key: string, sure: boolean, delta: number): void {
  if (sure) bump(m, key, delta, delta);
  else bump(m, key, Math.min(0, delta), Math.max(0, delta));
}

/** Effects on (on_hand + in_transit) per SKU and on on_hand per position, from the ops. */
function effects(ops: readonly Operation[], events: readonly LedgerEvent[]): { bySku: Map<string, Range>; inflowMax: Map<string, number>; outSure: Map<string, number>; sold: Map<string, number> } {
  const bySku = new Map<string, Range>();
  const inflowMax = new Map<string, number>();
  const outSure = new Map<string, number>();
  const sold = new Map<string, number>();
  const add = (m: Map<string, number>, k: string, n: number): void => void m.set(k, (m.get(k) ?? 0) + n);
  const facts = reservationFacts(ops);
  const transfers = new Map<string, Operation>();
  for (const o of ops) if (o.args.f === 'transfer') transfers.set(o.args.op_id, o);
  for (const o of ops) {
    const a = o.args;
    if (o.type === 'fail') continue;
    const sure = o.type === 'ok';
    if (a.f === 'adjust') {
      maybe(bySku, a.sku, sure, a.delta);
      if (a.delta > 0) add(inflowMax, positionKey(a.sku, a.location), a.delta);
      else if (sure) add(outSure, positionKey(a.sku, a.location), -a.delta);
    } else if (a.f === 'commit') {
      const v = okView(o);
      const f = facts.get(a.reservation_id);
      const lines = v?.committed_lines ?? f?.view?.lines ?? (f === undefined ? [] : requestedLines(f.reserve));
      for (const l of lines) {
        maybe(bySku, l.sku, sure && v !== null, -l.quantity);
        if (sure && v !== null) add(sold, positionKey(l.sku, l.location), l.quantity);
      }
    } else if (a.f === 'transfer' && sure) {
      add(outSure, positionKey(a.sku, a.from_location), a.quantity);
    } else if (a.f === 'receive-transfer') {
      const t = transfers.get(a.transfer_id);
      if (t === undefined || t.args.f !== 'transfer') continue;
      maybe(bySku, t.args.sku, sure, a.received - t.args.quantity);
      add(inflowMax, positionKey(t.args.sku, t.args.to_location), a.received);
    }
  }
  for (const e of events) {
    if (e.kind !== 'COUNT') continue;
    bump(bySku, e.sku, e.delta_on_hand, e.delta_on_hand);
    if (e.delta_on_hand > 0) add(inflowMax, positionKey(e.sku, e.location), e.delta_on_hand);
    else add(outSure, positionKey(e.sku, e.location), -e.delta_on_hand);
  }
  return { bySku, inflowMax, outSure, sold };
}

/** Every COUNT event belongs to a count that may have applied; every acknowledged count
 * has exactly one; its variance field (when present) is its on_hand change. */
function checkCountEvents(ops: readonly Operation[], events: readonly LedgerEvent[], out: AnomalyList): number {
  const counts = new Map<string, Operation>();
  for (const o of ops) if (o.args.f === 'count') counts.set(o.args.op_id, o);
  const seen = new Map<string, number>();
  for (const e of events) {
    if (e.kind !== 'COUNT') continue;
    seen.set(e.op_id, (seen.get(e.op_id) ?? 0) + 1);
    const o = counts.get(e.op_id);
    if (o === undefined || o.type === 'fail') out.add({ kind: 'failed-op-applied', op_id: e.op_id, detail: `COUNT event seq ${e.seq} on ${e.sku}@${e.location} for a count that ${o === undefined ? 'was never sent' : 'failed'}` });
    const variance = e.variance;
    if (variance !== undefined && variance !== e.delta_on_hand) out.add({ kind: 'commerce-report-mismatch', op_id: e.op_id, detail: `COUNT seq ${e.seq}: variance ${variance}, on_hand moved ${e.delta_on_hand}` });
  }
  for (const [id, o] of counts) {
    const n = seen.get(id) ?? 0;
    if (o.type === 'ok' && n !== 1) out.add({ kind: n === 0 ? 'lost-write' : 'double-apply', op_id: id, detail: `acknowledged count ${id} has ${n} COUNT events` });
  }
  return counts.size;
}

/** A COUNT_BELOW_HELD refusal reports the count's own value and a held quantity above it. */
function checkCountRefusals(ops: readonly Operation[], out: AnomalyList): void {
  for (const o of ops) {
    const r = commandOf(o);
    if (o.args.f !== 'count' || r === undefined || r.code !== 'COUNT_BELOW_HELD') continue;
    const a = o.args;
    if (r.sku !== a.sku || r.location !== a.location || r.counted !== a.counted || r.held <= a.counted) {
      out.add({ kind: 'commerce-report-mismatch', op_id: a.op_id, detail: `COUNT_BELOW_HELD of op ${o.id} reports ${JSON.stringify(r)} for a count of ${a.counted} at ${a.sku}@${a.location}` });
    }
  }
}

function checkConservation(ops: readonly Operation[], final: FinalState, limits: ReadonlyMap<string, number>, out: AnomalyList): void {
  const ref = final.nodes[0];
  const events = ref.events.filter((e) => (e as { kind: string }).kind !== 'ADMIN');
  const fx = effects(ops, events);
  const actual = new Map<string, number>();
  for (const p of ref.positions) actual.set(p.sku, (actual.get(p.sku) ?? 0) + p.on_hand + (p.in_transit ?? 0));
  for (const sku of new Set([...fx.bySku.keys(), ...actual.keys()])) {
    const r = fx.bySku.get(sku) ?? { lo: 0, hi: 0 };
    const a = actual.get(sku) ?? 0;
    if (a < r.lo || a > r.hi) out.add({ kind: 'conservation', detail: `SKU ${sku}: final on_hand + in_transit ${a}, adjusts - commits + variances allow ${r.lo}..${r.hi}` });
  }
  for (const p of ref.positions) {
    const k = positionKey(p.sku, p.location);
    const held = p.reserved - Math.max(0, p.reserved - p.on_hand);
    const used = (fx.sold.get(k) ?? 0) + held + (fx.outSure.get(k) ?? 0);
    const room = (fx.inflowMax.get(k) ?? 0) + (limits.get(k) ?? 0);
    if (used > room) out.add({ kind: 'oversell', position: k, detail: `sold ${fx.sold.get(k) ?? 0} + held ${held} + shipped/shrunk ${fx.outSure.get(k) ?? 0} exceeds what may have come in (${fx.inflowMax.get(k) ?? 0}) plus the backorder limit ${limits.get(k) ?? 0}` });
  }
}

export function checkCommerce(ops: readonly Operation[], final: FinalState | null): CommerceReport {
  const out = new AnomalyList();
  const skipped: string[] = [];
  const limits = backorderLimits(ops);
  checkSeenStates(ops, final, limits, out);
  checkCountRefusals(ops, out);
  const facts = reservationFacts(ops);
  const cust = checkCustomerLimits(ops, facts, out);
  const ref = final !== null && final.nodes.length > 0 ? final.nodes[0] : null;
  const waits = checkWaitLists(ops, ref === null ? null : ref.events, out);
  let counts = 0;
  if (ref === null) {
    skipped.push('no final state: wait-list replay, count events and conservation skipped');
  } else {
    checkAgreement(final!, out);
    counts = checkCountEvents(ops, ref.events, out);
    checkConservation(ops, final!, limits, out);
  }
  const transfers = ops.filter((o) => o.args.f === 'transfer' && o.type === 'ok').length;
  return {
    valid: out.total > 0 ? false : skipped.length > 0 ? 'unknown' : true,
    anomalies: out.items,
    anomaly_counts: out.countsObject(),
    skipped,
    stats: { customer_refusals: cust.refusals, customer_skus: cust.customers, waiting: waits.waiting, grants: waits.grants, wait_expiries: waits.wait_expiries, transfers, counts },
  };
}
