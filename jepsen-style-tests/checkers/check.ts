// Runs every checker over a history and composes one verdict: false if any checker found
// an anomaly, "unknown" if none did but one could not finish, true otherwise.

import { pairOperations, type FinalState, type HistoryRecord, type Operation } from '../history.js';
import type { Anomaly } from './anomaly.js';
import { checkAvailability, type AvailabilityReport } from './availability.js';
import { checkCommerce, type CommerceReport } from './commerce.js';
import { checkExpiry, DEFAULT_EXPIRY_OPTIONS, type ExpiryOptions, type ExpiryReport } from './expiry.js';
import { checkInvariants, type InvariantReport } from './invariants.js';
import { checkLinearizability, DEFAULT_LIN_BOUNDS, type LinBounds, type LinVerdict, type PositionLinResult } from './linearizability.js';
import { projectByPosition } from './projection.js';

export interface RunVerdict {
  readonly valid: LinVerdict;
  readonly stats: {
    readonly ops: number;
    readonly ok: number;
    readonly fail: number;
    readonly info: number;
    readonly info_resolved: number;
    readonly by_op: Record<string, number>;
  };
  readonly linearizability: { readonly valid: LinVerdict; readonly positions: readonly PositionLinResult[]; readonly skipped?: string };
  readonly invariants: InvariantReport;
  readonly availability: AvailabilityReport;
  /** The expiry checker's report (expiry workload only). */
  readonly expiry: ExpiryReport | null;
  /** The commerce checker's report (commerce workload only). */
  readonly commerce?: CommerceReport | null;
  /** Every anomaly of every checker, in one list. */
  readonly anomalies: readonly Anomaly[];
}

export interface CheckOptions {
  readonly lin_bounds: LinBounds;
  /** Set for the expiry workload: its checker runs, and the per-position linearizability
   * check does not (its model has no expiry: a reservation ending by itself would read
   * as a lost reservation). */
  readonly expiry: ExpiryOptions | null;
  /** Set for the commerce workload: checkers/commerce.ts replaces the per-position
   * linearizability and invariant checks, whose model knows no backorders, wait-lists or
   * transfers. */
  readonly commerce?: boolean;
}

export const DEFAULT_CHECK_OPTIONS: CheckOptions = { lin_bounds: DEFAULT_LIN_BOUNDS, expiry: null };

export function checkOptionsFor(workload: string, expiry: ExpiryOptions = DEFAULT_EXPIRY_OPTIONS): CheckOptions {
  return { lin_bounds: DEFAULT_LIN_BOUNDS, expiry: workload === 'expiry' ? expiry : null, commerce: workload === 'commerce' };
}

export function checkHistory(history: readonly HistoryRecord[], final: FinalState | null, options: CheckOptions = DEFAULT_CHECK_OPTIONS): RunVerdict {
  if (options.commerce === true) return checkCommerceHistory(history, final);
  const ops = pairOperations(history);
  const lin = options.expiry === null
    ? checkLinearizability(projectByPosition(ops), options.lin_bounds)
    : { valid: true as const, positions: [], skipped: 'expiry workload: the position model has no expiry; checkers/expiry.ts judges reservations against real time' };
  const inv = checkInvariants(ops, final, { expiry_expected: options.expiry !== null });
  const availability = checkAvailability(ops, history);
  const expiry = options.expiry === null ? null : checkExpiry(ops, history, options.expiry);
  const anomalies: Anomaly[] = [];
  for (const p of lin.positions) {
    if (p.valid === false) anomalies.push({ kind: 'non-linearizable', position: p.position, detail: p.reason ?? 'no linearization' });
  }
  anomalies.push(...inv.anomalies);
  if (expiry !== null) anomalies.push(...expiry.anomalies);
  const valid: LinVerdict =
    lin.valid === false || inv.valid === false || expiry?.valid === false ? false : lin.valid === 'unknown' || inv.valid === 'unknown' ? 'unknown' : true;
  return { valid, stats: stats(ops), linearizability: lin, invariants: inv, availability, expiry, anomalies };
}

function checkCommerceHistory(history: readonly HistoryRecord[], final: FinalState | null): RunVerdict {
  const ops = pairOperations(history);
  const commerce = checkCommerce(ops, final);
  const skipped = 'commerce workload: checkers/commerce.ts judges it (the position model knows no backorders, wait-lists or transfers)';
  return {
    valid: commerce.valid,
    stats: stats(ops),
    linearizability: { valid: true, positions: [], skipped },
    invariants: { valid: true, anomalies: [], anomaly_counts: {}, skipped: [skipped] },
    availability: checkAvailability(ops, history),
    expiry: null,
    commerce,
    anomalies: commerce.anomalies,
  };
}

function stats(ops: readonly Operation[]): RunVerdict['stats'] {
  const by_op: Record<string, number> = {};
  let ok = 0;
  let fail = 0;
  let info = 0;
  let resolved = 0;
  for (const o of ops) {
    by_op[o.args.f] = (by_op[o.args.f] ?? 0) + 1;
    if (o.resolved) resolved++;
    const t = o.complete === null ? 'info' : o.complete.type;
    if (t === 'ok') ok++;
    else if (t === 'fail') fail++;
    else info++;
  }
  return { ops: ops.length, ok, fail, info, info_resolved: resolved, by_op };
}
