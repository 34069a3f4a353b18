// Availability: of the operations invoked while a majority of voters was running and
// connected, how many got a definite answer (ok, or a business refusal); and the longest
// stretch of time in which no operation got a definite answer.

import type { HistoryRecord, NemesisRecord, Operation } from '../history.js';

export interface AvailabilityReport {
  readonly ops_total: number;
  readonly ops_definite: number;
  readonly fraction_definite: number;
  readonly ops_with_majority: number;
  readonly ops_with_majority_definite: number;
  /** The figure the issue asks for: definite answers among ops invoked with a majority. */
  readonly fraction_with_majority: number;
  /** Longest gap between definite answers, from the first invoke to the last completion. */
  readonly longest_unavailable_ms: number;
  readonly longest_unavailable_from_ms: number;
  /** The same, counting only time in which a majority was connected. */
  readonly longest_unavailable_with_majority_ms: number;
  readonly longest_unavailable_with_majority_from_ms: number;
  readonly majority_connected_ms: number;
  readonly run_ms: number;
}

interface Interval {
  readonly from: number;
  readonly to: number;
}

/** Intervals (ms) in which no majority was connected, from the nemesis records. */
export function noMajorityIntervals(history: readonly HistoryRecord[], endMs: number): Interval[] {
  const out: Interval[] = [];
  let since: number | null = null;
  for (const r of history) {
    if (r.process !== 'nemesis') continue;
    const n = r as NemesisRecord;
    if (!n.majority_connected && since === null) since = n.time_ms;
    if (n.majority_connected && since !== null) {
      out.push({ from: since, to: n.time_ms });
      since = null;
    }
  }
  if (since !== null) out.push({ from: since, to: Math.max(since, endMs) });
  return out;
}

function inAny(t: number, ivs: readonly Interval[]): boolean {
  return ivs.some((i) => t >= i.from && t < i.to);
}

/** Length of [from, to) minus the parts covered by `holes` (sorted, disjoint), and the
 * longest uncovered piece. */
function uncovered(from: number, to: number, holes: readonly Interval[]): { longest: number; at: number } {
  let cursor = from;
  let longest = 0;
  let at = from;
  for (const h of holes) {
    if (h.to <= cursor || h.from >= to) continue;
    if (h.from > cursor && h.from - cursor > longest) {
      longest = h.from - cursor;
      at = cursor;
    }
    cursor = Math.max(cursor, h.to);
  }
  if (to > cursor && to - cursor > longest) {
    longest = to - cursor;
    at = cursor;
  }
  return { longest, at };
}

export function checkAvailability(ops: readonly Operation[], history: readonly HistoryRecord[]): AvailabilityReport {
  const client = ops.filter((o) => o.complete !== null || o.type === 'info');
  const endMs = history.length === 0 ? 0 : history[history.length - 1].time_ms;
  const holes = noMajorityIntervals(history, endMs);
  const definite = (o: Operation): boolean =>
    o.complete !== null && (o.complete.type === 'ok' || (o.complete.type === 'fail' && o.complete.result !== undefined));
  let withMajority = 0;
  let withMajorityDefinite = 0;
  let definiteCount = 0;
  const answers: number[] = [];
  for (const o of client) {
    const d = definite(o);
    if (d) {
      definiteCount++;
      answers.push(o.complete!.time_ms);
    }
    if (!inAny(o.invoke.time_ms, holes)) {
      withMajority++;
      if (d) withMajorityDefinite++;
    }
  }
  answers.sort((a, b) => a - b);
  const start = client.reduce((m, o) => Math.min(m, o.invoke.time_ms), client.length === 0 ? 0 : Infinity);
  const lastDone = client.reduce((m, o) => Math.max(m, o.complete?.time_ms ?? o.invoke.time_ms), start);
  const points = [start, ...answers, lastDone];
  let longest = 0;
  let longestFrom = start;
  let longestMaj = 0;
  let longestMajFrom = start;
  for (let i = 1; i < points.length; i++) {
    const gap = points[i] - points[i - 1];
    if (gap > longest) {
      longest = gap;
      longestFrom = points[i - 1];
    }
    const u = uncovered(points[i - 1], points[i], holes);
    if (u.longest > longestMaj) {
      longestMaj = u.longest;
      longestMajFrom = u.at;
    }
  }
  const runMs = Math.max(0, lastDone - start);
  const holeMs = holes.reduce((s, h) => s + Math.max(0, Math.min(h.to, lastDone) - Math.max(h.from, start)), 0);
  const round = (x: number): number => Math.round(x * 10) / 10;
  return {
    ops_total: client.length,
    ops_definite: definiteCount,
    fraction_definite: client.length === 0 ? 1 : definiteCount / client.length,
    ops_with_majority: withMajority,
    ops_with_majority_definite: withMajorityDefinite,
    fraction_with_majority: withMajority === 0 ? 1 : withMajorityDefinite / withMajority,
    longest_unavailable_ms: round(longest),
    longest_unavailable_from_ms: round(longestFrom),
    longest_unavailable_with_majority_ms: round(longestMaj),
    longest_unavailable_with_majority_from_ms: round(longestMajFrom),
    majority_connected_ms: round(runMs - holeMs),
    run_ms: round(runMs),
  };
}
