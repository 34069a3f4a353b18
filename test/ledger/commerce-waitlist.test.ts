import t from 'tap';
import { adjust, commit, extend, line, release, reserve } from './helpers.js';
import { checkRestore, code, commerceDriver, count, creserve, eventsOf, ok, receive, skuPolicy, transfer } from './commerce-helpers.js';

t.test('wait-list: strict FIFO, grants on release, expiry, adjust, receive and count; queue positions', (t) => {
  const d = commerceDriver();
  d.entry(10, [adjust('a1', 'S', 'L', 2), adjust('a2', 'S', 'X', 10)]);
  ok(t, d.one(11, reserve('r0', [line('S', 'L', 2)], 5_000)), 'all stock held, expires at 5011');
  const w1 = ok(t, d.one(12, creserve('w1', [line('S', 'L', 2)], { wait_ms: 60_000, ttl_ms: 10_000 })), 'w1 waits');
  t.same([w1.reservation?.state, w1.reservation?.queue_position, w1.reservation?.wait_deadline_ms], ['WAITING', 1, 60_012]);
  ok(t, d.one(13, creserve('w2', [line('S', 'L', 1)], { wait_ms: 60_000 })), 'w2 waits');
  ok(t, d.one(14, creserve('w3', [line('S', 'L', 1)], { wait_ms: 1_000 })), 'w3 waits briefly');
  t.equal(d.ledger.getReservation('w3')?.queue_position, 3, 'w3 third');
  code(t, d.one(15, reserve('late', [line('S', 'L', 1)])), 'INSUFFICIENT_STOCK', 'a plain reserve does not pass the queue');
  code(t, d.one(15, commit('cw', 'w1')), 'RESERVATION_WAITING', 'commit of a waiting one');
  code(t, d.one(15, extend('ew', 'w1', 5_000)), 'RESERVATION_WAITING', 'extend of a waiting one');
  // w3's wait ends at 1014: expired with the other expiries.
  d.entry(2_000, []);
  t.equal(d.ledger.getReservation('w3')?.state, 'EXPIRED', 'w3 gave up');
  t.equal(eventsOf(d, 'S', 'L', 'WAIT_EXPIRE').length, 1, 'WAIT_EXPIRE event');
  ok(t, d.one(2_001, adjust('a3', 'S', 'L', 1)), '1 unit arrives');
  t.equal(d.ledger.getReservation('w2')?.state, 'WAITING', 'w2 (1 unit) is not granted ahead of w1 (2 units)');
  // r0 expires at 5011: 3 available, w1 then w2 granted.
  d.entry(6_000, []);
  const g1 = d.ledger.getReservation('w1');
  t.same([g1?.state, g1?.deadline_ms], ['PENDING', 16_000], 'w1 granted, ttl from the grant');
  t.equal(d.ledger.getReservation('w2')?.state, 'PENDING', 'w2 granted');
  t.same(eventsOf(d, 'S', 'L', 'GRANT').map((e) => e.reservation_id), ['w1', 'w2'], 'grants in arrival order');
  ok(t, d.one(6_001, commit('c1', 'w1')), 'a granted reservation commits');
  // More waiters, granted by a receive and by a count.
  ok(t, d.one(6_002, creserve('w4', [line('S', 'L', 3)], { wait_ms: 60_000 })), 'w4 waits');
  ok(t, d.one(6_003, creserve('w5', [line('S', 'L', 1)], { wait_ms: 60_000 })), 'w5 waits');
  ok(t, d.one(6_004, transfer('t1', 'S', 'X', 'L', 3)), 'ship 3');
  ok(t, d.one(6_005, receive('rc1', 't1', 3)), 'receive 3');
  t.equal(d.ledger.getReservation('w4')?.state, 'PENDING', 'granted by the receive');
  ok(t, d.one(6_006, count('k1', 'S', 'L', 6)), 'count up by 1');
  t.equal(d.ledger.getReservation('w5')?.state, 'PENDING', 'granted by the count');
  // Release of a waiting one leaves the queue.
  ok(t, d.one(6_007, creserve('w6', [line('S', 'L', 5)], { wait_ms: 60_000 })), 'w6 waits');
  ok(t, d.one(6_008, creserve('w7', [line('S', 'L', 5)], { wait_ms: 60_000 })), 'w7 waits');
  const rel = ok(t, d.one(6_009, release('l6', 'w6')), 'release w6 while waiting');
  t.equal(rel.reservation?.state, 'RELEASED');
  t.equal(d.ledger.getReservation('w7')?.queue_position, 1, 'w7 moves up');
  const mid = checkRestore(t, d);
  t.equal(mid.getReservation('w7')?.queue_position, 1, 'restored ledger keeps the queue');
  t.equal(d.one(6_010, creserve('w7', [line('S', 'L', 5)], { wait_ms: 60_000 })).replay, true, 'a waiting reserve replays');
  code(t, d.one(6_010, creserve('w7', [line('S', 'L', 5)], { wait_ms: 50_000 })), 'ALREADY_EXISTS_DIFFERENT', 'other wait_ms is other content');
  checkRestore(t, d);
  t.end();
});

t.test('wait-list: waiting units count against the customer limit; a waiting reserve has one line only', (t) => {
  const d = commerceDriver();
  d.entry(10, [adjust('a1', 'S', 'L', 1), skuPolicy('k1', 'S', 2)]);
  ok(t, d.one(11, creserve('r1', [line('S', 'L', 1)], { customer_id: 'c' })), 'take the only unit');
  ok(t, d.one(12, creserve('w1', [line('S', 'L', 1)], { customer_id: 'c', wait_ms: 10_000 })), 'wait for one more');
  code(t, d.one(13, creserve('w2', [line('S', 'L', 1)], { customer_id: 'c', wait_ms: 10_000 })), 'CUSTOMER_LIMIT', 'waiting units count');
  const two = d.one(14, creserve('w3', [line('S', 'L', 1), line('S', 'M', 1)], { customer_id: 'd', wait_ms: 10_000 }));
  code(t, two, 'INVALID_ARGUMENT', 'two lines');
  if (two.code === 'INVALID_ARGUMENT') t.equal(two.field, 'lines');
  const bo = d.one(14, creserve('w4', [line('S', 'L', 1)], { customer_id: 'd', wait_ms: 10_000, backorder: true }));
  if (bo.code === 'INVALID_ARGUMENT') t.equal(bo.field, 'backorder', 'backorder with wait names backorder');
  else t.fail('backorder with wait must be refused');
  d.entry(20_000, []);
  t.equal(d.ledger.getReservation('w1')?.state, 'EXPIRED', 'wait ended');
  ok(t, d.one(20_001, creserve('w5', [line('S', 'L', 1)], { customer_id: 'c', wait_ms: 10_000 })), 'expiry gave the unit back to the allowance');
  checkRestore(t, d);
  t.end();
});

t.test('wait expiries share the per-entry expiry bound, in (deadline, id) order', (t) => {
  const d = commerceDriver({ expiries_per_entry_max: 2 });
  d.entry(10, [adjust('a1', 'S', 'L', 1)]);
  ok(t, d.one(11, reserve('r0', [line('S', 'L', 1)], 100_000)), 'hold the unit');
  d.entry(12, ['w3', 'w1', 'w2'].map((id) => creserve(id, [line('S', 'L', 1)], { wait_ms: 1_000 })));
  t.equal(d.ledger.nextExpiryMs(), 1_012, 'the leader is asked for a tick at the wait deadline');
  d.entry(2_000, []);
  t.same(['w1', 'w2', 'w3'].map((id) => d.ledger.getReservation(id)?.state), ['EXPIRED', 'EXPIRED', 'WAITING'], 'two expire, in id order');
  d.entry(2_001, []);
  t.equal(d.ledger.getReservation('w3')?.state, 'EXPIRED', 'the third in the next entry');
  checkRestore(t, d);
  t.end();
});

t.test('a full wait-list refuses the next waiter INSUFFICIENT_STOCK, as without wait_ms', (t) => {
  const d = commerceDriver({ wait_queue_max: 2 });
  d.entry(10, [adjust('a1', 'S', 'L', 1), reserve('r0', [line('S', 'L', 1)], 100_000)]);
  d.entry(11, ['w1', 'w2'].map((id) => creserve(id, [line('S', 'L', 1)], { wait_ms: 50_000 })));
  const full = d.one(12, creserve('w3', [line('S', 'L', 1)], { wait_ms: 50_000 }));
  code(t, full, 'INSUFFICIENT_STOCK', 'third waiter refused');
  if (full.code === 'INSUFFICIENT_STOCK') t.same(full.short_lines, [{ sku: 'S', location: 'L', requested: 1, available: 0 }]);
  ok(t, d.one(13, release('l1', 'w1')), 'one leaves');
  ok(t, d.one(14, creserve('w4', [line('S', 'L', 1)], { wait_ms: 50_000 })), 'room again');
  t.equal(d.ledger.getReservation('w4')?.queue_position, 2, 'behind w2');
  t.throws(() => commerceDriver({ wait_queue_max: 0 }), /wait_queue_max must be an integer/);
  checkRestore(t, d);
  t.end();
});
