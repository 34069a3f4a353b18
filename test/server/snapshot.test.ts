// Real stockd processes: catching up by InstallSnapshot. Small snapshot settings make the
// leader compact its log after a few dozen entries.

import t from 'tap';
import { adjust, StockdCluster } from './cluster-harness.js';

const SMALL = { snapshot_entries: 40, trailing_entries: 10 } as const;

async function writeSequential(c: StockdCluster, prefix: string, n: number): Promise<void> {
  // One caller at a time: every command becomes its own raft entry.
  for (let i = 0; i < n; i++) {
    const r = await c.propose([adjust(`${prefix}-${i}`, `S-${i % 7}`, 'L', 2)]);
    if (r[0]?.code !== 'OK') throw new Error(`write ${prefix}-${i} answered ${JSON.stringify(r[0])}`);
  }
}

t.test('a follower wiped while down catches up by InstallSnapshot', async (t) => {
  const c = await StockdCluster.start({ size: 3, ...SMALL });
  t.teardown(() => c.close());
  const leader = await c.waitForLeader();
  const follower = ['n1', 'n2', 'n3'].find((id) => id !== leader)!;
  await writeSequential(c, 'a', 10);
  await c.kill(follower);
  c.wipe(follower);
  await writeSequential(c, 'b', 120);
  const ls = await c.client(leader).status();
  t.ok(ls.snapshot_index > 0, `leader compacted its log (to ${ls.snapshot_index})`);

  await c.startNode(follower);
  const conv = await c.waitConverged();
  t.ok(conv.applied_index >= ls.applied_index, 'the wiped follower caught up');
  t.match(c.output(follower), /snapshot installed/, 'it caught up through a snapshot');
  const p = await c.client(follower).position('S-0', 'L');
  const q = await c.client(leader).position('S-0', 'L');
  t.same(p, q, 'its state equals the leader\'s');
  // It keeps replicating normally after the snapshot.
  await writeSequential(c, 'c', 5);
  await c.waitConverged();
  t.pass('replication continues after the install');
});

t.test('a node added as learner catches up by snapshot and is promoted', async (t) => {
  const c = await StockdCluster.start({ size: 3, ...SMALL });
  t.teardown(() => c.close());
  const leader = await c.waitForLeader();
  await writeSequential(c, 'a', 100);
  t.ok((await c.client(leader).status()).snapshot_index > 0, 'leader compacted its log');

  await c.startJoiner('n4');
  await c.client(leader).admin({ op: 'add_learner', id: 'n4', address: c.address('n4') });
  const conv = await c.waitConverged();
  const s4 = await c.client('n4').status();
  t.equal(s4.applied_index, conv.applied_index, 'the learner applied everything');
  t.match(c.output('n4'), /snapshot installed/, 'the learner caught up through a snapshot');
  t.ok(s4.members.some((m) => m.id === 'n4' && m.role === 'learner'), 'n4 is a learner');

  await c.client(leader).admin({ op: 'promote', id: 'n4' });
  await c.waitFor('n4 to be a voter everywhere', async () => {
    for (const id of ['n1', 'n2', 'n3', 'n4']) {
      const s = await c.client(id).status();
      if (!s.members.some((m) => m.id === 'n4' && m.role === 'voter')) return undefined;
    }
    return true;
  });
  await writeSequential(c, 'b', 5);
  const after = await c.waitConverged();
  t.ok(after.applied_index > conv.applied_index, 'the 4-node cluster keeps committing');
  const p4 = await c.client('n4').position('S-3', 'L');
  t.equal(p4?.on_hand, (await c.client(leader).position('S-3', 'L'))?.on_hand, 'n4 holds the same state');
});
