// A real Prometheus on loopback scrapes a real 3-node stockd cluster (TLS, so the
// certificate gauge is there too) with the alert rules (their `for:` shortened in a copy).
// Checked: every metric the dashboard and the rules name exists on a live /metrics, every
// dashboard query parses in Prometheus, no member-down alert while all run, and after one
// node is killed (by its pid) StockraftMemberDown fires for it, seen on /api/v1/alerts.

import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { adjust, freePort, StockdCluster } from '../server/cluster-harness.js';
import { makeCerts } from '../security/fixture.js';
import {
  alertNames,
  DASHBOARD_FILE,
  dashboardExprs,
  declaredMetrics,
  ensurePrometheus,
  metricNamesInExpr,
  missingMetrics,
  readText,
  ruleExprs,
  RULES_FILE,
} from './prometheus-tools.js';

ensurePrometheus();

/** How long to wait for Prometheus to be ready, to scrape, and for the alert to fire. */
const READY_WAIT_MS = 20_000;
const ALERT_WAIT_MS = 30_000;
const POLL_MS = 250;

interface PromAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: string;
}

async function promGet<T>(base: string, p: string): Promise<T> {
  const res = await fetch(`${base}${p}`, { signal: AbortSignal.timeout(5000) });
  const body = (await res.json()) as { status: string; data: T; error?: string };
  if (body.status !== 'success') throw new Error(`${p}: ${body.error ?? res.status}`);
  return body.data;
}

async function waitUntil<T>(what: string, timeout_ms: number, probe: () => Promise<T | undefined>): Promise<T> {
  const until = Date.now() + timeout_ms;
  let last: unknown = null;
  while (Date.now() < until) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  throw new Error(`timed out after ${timeout_ms} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
}

/** The rules with every `for:` at 2 s, so an alert fires within seconds. */
function shortRules(): string {
  return readText(RULES_FILE).replace(/^(\s*for:\s*)\S+\s*$/gm, '$12s');
}

function prometheusConfig(c: StockdCluster, rules_file: string): string {
  const targets = [...c.nodes.values()].map((n) => `      - targets: ['127.0.0.1:${n.metrics_port!}']\n        labels: { node: ${n.id} }`).join('\n');
  return [
    'global:',
    '  scrape_interval: 1s',
    '  scrape_timeout: 1s',
    '  evaluation_interval: 1s',
    'rule_files:',
    `  - ${rules_file}`,
    'scrape_configs:',
    '  - job_name: stockd',
    '    honor_labels: true',
    '    static_configs:',
    targets,
    '',
  ].join('\n');
}

function startPrometheus(dir: string, port: number): { proc: ChildProcess; output: string[] } {
  const output: string[] = [];
  const proc = spawn(
    'prometheus',
    [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=1h',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const keep = (b: Buffer): void => {
    output.push(b.toString('utf8'));
    if (output.length > 200) output.shift();
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  return { proc, output };
}

t.test('Prometheus sees a killed member down; dashboard and rule metrics are live', async (t) => {
  const certs = makeCerts();
  t.teardown(() => certs.cleanup());
  const c = await StockdCluster.start({ size: 3, metrics: true, tls: { certs_dir: certs.dir } });
  t.teardown(() => c.close());
  const leader = await c.waitForLeader();
  // A write, so followers have anchored their log clocks on an entry of the leader's.
  await c.propose([adjust('ops-1', 'SKU-OPS', 'L1', 5)]);
  await c.waitConverged();

  await t.test('every metric the dashboard and the rules name exists on a live /metrics', async (t) => {
    const known = new Set<string>();
    for (const n of c.nodes.values()) {
      const text = await (await fetch(`http://127.0.0.1:${n.metrics_port!}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
      for (const name of declaredMetrics(text)) known.add(name);
    }
    const dashboard = JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as unknown;
    const dash_exprs = dashboardExprs(dashboard);
    t.ok(dash_exprs.length >= 20, `${dash_exprs.length} dashboard queries`);
    const rule_exprs = ruleExprs(readText(RULES_FILE));
    t.equal(rule_exprs.length, alertNames(readText(RULES_FILE)).length, 'one expr per alert read');
    t.same(missingMetrics(dash_exprs.flatMap(metricNamesInExpr), known), [], 'dashboard metrics all exported');
    t.same(missingMetrics(rule_exprs.flatMap(metricNamesInExpr), known), [], 'rule metrics all exported');
    // Known bad: a name no node exports is reported.
    t.same(missingMetrics(metricNamesInExpr('rate(stockd_no_such_total{job=~"stockd_x"}[5m]) / stockd_raft_term'), known), ['stockd_no_such_total']);
  });

  await t.test('the health metrics carry live values', async (t) => {
    const follower = ['n1', 'n2', 'n3'].find((id) => id !== leader)!;
    const text = async (id: string): Promise<string> => (await fetch(`http://127.0.0.1:${c.nodes.get(id)!.metrics_port!}/metrics`)).text();
    const value = (body: string, series: string): number | null => {
      const line = body.split('\n').find((l) => l.startsWith(`${series} `));
      return line === undefined ? null : Number(line.slice(series.length + 1));
    };
    const lt = await text(leader);
    const ft = await text(follower);
    t.equal(value(lt, `stockd_has_leader{node="${leader}"}`), 1);
    t.equal(value(ft, `stockd_has_leader{node="${follower}"}`), 1);
    t.ok(value(ft, `stockd_leader_changes_total{node="${follower}"}`)! >= 1, 'the follower saw the leader elected');
    for (const id of ['n1', 'n2', 'n3'].filter((x) => x !== leader)) {
      t.equal(value(lt, `stockd_follower_lag_entries{follower="${id}",node="${leader}"}`), 0, `leader reports ${id} caught up`);
    }
    t.notMatch(ft, /^stockd_follower_lag_entries\{/m, 'a follower reports no lag series');
    const skew = value(ft, `stockd_clock_skew_seconds{node="${follower}"}`);
    const limit = value(ft, `stockd_clock_skew_max_seconds{node="${follower}"}`);
    t.ok(skew !== null && Math.abs(skew) < 5, `follower's wall clock against its log clock on one host: ${String(skew)} s`);
    t.equal(limit, 0.125, 'half of the default --max-clock-skew-ms');
    t.ok(value(lt, `stockd_data_dir_free_bytes{node="${leader}"}`)! > 0, 'data dir free bytes');
    t.equal(value(lt, `stockd_snapshot_send_failures_total{node="${leader}"}`), 0);
  });

  await t.test('the certificate gauge reports the node certificate notAfter', async (t) => {
    const n1 = c.nodes.get('n1')!;
    const text = await (await fetch(`http://127.0.0.1:${n1.metrics_port!}/metrics`)).text();
    const m = /^stockd_tls_certificate_expiry_timestamp_seconds\{cert="serving",node="n1"\} (\S+)$/m.exec(text);
    t.ok(m, 'serving certificate exported');
    const want = Date.parse(new X509Certificate(readFileSync(certs.file('nodes/n1.crt'))).validTo) / 1000;
    t.equal(Number(m?.[1]), want);
  });

  const dir = mkdtempSync(path.join(os.tmpdir(), 'stockraft-prom-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'rules.yml'), shortRules());
  writeFileSync(path.join(dir, 'prometheus.yml'), prometheusConfig(c, path.join(dir, 'rules.yml')));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const prom = startPrometheus(dir, port);
  const exited = new Promise<void>((resolve) => prom.proc.once('exit', () => resolve()));
  t.teardown(async () => {
    if (prom.proc.exitCode === null && prom.proc.signalCode === null) {
      prom.proc.kill('SIGKILL');
      await exited;
    }
  });

  await waitUntil('Prometheus to be ready and scrape all three nodes', READY_WAIT_MS, async () => {
    if (prom.proc.exitCode !== null) throw new Error(`prometheus exited ${prom.proc.exitCode}: ${prom.output.join('').slice(-2000)}`);
    const r = await promGet<{ result: { metric: Record<string, string>; value: [number, string] }[] }>(base, '/api/v1/query?query=' + encodeURIComponent('up{job="stockd"}'));
    return r.result.length === 3 && r.result.every((s) => s.value[1] === '1') ? true : undefined;
  });

  await t.test('every dashboard query parses in Prometheus', async (t) => {
    const exprs = dashboardExprs(JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as unknown);
    for (const e of exprs) {
      const q = e.replaceAll('$__rate_interval', '1m').replaceAll('$job', 'stockd').replaceAll('$node', '.*');
      await t.resolves(promGet(base, '/api/v1/query?query=' + encodeURIComponent(q)), q);
    }
    // Known bad: Prometheus refuses a malformed query.
    await t.rejects(promGet(base, '/api/v1/query?query=' + encodeURIComponent('rate(stockd_raft_term[')), /parse error/);
  });

  const firingMemberDown = async (): Promise<PromAlert[]> => {
    const d = await promGet<{ alerts: PromAlert[] }>(base, '/api/v1/alerts');
    return d.alerts.filter((a) => a.labels.alertname === 'StockraftMemberDown' && a.state === 'firing');
  };
  t.same(await firingMemberDown(), [], 'no member-down alert while every node runs');

  const victim = ['n1', 'n2', 'n3'].find((id) => id !== leader)!;
  await c.kill(victim);
  const t_kill = Date.now();
  const alerts = await waitUntil(`StockraftMemberDown to fire for ${victim}`, ALERT_WAIT_MS, async () => {
    const a = await firingMemberDown();
    return a.length > 0 ? a : undefined;
  });
  t.equal(alerts.length, 1, 'one node down');
  t.equal(alerts[0]!.labels.node, victim, 'the alert names the killed node');
  t.equal(alerts[0]!.labels.severity, 'critical');
  t.match(alerts[0]!.annotations.description, new RegExp(`Stockraft node ${victim} \\(127\\.0\\.0\\.1:\\d+\\)`));
  t.comment(`StockraftMemberDown fired ${Date.now() - t_kill} ms after the kill`);
  const d = await promGet<{ alerts: PromAlert[] }>(base, '/api/v1/alerts');
  t.notOk(d.alerts.some((a) => a.labels.alertname === 'StockraftInsufficientMembers'), 'two of three up: the majority holds');
});
