// Per-customer limits: the units a customer holds on a SKU (waiting, pending and
// committed) never exceed the SKU's limit, and every CUSTOMER_LIMIT refusal reports values
// that fit what the history allows.
//
// From the client's side a reservation certainly holds its units from its reserve's ok
// completion until the first release or commit that may have applied is invoked (a commit
// that completed ok keeps its committed units for good), or until the earliest its deadline
// could pass. Summing those certain units at every completion gives a lower bound on what
// the ledger counted: a lower bound above the limit is a violation. A refusal's `used`
// must lie between what was certainly held throughout the call and what could have been.
// The workload uses customer_window_ms = 0 (for ever); a SKU with a window or with more
// than one limit value is checked for the refusal arithmetic only.

import type { Operation } from '../history.js';
import type { AnomalyList } from './anomaly.js';
import { completeMs, customerLimitOf, okView, requestedOn, unitsOn, type ReservationFacts } from './commerce-facts.js';

/** Clock steps the nemesis makes and skew the nodes allow: a deadline may pass this early. */
export const DEADLINE_MARGIN_MS = 2_000;

interface SkuLimit {
  readonly limit: number;
  /** False when a window or several values make the time-sweep unsound. */
  readonly sweep: boolean;
}

function skuLimits(ops: readonly Operation[]): Map<string, SkuLimit | null> {
  const values = new Map<string, Set<string>>();
  for (const o of ops) {
    if (o.args.f !== 'set-sku-policy' || o.type === 'fail') continue;
    const s = values.get(o.args.sku) ?? new Set<string>();
    s.add(`${o.args.customer_limit}/${o.args.customer_window_ms}`);
    values.set(o.args.sku, s);
  }
  const out = new Map<string, SkuLimit | null>();
  for (const [sku, s] of values) {
    if (s.size !== 1) {
      out.set(sku, null);
      continue;
    }
    const [limit, window] = [...s][0].split('/').map(Number);
    out.set(sku, { limit, sweep: window === 0 && limit > 0 });
  }
  return out;
}

/** Units a reservation certainly holds on `sku` at time t (0 if it may have ended). */
function certainUnits(f: ReservationFacts, sku: string, t: number): number {
  const o = f.reserve;
  if (f.view === null || o.type !== 'ok' || completeMs(o) > t || o.args.f !== 'reserve') return 0;
  const committed = f.settles.find((s) => s.args.f === 'commit' && s.type === 'ok' && completeMs(s) <= t);
  if (committed !== undefined) return unitsOn(okView(committed)?.committed_lines ?? [], sku);
  if (f.settles.some((s) => s.type !== 'fail' && s.invoke.time_ms <= t)) return 0;
  const life_ms = Math.min(o.args.ttl_ms, o.args.wait_ms ?? Number.POSITIVE_INFINITY);
  if (t >= o.invoke.time_ms + life_ms - DEADLINE_MARGIN_MS) return 0;
  return unitsOn(f.view.lines, sku);
}

/** Units a reservation could hold on `sku` at some point of [from, to]. */
function possibleUnits(f: ReservationFacts, sku: string, from: number, to: number): number {
  const o = f.reserve;
  if (o.type === 'fail' || o.invoke.time_ms > to) return 0;
  const committed = f.settles.find((s) => s.args.f === 'commit' && s.type === 'ok' && completeMs(s) <= from);
  if (committed !== undefined) return unitsOn(okView(committed)?.committed_lines ?? [], sku);
  if (f.settles.some((s) => s.args.f === 'release' && s.type === 'ok' && completeMs(s) <= from)) return 0;
  return f.view !== null ? unitsOn(f.view.lines, sku) : requestedOn(o, sku);
}

function byCustomerSku(facts: ReadonlyMap<string, ReservationFacts>): Map<string, ReservationFacts[]> {
  const out = new Map<string, ReservationFacts[]>();
  for (const f of facts.values()) {
    if (f.reserve.args.f !== 'reserve' || f.reserve.args.customer_id === undefined) continue;
    const skus = new Set([...f.reserve.args.lines.map((l) => l.sku), ...(f.reserve.args.allocations ?? []).map((a) => a.sku)]);
    for (const sku of skus) {
      const k = `${f.reserve.args.customer_id}|${sku}`;
      const list = out.get(k) ?? [];
      list.push(f);
      out.set(k, list);
    }
  }
  return out;
}

function sweep(key: string, limit: number, group: readonly ReservationFacts[], out: AnomalyList): void {
  const sku = key.split('|')[1];
  const points: number[] = [];
  for (const f of group) {
    if (f.reserve.type === 'ok') points.push(completeMs(f.reserve));
    for (const s of f.settles) if (s.type === 'ok') points.push(completeMs(s));
  }
  for (const t of points) {
    if (!Number.isFinite(t)) continue;
    let used = 0;
    for (const f of group) used += certainUnits(f, sku, t);
    if (used > limit) {
      out.add({ kind: 'customer-limit', detail: `customer|sku ${key}: at ${t} ms acknowledged reservations certainly held ${used} units, limit ${limit}` });
      return;
    }
  }
}

function checkRefusal(o: Operation, limits: ReadonlyMap<string, SkuLimit | null>, group: readonly ReservationFacts[], out: AnomalyList): void {
  const r = customerLimitOf(o);
  if (r === null || o.args.f !== 'reserve') return;
  const bad = (what: string): void => out.add({ kind: 'customer-limit-report', op_id: o.args.f === 'reserve' ? o.args.reservation_id : '', detail: `CUSTOMER_LIMIT of op ${o.id}: ${what} (${JSON.stringify(r)})` });
  if (r.customer_id !== o.args.customer_id) bad(`customer_id ${r.customer_id}, the reserve named ${String(o.args.customer_id)}`);
  const requested = requestedOn(o, r.sku);
  if (r.requested !== requested) bad(`requested ${r.requested}, the reserve asked ${requested} on ${r.sku}`);
  if (r.remaining !== Math.max(0, r.limit - r.used)) bad(`remaining ${r.remaining} is not limit - used`);
  if (r.used + r.requested <= r.limit) bad('used + requested fits the limit, nothing to refuse');
  const model = limits.get(r.sku);
  if (model !== undefined && model !== null && model.limit !== r.limit) bad(`limit ${r.limit}, the SKU policy set ${model.limit}`);
  const from = o.invoke.time_ms;
  const to = completeMs(o);
  let lo = 0;
  let hi = 0;
  for (const f of group) {
    if (f.reserve === o) continue;
    lo += Math.min(certainUnits(f, r.sku, from), Number.isFinite(to) ? certainUnits(f, r.sku, to) : 0);
    hi += possibleUnits(f, r.sku, from, to);
  }
  if (r.used < lo) bad(`used ${r.used}, but ${lo} units were certainly held throughout the call`);
  if (r.used > hi) bad(`used ${r.used}, but at most ${hi} units could have been held`);
}

export function checkCustomerLimits(ops: readonly Operation[], facts: ReadonlyMap<string, ReservationFacts>, out: AnomalyList): { refusals: number; customers: number } {
  const limits = skuLimits(ops);
  const groups = byCustomerSku(facts);
  let refusals = 0;
  for (const [key, group] of groups) {
    const model = limits.get(key.split('|')[1]);
    if (model !== undefined && model !== null && model.sweep) sweep(key, model.limit, group, out);
  }
  for (const o of ops) {
    if (customerLimitOf(o) === null || o.args.f !== 'reserve') continue;
    refusals++;
    const r = customerLimitOf(o)!;
    checkRefusal(o, limits, groups.get(`${o.args.customer_id ?? ''}|${r.sku}`) ?? [], out);
  }
  return { refusals, customers: groups.size };
}
