// Real stockd processes: a follower that needs a snapshot is killed (SIGKILL, through the
// --test-hooks snapshot hook) at each step of receiving and installing it, then started
// again. Every time it must start (consistent data dir), catch up and end with the
// leader's head hash. A receive that fails once is refused and the leader sends again.
// Snapshots travel in 4 KiB chunks here, so each one is a stream of many chunks.

import t, { type Test } from 'tap';
import { adjust, StockdCluster } from './cluster-harness.js';
import type { Command } from '../../src/ledger/types.js';

const SMALL = { snapshot_entries: 40, trailing_entries: 10, extra_args: ['--snapshot-chunk-bytes', '4096'] } as const;

/** `entries` raft entries of `per_entry` adjusts each (one caller at a time). */
async function write(c: StockdCluster, prefix: string, entries: number, per_entry: number): Promise<void> {
  for (let i = 0; i < entries; i++) {
    const cmds: Command[] = [];
    for (let j = 0; j < per_entry; j++) cmds.push(adjust(`${prefix}-${i}-${j}`, `S-${(i * per_entry + j) % 97}`, 'L', 1));
    const r = await c.propose(cmds);
    if (!r.every((x) => x.code === 'OK')) throw new Error(`write ${prefix}-${i} answered ${JSON.stringify(r)}`);
  }
}

/** Brings the follower behind the leader's compaction point while it is down; returns
 * that point. */
async function fallBehind(t: Test, c: StockdCluster, leader: string, follower: string, prefix: string): Promise<number> {
  await c.kill(follower);
  const before = (await c.client(leader).status()).applied_index;
  await write(c, prefix, 70, 20);
  const ls = await c.client(leader).status();
  t.ok(ls.snapshot_index > before, `the leader compacted past what ${follower} holds (${ls.snapshot_index} > ${before})`);
  return ls.snapshot_index;
}

async function expectConverged(t: Test, c: StockdCluster, leader: string, follower: string, what: string): Promise<void> {
  const conv = await c.waitConverged(60_000);
  const ls = await c.client(leader).status();
  const fs = await c.client(follower).status();
  t.equal(fs.head_hash, ls.head_hash, `${what}: head hash equals the leader's`);
  t.equal(conv.head_hash, ls.head_hash, `${what}: every node agrees`);
  t.same(await c.client(follower).position('S-5', 'L'), await c.client(leader).position('S-5', 'L'), `${what}: a position reads the same`);
}

t.test('kill -9 at each step of a snapshot install, then restart: consistent and caught up', async (t) => {
  const c = await StockdCluster.start({ size: 3, ...SMALL });
  t.teardown(() => c.close());
  t.comment(`cluster dir ${c.root}`);
  const leader = await c.waitForLeader();
  const follower = ['n1', 'n2', 'n3'].find((id) => id !== leader)!;
  await write(c, 'base', 10, 20);
  const points = (process.env.SNAPSHOT_CRASH_POINTS ?? 'receive-chunk:5,received,install-before,install-after').split(',');
  for (const [i, point] of points.entries()) {
    const compacted = await fallBehind(t, c, leader, follower, `p${i}`);
    const n = c.nodes.get(follower)!;
    n.env = { STOCKD_TEST_SNAPSHOT_KILL_AT: point };
    await c.startNode(follower, false);
    await c.waitExit(follower, 60_000);
    t.equal(n.proc?.signalCode, 'SIGKILL', `${point}: the follower was killed at the step`);
    t.match(c.output(follower), /test hook: SIGKILL at a snapshot step/, `${point}: by the hook`);
    if (point.startsWith('receive-chunk')) t.match(c.output(follower), /"chunks":[5-9]|"n":5/, `${point}: after five chunks`);
    n.env = {};
    await c.startNode(follower);
    await expectConverged(t, c, leader, follower, point);
    // Only a snapshot takes the follower past the leader's compaction point. (Read from
    // its status: a log line may not reach the file before the next SIGKILL.)
    const fs = await c.client(follower).status();
    t.ok(fs.snapshot_index >= compacted, `${point}: the follower holds a snapshot at ${fs.snapshot_index} >= ${compacted}`);
    t.match(c.output(follower), /deleting snapshot generations an interrupted staging or install left behind/, `${point}: the restart found the interrupted generation and deletes it`);
  }
  await write(c, 'after', 3, 1);
  await expectConverged(t, c, leader, follower, 'after all kills');
});

t.test('a receive that fails is refused, discarded, and the leader sends again', async (t) => {
  const c = await StockdCluster.start({ size: 3, ...SMALL });
  t.teardown(() => c.close());
  const leader = await c.waitForLeader();
  const follower = ['n1', 'n2', 'n3'].find((id) => id !== leader)!;
  await write(c, 'base', 10, 20);
  await fallBehind(t, c, leader, follower, 'f');
  c.nodes.get(follower)!.env = { STOCKD_TEST_SNAPSHOT_FAIL_AT: 'receive-chunk:3' };
  await c.startNode(follower);
  await expectConverged(t, c, leader, follower, 'after the failed receive');
  const out = c.output(follower);
  t.match(out, /refused snapshot stream/, 'the failing stream was refused');
  t.match(out, /snapshot step receive-chunk fails once/, 'for the injected reason');
  t.match(out, /snapshot installed/, 'a later stream was installed');
  t.ok(c.running(follower), 'the follower never stopped');
});
