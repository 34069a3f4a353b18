// Recovery from a lost majority with real stockd processes (docs/operations.md): a 3-node
// cluster takes acknowledged writes; two nodes are killed for good; the survivor restarted
// with --force-new-cluster leads alone, serves every acknowledged write it had applied,
// takes new ones and records the recovery in the admin history; two fresh nodes join as
// learners and are promoted with stockctl; `stockctl verify` finds equal head hashes on
// all three. Refusals: an empty data dir, a member that still answers, and the flag left
// on after the cluster grew again.

import t from 'tap';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { adjust, StockdCluster } from './cluster-harness.js';
import type { AdminEvent } from '../../src/ledger/types.js';

const STOCKCTL = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/main.js');
const WRITES = 30;

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function stockctl(endpoints: string[], args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [STOCKCTL, '--endpoints', endpoints.join(','), '--deadline-ms', '20000', ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Restarts `id` with its flags plus `extra`; resolves with its exit code when refused. */
async function startRefused(c: StockdCluster, id: string, extra: string[]): Promise<number | null> {
  const n = c.nodes.get(id)!;
  const base = n.args;
  n.args = [...base, ...extra];
  await c.startNode(id, false);
  n.args = base;
  return c.waitExit(id, 30_000);
}

t.test('a survivor forced into a new cluster keeps its acknowledged writes and grows again', async (t) => {
  const c = await StockdCluster.start({ size: 3 });
  t.teardown(() => c.close());
  const leader = await c.waitForLeader();
  const survivor = ['n1', 'n2', 'n3'].find((id) => id !== leader)!;
  const lost = ['n1', 'n2', 'n3'].filter((id) => id !== survivor);

  // Acknowledged writes: each answered OK by the leader.
  const expected = new Map<string, number>();
  for (let i = 0; i < WRITES; i++) {
    const sku = `SKU-${i % 5}`;
    const [r] = await c.propose([adjust(`w-${i}`, sku, 'WH', i + 1)]);
    t.equal(r?.code, 'OK', `write ${i} acknowledged`);
    expected.set(sku, (expected.get(sku) ?? 0) + i + 1);
  }
  const acked_at = (await c.client(leader).status()).applied_index;
  // The survivor had them all: it applied past the last acknowledgement.
  await c.waitFor('the survivor to apply every acknowledged write', async () => ((await c.client(survivor).status()).applied_index >= acked_at ? true : undefined));
  const head_before = (await c.client(survivor).status()).head_hash;

  // With the others alive the flag is refused and changes nothing.
  await c.stop(survivor);
  t.equal(await startRefused(c, survivor, ['--force-new-cluster']), 3, 'refused while members answer');
  t.match(c.output(survivor), new RegExp(`--force-new-cluster on .*: (${lost[0]}|${lost[1]}) at 127\\.0\\.0\\.1:\\d+.*the majority may not be lost`));

  // The majority is lost for good.
  for (const id of lost) await c.kill(id);
  await c.startNode(survivor);
  t.equal((await c.client(survivor).status()).head_hash, head_before, 'the refused start left the data dir as it was');
  await c.stop(survivor);

  await c.startCustom('empty', (n) => ['--initial-cluster', `empty=127.0.0.1:${n.port}`, '--force-new-cluster'], false);
  t.equal(await c.waitExit('empty', 30_000), 3, 'an empty data dir is refused');
  t.match(c.output('empty'), /--force-new-cluster needs a surviving member's data dir, but .* is empty: nothing to recover/);

  const n = c.nodes.get(survivor)!;
  const plain_args = n.args;
  n.args = [...plain_args, '--force-new-cluster'];
  await c.startNode(survivor);
  n.args = plain_args;
  t.match(c.output(survivor), new RegExp(`"removed":\\["${lost[0]}","${lost[1]}"\\].*membership rewritten`), 'the rewrite is logged with the removed members');
  await c.waitFor('the survivor to lead alone', async () => ((await c.client(survivor).status()).leader_id === survivor ? true : undefined));
  const ep = [c.address(survivor)];
  const members = JSON.parse((await stockctl(ep, ['--json', 'members', 'list'])).stdout) as { id: string; role: string }[];
  t.same(members.map((m) => [m.id, m.role]), [[survivor, 'voter']], 'the only member');
  for (const [sku, on_hand] of expected) t.equal((await c.client(survivor).position(sku, 'WH', true))?.on_hand, on_hand, `${sku}: every acknowledged write is there`);
  const [after] = await c.client(survivor).propose([adjust('after-force', 'SKU-0', 'WH', 1000)]);
  t.equal(after?.code, 'OK', 'the one-node cluster takes new writes');
  const [replay] = await c.client(survivor).propose([adjust('w-0', 'SKU-0', 'WH', 1)]);
  t.equal(replay?.replay, true, 'op ids from before the loss are still known');

  const admin = await c.waitFor('the admin event', async () => {
    const r = await stockctl(ep, ['--json', 'admin-events']);
    const events = r.code === 0 ? (JSON.parse(r.stdout) as { events: AdminEvent[] }).events : [];
    return events.find((e) => e.action === 'force_new_cluster');
  });
  t.match(admin, { action: 'force_new_cluster', target: survivor, principal: 'operator (--force-new-cluster)' });
  t.same((JSON.parse(admin.detail) as { removed: string[] }).removed, [...lost].sort(), 'the event names the removed members');

  // Grow again: two fresh nodes join as learners and are promoted.
  for (const id of ['n4', 'n5']) {
    await c.startJoiner(id);
    const add = await stockctl(ep, ['members', 'add-learner', id, c.address(id)]);
    t.equal(add.code, 0, `add-learner ${id} ${add.stderr}`);
    await c.waitFor(`${id} to catch up`, async () => ((await c.client(id).status()).applied_index >= (await c.client(survivor).status()).commit_index ? true : undefined));
    const promote = await stockctl(ep, ['members', 'promote', id]);
    t.equal(promote.code, 0, `promote ${id} ${promote.stderr}`);
  }
  const all = [survivor, 'n4', 'n5'].map((id) => c.address(id));
  const grown = JSON.parse((await stockctl(all, ['--json', 'members', 'list'])).stdout) as { id: string; role: string }[];
  t.same(grown.map((m) => m.role), ['voter', 'voter', 'voter'], 'three voters again');
  const [more] = await c.propose([adjust('after-grow', 'SKU-1', 'WH', 1)]);
  t.equal(more?.code, 'OK');
  await c.waitConverged();
  const verify = await stockctl(all, ['--json', 'verify']);
  t.equal(verify.code, 0, `stockctl verify ${verify.stderr}`);
  const v = JSON.parse(verify.stdout) as { nodes: { ok: boolean }[]; heads: { agreed: boolean; heads: { head_hash: string }[] } };
  t.ok(v.nodes.every((x) => x.ok), 'every hash chain checks on every node');
  t.equal(v.heads.agreed, true, 'head hashes agree');
  t.equal(new Set(v.heads.heads.map((h) => h.head_hash)).size, 1, 'one head hash on all three');

  // The flag left on the command line after growing again is refused.
  await c.stop(survivor);
  t.equal(await startRefused(c, survivor, ['--force-new-cluster']), 3, 'a left-over flag is refused');
  t.match(c.output(survivor), /already forced into a new cluster at log index \d+ .* has members again \(n4, n5\)/);
  await c.startNode(survivor);
  await c.waitConverged();
  const rejoined = JSON.parse((await stockctl(all, ['--json', 'members', 'list'])).stdout) as { id: string; role: string }[];
  t.same(rejoined.map((m) => m.id).sort(), [survivor, 'n4', 'n5'].sort(), 'started without the flag, the survivor is back in its grown cluster');
});
