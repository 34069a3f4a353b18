import t from 'tap';
import { adjust, line, release, reserve } from './helpers.js';
import { checkRestore, code, commerceDriver, count, creserve, eventsOf, ok, positionPolicy, receive, transfer } from './commerce-helpers.js';

t.test('transfer: out of available, in transit at the destination, received once with the variance', (t) => {
  const d = commerceDriver();
  ok(t, d.one(10, adjust('a1', 'S', 'A', 10)), 'on_hand 10 at A');
  ok(t, d.one(11, reserve('r1', [line('S', 'A', 4)])), 'hold 4 at A');
  const short = d.one(12, transfer('t0', 'S', 'A', 'B', 7));
  code(t, short, 'INSUFFICIENT_STOCK', 'more than available');
  if (short.code === 'INSUFFICIENT_STOCK') t.same(short.short_lines, [{ sku: 'S', location: 'A', requested: 7, available: 6 }]);
  code(t, d.one(12, transfer('t9', 'S', 'Z', 'B', 1)), 'POSITION_NOT_FOUND', 'no source position');
  const sent = ok(t, d.one(13, transfer('t1', 'S', 'A', 'B', 6)), 'ship 6');
  t.same(sent.positions.map((p) => [p.location, p.on_hand, p.in_transit ?? 0]), [['A', 4, 0], ['B', 0, 6]], 'A lost 6, B has 6 in transit');
  const tin = eventsOf(d, 'S', 'B', 'TRANSFER_IN')[0];
  t.same([tin.delta_in_transit, tin.in_transit, tin.transfer_id], [6, 6, 't1'], 'TRANSFER_IN carries the in-transit change');
  code(t, d.one(14, receive('rc0', 'nope', 1)), 'TRANSFER_NOT_FOUND', 'unknown transfer');
  const over = d.one(14, receive('rc1', 't1', 7));
  code(t, over, 'INVALID_ARGUMENT', 'receive more than shipped');
  if (over.code === 'INVALID_ARGUMENT') t.same([over.field, over.value], ['received', '7'], 'names field and value');
  t.equal(d.ledger.getOutcome('rc1'), null, 'INVALID_ARGUMENT is not recorded');
  const got = ok(t, d.one(15, receive('rc1', 't1', 5)), 'receive 5 of 6');
  t.same(got.positions[0], { sku: 'S', location: 'B', on_hand: 5, reserved: 0, available: 5, seq: 2 }, 'in transit gone, 5 on hand');
  const rcv = eventsOf(d, 'S', 'B', 'RECEIVE')[0];
  t.same([rcv.delta_on_hand, rcv.delta_in_transit, rcv.in_transit, rcv.variance], [5, -6, 0, -1], 'RECEIVE carries variance -1');
  code(t, d.one(16, receive('rc2', 't1', 5)), 'TRANSFER_RECEIVED', 'received twice');
  t.equal(d.one(17, receive('rc1', 't1', 5)).replay, true, 'same op id replays');
  checkRestore(t, d);
  t.end();
});

t.test('transfer arrival fills backorders at the destination; restore keeps in-transit units', (t) => {
  const d = commerceDriver();
  d.entry(10, [adjust('a1', 'S', 'A', 5), positionPolicy('p1', 'S', 'B', 3)]);
  ok(t, d.one(11, creserve('b1', [line('S', 'B', 2)], { backorder: true })), 'backorder 2 at B');
  ok(t, d.one(12, transfer('t1', 'S', 'A', 'B', 4)), 'ship 4 to B');
  const mid = checkRestore(t, d);
  t.equal(mid.getPosition('S', 'B')?.in_transit, 4, 'restored ledger has 4 in transit');
  ok(t, d.one(13, receive('rc1', 't1', 4)), 'receive 4');
  t.equal(d.ledger.getReservation('b1')?.backordered_lines, undefined, 'backorder filled by the receipt');
  t.same(d.ledger.getPosition('S', 'B'), { sku: 'S', location: 'B', on_hand: 4, reserved: 2, available: 2, seq: 5, backorder_limit: 3 });
  checkRestore(t, d);
  t.end();
});

t.test('count: sets on_hand with the variance, refuses below the units held', (t) => {
  const d = commerceDriver();
  d.entry(10, [adjust('a1', 'S', 'L', 10)]);
  ok(t, d.one(11, reserve('r1', [line('S', 'L', 6)])), 'hold 6');
  const below = d.one(12, count('k1', 'S', 'L', 5));
  code(t, below, 'COUNT_BELOW_HELD', 'counted 5 < held 6');
  if (below.code === 'COUNT_BELOW_HELD') t.same([below.sku, below.location, below.counted, below.held], ['S', 'L', 5, 6], 'names the numbers');
  t.equal(d.one(12, count('k1', 'S', 'L', 5)).replay, true, 'the refusal is recorded and replays');
  const r = ok(t, d.one(13, count('k2', 'S', 'L', 8)), 'count 8');
  t.same(r.positions[0], { sku: 'S', location: 'L', on_hand: 8, reserved: 6, available: 2, seq: 3 });
  t.equal(eventsOf(d, 'S', 'L', 'COUNT')[0].variance, -2, 'variance -2');
  ok(t, d.one(14, count('k3', 'S', 'NEW', 3)), 'count creates a position');
  t.equal(eventsOf(d, 'S', 'NEW', 'COUNT')[0].variance, 3, 'variance from 0');
  ok(t, d.one(15, release('l1', 'r1')), 'release');
  checkRestore(t, d);
  t.end();
});
