// The SDK's batching and op ids, without processes.

import t from 'tap';
import { Batcher, BatchQueueFull } from '../../src/client/batcher.js';
import { OpIdGenerator } from '../../src/client/ids.js';
import type { WireCommandResult, WireOp } from '../../src/wire/types.js';

function ok(): WireCommandResult {
  return { code: 'RESULT_CODE_OK', replay: false, positions: [], reservation: null, invalid: null, short_lines: [], expected_on_hand: 0, on_hand: 0, detail: '' };
}
const op = (id: string): WireOp => ({ release: { op_id: id, reservation_id: 'r', reason: '' } });

t.test('concurrent calls share a batch; max_ops splits', async (t) => {
  const sent: number[] = [];
  const b = new Batcher(
    async (ops) => {
      sent.push(ops.length);
      return ops.map(() => ok());
    },
    { max_delay_ms: 5, max_ops: 4 },
  );
  const results = await Promise.all(Array.from({ length: 10 }, (_, i) => b.add(`id${i}`, op(`id${i}`), 50)));
  t.equal(results.length, 10);
  t.same(sent, [4, 4, 2], 'two full batches at once, the rest after the delay');
  t.same([b.batches_sent, b.ops_sent], [3, 10]);
});

t.test('results go back to the right callers', async (t) => {
  const b = new Batcher(async (ops) => ops.map((o) => ({ ...ok(), detail: o.release?.op_id ?? '' })), { max_delay_ms: 1, max_ops: 100 });
  const got = await Promise.all(['a', 'b', 'c'].map((id) => b.add(id, op(id), 10)));
  t.same(
    got.map((g) => g.detail),
    ['a', 'b', 'c'],
  );
});

t.test('one id never twice in a batch; bytes bound splits', async (t) => {
  const batches: string[][] = [];
  const b = new Batcher(
    async (ops) => {
      batches.push(ops.map((o) => o.release?.op_id ?? ''));
      return ops.map(() => ok());
    },
    { max_delay_ms: 5, max_ops: 100, bytes_max: 2048 },
  );
  await Promise.all([b.add('x', op('x'), 10), b.add('x', op('x'), 10), b.add('y', op('y'), 1500), b.add('z', op('z'), 1500)]);
  t.same(batches, [['x'], ['x', 'y'], ['z']]);
});

t.test('a failed batch fails every caller in it; a wrong result count too', async (t) => {
  let fail: 'throw' | 'short' = 'throw';
  const b = new Batcher(
    async (ops) => {
      if (fail === 'throw') throw new Error('boom');
      return ops.slice(1).map(() => ok());
    },
    { max_delay_ms: 1, max_ops: 10 },
  );
  const r = await Promise.allSettled([b.add('a', op('a'), 1), b.add('b', op('b'), 1)]);
  t.same(
    r.map((x) => x.status),
    ['rejected', 'rejected'],
  );
  fail = 'short';
  const r2 = await Promise.allSettled([b.add('a', op('a'), 1), b.add('b', op('b'), 1)]);
  t.match(String((r2[0] as PromiseRejectedResult).reason), /1 results for 2 ops/);
});

t.test('batches in flight and queued ops are bounded', async (t) => {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => (release = r));
  let inflight = 0;
  let inflight_peak = 0;
  const b = new Batcher(
    async (ops) => {
      inflight++;
      inflight_peak = Math.max(inflight_peak, inflight);
      await gate;
      inflight--;
      return ops.map(() => ok());
    },
    { max_delay_ms: 1, max_ops: 1, batches_inflight_max: 2, queued_ops_max: 5 },
  );
  const calls = Array.from({ length: 7 }, (_, i) => b.add(`q${i}`, op(`q${i}`), 1));
  const refused = await b.add('over', op('over'), 1).then(
    () => null,
    (e: unknown) => e,
  );
  t.ok(refused instanceof BatchQueueFull, 'beyond queued_ops_max is refused');
  release();
  await Promise.all(calls);
  t.equal(inflight_peak, 2);
});

t.test('while every slot is taken, the open batch keeps gathering past its delay', async (t) => {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => (release = r));
  const batches: string[][] = [];
  const b = new Batcher(
    async (ops) => {
      batches.push(ops.map((o) => o.release?.op_id ?? ''));
      if (batches.length === 1) await gate;
      return ops.map(() => ok());
    },
    { max_delay_ms: 1, max_ops: 100, batches_inflight_max: 1 },
  );
  const first = b.add('a', op('a'), 1);
  await new Promise((r) => setTimeout(r, 10));
  t.same(batches, [['a']], 'the first batch left after its delay');
  const later = [b.add('b', op('b'), 1), b.add('c', op('c'), 1)];
  await new Promise((r) => setTimeout(r, 20)); // well past max_delay_ms, the slot still taken
  later.push(b.add('d', op('d'), 1));
  t.same(batches, [['a']], 'nothing else left while the only slot was taken');
  release();
  await Promise.all([first, ...later]);
  t.same(batches, [['a'], ['b', 'c', 'd']], 'what gathered meanwhile left as one batch when the slot freed');
  // With a slot free again, the delay alone sends a batch.
  await b.add('e', op('e'), 1);
  t.same(batches.at(-1), ['e']);
});

t.test('bad batching options are refused', async (t) => {
  const send = async (): Promise<WireCommandResult[]> => [];
  t.throws(() => new Batcher(send, { max_delay_ms: 1, max_ops: 1001 }), /max_ops.*1\.\.1000.*1001/);
  t.throws(() => new Batcher(send, { max_delay_ms: -1, max_ops: 1 }), /max_delay_ms/);
});

t.test('op ids are time-ordered, unique, and within limits', async (t) => {
  let now = 1_700_000_000_000;
  const g = new OpIdGenerator(() => now, 'abcdefgh');
  const ids: string[] = [];
  for (let i = 0; i < 2000; i++) {
    if (i % 500 === 0) now += 1;
    if (i === 1500) now -= 10; // the clock steps back: ids still increase
    ids.push(g.next());
  }
  t.equal(new Set(ids).size, ids.length, 'unique');
  t.same([...ids].sort(), ids, 'sorted in creation order');
  t.ok(ids.every((id) => id.length <= 64 && /^[\x21-\x7e]+$/.test(id)));
});

t.test('drained() waits for every op handed in', async (t) => {
  let answered = 0;
  const b = new Batcher(
    async (ops) => {
      await new Promise((r) => setTimeout(r, 20));
      answered += ops.length;
      return ops.map(() => ok());
    },
    { max_delay_ms: 1000, max_ops: 2 },
  );
  const calls = ['a', 'b', 'c'].map((id) => b.add(id, op(id), 1));
  await b.drained();
  t.equal(answered, 3, 'the open batch was sent and every answer came back');
  await Promise.all(calls);
  await b.drained();
  t.pass('drained() on an idle batcher resolves at once');
});
