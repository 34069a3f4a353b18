// Real stockd processes on loopback: a clean 3-node start replicates ledger commands to the
// same head hash everywhere; kill -9 of the leader during a stream of acknowledged writes
// loses none of them.

import t from 'tap';
import { adjust, StockdCluster, TestCallError } from './cluster-harness.js';
import type { CommandResult } from '../../src/ledger/types.js';

t.test('3 nodes elect a leader, replicate commands and agree on the head hash', async (t) => {
  const c = await StockdCluster.start({ size: 3 });
  t.teardown(() => c.close());
  const leader = await c.waitForLeader();
  t.ok(['n1', 'n2', 'n3'].includes(leader), `leader is a member (${leader})`);

  // Concurrent callers: many share one entry.
  const results = await Promise.all(Array.from({ length: 50 }, (_, i) => c.client(leader).propose([adjust(`clean-${i}`, `SKU-${i % 5}`, 'WH1', 3)])));
  t.ok(results.every((r) => r.length === 1 && r[0]!.code === 'OK'), 'every command applied OK');

  const conv = await c.waitConverged();
  t.not(conv.head_hash, '0'.repeat(64), 'head hash moved from genesis');
  for (const id of ['n1', 'n2', 'n3']) {
    const p = await c.client(id).position('SKU-0', 'WH1');
    t.equal(p?.on_hand, 30, `${id} holds the replicated position`);
  }
  // A follower refuses proposals and names the leader.
  const follower = ['n1', 'n2', 'n3'].find((id) => id !== leader)!;
  const err = await c.client(follower).propose([adjust('on-follower', 'SKU-0', 'WH1', 1)]).catch((e: unknown) => e);
  t.ok(err instanceof TestCallError && err.error.kind === 'not_leader' && err.error.leader_id === leader, 'follower answers not_leader naming the leader');
  // A linearizable read through a follower sees the write.
  const p = await c.client(follower).position('SKU-1', 'WH1', true);
  t.equal(p?.on_hand, 30, 'linearizable read on a follower');
});

t.test('kill -9 of the leader during acknowledged writes loses none of them', async (t) => {
  const c = await StockdCluster.start({ size: 3 });
  t.teardown(() => c.close());
  const first = await c.waitForLeader();

  const acked: string[] = [];
  let seq = 0;
  let writing = true;
  const writer = async (w: number): Promise<void> => {
    // Bounded by the `writing` flag, which the test clears after a few seconds.
    while (writing) {
      const op = `w${w}-${seq++}`;
      try {
        const leader = await c.waitForLeader(10_000);
        const r: CommandResult[] = await c.client(leader).propose([adjust(op, `K-${op}`, 'L', 1)], 2000);
        if (r[0]?.code === 'OK') acked.push(op);
      } catch {
        // Not acknowledged: it may or may not have applied. Only acknowledged ones count.
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  };
  const writers = Array.from({ length: 8 }, (_, w) => writer(w));
  await c.waitFor('some acknowledged writes', async () => (acked.length >= 100 ? true : undefined));
  await c.kill(first);
  const before_kill = acked.length;
  const second = await c.waitForLeader();
  t.not(second, first, 'a new leader was elected');
  await c.waitFor('writes acknowledged by the new leader', async () => (acked.length >= before_kill + 100 ? true : undefined));
  writing = false;
  await Promise.all(writers);

  await c.startNode(first);
  await c.waitForLeader();
  const conv = await c.waitConverged();
  t.ok(conv.applied_index > 0, 'all three nodes applied the same index');
  for (const id of ['n1', 'n2', 'n3']) {
    const outcomes = await c.client(id).outcomes(acked);
    const missing = acked.filter((_, i) => outcomes[i]?.code !== 'OK');
    t.same(missing, [], `${id}: every one of ${acked.length} acknowledged writes is present`);
  }
  t.ok(/data dir loaded/.test(c.output(first)), 'the killed leader restarted from its data dir');
});
