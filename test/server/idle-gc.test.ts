// The idle collector's policy: it collects only after enough idle samples in a row, only
// when the heap grew enough since its last collection, and never more often than allowed.

import t from 'tap';
import v8 from 'node:v8';
import { compactHeap, IDLE_GC_DEFAULTS, IdleGcPolicy, startIdleGc } from '../../src/server/idle-gc.js';

const MIB = 1024 * 1024;
const opts = { ...IDLE_GC_DEFAULTS, idle_checks: 2, growth_bytes_min: 64 * MIB, interval_ms_min: 30_000, elu_idle_max: 0.05 };

t.test('a busy process is never collected, however much it grew', async (t) => {
  const p = new IdleGcPolicy(opts, 100 * MIB);
  let collects = 0;
  for (let i = 0; i < 100; i++) if (p.observe({ now_ms: i * 1000, elu: 0.5, leader: false, heap_bytes: 1000 * MIB })) collects++;
  t.equal(collects, 0);
});

t.test('idle and grown: collected after idle_checks samples, then not again for the same heap', async (t) => {
  const p = new IdleGcPolicy(opts, 100 * MIB);
  t.notOk(p.observe({ now_ms: 1000, elu: 0.01, leader: false, heap_bytes: 400 * MIB }), 'one idle sample is not enough');
  t.ok(p.observe({ now_ms: 2000, elu: 0.01, leader: false, heap_bytes: 400 * MIB }), 'the second idle sample collects');
  p.collected(2100, 200 * MIB);
  t.notOk(p.observe({ now_ms: 40_000, elu: 0.01, leader: false, heap_bytes: 210 * MIB }), 'idle but grown 10 MiB since: not again');
  t.notOk(p.observe({ now_ms: 41_000, elu: 0.01, leader: false, heap_bytes: 250 * MIB }), 'grown 50 MiB: still below the bar');
  t.ok(p.observe({ now_ms: 42_000, elu: 0.01, leader: false, heap_bytes: 270 * MIB }), 'grown 70 MiB: collected');
});

t.test('idle but not grown enough: nothing', async (t) => {
  const p = new IdleGcPolicy(opts, 100 * MIB);
  for (let i = 1; i <= 10; i++) t.notOk(p.observe({ now_ms: i * 1000, elu: 0, leader: false, heap_bytes: 163 * MIB }), `sample ${i}`);
});

t.test('a busy sample breaks the idle run', async (t) => {
  const p = new IdleGcPolicy(opts, 100 * MIB);
  t.notOk(p.observe({ now_ms: 1000, elu: 0.01, leader: false, heap_bytes: 400 * MIB }));
  t.notOk(p.observe({ now_ms: 2000, elu: 0.2, leader: false, heap_bytes: 400 * MIB }), 'busy');
  t.notOk(p.observe({ now_ms: 3000, elu: 0.01, leader: false, heap_bytes: 400 * MIB }), 'idle run starts over');
  t.ok(p.observe({ now_ms: 4000, elu: 0.01, leader: false, heap_bytes: 400 * MIB }));
});

t.test('a leader waits for leader_idle_checks idle samples', async (t) => {
  const p = new IdleGcPolicy({ ...opts, leader_idle_checks: 10 }, 100 * MIB);
  for (let i = 1; i <= 9; i++) t.notOk(p.observe({ now_ms: i * 1000, elu: 0, leader: true, heap_bytes: 400 * MIB }), `leader, idle sample ${i}`);
  t.ok(p.observe({ now_ms: 10_000, elu: 0, leader: true, heap_bytes: 400 * MIB }), 'the tenth');
  const q = new IdleGcPolicy({ ...opts, leader_idle_checks: 10 }, 100 * MIB);
  q.observe({ now_ms: 1000, elu: 0, leader: false, heap_bytes: 400 * MIB });
  t.ok(q.observe({ now_ms: 2000, elu: 0, leader: false, heap_bytes: 400 * MIB }), 'a follower after idle_checks');
});

t.test('at most one collection per interval_ms_min', async (t) => {
  const p = new IdleGcPolicy(opts, 100 * MIB);
  p.observe({ now_ms: 1000, elu: 0, leader: false, heap_bytes: 400 * MIB });
  t.ok(p.observe({ now_ms: 2000, elu: 0, leader: false, heap_bytes: 400 * MIB }));
  p.collected(2000, 100 * MIB);
  // Say the collection freed little and the heap grows again at once.
  for (let s = 3; s <= 31; s++) t.notOk(p.observe({ now_ms: s * 1000, elu: 0, leader: false, heap_bytes: 500 * MIB }), `at ${s} s`);
  t.ok(p.observe({ now_ms: 32_000, elu: 0, leader: false, heap_bytes: 500 * MIB }), '30 s after the last one');
});

t.test('resident growth alone also asks for a collection, measured from the resident size it left', async (t) => {
  const p = new IdleGcPolicy({ ...opts, rss_growth_bytes_min: 128 * MIB }, 100 * MIB, 300 * MIB);
  // V8 collected on its own: the committed heap is back near its baseline, the process is not.
  t.notOk(p.observe({ now_ms: 1000, elu: 0, leader: false, heap_bytes: 110 * MIB, rss_bytes: 420 * MIB }), 'one idle sample');
  t.ok(p.observe({ now_ms: 2000, elu: 0, leader: false, heap_bytes: 110 * MIB, rss_bytes: 440 * MIB }), 'resident +140 MiB: collected');
  p.collected(2000, 105 * MIB, 360 * MIB);
  for (let s = 33; s <= 40; s++) t.notOk(p.observe({ now_ms: s * 1000, elu: 0, leader: false, heap_bytes: 110 * MIB, rss_bytes: 480 * MIB }), `resident +120 MiB since the collection at ${s} s: below the bar`);
  t.ok(p.observe({ now_ms: 41_000, elu: 0, leader: false, heap_bytes: 110 * MIB, rss_bytes: 490 * MIB }), 'resident +130 MiB: collected');
  const q = new IdleGcPolicy({ ...opts, rss_growth_bytes_min: 128 * MIB }, 100 * MIB, 300 * MIB);
  q.observe({ now_ms: 1000, elu: 0, leader: false, heap_bytes: 110 * MIB });
  t.notOk(q.observe({ now_ms: 2000, elu: 0, leader: false, heap_bytes: 110 * MIB }), 'no resident size sampled: only the heap is judged');
  t.throws(() => q.observe({ now_ms: 3000, elu: 0, leader: false, heap_bytes: 110 * MIB, rss_bytes: -1 }), /out of range/);
});

t.test('a heap that V8 shrank on its own lowers the baseline', async (t) => {
  const p = new IdleGcPolicy(opts, 300 * MIB);
  t.notOk(p.observe({ now_ms: 1000, elu: 0.9, leader: false, heap_bytes: 120 * MIB }));
  t.notOk(p.observe({ now_ms: 2000, elu: 0, leader: false, heap_bytes: 150 * MIB }));
  t.ok(p.observe({ now_ms: 3000, elu: 0, leader: false, heap_bytes: 190 * MIB }), '70 MiB above the 120 MiB low point');
});

t.test('options and samples out of range are refused, naming them', async (t) => {
  t.throws(() => new IdleGcPolicy({ ...opts, elu_idle_max: 1.5 }, 0), /idle gc options out of range: .*"elu_idle_max":1\.5/);
  t.throws(() => new IdleGcPolicy({ ...opts, growth_bytes_min: 0 }, 0), /growth_bytes_min/);
  t.throws(() => new IdleGcPolicy({ ...opts, leader_idle_checks: 1, idle_checks: 2 }, 0), /leader_idle_checks/);
  const p = new IdleGcPolicy(opts, 0);
  t.throws(() => p.observe({ now_ms: 0, elu: Number.NaN, leader: false, heap_bytes: 0 }), /idle gc sample out of range/);
});

t.test('the driver collects when idle and grown, and is off without a collector', async (t) => {
  t.equal(startIdleGc(IDLE_GC_DEFAULTS, undefined, () => false, () => undefined).enabled, false, 'no collector: off');
  let calls = 0;
  const figures: number[] = [];
  // Any growth counts and every sample is idle: the first samples after some allocation collect.
  const h = startIdleGc({ check_ms: 10, idle_checks: 1, leader_idle_checks: 1, elu_idle_max: 0.99, growth_bytes_min: 1, rss_growth_bytes_min: 1024 * MIB, interval_ms_min: 0 }, () => {
    calls++;
  }, () => false, (f) => figures.push(f.took_ms));
  t.teardown(() => h.stop());
  t.ok(h.enabled);
  const keep: string[][] = [];
  for (let round = 0; round < 200 && calls === 0; round++) {
    keep.push(Array.from({ length: 1000 }, (_, i) => `grow-${round}-${i}`));
    await new Promise((r) => setTimeout(r, 15));
  }
  t.ok(calls >= 1, `gc was called (${calls})`);
  t.equal(figures.length, calls, 'each collection is reported');
  t.ok(keep.length > 0);
});

t.test('compactHeap frees unreachable objects', async (t) => {
  let junk: string[][] | null = Array.from({ length: 200 }, (_, r) => Array.from({ length: 1000 }, (_, i) => `junk-${r}-${i}`));
  const with_junk = v8.getHeapStatistics().used_heap_size;
  t.ok(junk.length === 200);
  junk = null;
  await compactHeap();
  const after = v8.getHeapStatistics().used_heap_size;
  t.ok(after < with_junk, `heap in use fell: ${(with_junk / MIB).toFixed(1)} -> ${(after / MIB).toFixed(1)} MiB`);
});
