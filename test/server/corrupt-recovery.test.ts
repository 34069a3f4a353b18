// The documented recovery of a follower with a corrupt data dir (docs/operations.md "A node
// with a corrupt data dir"), end to end on a real 3-node cluster: bytes of the stopped
// follower's newest LevelDB log change; it refuses to start (exit code 3) with a message
// naming the damage; `stockctl members remove`, a wiped dir started with --join,
// `stockctl members add-learner` and `promote` bring it back; it catches up (from a
// snapshot: the log is compacted meanwhile) and its head hash equals the leader's.

import t from 'tap';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { adjust, StockdCluster } from './cluster-harness.js';

const STOCKCTL = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/main.js');

function stockctl(endpoints: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [STOCKCTL, '--endpoints', endpoints, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Flips one byte in the middle of the newest LevelDB write-ahead log of `dir`. */
function flipNewestLog(dir: string): string {
  const logs = readdirSync(dir).filter((f) => /^\d+\.log$/.test(f)).sort();
  const file = path.join(dir, logs[logs.length - 1]!);
  const b = readFileSync(file);
  if (b.byteLength < 64) throw new Error(`${file} holds only ${b.byteLength} bytes`);
  b[Math.floor(b.byteLength / 2)]! ^= 0xff;
  writeFileSync(file, b);
  return file;
}

t.test('a follower with a corrupt data dir refuses to start, then is wiped and re-added', async (t) => {
  const c = await StockdCluster.start({ size: 3, snapshot_entries: 20, trailing_entries: 5 });
  t.teardown(() => c.close());
  const leader = await c.waitForLeader();
  const follower = ['n1', 'n2', 'n3'].find((id) => id !== leader)!;
  const others = ['n1', 'n2', 'n3'].filter((id) => id !== follower);
  for (let i = 0; i < 40; i++) await c.propose([adjust(`before-${i}`, 'sku-c', 'wh', 1)]);
  await c.waitConverged();

  t.equal(await c.stop(follower), 0, 'the follower stops cleanly');
  const node = c.nodes.get(follower)!;
  const file = flipNewestLog(node.data_dir);
  t.comment(`flipped a byte of ${file}`);
  await c.startNode(follower, false);
  t.equal(await c.waitExit(follower, 30_000), 3, 'it refuses to start: exit code 3 (data dir refused)');
  t.match(c.output(follower), /refusing to start: corrupt data dir .*LevelDB dropped damaged records while opening it \(.*dropping \d+ bytes; Corruption: checksum mismatch.*wipe the data dir and re-add the node/);
  await c.startNode(follower, false);
  t.equal(await c.waitExit(follower, 30_000), 3, 'a second start refuses as well (the finding is kept)');

  // Meanwhile the cluster goes on (2 of 3 voters), and compacts past what the follower had.
  for (let i = 0; i < 30; i++) await c.propose([adjust(`during-${i}`, 'sku-c', 'wh', 1)]);
  const endpoints = others.map((id) => c.address(id)).join(',');
  const removed = await stockctl(endpoints, ['members', 'remove', follower]);
  t.equal(removed.code, 0, `stockctl members remove ${follower}: ${removed.stderr}`);

  c.wipe(follower);
  const cluster_id = await c.clusterId();
  const keep: string[] = [];
  for (let i = 0; i < node.args.length; i++) {
    if (node.args[i] === '--initial-cluster') i++;
    else keep.push(node.args[i]!);
  }
  node.args = [...keep, '--join', '--cluster-id', cluster_id, '--initial-cluster', c.initialCluster(others)];
  await c.startNode(follower);
  const added = await stockctl(endpoints, ['members', 'add-learner', follower, c.address(follower)]);
  t.equal(added.code, 0, `stockctl members add-learner: ${added.stderr}`);
  const leader_now = await c.waitForLeader();
  await c.waitFor(`${follower} to catch up`, async () => {
    const s = await c.client(leader_now).status();
    const m = s.members.find((x) => x.id === follower);
    return m !== undefined && m.lag_entries !== null && m.lag_entries <= 2 ? true : undefined;
  }, 60_000, 200);
  const promoted = await stockctl(endpoints, ['members', 'promote', follower]);
  t.equal(promoted.code, 0, `stockctl members promote: ${promoted.stderr}`);
  await c.propose([adjust('after-0', 'sku-c', 'wh', 1)]);
  const conv = await c.waitConverged(60_000);
  const fs = await c.client(follower).status();
  t.equal(fs.head_hash, conv.head_hash, 'the rebuilt follower has the leader\'s head hash');
  t.ok(fs.snapshot_index > 0, `it was rebuilt from a snapshot (snapshot index ${fs.snapshot_index})`);
  t.equal((await c.client(follower).position('sku-c', 'wh'))?.on_hand, 71, 'every acknowledged write is there');
  t.same(fs.members.map((m) => [m.id, m.role]).sort(), [['n1', 'voter'], ['n2', 'voter'], ['n3', 'voter']]);
});
