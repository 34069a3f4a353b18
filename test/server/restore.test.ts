// Real stockd processes: a backup restores into a NEW cluster with the same ledger (same
// head hash, same positions), whose log continues above the restored index; a damaged
// backup is refused. Also: reservations expire through the leader's time-tick entries.

import t from 'tap';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { adjust, StockdCluster } from './cluster-harness.js';

t.test('backup, then --restore bootstraps a new cluster with the same ledger', async (t) => {
  const c = await StockdCluster.start({ size: 1 });
  t.teardown(() => c.close());
  const leader = await c.waitForLeader();
  for (let i = 0; i < 5; i++) await c.propose([adjust(`b-${i}`, `SKU-${i % 2}`, 'WH', 10), adjust(`b2-${i}`, 'SKU-9', 'WH', 1)]);
  const res = await c.propose([{ kind: 'reserve', reservation_id: 'res-1', lines: [{ sku: 'SKU-0', location: 'WH', quantity: 4 }], ttl_ms: 600_000, order_ref: 'o1' }]);
  t.equal(res[0]?.code, 'OK', 'reserved');
  const before = await c.client(leader).status();
  const file = path.join(c.root, 'backup.bin');
  const b = await c.client(leader).admin<{ chunks: number }>({ op: 'backup', file });
  t.ok(b.chunks >= 1, `backup written (${b.chunks} chunks)`);

  await c.startCustom('r1', (n) => ['--initial-cluster', `r1=127.0.0.1:${n.port}`, '--restore', file]);
  const r = c.client('r1');
  await c.waitFor('r1 to lead', async () => ((await r.status()).leader_id === 'r1' ? true : undefined));
  const s = await r.status();
  t.equal(s.head_hash, before.head_hash, 'same head hash');
  t.match(s.cluster_id, /^r-/, 'a new cluster id');
  t.not(s.cluster_id, before.cluster_id);
  t.same(await r.position('SKU-0', 'WH'), await c.client(leader).position('SKU-0', 'WH'), 'same position, reservation included');
  const more = await r.propose([adjust('after-restore', 'SKU-1', 'WH', 1)]);
  t.equal(more[0]?.code, 'OK', 'the restored cluster takes writes');
  t.ok((await r.status()).applied_index > before.applied_index, 'its log continues above the restored index');
  const replay = await r.propose([adjust('b-0', 'SKU-0', 'WH', 10)]);
  t.equal(replay[0]?.replay, true, 'op ids from before the backup are still known (idempotency survives)');

  // A damaged backup is refused.
  const bytes = readFileSync(file);
  bytes[Math.floor(bytes.length / 2)] ^= 0xff;
  const bad = path.join(c.root, 'bad.bin');
  writeFileSync(bad, bytes);
  await c.startCustom('r2', (n) => ['--initial-cluster', `r2=127.0.0.1:${n.port}`, '--restore', bad], false);
  const code = await c.waitExit('r2');
  t.equal(code, 3, 'refused with exit code 3');
  t.match(c.output('r2'), /--restore .*bad\.bin: chunk \d+ at byte \d+: /, 'the message names the restore, the chunk and its offset');
  t.notOk(existsSync(path.join(c.root, 'r2')), 'the data dir was never created');
});

t.test('a reservation expires through the leader\'s time-tick entries', async (t) => {
  const c = await StockdCluster.start({ size: 3 });
  t.teardown(() => c.close());
  await c.waitForLeader();
  await c.propose([adjust('stock', 'E', 'WH', 5)]);
  const r = await c.propose([{ kind: 'reserve', reservation_id: 'short', lines: [{ sku: 'E', location: 'WH', quantity: 2 }], ttl_ms: 1000, order_ref: 'o' }]);
  t.equal(r[0]?.code, 'OK');
  t.equal((await c.client('n1').position('E', 'WH', true))?.reserved, 2, 'reserved');
  // No client writes from here on: only a time tick can expire it.
  await c.waitFor('the reservation to expire on every node', async () => {
    for (const id of ['n1', 'n2', 'n3']) if ((await c.client(id).position('E', 'WH'))?.reserved !== 0) return undefined;
    return true;
  });
  const p = await c.client('n2').position('E', 'WH');
  t.equal(p?.available, 5, 'units are available again everywhere');
});
