// The compact in-memory outcomes, the parallel-array prune queue and the incremental
// loader: each must be indistinguishable from the plain forms they replace.

import t from 'tap';
import { Ledger } from '../../src/ledger/ledger.js';
import { OutcomeTable, RESERVE_FP } from '../../src/ledger/outcome-store.js';
import { PositionTable } from '../../src/ledger/position-table.js';
import { fingerprint, fingerprintDigest, fingerprintKey } from '../../src/ledger/fingerprint.js';
import type { CommandResult } from '../../src/ledger/types.js';
import { PruneQueue } from '../../src/ledger/prune-queue.js';
import type { OutcomeRecord } from '../../src/ledger/records.js';
import { Driver, adjust, commit, line, reserve } from './helpers.js';

function sampleDriver(): Driver {
  const d = Driver.withOptions({ dedup_window_ms: 30_000 });
  d.entry(1_000, [adjust('a1', 'SKU-1', 'LOC-1', 10), adjust('a2', 'SKU-2', 'LOC-1', 10)]);
  d.entry(2_000, [reserve('r1', [line('SKU-1', 'LOC-1', 4)]), reserve('r2', [line('SKU-1', 'LOC-1', 1), line('SKU-2', 'LOC-1', 2)])]);
  d.entry(3_000, [commit('c1', 'r1'), adjust('a3', 'SKU-9', 'LOC-1', -1)]);
  return d;
}

t.test('every outcome is described as stored (fingerprint as its digest) and answers the stored result', (t) => {
  const d = sampleDriver();
  const live = new Map(d.ledger.stateEntries());
  let compact = 0;
  let outcomes = 0;
  for (const [key, stored] of d.store.rawStateEntries()) {
    if (!key.startsWith('o!')) continue;
    outcomes++;
    const rec = stored as OutcomeRecord;
    const got = live.get(key) as OutcomeRecord;
    t.equal(got.fp, rec.fp === RESERVE_FP ? RESERVE_FP : fingerprintKey(rec.fp), `${key} fingerprint digest`);
    t.match(got.fp, rec.fp === RESERVE_FP ? /^=reservation$/ : /^#[0-9a-f]{32}$/);
    t.equal(got.at_ms, rec.at_ms);
    t.equal(JSON.stringify(got.result), JSON.stringify(rec.result), `${key} same result, same field order`);
    t.same(d.ledger.getOutcome(key.slice(2)), rec.result, `${key} getOutcome gives the recorded result`);
    const r = rec.result;
    if (r.code === 'OK' && r.positions.length === 1 && r.reservation === null) compact++;
  }
  t.ok(compact >= 2, 'adjusts kept as numbers');
  // Only results that are not (one position, no reservation) keep an object.
  const extra = (d.ledger as unknown as { outcomes: { extra: unknown[] } }).outcomes.extra;
  t.equal(extra.filter((x) => x !== undefined).length, outcomes - compact, 'one object kept per outcome that is not a bare one-position result');
  t.same(d.ledger.stateEntries(), d.store.stateEntries(), 'the ledger describes its state as the writes left it');
  t.end();
});

t.test('known-bad: a result whose available disagrees is kept whole (it would be rebuilt wrongly)', (t) => {
  const positions = new PositionTable();
  positions.add('S', 'L');
  const table = new OutcomeTable(positions);
  const rec: OutcomeRecord = {
    result: { code: 'OK', replay: false, positions: [{ sku: 'S', location: 'L', on_hand: 5, reserved: 1, available: 9, seq: 1 }], reservation: null },
    fp: '["x"]',
    at_ms: 1,
  };
  table.add('id-1', rec);
  t.equal(table.result(table.find('id-1')), rec.result, 'the very object');
  // A result naming a position the table does not hold is kept whole too.
  const other: OutcomeRecord = { ...rec, result: { ...rec.result, positions: [{ sku: 'T', location: 'L', on_hand: 5, reserved: 1, available: 4, seq: 1 }] } as CommandResult };
  table.add('id-2', other);
  t.equal(table.result(table.find('id-2')), other.result);
  t.throws(() => table.add('id-2', other), /twice/);
  // Quantities the float64 columns would not hold as given (a string) keep it whole too.
  const odd = { ...rec, result: { ...rec.result, positions: [{ sku: 'S', location: 'L', on_hand: '5', reserved: 1, available: 4, seq: 1 }] } } as unknown as OutcomeRecord;
  table.add('id-3', odd);
  t.equal(table.result(table.find('id-3')), odd.result);
  t.end();
});

t.test('fingerprint digests: same text matches, any other does not; the digest form loads as the text', (t) => {
  const positions = new PositionTable();
  const table = new OutcomeTable(positions);
  const fp = '["adjust","S","L",1,"count","ref-1",null]';
  const rec: OutcomeRecord = { result: { code: 'POSITION_NOT_FOUND', replay: false, detail: 'x' }, fp, at_ms: 1 };
  table.add('a', rec);
  table.add('b', { ...rec, fp: fingerprintKey(fp) });
  for (const id of ['a', 'b']) {
    const slot = table.find(id);
    t.ok(table.sameFingerprint(slot, fp), `${id}: the same text matches`);
    t.notOk(table.sameFingerprint(slot, '["adjust","S","L",2,"count","ref-1",null]'), `${id}: another text does not`);
    t.equal(table.record(slot).fp, fingerprintKey(fp));
  }
  t.throws(() => fingerprintDigest('#abc'), /32 hex/);
  // Freed slots are reused and forget what they held.
  t.ok(table.delete('a'));
  t.notOk(table.delete('a'));
  t.equal(table.find('a'), -1);
  table.add('c', { ...rec, result: { code: 'RESERVATION_NOT_FOUND', replay: false, detail: 'y' } });
  t.equal(table.code(table.find('c')), 'RESERVATION_NOT_FOUND');
  t.equal(table.size, 2);
  t.end();
});

t.test('a replay answers the original result from the compact form', (t) => {
  const d = sampleDriver();
  const first = d.ledger.getOutcome('a1');
  const again = d.one(4_000, adjust('a1', 'SKU-1', 'LOC-1', 10));
  t.same(again, { ...first, replay: true });
  t.equal(d.one(4_000, adjust('a1', 'SKU-1', 'LOC-1', 11)).code, 'ALREADY_EXISTS_DIFFERENT');
  t.end();
});

t.test('prune queue: FIFO in due order, refuses out-of-order pushes (known-bad)', (t) => {
  const q = new PruneQueue();
  for (let i = 0; i < 3000; i++) q.push({ due_ms: i, what: i % 2 === 0 ? 'o' : 'r', id: `id-${i}` });
  t.throws(() => q.push({ due_ms: 10, what: 'o', id: 'late' }), /out of order/);
  t.equal(q.shiftDue(-1), undefined, 'nothing due before the first');
  const got = [];
  for (let i = 0; i < 3000; i++) got.push(q.shiftDue(5000));
  t.same(got, Array.from({ length: 3000 }, (_, i) => ({ due_ms: i, what: i % 2 === 0 ? 'o' : 'r', id: `id-${i}` })), 'every entry once, in order');
  t.equal(q.size, 0);
  t.equal(q.shiftDue(5000), undefined);
  t.end();
});

t.test('the incremental loader equals load, in any record order, and goes on identically', (t) => {
  const d = sampleDriver();
  const state = d.store.rawStateEntries();
  const loader = Ledger.loader({ dedup_window_ms: 30_000 });
  for (const [k, v] of [...state].reverse()) loader.add(k, v);
  const a = loader.finish();
  t.throws(() => loader.add('m', {}), /after finish/);
  t.throws(() => loader.finish(), /twice/);
  const b = Ledger.load(state, { dedup_window_ms: 30_000 });
  t.equal(a.headHash(), d.ledger.headHash());
  t.same(a.stateEntries(), b.stateEntries());
  // Past the retention window both prune the same records as the ledger that never stopped.
  const next = { time_ms: 100_000, commands: [adjust('a4', 'SKU-2', 'LOC-1', 1)] };
  const want = d.ledger.apply(4, next);
  for (const l of [a, b]) {
    const got = l.apply(4, next);
    t.same(new Set(got.writes.map((w) => `${w.type} ${w.key}`)), new Set(want.writes.map((w) => `${w.type} ${w.key}`)), 'same writes');
    t.equal(l.headHash(), d.ledger.headHash());
    t.equal(l.outcomeCount(), d.ledger.outcomeCount());
  }
  t.ok(want.writes.some((w) => w.type === 'del'), 'the step pruned something');
  t.end();
});

t.test('outcomes stored with the full fingerprint text (the earlier form) load and answer replays', (t) => {
  const d = Driver.withOptions({ dedup_window_ms: 30_000 });
  const cmd = adjust('a1', 'SKU-1', 'LOC-1', 10);
  d.entry(1_000, [cmd, adjust('a2', 'SKU-1', 'LOC-1', 5)]);
  const raw = d.store.rawStateEntries();
  const stored = raw.find(([k]) => k === 'o!a1')![1] as OutcomeRecord;
  t.match(stored.fp, /^#[0-9a-f]{32}$/, 'apply stores the digest form');
  t.equal(stored.fp, fingerprintKey(fingerprint(cmd)));
  // The same state as an older node wrote it: the fingerprint as text.
  const old = raw.map(([k, v]): [string, unknown] => (k === 'o!a1' ? [k, { ...(v as OutcomeRecord), fp: fingerprint(cmd) }] : [k, v]));
  const l = Ledger.load(old, { dedup_window_ms: 30_000 });
  t.same(l.stateEntries(), d.ledger.stateEntries(), 'loads to the same state');
  t.same(l.apply(2, { time_ms: 2_000, commands: [cmd] }).results[0], { ...d.ledger.getOutcome('a1'), replay: true }, 'same content: a replay');
  t.equal(l.apply(3, { time_ms: 2_000, commands: [adjust('a1', 'SKU-1', 'LOC-1', 11)] }).results[0].code, 'ALREADY_EXISTS_DIFFERENT');
  // A malformed digest form is refused, naming the key.
  const bad = raw.map(([k, v]): [string, unknown] => (k === 'o!a1' ? [k, { ...(v as OutcomeRecord), fp: '#12' }] : [k, v]));
  t.throws(() => Ledger.load(bad), /o!a1.*neither a fingerprint text/);
  t.end();
});
