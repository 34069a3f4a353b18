// Reservation expiry against real time, for the `expiry` workload.
//
// Real time is the harness's monotonic clock (time_ms of the history). A reservation's
// deadline is bracketed from the history alone:
//   lowest  D_lo = reserve invoke + ttl, raised by each extend known to have applied
//           (invoke + its ttl): the ledger made the reservation after the reserve was
//           invoked, and an Extend sets max(deadline, now + ttl);
//   highest D_hi = reserve completion + ttl, raised by extends (completion + ttl); unknown
//           (no liveness check) when the reserve or an extend has an open-ended outcome.
// Safety: no observation of EXPIRED (a GetReservation in state EXPIRED, or a commit,
// release or extend refused RESERVATION_EXPIRED) completed before D_lo - skew_bound_ms.
// Liveness: a reservation nobody settled (or may have settled), still seen PENDING by an
// observation invoked more than liveness_ms of majority-connected time after D_hi, is late.
// Observations are also checked for the values they report, not only their code.

import type { CommandResult, Line, ReservationView } from '../../src/ledger/types.js';
import type { HistoryRecord, Operation } from '../history.js';
import { AnomalyList, type Anomaly } from './anomaly.js';
import { noMajorityIntervals } from './availability.js';

/** stockd's default --max-clock-skew-ms: how far log time may run ahead of real time. */
export const STOCKD_MAX_CLOCK_SKEW_MS = 250;
/** What the measurement itself may add against the node. The harness records an invoke
 * before the call is sent and a completion after the answer arrives, and the nodes' and
 * the harness's monotonic clocks are the same CLOCK_MONOTONIC of one machine, so the
 * recorded times err on the checker's side already. What is left: log time is whole
 * milliseconds (the reservation's creation and the expiring entry are each rounded, up
 * to 2 ms together) and the reserve's invoke time is rounded to a microsecond. 50 ms
 * covers that many times over and is a fifth of the bound: no jump of a second or more
 * hides under it. */
export const MEASUREMENT_ALLOWANCE_MS = 50;

export interface ExpiryOptions {
  /** An expiry observed earlier than D_lo minus this is a violation. */
  readonly skew_bound_ms: number;
  /** Majority-connected time after D_hi within which a left-alone reservation must be seen
   * expired: the leader proposes an expiring entry within a tick (50 ms) of a deadline, an
   * election after a leader fault takes 0.5..1 s (more on a loaded machine), and polls
   * come every 400 ms; 5 s leaves room for all of it. */
  readonly liveness_ms: number;
}

export const DEFAULT_EXPIRY_OPTIONS: ExpiryOptions = {
  skew_bound_ms: STOCKD_MAX_CLOCK_SKEW_MS + MEASUREMENT_ALLOWANCE_MS,
  liveness_ms: 5_000,
};

export interface ExpiryReport {
  readonly valid: boolean;
  readonly options: ExpiryOptions;
  /** Reservations that exist or may exist (reserve ok or unknown). */
  readonly reservations: number;
  /** Of them, seen EXPIRED at least once. */
  readonly observed_expired: number;
  /** Smallest (observed EXPIRED time - D_lo) over timed observations: negative means
   * before the lowest possible deadline. Null when nothing was seen expire. */
  readonly min_margin_ms: number | null;
  /** Reservations with a known D_hi and nobody settling them: liveness applies. */
  readonly liveness_checked: number;
  /** Largest (first EXPIRED observation's completion - D_hi) among them. */
  readonly max_seen_after_deadline_ms: number | null;
  readonly anomalies: readonly Anomaly[];
  readonly anomaly_counts: Record<string, number>;
}

interface Observation {
  readonly op: Operation;
  /** Real time the observation is pinned to (see `observe`), or null when unbounded. */
  readonly at_ms: number | null;
}

interface Tracked {
  readonly id: string;
  readonly reserve: Operation;
  readonly ttl_ms: number;
  readonly lines: readonly Line[];
  d_lo: number;
  /** D_hi from the reserve alone (null: its outcome is open-ended). */
  readonly d_hi_base: number | null;
  /** Extends that applied or may have: they move D_hi (see dHiAt). */
  readonly extends: Operation[];
  /** An extend may have applied (ok or unknown): the exact deadline is not ttl past creation. */
  extended_maybe: boolean;
  /** A commit or release may have applied: not left alone. */
  settled_maybe: boolean;
  /** An extend's ttl, for the value check of later views. */
  ttl_max_ms: number;
  readonly expired: Observation[];
  readonly pending: Observation[];
}

/** Times in details: a tenth of a millisecond, without floating-point noise. */
const ms = (x: number): string => String(Math.round(x * 10) / 10);

const definite = (o: Operation): boolean => o.complete !== null && !o.resolved;

function commandOf(o: Operation): CommandResult | undefined {
  return o.result?.kind === 'command' ? o.result.result : undefined;
}

function describe(o: Operation): string {
  const a = o.args;
  const what = a.f === 'get-reservation' || a.f === 'read' ? a.f : a.f === 'reserve' ? `reserve ${a.reservation_id}` : `${a.f} ${a.op_id}`;
  const when = o.complete === null ? `invoked ${ms(o.invoke.time_ms)} ms, no completion` : `${ms(o.invoke.time_ms)}..${ms(o.complete.time_ms)} ms`;
  return `${what} by process ${o.process} (op ${o.id}, ${when}${o.resolved ? ', resolved by GetOutcome' : ''})`;
}

function collect(ops: readonly Operation[]): Map<string, Tracked> {
  const out = new Map<string, Tracked>();
  for (const o of ops) {
    const a = o.args;
    if (a.f !== 'reserve' || o.type === 'fail') continue;
    out.set(a.reservation_id, {
      id: a.reservation_id,
      reserve: o,
      ttl_ms: a.ttl_ms,
      lines: a.lines,
      d_lo: o.invoke.time_ms + a.ttl_ms,
      d_hi_base: o.type === 'ok' && definite(o) ? o.complete!.time_ms + a.ttl_ms : null,
      extends: [],
      extended_maybe: false,
      settled_maybe: false,
      ttl_max_ms: a.ttl_ms,
      expired: [],
      pending: [],
    });
  }
  return out;
}

/** Deadline bounds from extends, and who may have settled, before observations are judged. */
function applyExtendsAndSettles(ops: readonly Operation[], tracked: ReadonlyMap<string, Tracked>): void {
  for (const o of ops) {
    const a = o.args;
    if (a.f !== 'extend' && a.f !== 'commit' && a.f !== 'release') continue;
    const r = tracked.get(a.reservation_id);
    if (r === undefined || o.type === 'fail') continue;
    if (a.f !== 'extend') {
      r.settled_maybe = true;
      continue;
    }
    r.extended_maybe = true;
    r.ttl_max_ms = Math.max(r.ttl_max_ms, a.ttl_ms);
    if (o.type === 'ok') r.d_lo = Math.max(r.d_lo, o.invoke.time_ms + a.ttl_ms);
    r.extends.push(o);
  }
}

/** Highest possible deadline as it stood at real time t: only extends invoked before t can
 * have moved it, each to at most its completion + ttl; one with an open-ended outcome
 * leaves it unknown (null). Infinity for t = Infinity means "after every extend". */
function dHiAt(r: Tracked, t: number): number | null {
  let d = r.d_hi_base;
  for (const e of r.extends) {
    if (e.invoke.time_ms >= t || e.args.f !== 'extend') continue;
    if (d === null || e.type !== 'ok' || !definite(e)) return null;
    d = Math.max(d, e.complete!.time_ms + e.args.ttl_ms);
  }
  return d;
}

function sameLines(a: readonly Line[], b: readonly Line[]): boolean {
  const key = (ls: readonly Line[]): string => ls.map((l) => `${l.sku}@${l.location}x${l.quantity}`).sort().join(',');
  return key(a) === key(b);
}

/** A reservation view must be the reservation asked about, with its lines, and a deadline
 * exactly ttl past its creation unless an extend may have applied (then at least that). */
function checkView(r: Tracked, v: ReservationView, o: Operation, out: AnomalyList): void {
  const bad = (what: string): void =>
    out.add({ kind: 'expiry-report-mismatch', op_id: r.id, detail: `${describe(o)} reports reservation ${r.id} ${what}` });
  if (v.reservation_id !== r.id) return bad(`under the id ${v.reservation_id}`);
  if (!sameLines(v.lines, r.lines)) return bad(`with lines ${JSON.stringify(v.lines)}, reserved ${JSON.stringify(r.lines)}`);
  const span = v.deadline_ms - v.created_ms;
  if (!r.extended_maybe && o.args.f !== 'extend' && span !== r.ttl_ms) bad(`with deadline - created = ${span} ms, ttl ${r.ttl_ms} ms`);
  if (span < r.ttl_ms) bad(`with deadline - created = ${span} ms, below its ttl ${r.ttl_ms} ms`);
  if (o.args.f === 'extend' && span < o.args.ttl_ms) bad(`with deadline - created = ${span} ms after an extend by ${o.args.ttl_ms} ms`);
}

/** Sorts one operation on a tracked reservation into expired / pending observations. */
function observe(o: Operation, r: Tracked, out: AnomalyList): void {
  const a = o.args;
  if (a.f === 'get-reservation') {
    if (o.type !== 'ok' || o.result?.kind !== 'reservation') return;
    const v = o.result.view;
    if (v === null) {
      if (r.reserve.type === 'ok') out.add({ kind: 'expiry-report-mismatch', op_id: r.id, detail: `${describe(o)} found no reservation ${r.id}, which ${describe(r.reserve)} made` });
      return;
    }
    checkView(r, v, o, out);
    // Pending at its linearization point, which is no earlier than the invoke; expired at
    // a point no later than the completion.
    if (v.state === 'EXPIRED') r.expired.push({ op: o, at_ms: o.complete!.time_ms });
    if (v.state === 'PENDING') r.pending.push({ op: o, at_ms: o.invoke.time_ms });
    return;
  }
  if (a.f !== 'commit' && a.f !== 'release' && a.f !== 'extend') return;
  const c = commandOf(o);
  if (c === undefined) return;
  if (c.code === 'RESERVATION_EXPIRED') {
    // The ledger names the reservation in the detail ("reservation <id> is EXPIRED"): a
    // whole word, so that a short id is not found inside another word.
    if (!c.detail.split(/\s+/).includes(r.id)) out.add({ kind: 'expiry-report-mismatch', op_id: r.id, detail: `${describe(o)} refused RESERVATION_EXPIRED naming another reservation: "${c.detail}"` });
    r.expired.push({ op: o, at_ms: definite(o) ? o.complete!.time_ms : null });
    return;
  }
  if (c.code === 'OK') {
    const v = c.reservation;
    if (v === null) return void out.add({ kind: 'expiry-report-mismatch', op_id: r.id, detail: `${describe(o)} answered OK without the reservation` });
    checkView(r, v, o, out);
    const want = a.f === 'extend' ? 'PENDING' : a.f === 'commit' ? 'COMMITTED' : 'RELEASED';
    if (v.state !== want) out.add({ kind: 'expiry-report-mismatch', op_id: r.id, detail: `${describe(o)} answered OK with state ${v.state}, ${want} expected` });
    if (definite(o)) r.pending.push({ op: o, at_ms: o.invoke.time_ms });
  }
}

/** The time by which `need_ms` of majority-connected time has passed since `from_ms`. */
export function afterMajorityTime(from_ms: number, need_ms: number, holes: readonly { from: number; to: number }[]): number {
  let t = from_ms;
  let left = need_ms;
  for (const h of [...holes].sort((x, y) => x.from - y.from)) {
    if (h.to <= t) continue;
    if (h.from >= t + left) break;
    left -= Math.max(0, h.from - t);
    t = h.to;
  }
  return t + left;
}

function judgeSafety(r: Tracked, o: ExpiryOptions, out: AnomalyList): number | null {
  let minMargin: number | null = null;
  for (const e of r.expired) {
    if (e.at_ms === null) continue;
    const margin = e.at_ms - r.d_lo;
    minMargin = minMargin === null ? margin : Math.min(minMargin, margin);
    if (margin < -o.skew_bound_ms) {
      out.add({
        kind: 'early-expiry',
        op_id: r.id,
        detail: `reservation ${r.id} (ttl ${r.ttl_ms} ms, reserve invoked at ${ms(r.reserve.invoke.time_ms)} ms): deadline no earlier than ${ms(r.d_lo)} ms, observed EXPIRED at ${ms(e.at_ms)} ms by ${describe(e.op)}, ${ms(r.d_lo - e.at_ms)} ms early (bound ${o.skew_bound_ms} ms)`,
      });
    }
  }
  return minMargin;
}

function judgeLiveness(r: Tracked, o: ExpiryOptions, holes: readonly { from: number; to: number }[], out: AnomalyList): number | null {
  if (r.settled_maybe) return null;
  for (const p of r.pending) {
    const dHi = p.at_ms === null ? null : dHiAt(r, p.at_ms);
    if (dHi === null) continue;
    const due = afterMajorityTime(dHi, o.liveness_ms, holes);
    if (p.at_ms! <= due) continue;
    out.add({
      kind: 'late-expiry',
      op_id: r.id,
      detail: `reservation ${r.id} (ttl ${r.ttl_ms} ms): deadline no later than ${ms(dHi)} ms, still PENDING at ${ms(p.at_ms!)} ms by ${describe(p.op)}, ${ms(p.at_ms! - dHi)} ms after the deadline; it was due by ${ms(due)} ms (${o.liveness_ms} ms with a majority)`,
    });
    break;
  }
  const dHi = dHiAt(r, Infinity);
  const first = r.expired.reduce<number | null>((m, e) => (e.at_ms === null ? m : m === null ? e.at_ms : Math.min(m, e.at_ms)), null);
  return first === null || dHi === null ? null : first - dHi;
}

export function checkExpiry(ops: readonly Operation[], history: readonly HistoryRecord[], options: ExpiryOptions = DEFAULT_EXPIRY_OPTIONS): ExpiryReport {
  if (!(options.skew_bound_ms >= 0) || !(options.liveness_ms > 0)) {
    throw new Error(`expiry checker: skew_bound_ms must be >= 0 and liveness_ms > 0, got ${options.skew_bound_ms} and ${options.liveness_ms}`);
  }
  const out = new AnomalyList();
  const tracked = collect(ops);
  applyExtendsAndSettles(ops, tracked);
  for (const o of ops) {
    const a = o.args;
    if (a.f !== 'commit' && a.f !== 'release' && a.f !== 'extend' && a.f !== 'get-reservation') continue;
    const r = tracked.get(a.reservation_id);
    if (r !== undefined) observe(o, r, out);
  }
  for (const r of tracked.values()) {
    const c = commandOf(r.reserve);
    if (c?.code === 'OK') {
      if (c.reservation === null) out.add({ kind: 'expiry-report-mismatch', op_id: r.id, detail: `${describe(r.reserve)} answered OK without the reservation` });
      else checkView({ ...r, extended_maybe: false }, c.reservation, r.reserve, out);
    }
  }
  const endMs = history.length === 0 ? 0 : history[history.length - 1].time_ms;
  const holes = noMajorityIntervals(history, endMs);
  let minMargin: number | null = null;
  let maxAfter: number | null = null;
  let observed = 0;
  let livenessChecked = 0;
  for (const r of tracked.values()) {
    if (r.expired.length > 0) observed++;
    const m = judgeSafety(r, options, out);
    if (m !== null) minMargin = minMargin === null ? m : Math.min(minMargin, m);
    if (dHiAt(r, Infinity) !== null && !r.settled_maybe) livenessChecked++;
    const after = judgeLiveness(r, options, holes, out);
    if (after !== null) maxAfter = maxAfter === null ? after : Math.max(maxAfter, after);
  }
  const round = (x: number | null): number | null => (x === null ? null : Math.round(x * 10) / 10);
  return {
    valid: out.total === 0,
    options,
    reservations: tracked.size,
    observed_expired: observed,
    min_margin_ms: round(minMargin),
    liveness_checked: livenessChecked,
    max_seen_after_deadline_ms: round(maxAfter),
    anomalies: out.items,
    anomaly_counts: out.countsObject(),
  };
}
