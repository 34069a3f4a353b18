// stockctl's commerce commands against a real 3-node cluster, including the exact commands
// of the README's drop walkthrough: policies, reserve with --customer / --wait-ms /
// --backorder / --allocate, transfer, receive, count; refusals exit 2 with one line naming
// the numbers; bad arguments exit 64; verify agrees afterwards.

import t, { type Test } from 'tap';
import { StockdCluster } from '../server/cluster-harness.js';
import { main } from '../../src/cli/main.js';

const c = await StockdCluster.start({ size: 3 });
t.teardown(() => c.close());
await c.waitForLeader();
const endpoints = ['n1', 'n2', 'n3'].map((id) => c.address(id)).join(',');

async function ctl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(['--endpoints', endpoints, ...args], { out: (s) => (stdout += s), err: (s) => (stderr += s) });
  return { code, stdout, stderr };
}

async function ok(t: Test, args: string[]): Promise<string> {
  const r = await ctl(args);
  t.equal(r.code, 0, `stockctl ${args.join(' ')} -> 0 ${r.stderr}`);
  return r.stdout;
}

async function raise(t: Test): Promise<void> {
  for (let i = 0; i < 40; i++) {
    if ((await ctl(['cluster-version', 'set', '4'])).code === 0) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  t.fail('cluster version 4 not reached');
}

t.test('the README drop walkthrough commands', async (t) => {
  await raise(t);
  await ok(t, ['policy', 'sku', 'sneaker-drop', '--customer-limit', '2']);
  await ok(t, ['policy', 'position', 'sneaker-drop@web', '--backorder-limit', '0', '--low-stock', '10']);
  await ok(t, ['adjust', 'sneaker-drop@web', '100', '--reason', 'drop stock']);
  t.match(await ok(t, ['reserve', '--line', 'sneaker-drop@web=2', '--customer', 'buyer-1', '--wait-ms', '10m', '--id', 'cart-1']), /reservation cart-1 PENDING, customer buyer-1/);
  const over = await ctl(['reserve', '--line', 'sneaker-drop@web=1', '--customer', 'buyer-1', '--wait-ms', '10m']);
  t.equal(over.code, 2);
  t.match(over.stderr, /CUSTOMER_LIMIT: customer buyer-1 on sneaker-drop: limit 2, used 2, requested 1, remaining 0/);
});

t.test('a wait-list through stockctl', async (t) => {
  await ok(t, ['adjust', 'cli-w@web', '1']);
  await ok(t, ['reserve', '--line', 'cli-w@web=1', '--id', 'cli-w0']);
  t.match(await ok(t, ['reserve', '--line', 'cli-w@web=1', '--wait-ms', '5m', '--id', 'cli-w1']), /reservation cli-w1 WAITING, queue position 1/);
  await ok(t, ['release', 'cli-w0']);
  t.match(await ok(t, ['get', '--reservation', 'cli-w1']), /reservation cli-w1 PENDING/);
  const kinds = JSON.parse(await ok(t, ['--json', 'events', 'cli-w@web'])) as { kind: string }[];
  t.same(kinds.map((e) => e.kind).filter((k) => k === 'WAIT' || k === 'GRANT'), ['WAIT', 'GRANT']);
});

t.test('backorders, allocation, transfer, receive, count', async (t) => {
  await ok(t, ['adjust', 'cli-b@w1', '2']);
  await ok(t, ['policy', 'position', 'cli-b@w1', '--backorder-limit', '3']);
  t.match(await ok(t, ['reserve', '--line', 'cli-b@w1=4', '--backorder', '--id', 'cli-bo']), /backordered cli-b@w1=2/);
  const refused = await ctl(['commit', 'cli-bo']);
  t.equal(refused.code, 2);
  t.match(refused.stderr, /RESERVATION_BACKORDERED/);
  t.match(await ok(t, ['get', 'cli-b@w1']), /BACKORDERED/);

  await ok(t, ['adjust', 'cli-d@x', '2']);
  await ok(t, ['adjust', 'cli-d@y', '5']);
  const alloc = JSON.parse(await ok(t, ['--json', 'reserve', '--allocate', 'cli-d:x,y:4:most'])) as { reservation: { lines: unknown[] } };
  t.same(alloc.reservation.lines, [{ sku: 'cli-d', location: 'y', quantity: 4 }]);

  t.match(await ok(t, ['transfer', 'cli-d@x', 'z', '2', '--op-id', 'cli-t1']), /IN_TRANSIT/);
  await ok(t, ['receive', 'cli-t1', '1']);
  const again = await ctl(['receive', 'cli-t1', '1']);
  t.equal(again.code, 2);
  t.match(again.stderr, /TRANSFER_RECEIVED/);
  const held = await ctl(['count', 'cli-d@y', '3']);
  t.equal(held.code, 2);
  t.match(held.stderr, /COUNT_BELOW_HELD: cli-d@y counted 3, reservations hold 4/);
  await ok(t, ['count', 'cli-d@y', '6']);
  const ev = JSON.parse(await ok(t, ['--json', 'events', 'cli-d@y'])) as { kind: string; variance?: number }[];
  t.equal(ev.find((e) => e.kind === 'COUNT')?.variance, 1);
});

t.test('bad arguments are usage errors, and the chains verify', async (t) => {
  t.equal((await ctl(['reserve', '--allocate', 'cli-d:x,y'])).code, 64);
  t.equal((await ctl(['reserve', '--allocate', 'cli-d:x,y:1:fastest'])).code, 64);
  t.equal((await ctl(['reserve', '--ttl', '1m'])).code, 64, 'neither --line nor --allocate');
  const bad = await ctl(['transfer', 'cli-d@x', 'x', '1']);
  t.equal(bad.code, 1, 'refused at the edge: the call failed');
  t.match(bad.stderr, /to_location/);
  const v = await ctl(['verify']);
  t.equal(v.code, 0, v.stderr);
  t.match(v.stdout, /head hashes agree/);
});
