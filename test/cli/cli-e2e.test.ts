// stockctl end-to-end against one real 3-node cluster: stock operations, reads, watch,
// outcome, verify, backup and verify-backup, membership add/promote/remove and leadership
// transfer, snapshots; tables and --json; exit statuses with one-line reasons.

import t, { type Test } from 'tap';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { StockdCluster } from '../server/cluster-harness.js';
import { main } from '../../src/cli/main.js';

const STOCKCTL = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/main.js');

const c = await StockdCluster.start({ size: 3 });
const tmp = mkdtempSync(path.join(os.tmpdir(), 'stockctl-e2e-'));
t.teardown(async () => {
  await c.close();
  rmSync(tmp, { recursive: true, force: true });
});
await c.waitForLeader();
const endpoints = ['n1', 'n2', 'n3'].map((id) => c.address(id)).join(',');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

// Most commands run in-process through main() (same code path, no process start-up per
// call); spawned() runs the real executable to check exit statuses and stderr end to end.
process.env['STOCKRAFT_ENDPOINTS'] = endpoints;

async function ctl(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const eps = env['STOCKRAFT_ENDPOINTS'];
  const argv = eps === undefined ? args : ['--endpoints', eps, ...args];
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { out: (s) => (stdout += s), err: (s) => (stderr += s) });
  return { code, stdout, stderr };
}

function spawned(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [STOCKCTL, ...args], { env: { ...process.env, STOCKRAFT_ENDPOINTS: endpoints, ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

async function ok(t: Test, args: string[]): Promise<string> {
  const r = await ctl(args);
  t.equal(r.code, 0, `stockctl ${args.join(' ')} -> 0 ${r.stderr}`);
  return r.stdout;
}

t.test('stock operations, reads and exit statuses', async (t) => {
  t.match(await ok(t, ['adjust', 'cli-a@wh1', '100', '--reason', 'receive', '--op-id', 'cli-adj-1']), /OK \[id cli-adj-1\]/);
  t.match(await ok(t, ['adjust', 'cli-b@wh1', '20']), /cli-b\s+wh1\s+20/);
  const res = await ok(t, ['reserve', '--line', 'cli-a@wh1=5', '--line', 'cli-b@wh1=2', '--id', 'cli-r1', '--ttl', '10m', '--order-ref', 'web-1']);
  t.match(res, /reservation cli-r1 PENDING/);
  await ok(t, ['extend', 'cli-r1', '--ttl', '20m']);
  t.match(await ok(t, ['commit', 'cli-r1', '--line', 'cli-a@wh1=3']), /COMMITTED/);
  const got = await ok(t, ['get', 'cli-a@wh1', 'cli-b@wh1']);
  t.match(got, /cli-a\s+wh1\s+97\s+0\s+97/);
  t.match(got, /cli-b\s+wh1\s+20\s+0\s+20/, 'the uncommitted line returned to available');
  const json = JSON.parse(await ok(t, ['--json', 'get', 'cli-a@wh1', '--serializable'])) as { on_hand: number }[];
  t.ok(json[0] !== undefined && json[0].on_hand >= 0);
  t.match(await ok(t, ['get', '--reservation', 'cli-r1']), /cli-r1 COMMITTED/);
  const events = JSON.parse(await ok(t, ['--json', 'events', 'cli-a@wh1', '--all', '--limit', '2'])) as { kind: string }[];
  t.same(
    events.map((e) => e.kind),
    ['ADJUST', 'RESERVE', 'EXTEND', 'COMMIT'],
  );
  t.match(await ok(t, ['outcome', 'cli-adj-1']), /OK \[id cli-adj-1\]/);
  t.match(await ok(t, ['positions']), /cli-a\s+wh1/);
  const watched = (await ok(t, ['--json', 'watch', '--from-index', '1', '--count', '3']))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { kind: string });
  t.equal(watched.length, 3);
  // --from-now shows only what is applied after it starts (its own process: in-process
  // runs share one output and cannot overlap). Write until it has seen something (bounded).
  let liveDone = false;
  const live = spawned(['--json', 'watch', '--from-now', '--count', '1']).then((r) => {
    liveDone = true;
    return r;
  });
  for (let i = 0; i < 80 && !liveDone; i++) {
    await ctl(['adjust', 'cli-live@wh1', '1', '--op-id', `cli-live-${i}`]);
    await new Promise((r) => setTimeout(r, 250));
  }
  const liveOut = await live;
  t.equal(liveOut.code, 0);
  t.match(liveOut.stdout, /"op_id":"cli-live-\d+"/, 'a new event, not history');

  // The real executable: output, exit statuses and one-line reasons.
  const real = await spawned(['get', 'cli-a@wh1']);
  t.equal(real.code, 0);
  t.match(real.stdout, /cli-a\s+wh1\s+97/);
  const realRefusal = await spawned(['release', 'cli-r1']);
  t.equal(realRefusal.code, 2);
  t.match(realRefusal.stderr, /^stockctl: RESERVATION_COMMITTED: .*\n$/);
  const realInvalid = await spawned(['adjust', 'cli a@wh1', '1']);
  t.equal(realInvalid.code, 1);
  t.match(realInvalid.stderr, /^stockctl: INVALID_ARGUMENT: invalid sku: .*"cli a"\n$/);
  t.equal((await spawned(['frobnicate'])).code, 64);

  // Business refusals: exit 2 with a one-line reason.
  const rel = await ctl(['release', 'cli-r1']);
  t.equal(rel.code, 2);
  t.match(rel.stderr, /^stockctl: RESERVATION_COMMITTED: .*\n$/);
  const short = await ctl(['reserve', '--line', 'cli-a@wh1=100000']);
  t.equal(short.code, 2);
  t.match(short.stderr, /INSUFFICIENT_STOCK: cli-a@wh1 requested 100000, available 97/);
  const missing = await ctl(['outcome', 'cli-never']);
  t.equal(missing.code, 2);
  const notFound = await ctl(['get', 'cli-none@wh1']);
  t.equal(notFound.code, 2);
  t.match(notFound.stderr, /POSITION_NOT_FOUND/);
  // Call failures: exit 1; usage: exit 64.
  const bad = await ctl(['adjust', 'cli a@wh1', '1']);
  t.equal(bad.code, 1);
  t.match(bad.stderr, /^stockctl: INVALID_ARGUMENT: invalid sku: .*"cli a"\n$/);
  const zero = await ctl(['adjust', 'cli-a@wh1', '0']);
  t.equal(zero.code, 1);
  t.match(zero.stderr, /delta/);
  t.equal((await ctl(['reserve'])).code, 64, 'missing --line is a usage error');
  t.equal((await ctl(['reserve', '--line', 'nonsense'])).code, 64);
  t.equal((await ctl(['frobnicate'])).code, 64);
  const down = await spawned(['--deadline-ms', '1500', 'get', 'cli-a@wh1'], { STOCKRAFT_ENDPOINTS: '127.0.0.1:1' });
  t.equal(down.code, 1);
  t.equal(down.stderr.trim().split('\n').length, 1, 'one line');
});

t.test('verify, snapshot, backup and verify-backup', async (t) => {
  const v = await ok(t, ['verify']);
  t.match(v, /head hashes agree at applied index \d+/);
  t.match(await ok(t, ['snapshot']), /SNAPSHOT_INDEX/);
  const file = path.join(tmp, 'cli.backup');
  const run = await ctl(['--json', 'backup', '--out', file]);
  t.equal(run.code, 0, `backup -> 0 ${run.stderr}`);
  const summary = JSON.parse(run.stdout) as { head_hash: string; positions: number; cluster_commit_index: number; header: { read_barrier: number; applied_index: number; node_id: string } };
  t.ok(summary.positions >= 2);
  t.equal(summary.header.read_barrier, 1, 'the header says a read barrier was taken');
  t.ok(summary.header.applied_index >= summary.cluster_commit_index, `the copy holds the commit index seen before it (${summary.header.applied_index} >= ${summary.cluster_commit_index})`);
  t.match(run.stderr, /backup: \d+ chunks, \d+ records, \d+ bytes received/, 'progress on stderr');
  t.match(await ok(t, ['backup', '--out', file, '--node', c.address('n3')]), /taken from n3 at applied index \d+, log time .* after a read barrier/);
  t.match(await ok(t, ['verify-backup', file]), new RegExp(summary.head_hash));
  const bytes = readFileSync(file);
  const cut = path.join(tmp, 'cut.backup');
  writeFileSync(cut, bytes.subarray(0, bytes.length - 10));
  const refused = await ctl(['verify-backup', cut]);
  t.equal(refused.code, 3);
  t.match(refused.stderr, /refused: .*truncated/);
});

t.test('membership and leadership from the CLI', async (t) => {
  const joiner = await c.startJoiner('n4');
  const addr = `127.0.0.1:${joiner.port}`;
  t.match(await ok(t, ['members', 'add-learner', 'n4', addr]), /added learner n4/);
  // Promotion may wait for the learner to catch up: retry, bounded.
  let promoted = false;
  for (let i = 0; i < 40 && !promoted; i++) {
    const r = await ctl(['members', 'promote', 'n4']);
    promoted = r.code === 0;
    if (!promoted) await new Promise((r) => setTimeout(r, 250));
  }
  t.ok(promoted, 'n4 promoted');
  const members = JSON.parse(await ok(t, ['--json', 'members', 'list'])) as { id: string; role: string }[];
  t.same(members.map((m) => `${m.id}:${m.role}`).sort(), ['n1:voter', 'n2:voter', 'n3:voter', 'n4:voter']);

  const all4 = `${endpoints},${addr}`;
  const transfer = await ctl(['leader', 'transfer', 'n4'], { STOCKRAFT_ENDPOINTS: all4 });
  t.equal(transfer.code, 0, transfer.stderr);
  const leader = await c.waitFor('n4 to lead', async () => {
    const r = await ctl(['--json', 'status'], { STOCKRAFT_ENDPOINTS: all4 });
    const st = JSON.parse(r.stdout) as { status: { leader_id: string } | null }[];
    return st.every((s) => s.status?.leader_id === 'n4') ? 'n4' : undefined;
  });
  t.equal(leader, 'n4');
  // Hand leadership back before removing n4.
  t.equal((await ctl(['leader', 'transfer', 'n1'], { STOCKRAFT_ENDPOINTS: all4 })).code, 0);
  await c.waitFor('n1 to lead', async () => ((await c.waitForLeader()) === 'n1' ? true : undefined));
  t.match(await ok(t, ['members', 'remove', 'n4']), /removed n4/);
  const after = JSON.parse(await ok(t, ['--json', 'members', 'list'])) as { id: string }[];
  t.same(after.map((m) => m.id).sort(), ['n1', 'n2', 'n3']);
  await c.kill('n4');
  t.match(await ok(t, ['adjust', 'cli-a@wh1', '1']), /OK/, 'the cluster still writes');
  t.match(await ok(t, ['verify']), /agree/);
});
