// Commerce through the SDK against a real 3-node cluster: refused below cluster version 4,
// then policies, per-customer limits (with the numbers), backorders, wait-lists with their
// queue positions, allocation, transfers and counts; bad input refused at the edge with a
// google.rpc BadRequest naming the field; events carry the new kinds and fields.

import t from 'tap';
import * as grpc from '@grpc/grpc-js';
import { StockdCluster } from '../server/cluster-harness.js';
import { StockraftClient, StockraftError, type WriteResult } from '../../src/client/index.js';

const c = await StockdCluster.start({ size: 3 });
const client = new StockraftClient({ endpoints: ['n1', 'n2', 'n3'].map((id) => c.address(id)), deadline_ms: 8_000 });
t.teardown(async () => {
  client.close();
  await c.close();
});
await c.waitForLeader();

async function raiseTo4(): Promise<void> {
  for (let attempt = 1; attempt <= 40; attempt++) {
    try {
      await client.setClusterVersion(4);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error('cluster version 4 not reached');
}

async function edgeRefusal(p: Promise<unknown>): Promise<StockraftError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof StockraftError)) throw new Error(`expected a StockraftError, got ${String(err)}`);
  return err;
}

const ok = (r: WriteResult): WriteResult & { code: 'OK' } => {
  if (r.code !== 'OK') throw new Error(`expected OK, got ${JSON.stringify(r)}`);
  return r as WriteResult & { code: 'OK' };
};

t.test('below cluster version 4 the ledger refuses commerce naming the field', async (t) => {
  const pol = await client.setSkuPolicy({ sku: 'cm-a', customer_limit: 2 });
  t.equal(pol.code, 'INVALID_ARGUMENT');
  if (pol.code === 'INVALID_ARGUMENT') t.equal(pol.field, 'kind');
  const r = await client.reserve({ lines: [{ sku: 'cm-a', location: 'w1', quantity: 1 }], ttl_ms: 60_000, customer_id: 'c1' });
  t.equal(r.code, 'INVALID_ARGUMENT');
  if (r.code === 'INVALID_ARGUMENT') t.equal(r.field, 'customer_id');
});

t.test('bad input is refused at the edge with a BadRequest naming the field', async (t) => {
  const err = await edgeRefusal(client.transfer({ sku: 'cm-a', from_location: 'w1', to_location: 'w1', quantity: 1 }));
  t.equal(err.code, grpc.status.INVALID_ARGUMENT);
  t.same(err.status_details?.field_violations.map((v) => v.field), ['to_location']);
  const w = await edgeRefusal(client.reserve({ lines: [{ sku: 'cm-a', location: 'w1', quantity: 1 }], ttl_ms: 60_000, wait_ms: 10 }));
  t.same(w.status_details?.field_violations.map((v) => v.field), ['wait_ms']);
  t.match(w.status_details?.field_violations[0]?.description, /, got 10$/);
});

t.test('policies, customer limits, backorders, wait-lists, allocation, transfers, counts', async (t) => {
  await raiseTo4();
  // Customer limit: 3 units of cm-a per customer.
  ok(await client.adjust({ sku: 'cm-a', location: 'w1', delta: 10 }));
  ok(await client.setSkuPolicy({ sku: 'cm-a', customer_limit: 3 }));
  ok(await client.setPositionPolicy({ sku: 'cm-a', location: 'w1', backorder_limit: 0, low_stock_threshold: 9 }));
  const noCustomer = await client.reserve({ lines: [{ sku: 'cm-a', location: 'w1', quantity: 1 }], ttl_ms: 60_000 });
  t.equal(noCustomer.code, 'INVALID_ARGUMENT', 'a limited SKU needs a customer');
  if (noCustomer.code === 'INVALID_ARGUMENT') t.equal(noCustomer.field, 'customer_id');
  const r1 = ok(await client.reserve({ reservation_id: 'cm-r1', lines: [{ sku: 'cm-a', location: 'w1', quantity: 2 }], ttl_ms: 60_000, customer_id: 'c1' }));
  t.equal(r1.reservation?.customer_id, 'c1');
  const over = await client.reserve({ lines: [{ sku: 'cm-a', location: 'w1', quantity: 2 }], ttl_ms: 60_000, customer_id: 'c1' });
  t.same(over.code === 'CUSTOMER_LIMIT' ? { limit: over.limit, used: over.used, requested: over.requested, remaining: over.remaining, customer_id: over.customer_id, sku: over.sku } : over, { limit: 3, used: 2, requested: 2, remaining: 1, customer_id: 'c1', sku: 'cm-a' });
  const events = await client.listEvents('cm-a', 'w1');
  t.ok(events.events.some((e) => e.kind === 'LOW_STOCK'), 'available 10 -> 8 crossed the threshold 9: LOW_STOCK');
  t.ok(events.events.some((e) => e.kind === 'POLICY'));

  // Backorders: 2 on hand, limit 2 beyond it.
  ok(await client.adjust({ sku: 'cm-b', location: 'w1', delta: 2 }));
  ok(await client.setPositionPolicy({ sku: 'cm-b', location: 'w1', backorder_limit: 2 }));
  const bo = ok(await client.reserve({ reservation_id: 'cm-bo', lines: [{ sku: 'cm-b', location: 'w1', quantity: 3 }], ttl_ms: 60_000, backorder: true }));
  t.same(bo.positions.map((p) => [p.on_hand, p.reserved, p.backordered]), [[2, 3, 1]]);
  t.same(bo.reservation?.backordered_lines, [{ sku: 'cm-b', location: 'w1', quantity: 1 }]);
  t.equal((await client.commit({ reservation_id: 'cm-bo' })).code, 'RESERVATION_BACKORDERED');
  t.equal((await client.reserve({ lines: [{ sku: 'cm-b', location: 'w1', quantity: 2 }], ttl_ms: 60_000, backorder: true })).code, 'INSUFFICIENT_STOCK', 'room is 1');
  ok(await client.adjust({ sku: 'cm-b', location: 'w1', delta: 1 }));
  t.equal((await client.getReservation('cm-bo'))?.backordered_lines, undefined, 'arriving stock filled the backorder');
  ok(await client.commit({ reservation_id: 'cm-bo' }));

  // Wait-list: one unit, three buyers.
  ok(await client.adjust({ sku: 'cm-c', location: 'w1', delta: 1 }));
  ok(await client.reserve({ reservation_id: 'cm-w0', lines: [{ sku: 'cm-c', location: 'w1', quantity: 1 }], ttl_ms: 60_000 }));
  const w1 = ok(await client.reserve({ reservation_id: 'cm-w1', lines: [{ sku: 'cm-c', location: 'w1', quantity: 1 }], ttl_ms: 60_000, wait_ms: 60_000 }));
  const w2 = ok(await client.reserve({ reservation_id: 'cm-w2', lines: [{ sku: 'cm-c', location: 'w1', quantity: 1 }], ttl_ms: 60_000, wait_ms: 60_000 }));
  t.same([w1.reservation?.state, w1.reservation?.queue_position, w2.reservation?.queue_position], ['WAITING', 1, 2]);
  t.equal((await client.commit({ reservation_id: 'cm-w1' })).code, 'RESERVATION_WAITING');
  ok(await client.release({ reservation_id: 'cm-w0' }));
  t.equal((await client.getReservation('cm-w1'))?.state, 'PENDING', 'the head was granted');
  const after = await client.getReservation('cm-w2');
  t.same([after?.state, after?.queue_position], ['WAITING', 1]);
  const cEvents = (await client.listEvents('cm-c', 'w1')).events.map((e) => e.kind);
  t.same(cEvents.filter((k) => k === 'WAIT' || k === 'GRANT'), ['WAIT', 'WAIT', 'GRANT']);

  // Allocation: x has 2, y has 5.
  ok(await client.adjust({ sku: 'cm-d', location: 'x', delta: 2 }));
  ok(await client.adjust({ sku: 'cm-d', location: 'y', delta: 5 }));
  const most = ok(await client.reserve({ lines: [], allocations: [{ sku: 'cm-d', locations: ['x', 'y'], quantity: 4, strategy: 'MOST_AVAILABLE', split: false }], ttl_ms: 60_000 }));
  t.same(most.reservation?.lines, [{ sku: 'cm-d', location: 'y', quantity: 4 }]);
  const split = ok(await client.reserve({ lines: [], allocations: [{ sku: 'cm-d', locations: ['x', 'y'], quantity: 3, strategy: 'PRIORITY', split: true }], ttl_ms: 60_000 }));
  t.same(split.reservation?.lines, [{ sku: 'cm-d', location: 'x', quantity: 2 }, { sku: 'cm-d', location: 'y', quantity: 1 }]);
  const short = await client.reserve({ lines: [], allocations: [{ sku: 'cm-d', locations: ['x', 'y'], quantity: 1, strategy: 'PRIORITY', split: false }], ttl_ms: 60_000 });
  t.same(short.code === 'INSUFFICIENT_STOCK' ? short.short_lines : short, [{ sku: 'cm-d', location: '', requested: 1, available: 0 }]);

  // Transfer 3 from cm-a@w1 (8 available) to w2; receive 2 (variance -1).
  const tr = ok(await client.transfer({ op_id: 'cm-t1', sku: 'cm-a', from_location: 'w1', to_location: 'w2', quantity: 3 }));
  t.same(tr.positions.map((p) => [p.location, p.on_hand, p.in_transit ?? 0]).sort(), [['w1', 7, 0], ['w2', 0, 3]]);
  const rc = ok(await client.receiveTransfer({ transfer_id: 'cm-t1', received: 2 }));
  t.same(rc.positions.map((p) => [p.location, p.on_hand, p.in_transit ?? 0]), [['w2', 2, 0]]);
  t.equal((await client.receiveTransfer({ transfer_id: 'cm-t1', received: 2 })).code, 'TRANSFER_RECEIVED');
  t.equal((await client.receiveTransfer({ transfer_id: 'cm-none', received: 1 })).code, 'TRANSFER_NOT_FOUND');
  const recv = (await client.listEvents('cm-a', 'w2')).events.find((e) => e.kind === 'RECEIVE');
  t.equal(recv?.variance, -1);
  t.equal(recv?.transfer_id, 'cm-t1');

  // Count cm-a@w1: 7 on hand, 2 held by cm-r1.
  const low = await client.count({ sku: 'cm-a', location: 'w1', counted: 1 });
  t.same(low.code === 'COUNT_BELOW_HELD' ? [low.counted, low.held] : low, [1, 2]);
  ok(await client.count({ op_id: 'cm-k1', sku: 'cm-a', location: 'w1', counted: 6 }));
  const count = (await client.listEvents('cm-a', 'w1', { limit: 1000 })).events.find((e) => e.kind === 'COUNT');
  t.same([count?.variance, count?.on_hand], [-1, 6]);
});

t.test('Watch carries the commerce events, LOW_STOCK included', async (t) => {
  const kinds = new Set<string>();
  let n = 0;
  for await (const item of client.watch({ from_index: 1 })) {
    kinds.add(item.event.kind);
    if (kinds.has('LOW_STOCK') && kinds.has('GRANT') && kinds.has('RECEIVE')) break;
    if (++n >= 10_000) break;
  }
  t.ok(kinds.has('LOW_STOCK') && kinds.has('GRANT') && kinds.has('RECEIVE'), [...kinds].join(','));
});

t.test('a transfer id used again with other content is refused', async (t) => {
  const again = await client.transfer({ op_id: 'cm-t1', sku: 'cm-a', from_location: 'w1', to_location: 'w2', quantity: 1 });
  t.equal(again.code, 'ALREADY_EXISTS_DIFFERENT');
  const same = await client.transfer({ op_id: 'cm-t1', sku: 'cm-a', from_location: 'w1', to_location: 'w2', quantity: 3 });
  t.equal(same.replay, true);
});

t.test('a Submit carries the new ops and replays by id', async (t) => {
  const ops = [
    { kind: 'set_position_policy' as const, op_id: 'cm-s1', sku: 'cm-e', location: 'w1', backorder_limit: 1 },
    { kind: 'count' as const, op_id: 'cm-s2', sku: 'cm-e', location: 'w1', counted: 4 },
  ];
  const first = await client.submit(ops);
  t.same(first.map((r) => r.code), ['OK', 'OK']);
  const again = await client.submit(ops);
  t.same(again.map((r) => r.replay), [true, true]);
  t.same((await client.getPosition('cm-e', 'w1'))?.on_hand, 4);
});
