// Reservations live in their reserve outcome's slot (reservation-store.ts). An open
// reservation may outlast the dedup window many times over (TTL up to 7 days, window down
// to 1 s): its outcome must stay while it is open, and both leave memory together once it
// is final and past the retention.

import t from 'tap';
import { Ledger } from '../../src/ledger/ledger.js';
import { OutcomeTable } from '../../src/ledger/outcome-store.js';
import { PositionTable } from '../../src/ledger/position-table.js';
import { ReservationStore } from '../../src/ledger/reservation-store.js';
import { outcomeKey, reservationKey } from '../../src/ledger/keys.js';
import type { ReservationRecord } from '../../src/ledger/records.js';
import { Driver, adjust, commit, extend, line, reserve } from './helpers.js';

const W = 1_000; // the smallest dedup window: retention is 2 s of log time
const HOUR_MS = 3_600_000;

/** A position, one reservation with a one-hour TTL at time 1000, then an adjust every
 * 500 ms of log time until `until_ms` (their outcomes leave memory after 2 s). */
function longOpen(until_ms: number): Driver {
  const d = Driver.withOptions({ dedup_window_ms: W });
  d.one(500, adjust('a0', 'SKU-1', 'L', 10));
  const r = d.one(1_000, reserve('long', [line('SKU-1', 'L', 3)], HOUR_MS));
  if (r.code !== 'OK') throw new Error(`reserve refused: ${r.code}`);
  for (let at = 1_500, i = 1; at <= until_ms; at += 500, i++) d.one(at, adjust(`tick-${i}`, 'SKU-1', 'L', 1));
  return d;
}

t.test('an open reservation keeps its reserve outcome far past the outcome retention', (t) => {
  const d = longOpen(60_000); // 30 retentions later
  const L = d.ledger;
  t.equal(L.getOutcome('a0'), null, 'an adjust outcome of the same age left memory');
  t.ok(d.store.outcomes.has('a0'), 'and went to the outcomes sublevel');
  t.equal(L.getReservation('long')?.state, 'PENDING', 'the reservation is open');
  t.equal(L.getOutcome('long')?.code, 'OK', 'its reserve outcome is still in memory');
  t.ok(d.store.state.has(outcomeKey('long')) && d.store.state.has(reservationKey('long')), 'both stay in state');
  const replay = d.one(60_100, reserve('long', [line('SKU-1', 'L', 3)], HOUR_MS));
  t.match(replay, { code: 'OK', replay: true, reservation: { reservation_id: 'long', state: 'PENDING' } }, 'a retried reserve replays');
  t.match(d.one(60_200, extend('e1', 'long', HOUR_MS)), { code: 'OK', reservation: { deadline_ms: 60_200 + HOUR_MS } });
  const loaded = Ledger.load(d.store.rawStateEntries(), { dedup_window_ms: W });
  t.same(loaded.getReservation('long'), L.getReservation('long'), 'a restart finds it');
  t.equal(loaded.reservationCount(), 1);
  L.checkInvariants();
  t.end();
});

t.test('a final reservation and its outcome leave memory together, after the retention', (t) => {
  const d = longOpen(10_000);
  const L = d.ledger;
  t.match(d.one(10_000, commit('c1', 'long')), { code: 'OK', reservation: { state: 'COMMITTED' } });
  d.one(11_000, adjust('x1', 'SKU-1', 'L', 1));
  t.equal(L.getReservation('long')?.state, 'COMMITTED', 'kept within the retention');
  t.equal(L.getOutcome('long')?.code, 'OK');
  d.one(12_000, adjust('x2', 'SKU-1', 'L', 1)); // 10 000 + 2 000: due
  t.equal(L.getReservation('long'), null, 'the reservation left memory');
  t.equal(L.getOutcome('long'), null, 'with its outcome');
  t.equal(L.reservationCount(), 0);
  t.notOk(d.store.state.has(reservationKey('long')) || d.store.state.has(outcomeKey('long')), 'both deleted from state');
  t.match(d.store.outcomes.get('long'), { result: { code: 'OK' } }, 'the outcome is archived');
  L.checkInvariants();
  t.end();
});

t.test('a load in any order places every reservation with its outcome', (t) => {
  const d = longOpen(3_000);
  t.equal(d.one(3_000, reserve('r2', [line('SKU-1', 'L', 1)], 1_000)).code, 'OK');
  t.equal(d.one(3_100, reserve('r3', [line('SKU-1', 'L', 2)], HOUR_MS)).code, 'OK');
  t.equal(d.one(4_000, commit('c3', 'r3')).code, 'OK'); // r2 expires in this entry
  const entries = d.store.rawStateEntries();
  const reversed = Ledger.load([...entries].reverse(), { dedup_window_ms: W });
  t.same(reversed.stateEntries(), d.ledger.stateEntries(), 'same state, reversed input');
  t.equal(reversed.reservationCount(), 3);
  t.equal(reversed.getReservation('r2')?.state, 'EXPIRED');
  t.end();
});

t.test('known-bad: a reservation without its reserve outcome is refused at load, naming its key', (t) => {
  const d = longOpen(2_000);
  const without = d.store.rawStateEntries().filter(([k]) => k !== outcomeKey('long'));
  t.throws(() => Ledger.load(without, { dedup_window_ms: W }), { name: 'StateCorruption', message: /"r!long".*no successful reserve outcome/ });
  const twice = [...d.store.rawStateEntries(), [reservationKey('long'), d.store.state.get(reservationKey('long'))] as [string, unknown]];
  t.throws(() => Ledger.load(twice, { dedup_window_ms: W }), { name: 'StateCorruption', message: /"r!long".*given twice/ });
  t.end();
});

t.test('known-bad: the store refuses an outcome leaving before its reservation, and a reservation left unplaced', (t) => {
  const outcomes = new OutcomeTable(new PositionTable());
  const store = new ReservationStore(outcomes);
  const res = { reservation_id: 'r1', state: 'PENDING', lines: [], order_ref: 'o', created_ms: 1, deadline_ms: 2, committed_lines: [], ttl_ms: 1, final_ms: -1 } as unknown as ReservationRecord;
  store.put(res);
  t.equal(store.get('r1'), res, 'found before its outcome is recorded');
  t.throws(() => store.assertPlaced(), /reservation r1 has no reserve outcome/);
  t.throws(() => store.put({ ...res, reservation_id: 'r2' }), /reservation r2 made while r1 waits/);
  const slot = outcomes.add('r1', { result: { code: 'OK', replay: false, positions: [], reservation: null }, fp: '=reservation', at_ms: 1 });
  store.place('r1', slot);
  store.assertPlaced();
  t.equal(store.size, 1);
  t.throws(() => outcomes.delete('r1'), /outcome r1 would leave memory before its reservation/);
  t.equal(store.get('r1'), res, 'still there after the refused delete');
  store.drop(slot);
  t.equal(outcomes.delete('r1'), true, 'goes once the reservation is dropped');
  t.equal(store.get('r1'), undefined);
  t.equal(store.size, 0);
  t.throws(() => store.place('r9', 0), /reserve outcome r9 recorded without its reservation/);
  t.end();
});
