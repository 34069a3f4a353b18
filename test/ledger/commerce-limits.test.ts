import t from 'tap';
import { adjust, commit, line, release } from './helpers.js';
import { checkRestore, code, commerceDriver, creserve, ok, skuPolicy } from './commerce-helpers.js';

t.test('customer limit: waiting, pending and committed units count; release gives back; refusal says what remains', (t) => {
  const d = commerceDriver();
  d.entry(10, [adjust('a1', 'S', 'L', 100), adjust('a2', 'S', 'M', 100), skuPolicy('k1', 'S', 3)]);
  const missing = d.one(11, creserve('r0', [line('S', 'L', 1)], { backorder: false }));
  code(t, missing, 'INVALID_ARGUMENT', 'customer_id required on a limited SKU');
  if (missing.code === 'INVALID_ARGUMENT') t.equal(missing.field, 'customer_id');
  ok(t, d.one(12, creserve('r1', [line('S', 'L', 2)], { customer_id: 'alice' })), 'alice 2 of 3');
  const over = d.one(13, creserve('r2', [line('S', 'M', 2)], { customer_id: 'alice' }));
  code(t, over, 'CUSTOMER_LIMIT', 'alice 2 more refused');
  if (over.code === 'CUSTOMER_LIMIT') t.same([over.sku, over.customer_id, over.limit, over.used, over.requested, over.remaining], ['S', 'alice', 3, 2, 2, 1], 'refusal fields');
  ok(t, d.one(13, creserve('r3', [line('S', 'L', 2)], { customer_id: 'bob' })), 'bob has his own allowance');
  ok(t, d.one(14, commit('c1', 'r1', [line('S', 'L', 1)])), 'alice buys 1 of 2');
  ok(t, d.one(15, creserve('r4', [line('S', 'M', 2)], { customer_id: 'alice' })), 'alice: 1 committed + 2 = 3');
  code(t, d.one(16, creserve('r5', [line('S', 'M', 1)], { customer_id: 'alice' })), 'CUSTOMER_LIMIT', 'alice at 3');
  ok(t, d.one(17, release('l1', 'r4')), 'release gives 2 back');
  ok(t, d.one(18, creserve('r6', [line('S', 'M', 2)], { customer_id: 'alice' })), 'alice again 3');
  t.equal(d.one(19, skuPolicy('k1', 'S', 3)).replay, true, 'a policy replays under its id');
  code(t, d.one(19, skuPolicy('k1', 'S', 4)), 'ALREADY_EXISTS_DIFFERENT', 'other content under the same id');
  const bad = d.one(19, skuPolicy('k2', 'S', 3, 500));
  code(t, bad, 'INVALID_ARGUMENT', 'window below 1 s');
  if (bad.code === 'INVALID_ARGUMENT') t.same([bad.field, bad.value], ['customer_window_ms', '500'], 'names field and value');
  checkRestore(t, d);
  t.end();
});

t.test('customer limit window: units older than the window no longer count', (t) => {
  const d = commerceDriver();
  d.entry(10, [adjust('a1', 'S', 'L', 100), skuPolicy('k1', 'S', 2, 10_000)]);
  ok(t, d.one(100, creserve('r1', [line('S', 'L', 2)], { customer_id: 'c' })), '2 at t=100');
  ok(t, d.one(101, commit('c1', 'r1')), 'committed');
  code(t, d.one(5_000, creserve('r2', [line('S', 'L', 1)], { customer_id: 'c' })), 'CUSTOMER_LIMIT', 'within the window');
  ok(t, d.one(10_200, creserve('r3', [line('S', 'L', 2)], { customer_id: 'c' })), 'after the window');
  checkRestore(t, d);
  t.end();
});
