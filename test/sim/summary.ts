// Aggregates per-seed results into the figures `npm run sim` prints.

import { FAULT_KINDS, type FaultKind, type SimResult, type SimStats } from './simulator.js';

export interface FailedSeed {
  readonly seed: number;
  readonly nodes: number;
  readonly steps: number;
  readonly checker: string;
  readonly detail: string;
  readonly at_step: number | null;
}

export interface Summary extends SimStats {
  seeds: number;
  violations: number;
  failed: FailedSeed[];
  elapsed_s: number;
  steps_per_s: number;
  /** CPU time of this process: on a shared machine it says more than the wall clock. */
  cpu_s: number;
  steps_per_cpu_s: number;
}

/** Failed seeds kept in the summary; the count covers all of them. */
const FAILED_LISTED_MAX = 20;

export function emptySummary(): Summary {
  const faults = {} as Record<FaultKind, number>;
  for (const k of FAULT_KINDS) faults[k] = 0;
  return {
    seeds: 0, steps: 0, ticks: 0, faults, elections: 0, committed: 0, proposals: 0, reads: 0,
    membership_changes: 0, transfers: 0, compactions: 0, snapshots_sent: 0, snapshots_installed: 0,
    calm_periods: 0, calm_ticks_max: 0, violations: 0, failed: [], elapsed_s: 0, steps_per_s: 0, cpu_s: 0, steps_per_cpu_s: 0,
  };
}

export function addResult(sum: Summary, r: SimResult, steps_asked: number): void {
  const s = r.stats;
  sum.seeds++;
  sum.steps += s.steps;
  sum.ticks += s.ticks;
  for (const k of FAULT_KINDS) sum.faults[k] += s.faults[k];
  sum.elections += s.elections;
  sum.committed += s.committed;
  sum.proposals += s.proposals;
  sum.reads += s.reads;
  sum.membership_changes += s.membership_changes;
  sum.transfers += s.transfers;
  sum.compactions += s.compactions;
  sum.snapshots_sent += s.snapshots_sent;
  sum.snapshots_installed += s.snapshots_installed;
  sum.calm_periods += s.calm_periods;
  sum.calm_ticks_max = Math.max(sum.calm_ticks_max, s.calm_ticks_max);
  const problems: { checker: string; detail: string }[] = r.violations.map((v) => ({ checker: v.checker, detail: v.detail }));
  if (r.error !== null) problems.push({ checker: 'core_exception', detail: r.error });
  if (problems.length > 0) {
    sum.violations += problems.length;
    if (sum.failed.length < FAILED_LISTED_MAX) {
      sum.failed.push({ seed: r.seed, nodes: r.nodes, steps: steps_asked, checker: problems[0].checker, detail: problems[0].detail, at_step: r.failed_at_step });
    }
  }
}

export function replayCommand(f: FailedSeed): string {
  return `npm run sim -- --seed ${f.seed} --nodes ${f.nodes} --steps ${f.steps}`;
}

export function formatSummary(sum: Summary): string {
  const faults = FAULT_KINDS.map((k) => `${k}=${sum.faults[k]}`).join(' ');
  return [
    `seeds:              ${sum.seeds}`,
    `steps:              ${sum.steps} (${sum.ticks} ticks)`,
    `faults:             ${faults}`,
    `elections:          ${sum.elections}`,
    `committed entries:  ${sum.committed} (${sum.proposals} proposals accepted)`,
    `reads released:     ${sum.reads}`,
    `membership changes: ${sum.membership_changes}`,
    `transfers:          ${sum.transfers}`,
    `snapshots:          ${sum.compactions} compactions, ${sum.snapshots_sent} sent, ${sum.snapshots_installed} installed`,
    `liveness:           ${sum.calm_periods} heals, slowest recovery ${sum.calm_ticks_max} ticks`,
    `violations:         ${sum.violations}`,
    `elapsed:            ${sum.elapsed_s.toFixed(1)} s wall, ${Math.round(sum.steps_per_s)} steps/s; ${sum.cpu_s.toFixed(1)} s CPU, ${Math.round(sum.steps_per_cpu_s)} steps per CPU second`,
  ].join('\n');
}

/** Fills in the timing figures from a start taken with startTiming(). */
export function finishTiming(sum: Summary, t: { wall: bigint; cpu: NodeJS.CpuUsage }): void {
  sum.elapsed_s = Number(process.hrtime.bigint() - t.wall) / 1e9;
  const cpu = process.cpuUsage(t.cpu);
  sum.cpu_s = (cpu.user + cpu.system) / 1e6;
  sum.steps_per_s = sum.steps / Math.max(sum.elapsed_s, 1e-9);
  sum.steps_per_cpu_s = sum.steps / Math.max(sum.cpu_s, 1e-9);
}

export function startTiming(): { wall: bigint; cpu: NodeJS.CpuUsage } {
  return { wall: process.hrtime.bigint(), cpu: process.cpuUsage() };
}
