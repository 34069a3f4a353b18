// Known-bad inputs that the invariant checks must catch: a ledger restarted from doctored
// state must refuse to start rather than serve wrong stock.

import t from 'tap';
import { Ledger } from '../../src/ledger/ledger.js';
import { assertPosition, type PositionRecord } from '../../src/ledger/records.js';
import type { PositionTable } from '../../src/ledger/position-table.js';
import { Driver, adjust, line, reserve } from './helpers.js';

function stateWith(patch: (entries: [string, unknown][]) => [string, unknown][]): [string, unknown][] {
  const d = new Driver();
  d.entry(1_000, [adjust('a1', 'SKU-1', 'LOC-1', 10), adjust('a2', 'SKU-2', 'LOC-1', 10)]);
  d.entry(2_000, [reserve('r1', [line('SKU-1', 'LOC-1', 4)])]);
  return patch(d.store.rawStateEntries());
}

function edit(key: string, f: (v: Record<string, unknown>) => unknown): (e: [string, unknown][]) => [string, unknown][] {
  return (entries) => entries.map(([k, v]) => (k === key ? [k, f(v as Record<string, unknown>)] : [k, v]));
}

t.test('the untouched state loads', (t) => {
  const l = Ledger.load(stateWith((e) => e));
  t.equal(l.openReservations(), 1);
  t.match(l.getPosition('SKU-1', 'LOC-1'), { reserved: 4 });
  t.equal(Ledger.load([]).positionCount(), 0, 'empty state is a fresh ledger');
  t.end();
});

t.test('load refuses doctored state (known-bad)', (t) => {
  const P = 'p!SKU-1!LOC-1';
  const cases: [string, [string, unknown][], RegExp][] = [
    ['reserved above on_hand', stateWith(edit(P, (v) => ({ ...v, on_hand: 3, available: -1 }))), /reserved <= on_hand/],
    ['negative on_hand', stateWith(edit('p!SKU-2!LOC-1', (v) => ({ ...v, on_hand: -1, available: -1 }))), /not safe integers|reserved <= on_hand/],
    ['available inconsistent', stateWith(edit(P, (v) => ({ ...v, available: 9 }))), /available/],
    ['reserved differs from pending reservations', stateWith(edit(P, (v) => ({ ...v, reserved: 5, available: 5 }))), /PENDING reservations hold 4/],
    ['position key mismatch', stateWith(edit(P, (v) => ({ ...v, sku: 'SKU-9' }))), /does not match/],
    ['head not hex', stateWith(edit(P, (v) => ({ ...v, head: 'xyz' }))), /head/],
    ['reservation without its outcome', stateWith((e) => e.filter(([k]) => k !== 'o!r1')), /no successful reserve outcome/],
    ['reservation on a missing position', stateWith(edit('r!r1', (v) => ({ ...v, lines: [{ sku: 'SKU-7', location: 'LOC-1', quantity: 4 }] }))), /missing position|PENDING reservations/],
    ['final reservation with final_ms -1', stateWith(edit('r!r1', (v) => ({ ...v, state: 'COMMITTED' }))), /final_ms/],
    ['unknown reservation state', stateWith(edit('r!r1', (v) => ({ ...v, state: 'LOST' }))), /unknown reservation state/],
    ['outcome marked as replay', stateWith(edit('o!a1', (v) => ({ ...v, result: { ...(v.result as object), replay: true } }))), /replay: false/],
    ['outcome with an unknown code', stateWith(edit('o!a1', (v) => ({ ...v, result: { code: 'MAYBE', replay: false } }))), /recordable code/],
    ['meta missing', stateWith((e) => e.filter(([k]) => k !== 'm')), /no meta/],
    ['meta head not hex', stateWith(edit('m', (v) => ({ ...v, head_hash: 'nope' }))), /head_hash/],
    ['unknown key', stateWith((e) => [...e, ['zzz', 1]]), /unknown key/],
  ];
  for (const [what, state, re] of cases) t.throws(() => Ledger.load(state), re, what);
  t.end();
});

t.test('assertPosition throws on every broken invariant (known-bad)', (t) => {
  const good: PositionRecord = { sku: 'S', location: 'L', on_hand: 5, reserved: 2, available: 3, seq: 1, head: 'a'.repeat(64) };
  t.doesNotThrow(() => assertPosition(good, 'test'));
  const bad: [string, Partial<PositionRecord>][] = [
    ['reserved > on_hand', { reserved: 6, available: -1 }],
    ['negative reserved', { reserved: -1, available: 6 }],
    ['fractional on_hand', { on_hand: 5.5, available: 3.5 }],
    ['on_hand past 2^53', { on_hand: 2 ** 53, available: 2 ** 53 - 2 }],
    ['available wrong', { available: 4 }],
    ['seq zero', { seq: 0 }],
    ['head missing', { head: '' }],
  ];
  for (const [what, patch] of bad) t.throws(() => assertPosition({ ...good, ...patch }, 'test'), /ledger invariant broken/, what);
  t.end();
});

t.test('checkInvariants catches a ledger whose memory was corrupted (known-bad)', (t) => {
  const d = new Driver();
  d.entry(1_000, [adjust('a1', 'SKU-1', 'LOC-1', 10)]);
  d.entry(2_000, [reserve('r1', [line('SKU-1', 'LOC-1', 4)])]);
  d.ledger.checkInvariants();
  // Reach into the private table the way a bug would.
  const positions = (d.ledger as unknown as { positions: PositionTable }).positions;
  const slot = positions.find('SKU-1', 'LOC-1');
  const p = positions.record(slot);
  positions.set(slot, p.on_hand, 3, p.seq, p.head);
  t.throws(() => d.ledger.checkInvariants(), /PENDING reservations hold 4/);
  // apply asserts the positions it writes: a corrupted one makes the next change throw.
  positions.set(slot, p.on_hand, 15, p.seq, p.head);
  t.throws(() => d.entry(3_000, [adjust('a2', 'SKU-1', 'LOC-1', 1)]), /ledger invariant broken/);
  t.end();
});
