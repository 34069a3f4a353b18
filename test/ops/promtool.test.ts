// The alert rules pass `promtool check rules` and their unit tests (`promtool test rules`),
// every alert has a firing case in those tests, and promtool does catch a broken rule.

import t from 'tap';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { alertNames, ensurePrometheus, readText, RULES_FILE, RULES_TEST_FILE } from './prometheus-tools.js';

ensurePrometheus();

function promtool(args: string[], cwd?: string): { status: number | null; out: string } {
  const r = spawnSync('promtool', args, { encoding: 'utf8', timeout: 60_000, cwd });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

t.test('promtool check rules accepts the rules file', async (t) => {
  const r = promtool(['check', 'rules', RULES_FILE]);
  t.equal(r.status, 0, r.out);
  const n = alertNames(readText(RULES_FILE)).length;
  t.match(r.out, new RegExp(`SUCCESS: ${n} rules found`), `promtool counts the ${n} alerts`);
});

t.test('promtool test rules passes the unit tests', async (t) => {
  const r = promtool(['test', 'rules', RULES_TEST_FILE]);
  t.equal(r.status, 0, r.out);
  t.match(r.out, /SUCCESS/);
});

t.test('every alert is tested firing and not firing', async (t) => {
  const alerts = alertNames(readText(RULES_FILE));
  t.ok(alerts.length >= 11, `${alerts.length} alerts`);
  // Split the unit tests at each `alertname:`; a case whose exp_alerts is `[]` is a
  // not-firing case, any other lists firing alerts.
  const cases = readText(RULES_TEST_FILE).split(/^\s*(?:- eval_time: \S+\s*)?alertname:\s*/m).slice(1);
  const firing = new Set<string>();
  const quiet = new Set<string>();
  for (const c of cases) {
    const name = /^(\S+)/.exec(c)![1]!;
    if (/exp_alerts:\s*\[\]/.test(c.split('\n').slice(0, 2).join('\n'))) quiet.add(name);
    else firing.add(name);
  }
  for (const a of alerts) {
    t.ok(firing.has(a), `${a} has a firing case`);
    t.ok(quiet.has(a), `${a} has a not-firing case`);
  }
  const unknown = [...firing, ...quiet].filter((a) => !alerts.includes(a));
  t.same(unknown, [], 'the tests name no alert the rules lack');
});

t.test('promtool test rules fails on a broken rule (known bad)', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stockraft-rules-bad-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  copyFileSync(RULES_TEST_FILE, path.join(dir, 'stockraft-alerts.test.yml'));
  const rules = readText(RULES_FILE);
  // The member-down alert now waits 5 minutes: the test expecting it after 1 must fail.
  const broken = rules.replace(/(expr: up\{job=~"\.\*stockd\.\*"\} == 0\n\s*for: )1m/, '$15m');
  t.not(broken, rules, 'the mutation applied');
  writeFileSync(path.join(dir, 'stockraft-alerts.yml'), broken);
  const r = promtool(['test', 'rules', 'stockraft-alerts.test.yml'], dir);
  t.not(r.status, 0, 'promtool reports the failure');
  t.match(r.out, /StockraftMemberDown/, r.out);
});
