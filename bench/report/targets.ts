// The seven targets of issue 7, evaluated from one run's figures (64 clients unless stated).
import type { PointResult } from '../load/driver.js';
import type { Extra, FailoverFigures, RssFigures, TargetCheck } from './model.js';
import type { WorkloadName, SystemName } from '../load/spec.js';
import { fmtMs, fmtRate } from '../lib/table.js';

export const TARGET_CLIENTS = 64;
export const SDK_CALLERS = 256;

/** The point for (system, workload) at `clients`, preferring uniform keys over Zipf. */
export function pick(points: readonly PointResult[], system: SystemName, workload: WorkloadName, clients: number): PointResult | null {
  const c = points.filter((p) => p.system === system && p.workload === workload && p.clients === clients);
  return c.find((p) => p.dist === 'uniform') ?? c[0] ?? null;
}

function ratioCheck(id: number, target: string, a: PointResult | null, b: PointResult | null, min: number, rate: (p: PointResult) => number, aName: string, bName: string): TargetCheck {
  if (a === null || b === null) return { id, target, measured: `missing: ${a === null ? aName : bName}`, pass: null };
  const r = rate(a) / rate(b);
  return { id, target, measured: `${fmtRate(rate(a))} / ${fmtRate(rate(b))} = ${r.toFixed(2)}x (${a.dist})`, pass: r >= min };
}

export function evaluateTargets(points: readonly PointResult[], failover: Extra<FailoverFigures> | null, rss: Extra<RssFigures> | null): TargetCheck[] {
  const ops = (p: PointResult): number => p.ops_s;
  const reserve = pick(points, 'stockraft', 'reserve', TARGET_CLIENTS);
  const echo = pick(points, 'echo', 'unary', TARGET_CLIENTS);
  const etcd = pick(points, 'etcd', 'reserve', TARGET_CLIENTS);
  const out: TargetCheck[] = [];
  out.push(ratioCheck(1, 'unary Reserve >= 0.6 x echo', reserve, echo, 0.6, ops, 'stockraft reserve@64', 'echo@64'));
  const t2 = ratioCheck(2, 'unary Reserve >= 3 x etcd CAS reserve, p99 <= 30 ms', reserve, etcd, 3, ops, 'stockraft reserve@64', 'etcd reserve@64');
  if (reserve !== null && t2.pass !== null) {
    const p99ok = reserve.latency.p99_ms <= 30;
    out.push({ ...t2, measured: `${t2.measured}; p99 ${fmtMs(reserve.latency.p99_ms)} ms`, pass: t2.pass && p99ok });
  } else out.push(t2);
  const submit = pick(points, 'stockraft', 'submit100', TARGET_CLIENTS);
  out.push(
    submit === null
      ? { id: 3, target: 'Submit x100: >= 100,000 reserves/s', measured: 'missing: submit100@64', pass: null }
      : { id: 3, target: 'Submit x100: >= 100,000 reserves/s', measured: `${fmtRate(submit.units_s)} reserves/s (${submit.dist})`, pass: submit.units_s >= 100_000 },
  );
  out.push(ratioCheck(4, 'SDK batching, 256 callers >= 5 x unary Reserve', pick(points, 'stockraft', 'sdk-batch', SDK_CALLERS), reserve, 5, ops, 'sdk-batch@256', 'stockraft reserve@64'));
  out.push(ratioCheck(5, 'linearizable GetPosition >= 0.6 x echo', pick(points, 'stockraft', 'get', TARGET_CLIENTS), echo, 0.6, ops, 'get@64', 'echo@64'));
  if (failover === null || !failover.ok) {
    out.push({ id: 6, target: 'failover: max <= 1.5 s, p50 < 1 s', measured: failover === null ? 'not run' : `not measured: ${failover.reason}`, pass: null });
  } else {
    const f = failover.value;
    out.push({ id: 6, target: 'failover: max <= 1.5 s, p50 < 1 s', measured: `p50 ${fmtMs(f.p50_ms)} ms, max ${fmtMs(f.max_ms)} ms over ${f.trials} trials`, pass: f.max_ms <= 1500 && f.p50_ms < 1000 });
  }
  if (rss === null || !rss.ok) {
    out.push({ id: 7, target: 'RSS per node, 1M positions + 100k open reservations <= 500 MB', measured: rss === null ? 'not run' : `not measured: ${rss.reason}`, pass: null });
  } else {
    const worst = Math.max(...rss.value.rss_mib_per_node);
    out.push({
      id: 7,
      target: 'RSS per node, 1M positions + 100k open reservations <= 500 MB',
      measured: rssText(rss.value),
      pass: worst * 1.048576 <= 500,
    });
  }
  return out;
}

/** The settled figure, and the one right after the load when it was read too. */
export function rssText(r: RssFigures): string {
  const mib = (v: readonly number[]): string => v.map((x) => x.toFixed(0)).join(' / ');
  if (r.rss_mib_per_node_after_load === undefined) return `${mib(r.rss_mib_per_node)} MiB`;
  return `${mib(r.rss_mib_per_node)} MiB after ${r.idle_s ?? '?'} s idle (${mib(r.rss_mib_per_node_after_load)} MiB right after the load)`;
}
