// The pending-proposal table and the watch hub, in isolation.

import t from 'tap';
import { ProposalTable } from '../../src/node/proposals.js';
import { NodeError } from '../../src/node/node-api.js';
import { WatchHub, type KeyedEvent } from '../../src/node/watchers.js';
import { eventKey } from '../../src/node/storage-level.js';
import type { Command, CommandResult, LedgerEvent } from '../../src/ledger/types.js';

const cmd = (id: string): Command => ({ kind: 'adjust', op_id: id, sku: 'S', location: 'L', delta: 1, reason: '', reference: '' });
const ok = (n: number): CommandResult => ({ code: 'OK', replay: false, positions: [{ sku: 'S', location: 'L', on_hand: n, reserved: 0, available: n, seq: n }], reservation: null });
const later = () => Date.now() + 60_000;

t.test('callers share entries up to the command bound and get their own results back', async (t) => {
  const p = new ProposalTable({ callers_max: 100, entry_commands_max: 3 });
  const a = p.enqueue([cmd('a1'), cmd('a2')], later());
  const b = p.enqueue([cmd('b1')], later());
  const c = p.enqueue([cmd('c1'), cmd('c2')], later());
  const first = p.takeBatch()!;
  t.same(first.commands.map((x) => (x.kind === 'adjust' ? x.op_id : '')), ['a1', 'a2', 'b1'], 'a and b share one entry');
  const second = p.takeBatch()!;
  t.same(second.commands.length, 2, 'c goes in the next entry');
  t.equal(p.takeBatch(), null);
  p.proposed(10, 2, first.parts);
  p.proposed(11, 2, second.parts);
  p.applied(10, 2, [ok(1), ok(2), ok(3)]);
  p.applied(11, 2, [ok(4), ok(5)]);
  t.same((await a).map((r) => (r.code === 'OK' ? r.positions[0]!.on_hand : -1)), [1, 2]);
  t.same((await b).map((r) => (r.code === 'OK' ? r.positions[0]!.on_hand : -1)), [3]);
  t.same((await c).map((r) => (r.code === 'OK' ? r.positions[0]!.on_hand : -1)), [4, 5]);
  t.equal(p.size, 0, 'table empty');
});

t.test('another term at the index, or lost leadership, means outcome unknown', async (t) => {
  const p = new ProposalTable({ callers_max: 100, entry_commands_max: 10 });
  const a = p.enqueue([cmd('a')], later());
  const b = p.enqueue([cmd('b')], later());
  const ba = p.takeBatch()!;
  p.proposed(5, 3, ba.parts);
  p.applied(5, 4, [ok(1), ok(1)]);
  await t.rejects(a, { name: 'NodeError', kind: 'outcome_unknown' }, 'replaced entry: unknown');
  await t.rejects(b, { name: 'NodeError', kind: 'outcome_unknown' });

  const c = p.enqueue([cmd('c')], later());
  p.proposed(6, 4, p.takeBatch()!.parts);
  const d = p.enqueue([cmd('d')], later());
  p.failAll(new NodeError('outcome_unknown', 'lost'), new NodeError('not_leader', 'queued'));
  await t.rejects(c, { name: 'NodeError', kind: 'outcome_unknown' }, 'in flight: unknown');
  await t.rejects(d, { name: 'NodeError', kind: 'not_leader' }, 'never proposed: not_leader');

  const e = p.enqueue([cmd('e')], later());
  p.proposed(7, 4, p.takeBatch()!.parts);
  p.appliedOther(7);
  await t.rejects(e, { name: 'NodeError', kind: 'outcome_unknown' }, 'a no-op took its index');
});

t.test('bounds: callers, commands per call, deadline', async (t) => {
  const p = new ProposalTable({ callers_max: 2, entry_commands_max: 2 });
  await t.rejects(p.enqueue([], later()), { kind: 'invalid', message: /at least 1/ });
  await t.rejects(p.enqueue([cmd('1'), cmd('2'), cmd('3')], later()), { kind: 'invalid', message: /at most 2 per call, got 3/ });
  const a = p.enqueue([cmd('a')], later());
  const b = p.enqueue([cmd('b')], later());
  await t.rejects(p.enqueue([cmd('c')], later()), { kind: 'overloaded', message: /limit 2/ });
  p.failQueued(new NodeError('no_leader', 'x'));
  await t.rejects(a, { name: 'NodeError', kind: 'no_leader' });
  await t.rejects(b, { name: 'NodeError', kind: 'no_leader' });
  const slow = p.enqueue([cmd('d')], Date.now() + 20);
  await t.rejects(slow, { kind: 'outcome_unknown', message: /deadline/ });
  t.equal(p.takeBatch(), null, 'a caller past its deadline is never proposed');
  t.throws(() => new ProposalTable({ callers_max: 0, entry_commands_max: 1 }), /callers_max/);
});

function ev(log_index: number, seq: number): LedgerEvent {
  return { sku: 'S', location: 'L', seq, log_index, time_ms: 0, kind: 'ADJUST', op_id: `o${seq}`, reservation_id: '', delta_on_hand: 1, delta_reserved: 0, on_hand: seq, reserved: 0, prev_hash: '', hash: '' };
}

t.test('watch: storage then live, no gaps, no repeats, even when writes race the read', async (t) => {
  const stored: KeyedEvent[] = [];
  for (let i = 1; i <= 2500; i++) stored.push({ key: eventKey(i, 0), event: ev(i, i) });
  let reads = 0;
  const hub = new WatchHub({
    archivedThroughIndex: () => 0,
    readEvents: async (from, after, limit) => {
      reads++;
      const out = stored.filter((k) => (after === null ? k.event.log_index >= from : k.key > after)).slice(0, limit);
      // A write lands while this read is in flight: stored and published at once.
      if (reads === 2) {
        const k = { key: eventKey(2501, 0), event: ev(2501, 2501) };
        stored.push(k);
        hub.publish([k]);
      }
      await new Promise((r) => setTimeout(r, 1));
      return out;
    },
  });
  const seen: number[] = [];
  const h = hub.watch(100, (e) => seen.push(e.log_index), () => undefined);
  await new Promise((r) => setTimeout(r, 50));
  const live = { key: eventKey(2502, 0), event: ev(2502, 2502) };
  stored.push(live);
  hub.publish([live]);
  hub.publish([live]);
  h.close();
  const want = Array.from({ length: 2502 - 99 }, (_, i) => i + 100);
  t.same(seen, want, 'every event from index 100 exactly once, in order');
  hub.publish([{ key: eventKey(2503, 0), event: ev(2503, 2503) }]);
  t.equal(seen.length, want.length, 'nothing after close');
});

t.test('watch: a watcher whose buffer overflows re-reads storage instead of losing events', async (t) => {
  const stored: KeyedEvent[] = [];
  let release: (() => void) | null = null;
  const hub = new WatchHub({
    archivedThroughIndex: () => 0,
    readEvents: async (_from, after, limit) => {
      if (after === null) await new Promise<void>((r) => (release = r));
      return stored.filter((k) => after === null || k.key > after).slice(0, limit);
    },
  });
  const seen: number[] = [];
  hub.watch(0, (e) => seen.push(e.log_index), () => undefined);
  // 12,000 events are published while the first read is stuck: more than the buffer holds.
  for (let i = 1; i <= 12_000; i++) {
    const k = { key: eventKey(i, 0), event: ev(i, i) };
    stored.push(k);
    hub.publish([k]);
  }
  release!();
  await new Promise((r) => setTimeout(r, 100));
  t.equal(seen.length, 12_000, 'all delivered');
  t.ok(seen.every((v, i) => v === i + 1), 'in order without repeats');
});
