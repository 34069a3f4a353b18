// The compact in-memory outcomes, the parallel-array prune queue and the incremental
// loader: each must be indistinguishable from the plain forms they replace.

import t from 'tap';
import { Ledger } from '../../src/ledger/ledger.js';
import { AdjustOutcome, compactOutcome, expandOutcome, OnePositionOutcome, outcomeCode } from '../../src/ledger/outcome-store.js';
import { PruneQueue } from '../../src/ledger/prune-queue.js';
import type { OutcomeRecord } from '../../src/ledger/records.js';
import { Driver, adjust, commit, line, reserve } from './helpers.js';

function sampleDriver(): Driver {
  const d = Driver.withOptions({ outcome_retention_ms: 60_000 });
  d.entry(1_000, [adjust('a1', 'SKU-1', 'LOC-1', 10), adjust('a2', 'SKU-2', 'LOC-1', 10)]);
  d.entry(2_000, [reserve('r1', [line('SKU-1', 'LOC-1', 4)]), reserve('r2', [line('SKU-1', 'LOC-1', 1), line('SKU-2', 'LOC-1', 2)])]);
  d.entry(3_000, [commit('c1', 'r1'), adjust('a3', 'SKU-9', 'LOC-1', -1)]);
  return d;
}

t.test('a one-position OK outcome is kept flat and expands to the stored record field for field', (t) => {
  const d = sampleDriver();
  for (const [key, stored] of d.store.stateEntries()) {
    if (!key.startsWith('o!')) continue;
    const rec = stored as OutcomeRecord;
    const c = compactOutcome(rec);
    const one = rec.result.code === 'OK' && 'positions' in rec.result && rec.result.positions.length === 1;
    t.equal(c instanceof OnePositionOutcome || c instanceof AdjustOutcome, one, `${key} compact only when OK with one position`);
    t.equal(c instanceof AdjustOutcome, one && rec.fp.startsWith('["adjust"'), `${key} an adjust keeps only the rest of its fingerprint`);
    t.equal(c.fp, rec.fp, `${key} same fingerprint`);
    t.same(expandOutcome(c), rec, `${key} expands to what was stored`);
    t.equal(JSON.stringify(expandOutcome(c)), JSON.stringify(rec), `${key} same field order`);
    t.equal(outcomeCode(c), rec.result.code);
    t.same(d.ledger.getOutcome(key.slice(2)), rec.result, `${key} getOutcome gives the recorded result`);
  }
  t.same(d.ledger.stateEntries(), d.store.stateEntries(), 'the ledger describes its state as the writes left it');
  t.end();
});

t.test('known-bad: a result whose available disagrees is not compacted (it would be rebuilt wrongly)', (t) => {
  const rec: OutcomeRecord = {
    result: { code: 'OK', replay: false, positions: [{ sku: 'S', location: 'L', on_hand: 5, reserved: 1, available: 9, seq: 1 }], reservation: null },
    fp: 'x',
    at_ms: 1,
  };
  const c = compactOutcome(rec);
  t.notOk(c instanceof OnePositionOutcome);
  // An Adjust-shaped result whose fingerprint does not start with its own position cannot
  // drop that part: it is kept with its whole fingerprint.
  const odd = compactOutcome({
    result: { code: 'OK', replay: false, positions: [{ sku: 'S', location: 'L', on_hand: 5, reserved: 1, available: 4, seq: 1 }], reservation: null },
    fp: '["adjust","T","L",1]',
    at_ms: 1,
  });
  t.ok(odd instanceof OnePositionOutcome);
  t.equal(odd.fp, '["adjust","T","L",1]');
  t.equal(expandOutcome(c), rec);
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
  const state = d.store.stateEntries();
  const loader = Ledger.loader({ outcome_retention_ms: 60_000 });
  for (const [k, v] of [...state].reverse()) loader.add(k, v);
  const a = loader.finish();
  t.throws(() => loader.add('m', {}), /after finish/);
  t.throws(() => loader.finish(), /twice/);
  const b = Ledger.load(state, { outcome_retention_ms: 60_000 });
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
