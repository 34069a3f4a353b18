// Runs every checker over a history and composes one verdict: false if any checker found
// an anomaly, "unknown" if none did but one could not finish, true otherwise.

import { pairOperations, type FinalState, type HistoryRecord } from '../history.js';
import type { Anomaly } from './anomaly.js';
import { checkAvailability, type AvailabilityReport } from './availability.js';
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
  readonly linearizability: { readonly valid: LinVerdict; readonly positions: readonly PositionLinResult[] };
  readonly invariants: InvariantReport;
  readonly availability: AvailabilityReport;
  /** Every anomaly of every checker, in one list. */
  readonly anomalies: readonly Anomaly[];
}

export function checkHistory(history: readonly HistoryRecord[], final: FinalState | null, bounds: LinBounds = DEFAULT_LIN_BOUNDS): RunVerdict {
  const ops = pairOperations(history);
  const lin = checkLinearizability(projectByPosition(ops), bounds);
  const inv = checkInvariants(ops, final);
  const availability = checkAvailability(ops, history);
  const anomalies: Anomaly[] = [];
  for (const p of lin.positions) {
    if (p.valid === false) anomalies.push({ kind: 'non-linearizable', position: p.position, detail: p.reason ?? 'no linearization' });
  }
  anomalies.push(...inv.anomalies);
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
  const valid: LinVerdict =
    lin.valid === false || inv.valid === false ? false : lin.valid === 'unknown' || inv.valid === 'unknown' ? 'unknown' : true;
  return {
    valid,
    stats: { ops: ops.length, ok, fail, info, info_resolved: resolved, by_op },
    linearizability: lin,
    invariants: inv,
    availability,
    anomalies,
  };
}
