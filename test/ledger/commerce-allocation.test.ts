import t from 'tap';
import { allocate } from '../../src/ledger/commerce/allocation.js';
import { adjust, line } from './helpers.js';
import { alloc, checkRestore, code, commerceDriver, creserve, ok } from './commerce-helpers.js';

t.test('allocate: strategies, split, ties by name, shortfall', (t) => {
  const c = [
    { location: 'B', available: 3 },
    { location: 'A', available: 5 },
    { location: 'C', available: 5 },
  ];
  t.same(allocate(c, 3, 'PRIORITY', false), { ok: true, picks: [{ location: 'B', quantity: 3 }] }, 'priority: first that fits');
  t.same(allocate(c, 4, 'PRIORITY', false), { ok: true, picks: [{ location: 'A', quantity: 4 }] }, 'priority: skips one too small');
  t.same(allocate(c, 4, 'MOST_AVAILABLE', false), { ok: true, picks: [{ location: 'A', quantity: 4 }] }, 'most available: tie broken by name');
  t.same(allocate(c, 7, 'PRIORITY', true), { ok: true, picks: [{ location: 'B', quantity: 3 }, { location: 'A', quantity: 4 }] }, 'priority split');
  t.same(allocate(c, 12, 'MOST_AVAILABLE', true), { ok: true, picks: [{ location: 'A', quantity: 5 }, { location: 'C', quantity: 5 }, { location: 'B', quantity: 2 }] }, 'most split');
  t.same(allocate(c, 6, 'PRIORITY', false), { ok: false, available: 5 }, 'no split: best single');
  t.same(allocate(c, 14, 'PRIORITY', true), { ok: false, available: 13 }, 'split: total');
  t.end();
});

t.test('reserve with allocations: concrete lines, explicit first, merged picks, INSUFFICIENT_STOCK with location ""', (t) => {
  const d = commerceDriver();
  d.entry(10, [adjust('a1', 'S', 'A', 2), adjust('a2', 'S', 'B', 6), adjust('a3', 'T', 'A', 1)]);
  const r = ok(t, d.one(11, creserve('r1', [line('T', 'A', 1)], { allocations: [alloc('S', ['A', 'B'], 4, 'MOST_AVAILABLE', false), alloc('S', ['A', 'B'], 3, 'PRIORITY', true)] })), 'allocate');
  t.same(r.reservation?.lines, [line('T', 'A', 1), line('S', 'B', 5), line('S', 'A', 2)], 'explicit line, B 4 (+1 merged), A 2');
  const short = d.one(12, creserve('r2', [], { allocations: [alloc('S', ['A', 'B', 'Z'], 2)] }));
  code(t, short, 'INSUFFICIENT_STOCK', 'only 1 left (B)');
  if (short.code === 'INSUFFICIENT_STOCK') t.same(short.short_lines, [{ sku: 'S', location: '', requested: 2, available: 1 }]);
  t.equal(d.one(13, creserve('r1', [line('T', 'A', 1)], { allocations: [alloc('S', ['A', 'B'], 4, 'MOST_AVAILABLE', false), alloc('S', ['A', 'B'], 3, 'PRIORITY', true)] })).replay, true, 'replay of an allocating reserve');
  code(t, d.one(13, creserve('r1', [line('T', 'A', 1)], { allocations: [alloc('S', ['B', 'A'], 4, 'MOST_AVAILABLE', false), alloc('S', ['A', 'B'], 3, 'PRIORITY', true)] })), 'ALREADY_EXISTS_DIFFERENT', 'other candidates are other content');
  const bad = d.one(14, creserve('r3', [], { allocations: [alloc('S', ['A', 'A'], 1)] }));
  code(t, bad, 'INVALID_ARGUMENT', 'duplicate candidate');
  if (bad.code === 'INVALID_ARGUMENT') t.equal(bad.field, 'allocations[0].locations[1]');
  checkRestore(t, d);
  t.end();
});

t.test('an allocating reserve archived past the dedup window still replays from the archive', async (t) => {
  const { replayFromArchive } = await import('../../src/ledger/archive.js');
  const d = commerceDriver({ dedup_window_ms: 1_000 });
  d.entry(10, [adjust('a1', 'S', 'A', 2), adjust('a2', 'S', 'B', 6)]);
  const cmd = creserve('r1', [], { allocations: [alloc('S', ['A', 'B'], 3, 'PRIORITY', true)], ttl_ms: 1_000 });
  ok(t, d.one(11, cmd), 'allocate 2 at A and 1 at B');
  d.entry(5_000, []); // expires
  d.entry(8_000, []); // final + retention (window + id time allowance) passed
  t.equal(d.ledger.getOutcome('r1'), null, 'left memory');
  const rec = d.store.outcomes.get('r1');
  t.ok(rec !== undefined, 'archived');
  t.equal(replayFromArchive(cmd, 'r1', rec).replay, true, 'the same request replays');
  const other = creserve('r1', [], { allocations: [alloc('S', ['B', 'A'], 3, 'PRIORITY', true)], ttl_ms: 1_000 });
  t.equal(replayFromArchive(other, 'r1', rec).code, 'ALREADY_EXISTS_DIFFERENT', 'another request does not');
  checkRestore(t, d);
  t.end();
});
