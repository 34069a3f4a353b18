// Real stockd processes: a node that goes idle after a burst of large entries compacts its
// log down to the trailing share and its heap (src/server/idle-gc.ts), and keeps serving.

import t from 'tap';
import { adjust, StockdCluster } from './cluster-harness.js';
import type { Command } from '../../src/ledger/types.js';

const LOG_BYTES_MAX = 1024 * 1024;

t.test('idle followers trim their log to the trailing quarter, and replication goes on', async (t) => {
  const c = await StockdCluster.start({ size: 3, extra_args: ['--log-bytes-max', String(LOG_BYTES_MAX), '--idle-gc-mib', '1'] });
  t.teardown(() => c.close());
  const leader = await c.waitForLeader();
  // ~25 entries of ~30 KB (160 commands, each stamped by the leader with its id time and
  // checked index): well above a quarter of the log bound, below the bound itself,
  // so only the idle trim compacts.
  const reference = 'r'.repeat(100);
  for (let e = 0; e < 25; e++) {
    const cmds: Command[] = Array.from({ length: 160 }, (_, i) => ({ ...adjust(`trim-${e}-${i}`, `T-${i}`, 'L', 1), reference }));
    const r = await c.client(leader).propose(cmds, 10_000);
    if (!r.every((x) => x.code === 'OK')) throw new Error(`entry ${e} refused: ${JSON.stringify(r.find((x) => x.code !== 'OK'))}`);
  }
  const followers = ['n1', 'n2', 'n3'].filter((id) => id !== leader);
  const before = await Promise.all(followers.map((id) => c.client(id).status()));
  t.same(before.map((s) => s.snapshot_index), [0, 0], 'nothing compacted by the load itself');
  for (const id of followers) {
    await c.waitFor(`${id} to trim while idle`, async () => (/idle: log trimmed and heap compacted/.test(c.output(id)) ? true : undefined), 30_000);
  }
  const after = await Promise.all(followers.map((id) => c.client(id).status()));
  for (const [i, s] of after.entries()) t.ok(s.snapshot_index > 0, `${followers[i]} compacted its log to ${s.snapshot_index} (applied ${s.applied_index})`);
  // The cluster keeps working, and the followers still agree with the leader.
  const r = await c.client(leader).propose([adjust('after-trim', 'T-0', 'L', 1)], 10_000);
  t.equal(r[0]?.code, 'OK', 'a write after the trim');
  const conv = await c.waitConverged();
  t.ok(conv.applied_index > 0, 'all nodes at the same index and head hash');
  t.equal((await c.client(followers[0]!).position('T-0', 'L'))?.on_hand, 26, 'a follower holds the writes');
});
