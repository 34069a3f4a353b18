// Shared by the ops tests: finding (installing) promtool and prometheus, reading the ops
// files, and the metric names a PromQL expression, a rules file or a dashboard refers to.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const RULES_FILE = path.join(ROOT, 'ops/prometheus/stockraft-alerts.yml');
export const RULES_TEST_FILE = path.join(ROOT, 'ops/prometheus/stockraft-alerts.test.yml');
export const DASHBOARD_FILE = path.join(ROOT, 'ops/grafana/stockraft-dashboard.json');

/** Runs scripts/ensure-prometheus.sh (installs the Debian package when missing and root);
 * throws its message when the binaries cannot be had: these tests never skip. */
export function ensurePrometheus(): void {
  const r = spawnSync('sh', [path.join(ROOT, 'scripts/ensure-prometheus.sh')], { encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) {
    throw new Error(`promtool/prometheus are needed by the ops tests and could not be installed (exit ${String(r.status)}): ${r.stderr.slice(-2000)}`);
  }
}

/** Metric names are the project's (stockd_, stockraft_), the process's (process_, nodejs_)
 * or Prometheus's own `up`. */
const METRIC_RE = /\b(?:(?:stockd|stockraft|process|nodejs)_[a-zA-Z0-9_]+|up)\b/g;

/** The metric names in one PromQL expression. String literals and label matchers are taken
 * out first, so label values such as `{job=~".*stockd.*"}` are not read as names. */
export function metricNamesInExpr(expr: string): string[] {
  const bare = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""').replace(/\{[^}]*\}/g, '{}');
  return [...new Set(bare.match(METRIC_RE) ?? [])];
}

/** `expr:` values of a rules file, each possibly a `|` block (read line by line: the rules
 * file is plain YAML we write ourselves, so no YAML library is needed). */
export function ruleExprs(rules_yaml: string): string[] {
  const out: string[] = [];
  const lines = rules_yaml.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^(\s*)expr:\s*(.*)$/.exec(lines[i]!);
    if (!m) continue;
    if (m[2] !== '|' && m[2] !== '>') {
      out.push(m[2]!);
      continue;
    }
    const block: string[] = [];
    const indent = m[1]!.length;
    while (i + 1 < lines.length && (lines[i + 1]!.trim() === '' || lines[i + 1]!.search(/\S/) > indent)) block.push(lines[++i]!.trim());
    out.push(block.join(' ').trim());
  }
  return out;
}

/** Alert names declared in a rules file. */
export function alertNames(rules_yaml: string): string[] {
  return [...rules_yaml.matchAll(/^\s*- alert:\s*(\S+)\s*$/gm)].map((m) => m[1]!);
}

/** Every `expr` of every panel (rows included) of a Grafana dashboard. */
export function dashboardExprs(dashboard: unknown): string[] {
  const out: string[] = [];
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) for (const x of v) visit(x);
    else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'expr' && typeof x === 'string') out.push(x);
        else visit(x);
      }
    }
  };
  const d = dashboard as { panels?: unknown };
  visit(d.panels);
  return out;
}

/** Metric names a /metrics text declares (`# TYPE` lines), with the series names a
 * histogram or summary adds; labelled metrics are declared before any value is set. */
export function declaredMetrics(exposition: string): Set<string> {
  const out = new Set<string>();
  for (const m of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [name, type] = [m[1]!, m[2]!];
    out.add(name);
    if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) out.add(name + s);
    if (type === 'summary') for (const s of ['_sum', '_count']) out.add(name + s);
  }
  return out;
}

/** Names referenced but not known; `up` is made by Prometheus, not by a target. */
export function missingMetrics(referenced: Iterable<string>, known: ReadonlySet<string>): string[] {
  return [...new Set(referenced)].filter((n) => n !== 'up' && !known.has(n)).sort();
}

export function readText(file: string): string {
  return readFileSync(file, 'utf8');
}
