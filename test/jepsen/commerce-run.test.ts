// End to end: a short commerce run (cluster version 4) of real stockd processes with a
// leader partition and a kill must come out valid, having exercised what the commerce
// checker judges: waits and grants, customer-limit refusals, transfers and counts.
import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { STOCKD_MAIN } from '../../jepsen-style-tests/cluster.js';
import { runTest } from '../../jepsen-style-tests/run.js';

t.test('a short faulty commerce run is valid', { skip: fs.existsSync(STOCKD_MAIN) ? false : 'stockd not built' }, async (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'stockraft-jepsen-commerce-'));
  const { dir, verdict } = await runTest({
    workload: 'commerce',
    nemeses: ['partition-leader', 'kill-one'],
    nemesis_label: 'partition-leader,kill-one',
    time_limit_s: 8,
    nodes: 3,
    concurrency: 4,
    seed: 19,
    store_root: root,
    schedule: { quiet_ms: [500, 1_000], fault_ms: [2_000, 3_000] },
    client_deadline_ms: 2_000,
    extra_args: [],
    keep_data: false,
    log: () => undefined,
  });
  // An invalid run keeps its store (history, final state, node logs) for a look.
  if (verdict.valid === true) fs.rmSync(root, { recursive: true, force: true });
  t.equal(verdict.valid, true, `${dir}: ${JSON.stringify(verdict.anomalies.slice(0, 5))}`);
  const c = verdict.commerce;
  t.ok(c !== undefined && c !== null, 'the commerce checker ran');
  if (c === undefined || c === null) return;
  t.ok(c.stats.waiting > 0, `reserves waited: ${c.stats.waiting}`);
  t.ok(c.stats.grants > 0, `waiters granted: ${c.stats.grants} (${verdict.stats.ops} ops)`);
  t.ok(c.stats.transfers > 0 && c.stats.counts > 0, `transfers ${c.stats.transfers}, counts ${c.stats.counts}`);
  t.ok(verdict.stats.by_op['set-sku-policy'] === 1, 'policies recorded in the history');
});
