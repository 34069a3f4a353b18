// End to end: a short run of real stockd processes behind the link proxies, with a leader
// partition and a kill, must come out valid with every file written.
import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { STOCKD_MAIN } from '../../jepsen-style-tests/cluster.js';
import { parseHistory } from '../../jepsen-style-tests/history.js';
import { runTest } from '../../jepsen-style-tests/run.js';

t.test('a short faulty run is valid and leaves its store', { skip: fs.existsSync(STOCKD_MAIN) ? false : 'stockd not built' }, async (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'stockraft-jepsen-'));
  t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
  const lines: string[] = [];
  const { dir, verdict } = await runTest({
    workload: 'register',
    nemeses: ['partition-leader', 'kill-one'],
    nemesis_label: 'partition-leader,kill-one',
    time_limit_s: 8,
    nodes: 3,
    concurrency: 3,
    seed: 7,
    store_root: root,
    schedule: { quiet_ms: [500, 1_000], fault_ms: [2_000, 3_000] },
    client_deadline_ms: 2_000,
    extra_args: [],
    keep_data: false,
    log: (l) => lines.push(l),
  });
  t.equal(verdict.valid, true, JSON.stringify(verdict.anomalies.slice(0, 5)));
  t.ok(verdict.stats.ok > 0, 'operations succeeded');
  for (const f of ['history.jsonl', 'results.json', 'report.html', 'final-state.json', 'n1.log', 'run.log']) {
    t.ok(fs.existsSync(path.join(dir, f)), `${f} written`);
  }
  const history = parseHistory(fs.readFileSync(path.join(dir, 'history.jsonl'), 'utf8'));
  t.ok(history.some((r) => r.process === 'nemesis' && r.args.phase === 'start'), 'a fault was injected');
  const results = JSON.parse(fs.readFileSync(path.join(dir, 'results.json'), 'utf8')) as { valid: unknown };
  t.equal(results.valid, true);
  t.match(fs.readFileSync(path.join(dir, 'report.html'), 'utf8'), /<svg/);
});

t.test('a short expiry run sees reservations expire, none early', { skip: fs.existsSync(STOCKD_MAIN) ? false : 'stockd not built' }, async (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'stockraft-jepsen-'));
  t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
  const { verdict } = await runTest({
    workload: 'expiry',
    nemeses: ['partition-one'],
    nemesis_label: 'partition-one',
    time_limit_s: 8,
    nodes: 3,
    concurrency: 3,
    seed: 11,
    store_root: root,
    schedule: { quiet_ms: [500, 1_000], fault_ms: [2_000, 3_000] },
    client_deadline_ms: 2_000,
    extra_args: [],
    keep_data: false,
    log: () => undefined,
  });
  t.equal(verdict.valid, true, JSON.stringify(verdict.anomalies.slice(0, 5)));
  t.ok(verdict.expiry !== null && verdict.expiry.observed_expired > 0, `reservations seen expired: ${verdict.expiry?.observed_expired}`);
  t.ok(verdict.stats.by_op['get-reservation'] > 0, 'GetReservation polls recorded');
});
