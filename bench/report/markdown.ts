// Text renderings of a run: the console table and the Markdown summary that goes into
// BENCHMARKS.md.
import type { PointResult } from '../load/driver.js';
import { fmtMs, fmtRate, markdownTable, textTable, type Column } from '../lib/table.js';
import type { RunReport, TargetCheck } from './model.js';
import { rssText } from './targets.js';

export const POINT_COLUMNS: readonly Column<PointResult>[] = [
  { title: 'system', value: (p) => p.system, align: 'left' },
  { title: 'workload', value: (p) => p.workload, align: 'left' },
  { title: 'keys', value: (p) => (p.system === 'echo' ? '-' : p.dist), align: 'left' },
  { title: 'clients', value: (p) => String(p.clients) },
  { title: 'calls/s', value: (p) => fmtRate(p.ops_s) },
  { title: 'ledger ops/s', value: (p) => fmtRate(p.units_s) },
  { title: 'p50 ms', value: (p) => fmtMs(p.latency.p50_ms) },
  { title: 'p99 ms', value: (p) => fmtMs(p.latency.p99_ms) },
  { title: 'p99.9 ms', value: (p) => fmtMs(p.latency.p999_ms) },
  { title: 'errors', value: (p) => String(p.errors) },
  { title: 'refused', value: (p) => String(p.refusals) },
  // Older result files have no generator figure.
  { title: 'server cpu µs/call', value: (p) => (typeof p.server_cpu_us_per_call === 'number' ? String(Math.round(p.server_cpu_us_per_call)) : '-') },
  { title: 'gen cpu', value: (p) => (typeof p.generator_cpu_max === 'number' ? `${Math.round(p.generator_cpu_max * 100)}%` : '-') },
];

const TARGET_COLUMNS: readonly Column<TargetCheck>[] = [
  { title: '#', value: (t) => String(t.id) },
  { title: 'target', value: (t) => t.target, align: 'left' },
  { title: 'measured', value: (t) => t.measured, align: 'left' },
  { title: 'result', value: (t) => (t.pass === null ? 'n/a' : t.pass ? 'met' : 'NOT met'), align: 'left' },
];

export function pointsText(points: readonly PointResult[]): string {
  return textTable(POINT_COLUMNS, points);
}

export function targetsText(t: readonly TargetCheck[]): string {
  return textTable(TARGET_COLUMNS, t);
}

export function extrasLines(r: RunReport): string[] {
  const out: string[] = [];
  if (r.failover !== null) {
    out.push(
      r.failover.ok
        ? `Failover (kill -9 of the leader under load, ${r.failover.value.trials} trials): writes succeed again after p50 ${fmtMs(r.failover.value.p50_ms)} ms, max ${fmtMs(r.failover.value.max_ms)} ms (trials: ${r.failover.value.recovery_ms.map((v) => v.toFixed(0)).join(', ')} ms).`
        : `Failover: not measured: ${r.failover.reason}`,
    );
  }
  if (r.restart !== null) {
    out.push(
      r.restart.ok
        ? `Restart of a node with ${fmtRate(r.restart.value.applied_events)} applied events: serving a linearizable read ${fmtMs(r.restart.value.restart_ms)} ms after spawn.`
        : `Restart: not measured: ${r.restart.reason}`,
    );
  }
  if (r.rss !== null) {
    out.push(
      r.rss.ok
        ? `RSS per node with ${fmtRate(r.rss.value.positions)} positions and ${fmtRate(r.rss.value.open_reservations)} open reservations: ${rssText(r.rss.value)}.`
        : `RSS: not measured: ${r.rss.reason}`,
    );
  }
  return out;
}

export function reportMarkdown(r: RunReport, files: { json: string; html: string }): string {
  const m = r.machine;
  return [
    `## Run of ${r.date}`,
    '',
    `Machine: ${m.cpu_model}, ${m.nproc} CPUs (nproc), ${m.memory_mib} MiB memory, ${m.platform}, kernel ${m.kernel}, Node ${m.node}; 1-minute load average ${m.loadavg_1m.toFixed(1)} at the start${r.loadavg_end_1m !== undefined ? ` and ${r.loadavg_end_1m.toFixed(1)} at the end` : ''}.`,
    `Command: \`${r.command}\``,
    `Settings: ${r.config.duration_s} s measured after ${r.config.warmup_s} s warm-up per point, ${r.config.workers} load-generator processes at most, ${fmtRate(r.config.keys)} SKUs, echo messages ${r.config.echo_request_bytes} B request / ${r.config.echo_response_bytes} B reply${r.config.etcd_version ? `, ${r.config.etcd_version}` : ''}.`,
    `Raw figures: \`${files.json}\`; plot: \`${files.html}\`.`,
    '',
    '### Targets',
    '',
    markdownTable(TARGET_COLUMNS, r.targets),
    '',
    ...(extrasLines(r).length > 0 ? ['### Failover, restart, memory', '', ...extrasLines(r).map((l) => `- ${l}`), ''] : []),
    '### All points',
    '',
    markdownTable(POINT_COLUMNS, r.points),
    '',
    ...(r.notes.length > 0 ? ['### Notes', '', ...r.notes.map((n) => `- ${n}`), ''] : []),
  ].join('\n');
}
