import t from 'tap';
import { Ledger } from '../../src/ledger/ledger.js';
import { adjust, commit, line, release, reserve } from './helpers.js';
import { checkRestore, code, commerceDriver, count, creserve, eventsOf, ok, positionPolicy, skuPolicy, transfer } from './commerce-helpers.js';
import { Driver } from './helpers.js';

t.test('position policy: creates the position, records a POLICY event, refuses a limit below backordered', (t) => {
  const d = commerceDriver();
  const r = ok(t, d.one(10, positionPolicy('p1', 'S', 'L', 5, 3)), 'policy on a new position');
  t.same(r.positions[0], { sku: 'S', location: 'L', on_hand: 0, reserved: 0, available: 0, seq: 1, backorder_limit: 5, low_stock_threshold: 3 });
  t.equal(eventsOf(d, 'S', 'L', 'POLICY').length, 1, 'one POLICY event');
  ok(t, d.one(11, creserve('r1', [line('S', 'L', 4)], { backorder: true })), 'backorder 4 of limit 5');
  const low = d.one(12, positionPolicy('p2', 'S', 'L', 3));
  code(t, low, 'BACKORDER_LIMIT_BELOW_BACKORDERED', 'limit 3 below 4 backordered');
  if (low.code === 'BACKORDER_LIMIT_BELOW_BACKORDERED') t.match(low.detail, /4 backordered/, 'detail names the backordered units');
  ok(t, d.one(13, positionPolicy('p3', 'S', 'L', 4)), 'limit 4 equal to backordered');
  t.same(d.one(14, positionPolicy('p1', 'S', 'L', 5, 3)).replay, true, 'same id and content replays');
  code(t, d.one(15, positionPolicy('p1', 'S', 'L', 6, 3)), 'ALREADY_EXISTS_DIFFERENT', 'same id, other content');
  checkRestore(t, d);
  t.end();
});

t.test('backorders: beyond on_hand within the room, filled in arrival order, commit refused while unfilled', (t) => {
  const d = commerceDriver();
  ok(t, d.one(10, adjust('a1', 'S', 'L', 2)), 'on_hand 2');
  ok(t, d.one(11, positionPolicy('p1', 'S', 'L', 5)), 'backorder limit 5');
  const s = d.one(12, reserve('plain', [line('S', 'L', 3)]));
  code(t, s, 'INSUFFICIENT_STOCK', 'a reserve without backorder stays within available');
  const r1 = ok(t, d.one(13, creserve('b1', [line('S', 'L', 4)], { backorder: true })), 'b1: 2 held + 2 backordered');
  t.same(r1.reservation?.backordered_lines, [line('S', 'L', 2)], 'b1 has 2 unfilled');
  t.same(r1.positions[0], { sku: 'S', location: 'L', on_hand: 2, reserved: 4, available: 0, seq: 3, backordered: 2, backorder_limit: 5 });
  ok(t, d.one(14, creserve('b2', [line('S', 'L', 3)], { backorder: true })), 'b2: 3 backordered (room 3)');
  const over = d.one(15, creserve('b3', [line('S', 'L', 1)], { backorder: true }));
  code(t, over, 'INSUFFICIENT_STOCK', 'no room left');
  if (over.code === 'INSUFFICIENT_STOCK') t.same(over.short_lines, [{ sku: 'S', location: 'L', requested: 1, available: 0 }], 'short names available + room');
  const c1 = d.one(16, commit('c1', 'b1'));
  code(t, c1, 'RESERVATION_BACKORDERED', 'commit of an unfilled reservation');
  if (c1.code === 'RESERVATION_BACKORDERED') t.match(c1.detail, /2 unfilled units of S@L/);
  // 3 units arrive: b1's 2 fill first (arrival order), then 1 of b2's 3.
  ok(t, d.one(17, adjust('a2', 'S', 'L', 3)), 'receive 3');
  const fills = eventsOf(d, 'S', 'L', 'BACKORDER_FILL');
  t.same(fills.map((e) => [e.reservation_id, e.backordered]), [['b1', 0], ['b2', 2]], 'fills in arrival order with the units left');
  t.equal(d.ledger.getReservation('b1')?.backordered_lines, undefined, 'b1 filled');
  t.same(d.ledger.getReservation('b2')?.backordered_lines, [line('S', 'L', 2)], 'b2 has 2 unfilled');
  ok(t, d.one(18, commit('c2', 'b1')), 'b1 commits once filled');
  t.same(d.ledger.getPosition('S', 'L'), { sku: 'S', location: 'L', on_hand: 1, reserved: 3, available: 0, seq: 8, backordered: 2, backorder_limit: 5 });
  // Releasing b2 drops its unfilled units.
  ok(t, d.one(19, release('l1', 'b2')), 'release b2');
  t.same(d.ledger.getPosition('S', 'L'), { sku: 'S', location: 'L', on_hand: 1, reserved: 0, available: 1, seq: 9, backorder_limit: 5 });
  checkRestore(t, d);
  t.end();
});

t.test('backorders: a release of another reservation fills the oldest backorder', (t) => {
  const d = commerceDriver();
  d.entry(10, [adjust('a1', 'S', 'L', 2), positionPolicy('p1', 'S', 'L', 10)]);
  ok(t, d.one(11, reserve('plain', [line('S', 'L', 2)])), 'plain holds both units');
  ok(t, d.one(12, creserve('b1', [line('S', 'L', 1)], { backorder: true })), 'b1 backorders 1');
  const mid = checkRestore(t, d);
  t.same(mid.getReservation('b1')?.backordered_lines, [line('S', 'L', 1)], 'restored ledger knows the unfilled line');
  ok(t, d.one(13, release('l1', 'plain')), 'release frees 2');
  t.equal(d.ledger.getReservation('b1')?.backordered_lines, undefined, 'b1 filled by the release');
  t.equal(d.ledger.getPosition('S', 'L')?.available, 1, 'one unit left available');
  checkRestore(t, d);
  t.end();
});

t.test('low stock: one LOW_STOCK event when available crosses below the threshold, not while it stays below', (t) => {
  const d = commerceDriver();
  d.entry(10, [adjust('a1', 'S', 'L', 10), positionPolicy('p1', 'S', 'L', 0, 5)]);
  ok(t, d.one(11, reserve('r1', [line('S', 'L', 5)])), 'available 10 -> 5');
  t.equal(eventsOf(d, 'S', 'L', 'LOW_STOCK').length, 0, 'still at the threshold');
  ok(t, d.one(12, reserve('r2', [line('S', 'L', 1)])), 'available 5 -> 4');
  const low = eventsOf(d, 'S', 'L', 'LOW_STOCK');
  t.equal(low.length, 1, 'crossing emits LOW_STOCK');
  t.same([low[0].delta_on_hand, low[0].delta_reserved, low[0].op_id], [0, 0, 'r2'], 'no quantity change, names the cause');
  ok(t, d.one(13, reserve('r3', [line('S', 'L', 1)])), 'available 4 -> 3');
  t.equal(eventsOf(d, 'S', 'L', 'LOW_STOCK').length, 1, 'no second event below');
  ok(t, d.one(14, release('l1', 'r1')), 'back above');
  ok(t, d.one(15, count('k1', 'S', 'L', 3)), 'count down below again');
  t.equal(eventsOf(d, 'S', 'L', 'LOW_STOCK').length, 2, 'a new crossing emits again');
  checkRestore(t, d);
  t.end();
});

t.test('rules versions 1..3 refuse every commerce command and reserve field, naming it', (t) => {
  for (const v of [1, 2, 3]) {
    const d = new Driver(new Ledger());
    if (v > 1) {
      d.one(1, { kind: 'admin', op_id: 'cv', action: 'cluster_version', principal: 'ops', target: String(v), detail: '' });
      d.rules_version = v;
    }
    d.one(2, adjust('a1', 'S', 'L', 5));
    const cases: [string, ReturnType<typeof positionPolicy>, string][] = [
      ['position policy', positionPolicy('p1', 'S', 'L', 1), 'kind'],
      ['sku policy', skuPolicy('p2', 'S', 1), 'kind'],
      ['transfer', transfer('t1', 'S', 'L', 'M', 1), 'kind'],
      ['receive', { kind: 'receive_transfer', op_id: 'rc', transfer_id: 't1', received: 1 }, 'kind'],
      ['count', count('k1', 'S', 'L', 1), 'kind'],
      ['backorder', creserve('r1', [line('S', 'L', 1)], { backorder: true }), 'backorder'],
      ['customer', creserve('r2', [line('S', 'L', 1)], { customer_id: 'c' }), 'customer_id'],
      ['wait', creserve('r3', [line('S', 'L', 1)], { wait_ms: 5_000 }), 'wait_ms'],
      ['allocations', creserve('r4', [], { allocations: [{ sku: 'S', locations: ['L'], quantity: 1, strategy: 'PRIORITY', split: false }] }), 'allocations'],
    ];
    for (const [what, cmd, field] of cases) {
      const r = d.one(3, cmd);
      t.equal(r.code, 'INVALID_ARGUMENT', `v${v} ${what}: refused`);
      if (r.code === 'INVALID_ARGUMENT') {
        t.equal(r.field, field, `v${v} ${what}: names ${field}`);
        t.match(r.limit, /rules version 4/, `v${v} ${what}: says which version`);
      }
    }
    t.same(d.ledger.getPosition('S', 'L'), { sku: 'S', location: 'L', on_hand: 5, reserved: 0, available: 5, seq: 1 }, `v${v}: nothing changed`);
    t.equal(d.ledger.getOutcome('p1'), null, `v${v}: nothing recorded`);
  }
  t.end();
});

t.test('the history verifier refuses reserved above on_hand on a position that never backordered', async (t) => {
  const { verifyHistory } = await import('../../src/ledger/history.js');
  const { eventHash } = await import('../../src/ledger/history.js');
  const d = commerceDriver();
  d.entry(10, [adjust('a1', 'S', 'L', 2)]);
  const [e1] = eventsOf(d, 'S', 'L');
  const fields = { ...e1, seq: 2, prev_hash: e1.hash, kind: 'RESERVE' as const, delta_on_hand: 0, delta_reserved: 3, reserved: 3 };
  const forged = { ...fields, hash: eventHash(fields) };
  const v = verifyHistory([e1, forged]);
  t.equal(v.ok, false, 'refused');
  if (!v.ok) t.match(v.reason, /reserved may pass on_hand only after a POLICY or backorder event/);
  t.end();
});
