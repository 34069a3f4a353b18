// The README's drop walkthrough runs: examples/drop.js (npm run demo:drop) against a real
// 3-node cluster, as a user would start it, and its summary holds the drop's promises.

import t from 'tap';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { StockdCluster } from '../server/cluster-harness.js';
import type { DropSummary } from '../../examples/drop.js';

const DEMO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../examples/drop.js');
const DEMO_DEADLINE_MS = 240_000;

const c = await StockdCluster.start({ size: 3 });
t.teardown(() => c.close());
await c.waitForLeader();
const endpoints = ['n1', 'n2', 'n3'].map((id) => c.address(id)).join(',');

t.test('npm run demo:drop: 100 units, 1,000 buyers, limit 2, a wait-list', async (t) => {
  const run = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [DEMO, '--endpoints', endpoints, '--sku', 'drop-test', '--json'], { timeout: DEMO_DEADLINE_MS }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1;
      resolve({ code, stdout, stderr });
    });
  });
  t.equal(run.code, 0, run.stderr);
  const s = JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as DropSummary;
  t.same(s.problems, []);
  t.equal(s.buyers, 1000);
  t.equal(s.units_granted_at_once, 100, 'every unit found a buyer at once, none more');
  t.equal(s.granted_at_once + s.waiting, 1000, 'every buyer got a cart or a place in the wait-list');
  t.equal(s.refused_customer_limit, 100, 'every buyer who came back for a third unit was refused');
  t.match(s.limit_example, /limit 2, used 2, requested 1, remaining 0/);
  t.ok(s.granted_from_wait_list > 0, 'abandoned carts went to the wait-list');
  t.equal(s.on_hand, 100 - s.units_paid, 'on_hand is what the paid carts left');
  t.ok(s.reserved <= s.on_hand, 'nothing held beyond stock');
});
