// stockctl verify's checkers fed known-bad cases (in-process fake nodes, no processes): a
// tampered event, a history shorter than its position, and nodes whose heads differ.

import t from 'tap';
import { fakeCluster } from '../api/fake-node.js';
import { StockraftClient } from '../../src/client/index.js';
import { compareHeads, verifyNode } from '../../src/cli/verify.js';
import type { LedgerEvent } from '../../src/ledger/types.js';

t.test('verifyNode passes a good history and catches tampering', async (t) => {
  const c = await fakeCluster(2);
  const [n1, n2] = c.nodes as [NonNullable<(typeof c.nodes)[0]>, NonNullable<(typeof c.nodes)[0]>];
  const client = new StockraftClient({ endpoints: [n1.address], deadline_ms: 3000 });
  const both = new StockraftClient({ endpoints: [n1.address, n2.address], deadline_ms: 3000 });
  t.teardown(async () => {
    client.close();
    both.close();
    await c.close();
  });
  await client.adjust({ sku: 'v', location: 'w', delta: 10 });
  await client.reserve({ reservation_id: 'vr', lines: [{ sku: 'v', location: 'w', quantity: 2 }], ttl_ms: 60_000 });
  await client.adjust({ sku: 'u', location: 'w', delta: 1 });
  const good = await verifyNode(n1.address, client);
  t.same([good.ok, good.positions, good.events], [true, 2, 3]);

  const heads = await compareHeads(both);
  t.equal(heads.agreed, true, 'same heads agree');

  // A different head on one node is a mismatch.
  const realStatus = n2.status.bind(n2);
  n2.status = () => ({ ...realStatus(), head_hash: 'f'.repeat(64) });
  t.equal((await compareHeads(both)).agreed, false, 'different heads are caught');
  n2.status = realStatus;

  // An altered quantity breaks the chain.
  const i = c.events.findIndex((e) => e.sku === 'v' && e.seq === 2);
  const original = c.events[i] as LedgerEvent;
  c.events[i] = { ...original, on_hand: original.on_hand + 1 };
  const bad = await verifyNode(n1.address, client);
  t.equal(bad.ok, false);
  t.match(bad.reason, /v@w seq 2/);
  c.events[i] = original;

  // A history that stops short of its position is caught too.
  const removed = c.events.splice(i, 1);
  const short = await verifyNode(n1.address, client);
  t.equal(short.ok, false);
  t.match(short.reason, /seq 2|history ends/);
  c.events.splice(i, 0, ...removed);
  t.equal((await verifyNode(n1.address, client)).ok, true, 'restored history verifies again');
});
