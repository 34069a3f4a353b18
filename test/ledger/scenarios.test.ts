import t, { type Test } from 'tap';
import { Ledger } from '../../src/ledger/ledger.js';
import { BALANCE_MAX, QUANTITY_MAX } from '../../src/ledger/limits.js';
import { RESULT_CODES, type CommandResult, type ResultCode } from '../../src/ledger/types.js';
import { Driver, adjust, commit, extend, line, release, reserve } from './helpers.js';

const seen = new Set<ResultCode>();
function expectCode(t: Test, r: CommandResult, code: ResultCode, replay = false): void {
  seen.add(r.code);
  t.equal(r.code, code, `code ${code}`);
  t.equal(r.replay, replay, `replay ${String(replay)}`);
}

function stocked(): Driver {
  const d = new Driver();
  d.entry(1_000, [adjust('a1', 'SKU-1', 'LOC-1', 10), adjust('a2', 'SKU-2', 'LOC-1', 5), adjust('a3', 'SKU-1', 'LOC-2', 3)]);
  return d;
}

t.test('adjust creates a position, receives and shrinks, with history', (t) => {
  const d = new Driver();
  t.equal(d.ledger.getPosition('SKU-1', 'LOC-1'), null);
  const out = d.entry(1_000, [adjust('a1', 'SKU-1', 'LOC-1', 10)]);
  expectCode(t, out.results[0], 'OK');
  t.match(d.ledger.getPosition('SKU-1', 'LOC-1'), { on_hand: 10, reserved: 0, available: 10, seq: 1 });
  t.match(out.events[0], { kind: 'ADJUST', seq: 1, log_index: 1, time_ms: 1_000, op_id: 'a1', reservation_id: '', delta_on_hand: 10, delta_reserved: 0, on_hand: 10, reserved: 0, prev_hash: '' });
  const shrink = d.one(2_000, adjust('a2', 'SKU-1', 'LOC-1', -4));
  expectCode(t, shrink, 'OK');
  t.match(d.ledger.getPosition('SKU-1', 'LOC-1'), { on_hand: 6, available: 6, seq: 2 });
  t.equal(d.ledger.positionCount(), 1);
  t.end();
});

t.test('adjust failures: shortage, missing position, compare-and-set, balance limit', (t) => {
  const d = stocked();
  d.one(1_000, reserve('r1', [line('SKU-1', 'LOC-1', 8)]));
  const short = d.one(1_000, adjust('s1', 'SKU-1', 'LOC-1', -3));
  expectCode(t, short, 'INSUFFICIENT_STOCK');
  t.same(short.code === 'INSUFFICIENT_STOCK' && short.short_lines, [{ sku: 'SKU-1', location: 'LOC-1', requested: 3, available: 2 }]);
  expectCode(t, d.one(1_000, adjust('s2', 'NOPE', 'LOC-1', -1)), 'POSITION_NOT_FOUND');
  const cas = d.one(1_000, adjust('c1', 'SKU-1', 'LOC-1', 1, 9));
  expectCode(t, cas, 'ON_HAND_MISMATCH');
  t.match(cas, { expected_on_hand: 9, on_hand: 10 });
  expectCode(t, d.one(1_000, adjust('c2', 'SKU-1', 'LOC-1', 1, 10)), 'OK');
  expectCode(t, d.one(1_000, adjust('c3', 'NEW', 'LOC-1', 4, 0)), 'OK', false);
  t.match(d.ledger.getPosition('NEW', 'LOC-1'), { on_hand: 4 });
  expectCode(t, d.one(1_000, adjust('c4', 'NEW2', 'LOC-1', 4, 3)), 'ON_HAND_MISMATCH');
  // Push a position to the balance limit with legal deltas, then one more unit.
  const steps = Math.floor(BALANCE_MAX / QUANTITY_MAX);
  const cmds = Array.from({ length: steps }, (_, i) => adjust(`big-${i}`, 'BIG', 'L', QUANTITY_MAX));
  for (let i = 0; i < cmds.length; i += 1000) d.entry(1_000, cmds.slice(i, i + 1000));
  const rest = BALANCE_MAX - steps * QUANTITY_MAX;
  expectCode(t, d.one(1_000, adjust('big-rest', 'BIG', 'L', rest)), 'OK');
  t.equal(d.ledger.getPosition('BIG', 'L')?.on_hand, BALANCE_MAX);
  expectCode(t, d.one(1_000, adjust('big-over', 'BIG', 'L', 1)), 'BALANCE_LIMIT');
  d.ledger.checkInvariants();
  t.end();
});

t.test('reserve is all or none and names every short line', (t) => {
  const d = stocked();
  const r = d.one(2_000, reserve('r1', [line('SKU-1', 'LOC-1', 11), line('SKU-2', 'LOC-1', 5), line('SKU-1', 'LOC-2', 4)]));
  expectCode(t, r, 'INSUFFICIENT_STOCK');
  t.same(r.code === 'INSUFFICIENT_STOCK' && r.short_lines, [
    { sku: 'SKU-1', location: 'LOC-1', requested: 11, available: 10 },
    { sku: 'SKU-1', location: 'LOC-2', requested: 4, available: 3 },
  ]);
  t.match(d.ledger.getPosition('SKU-2', 'LOC-1'), { reserved: 0 }, 'no line was reserved');
  t.equal(d.ledger.getReservation('r1'), null);
  const missing = d.one(2_000, reserve('r2', [line('SKU-1', 'LOC-1', 1), line('GHOST', 'LOC-1', 1)]));
  expectCode(t, missing, 'POSITION_NOT_FOUND');
  t.match(missing, { detail: /GHOST@LOC-1/ });
  const ok = d.one(2_000, reserve('r3', [line('SKU-1', 'LOC-1', 10), line('SKU-2', 'LOC-1', 5)], 30_000, 'order-9'));
  expectCode(t, ok, 'OK');
  t.match(ok, {
    positions: [{ sku: 'SKU-1', reserved: 10, available: 0 }, { sku: 'SKU-2', reserved: 5, available: 0 }],
    reservation: { reservation_id: 'r3', state: 'PENDING', order_ref: 'order-9', created_ms: 2_000, deadline_ms: 32_000, committed_lines: [] },
  });
  t.equal(d.ledger.openReservations(), 1);
  t.equal(d.ledger.nextExpiryMs(), 32_000);
  t.end();
});

t.test('commit sells all or part; the rest returns to available', (t) => {
  const d = stocked();
  d.one(2_000, reserve('r1', [line('SKU-1', 'LOC-1', 4), line('SKU-2', 'LOC-1', 2)]));
  d.one(2_000, reserve('r2', [line('SKU-1', 'LOC-1', 3)]));
  const whole = d.one(3_000, commit('c1', 'r2'));
  expectCode(t, whole, 'OK');
  t.match(whole, { reservation: { state: 'COMMITTED', committed_lines: [{ sku: 'SKU-1', location: 'LOC-1', quantity: 3 }] } });
  t.match(d.ledger.getPosition('SKU-1', 'LOC-1'), { on_hand: 7, reserved: 4, available: 3 });
  const part = d.entry(4_000, [commit('c2', 'r1', [line('SKU-1', 'LOC-1', 1)])]);
  expectCode(t, part.results[0], 'OK');
  t.match(d.ledger.getPosition('SKU-1', 'LOC-1'), { on_hand: 6, reserved: 0, available: 6 });
  t.match(d.ledger.getPosition('SKU-2', 'LOC-1'), { on_hand: 5, reserved: 0, available: 5 });
  t.same(d.ledger.getReservation('r1')?.committed_lines, [{ sku: 'SKU-1', location: 'LOC-1', quantity: 1 }]);
  t.match(part.events, [
    { kind: 'COMMIT', sku: 'SKU-1', delta_on_hand: -1, delta_reserved: -4, op_id: 'c2', reservation_id: 'r1' },
    { kind: 'COMMIT', sku: 'SKU-2', delta_on_hand: 0, delta_reserved: -2 },
  ]);
  // An empty line list means everything, as on the wire.
  d.one(5_000, reserve('r3', [line('SKU-2', 'LOC-1', 2)]));
  expectCode(t, d.one(5_000, commit('c3', 'r3', [])), 'OK');
  t.match(d.ledger.getPosition('SKU-2', 'LOC-1'), { on_hand: 3, reserved: 0 });
  t.equal(d.ledger.openReservations(), 0);
  t.end();
});

t.test('commit refuses lines that are not reserved or exceed the reservation', (t) => {
  const d = stocked();
  d.one(2_000, reserve('r1', [line('SKU-1', 'LOC-1', 4)]));
  const notReserved = d.one(2_000, commit('c1', 'r1', [line('SKU-2', 'LOC-1', 1)]));
  expectCode(t, notReserved, 'LINE_NOT_RESERVED');
  const exceeds = d.one(2_000, commit('c2', 'r1', [line('SKU-1', 'LOC-1', 5)]));
  expectCode(t, exceeds, 'QUANTITY_EXCEEDS_RESERVED');
  t.match(d.ledger.getReservation('r1'), { state: 'PENDING' }, 'still pending');
  t.match(d.ledger.getPosition('SKU-1', 'LOC-1'), { on_hand: 10, reserved: 4 });
  expectCode(t, d.one(2_000, commit('c3', 'nope')), 'RESERVATION_NOT_FOUND');
  t.end();
});

t.test('release returns units; final states answer with their code', (t) => {
  const d = stocked();
  d.one(2_000, reserve('r1', [line('SKU-1', 'LOC-1', 4)]));
  const rel = d.one(3_000, release('x1', 'r1'));
  expectCode(t, rel, 'OK');
  t.match(rel, { reservation: { state: 'RELEASED', committed_lines: [] } });
  t.match(d.ledger.getPosition('SKU-1', 'LOC-1'), { on_hand: 10, reserved: 0 });
  expectCode(t, d.one(3_000, commit('x2', 'r1')), 'RESERVATION_RELEASED');
  expectCode(t, d.one(3_000, extend('x3', 'r1', 5_000)), 'RESERVATION_RELEASED');
  expectCode(t, d.one(3_000, release('x4', 'nope')), 'RESERVATION_NOT_FOUND');
  d.one(3_000, reserve('r2', [line('SKU-1', 'LOC-1', 1)]));
  d.one(3_000, commit('x5', 'r2'));
  expectCode(t, d.one(3_000, release('x6', 'r2')), 'RESERVATION_COMMITTED');
  expectCode(t, d.one(3_000, commit('x7', 'r2')), 'RESERVATION_COMMITTED');
  t.end();
});

t.test('expiry: at the first entry whose time reaches the deadline, before its command, in deadline order', (t) => {
  const d = stocked();
  d.entry(1_000, [reserve('rb', [line('SKU-1', 'LOC-1', 2)], 5_000), reserve('ra', [line('SKU-1', 'LOC-1', 3)], 5_000), reserve('rc', [line('SKU-2', 'LOC-1', 1)], 4_000)]);
  t.equal(d.ledger.nextExpiryMs(), 5_000);
  const early = d.entry(4_999, []);
  t.equal(early.events.length, 0, 'nothing due yet');
  t.equal(d.ledger.openReservations(), 3);
  // The entry's own command comes after the expiries: the commit finds rb expired.
  const due = d.entry(6_000, [commit('c1', 'rb')]);
  expectCode(t, due.results[0], 'RESERVATION_EXPIRED');
  t.same(
    due.events.map((e) => [e.kind, e.reservation_id]),
    [['EXPIRE', 'rc'], ['EXPIRE', 'ra'], ['EXPIRE', 'rb']],
    'deadline order, ties by id',
  );
  t.match(d.ledger.getReservation('ra'), { state: 'EXPIRED' });
  t.match(d.ledger.getPosition('SKU-1', 'LOC-1'), { reserved: 0, on_hand: 10 });
  t.equal(d.ledger.nextExpiryMs(), null);
  expectCode(t, d.one(6_000, release('c2', 'ra')), 'RESERVATION_EXPIRED');
  // A deadline equal to the entry time expires.
  d.one(10_000, reserve('rd', [line('SKU-1', 'LOC-1', 1)], 1_000));
  d.entry(11_000, []);
  t.match(d.ledger.getReservation('rd'), { state: 'EXPIRED' });
  t.end();
});

t.test('extend moves the deadline, never earlier, and the old deadline no longer expires it', (t) => {
  const d = stocked();
  d.one(1_000, reserve('r1', [line('SKU-1', 'LOC-1', 2)], 10_000));
  const ext = d.entry(2_000, [extend('e1', 'r1', 20_000)]);
  expectCode(t, ext.results[0], 'OK');
  t.match(ext.results[0], { reservation: { deadline_ms: 22_000, state: 'PENDING' } });
  t.match(ext.events, [{ kind: 'EXTEND', delta_on_hand: 0, delta_reserved: 0, op_id: 'e1', reservation_id: 'r1' }]);
  const shorter = d.one(3_000, extend('e2', 'r1', 1_000));
  expectCode(t, shorter, 'OK');
  t.match(shorter, { reservation: { deadline_ms: 22_000 } });
  t.equal(d.ledger.nextExpiryMs(), 22_000);
  d.entry(11_000, []);
  t.match(d.ledger.getReservation('r1'), { state: 'PENDING' }, 'old deadline passed, still pending');
  d.entry(22_000, []);
  t.match(d.ledger.getReservation('r1'), { state: 'EXPIRED' });
  expectCode(t, d.one(22_000, extend('e3', 'r1', 5_000)), 'RESERVATION_EXPIRED');
  expectCode(t, d.one(22_000, extend('e4', 'nope', 5_000)), 'RESERVATION_NOT_FOUND');
  t.end();
});

t.test('log time never goes back', (t) => {
  const d = stocked();
  d.one(5_000, reserve('r1', [line('SKU-1', 'LOC-1', 1)], 2_000));
  const back = d.entry(1_000, [reserve('r2', [line('SKU-1', 'LOC-1', 1)], 2_000)]);
  t.equal(d.ledger.lastTimeMs(), 5_000);
  t.match(back.results[0], { reservation: { created_ms: 5_000, deadline_ms: 7_000 } });
  t.equal(back.events[0].time_ms, 5_000);
  t.end();
});

t.test('idempotency: replays return the original result; different content is refused', (t) => {
  const d = stocked();
  const first = d.one(2_000, reserve('r1', [line('SKU-1', 'LOC-1', 4)], 60_000, 'o-1'));
  const again = d.one(3_000, reserve('r1', [line('SKU-1', 'LOC-1', 4)], 60_000, 'o-1'));
  expectCode(t, again, 'OK', true);
  t.same({ ...again, replay: false }, first, 'same result as the first time');
  t.match(d.ledger.getPosition('SKU-1', 'LOC-1'), { reserved: 4 }, 'reserved once');
  expectCode(t, d.one(3_000, reserve('r1', [line('SKU-1', 'LOC-1', 5)], 60_000, 'o-1')), 'ALREADY_EXISTS_DIFFERENT');
  expectCode(t, d.one(3_000, reserve('r1', [line('SKU-1', 'LOC-1', 4)], 60_001, 'o-1')), 'ALREADY_EXISTS_DIFFERENT');
  expectCode(t, d.one(3_000, reserve('r1', [line('SKU-1', 'LOC-1', 4)], 60_000, 'o-2')), 'ALREADY_EXISTS_DIFFERENT');
  expectCode(t, d.one(3_000, adjust('r1', 'SKU-1', 'LOC-1', 1)), 'ALREADY_EXISTS_DIFFERENT', false);
  // Replays of a reserve still answer after the reservation was committed.
  d.one(4_000, commit('c1', 'r1'));
  expectCode(t, d.one(4_000, commit('c1', 'r1')), 'OK', true);
  expectCode(t, d.one(4_000, reserve('r1', [line('SKU-1', 'LOC-1', 4)], 60_000, 'o-1')), 'OK', true);
  expectCode(t, d.one(4_000, commit('c1', 'r1', [line('SKU-1', 'LOC-1', 1)])), 'ALREADY_EXISTS_DIFFERENT');
  // Failures are recorded too: a retry learns the original outcome even after restock.
  expectCode(t, d.one(5_000, adjust('s1', 'SKU-2', 'LOC-1', -50)), 'INSUFFICIENT_STOCK');
  d.one(5_000, adjust('restock', 'SKU-2', 'LOC-1', 100));
  expectCode(t, d.one(5_000, adjust('s1', 'SKU-2', 'LOC-1', -50)), 'INSUFFICIENT_STOCK', true);
  const cas = d.one(5_000, adjust('cas', 'SKU-2', 'LOC-1', 1, 0));
  expectCode(t, d.one(5_000, adjust('cas', 'SKU-2', 'LOC-1', 1, 0)), 'ON_HAND_MISMATCH', true);
  t.same({ ...d.one(5_000, adjust('cas', 'SKU-2', 'LOC-1', 1, 0)), replay: false }, cas);
  // Replays append no events and leave the head alone.
  const head = d.ledger.headHash();
  const out = d.entry(6_000, [commit('c1', 'r1'), adjust('restock', 'SKU-2', 'LOC-1', 100)]);
  t.equal(out.events.length, 0);
  t.equal(d.ledger.headHash(), head);
  t.end();
});

t.test('getOutcome answers recorded results and unknown ids', (t) => {
  const d = stocked();
  t.match(d.ledger.getOutcome('a1'), { code: 'OK', replay: false });
  t.equal(d.ledger.getOutcome('never'), null);
  d.one(2_000, adjust('s1', 'SKU-1', 'LOC-1', -500));
  t.match(d.ledger.getOutcome('s1'), { code: 'INSUFFICIENT_STOCK', replay: false });
  d.one(2_000, adjust('bad', 'SKU-1', 'LOC-1', 0));
  t.equal(d.ledger.getOutcome('bad'), null, 'INVALID_ARGUMENT is not recorded');
  t.end();
});

t.test('outcomes and final reservations are pruned after the retention window, with deletes', (t) => {
  const retention = 60_000;
  const d = Driver.withOptions({ dedup_window_ms: retention / 2 });
  d.one(1_000, adjust('a1', 'SKU-1', 'LOC-1', 10));
  d.one(1_000, reserve('r1', [line('SKU-1', 'LOC-1', 1)], 5_000));
  d.one(2_000, commit('c1', 'r1'));
  d.one(2_000, reserve('r-long', [line('SKU-1', 'LOC-1', 1)], 7 * 24 * 3600 * 1000));
  t.equal(d.ledger.outcomeCount(), 4);
  const before = d.entry(1_000 + retention - 1, []);
  t.equal(before.writes.filter((w) => w.type === 'del').length, 0, 'nothing due a millisecond early');
  const tick = d.entry(2_000 + retention, []);
  t.same(
    tick.writes.filter((w) => w.type === 'del').map((w) => w.key).sort(),
    ['o!a1', 'o!c1', 'o!r1', 'r!r1'],
    'adjust and commit outcomes, the committed reservation and its reserve outcome',
  );
  t.equal(d.ledger.getOutcome('a1'), null);
  t.equal(d.ledger.getReservation('r1'), null);
  expectCode(t, d.one(2_000 + retention, commit('c9', 'r1')), 'RESERVATION_NOT_FOUND');
  t.match(d.ledger.getOutcome('r-long'), { code: 'OK' }, 'a pending reservation keeps its outcome past the window');
  expectCode(t, d.one(3 * retention, reserve('r-long', [line('SKU-1', 'LOC-1', 1)], 7 * 24 * 3600 * 1000)), 'OK', true);
  // A pruned id may be used again.
  expectCode(t, d.one(3 * retention, reserve('r1', [line('SKU-1', 'LOC-1', 2)])), 'OK');
  t.equal(d.store.state.has('o!a1'), false);
  t.same(d.store.stateEntries(), d.ledger.stateEntries(), 'store built from writes equals live state');
  d.ledger.checkInvariants();
  t.end();
});

t.test('an id time the dedup window or more behind log time is refused (test/ledger/exactly-once.test.ts has the rest)', (t) => {
  const d = Driver.withOptions({ dedup_window_ms: 60_000 });
  const r = d.one(100_000, { ...adjust('old', 'SKU-1', 'LOC-1', 5), id_time_ms: 40_000 });
  expectCode(t, r, 'OP_ID_TOO_OLD');
  t.match(r, { id_time_ms: 40_000, log_time_ms: 100_000, window_ms: 60_000 });
  t.equal(d.ledger.getPosition('SKU-1', 'LOC-1'), null, 'nothing applied');
  t.end();
});

t.test('apply refuses entries out of order or with bad time', (t) => {
  const l = new Ledger();
  l.apply(5, { time_ms: 0, commands: [] });
  t.throws(() => l.apply(5, { time_ms: 1, commands: [] }), /log_index must increase/);
  t.throws(() => l.apply(4, { time_ms: 1, commands: [] }), /log_index must increase/);
  t.throws(() => l.apply(6, { time_ms: -1, commands: [] }), /time_ms/);
  t.throws(() => l.apply(6, { time_ms: 1.5, commands: [] }), /time_ms/);
  t.end();
});

t.test('every result code was produced by a scenario above', (t) => {
  seen.add('INVALID_ARGUMENT'); // covered in validate.test.ts
  // The commerce codes (rules version 4) are produced in test/ledger/commerce-*.test.ts.
  const commerce = new Set<string>(['CUSTOMER_LIMIT', 'COUNT_BELOW_HELD', 'RESERVATION_BACKORDERED', 'RESERVATION_WAITING', 'TRANSFER_NOT_FOUND', 'TRANSFER_RECEIVED', 'BACKORDER_LIMIT_BELOW_BACKORDERED']);
  t.same([...RESULT_CODES].filter((c) => !seen.has(c) && !commerce.has(c)), [], 'no result code left untested');
  t.end();
});

t.test('events never carry negative zero', (t) => {
  const d = stocked();
  d.one(2_000, reserve('r1', [line('SKU-1', 'LOC-1', 2)]));
  const out = d.entry(3_000, [release('l1', 'r1')]);
  t.ok(Object.is(out.events[0].delta_on_hand, 0), 'a release changes on_hand by +0');
  t.end();
});
