// ReadIndex batching: reads arriving at the leader between two Readys share one heartbeat
// round (one heartbeat per follower, carrying the newest read's sequence number), and that
// one round confirms every one of them.

import t from 'tap';
import { Harness } from './harness.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

t.test('k reads between two Readys cost one heartbeat round, and all are confirmed', (t) => {
  const h = new Harness(['a', 'b', 'c']);
  const leader = h.elect();
  h.node(leader).propose(bytes('w'));
  h.settle();
  const commit = h.node(leader).status().commit;
  const n = h.node(leader);
  const K = 50;
  for (let i = 0; i < K; i++) t.ok(n.readIndex(`r${i}`).ok, `read ${i} accepted`);
  t.ok(n.hasReady(), 'pending reads make a Ready');
  const rd = n.ready();
  const heartbeats = rd.messages.filter((m) => m.type === 'heartbeat');
  t.equal(heartbeats.length, 2, 'one heartbeat per follower for all the reads');
  t.ok(heartbeats.every((m) => m.type === 'heartbeat' && m.context !== ''), 'the round carries a read context');
  // Deliver the Ready the way the harness does, then let the round finish.
  h.queue.push(...rd.messages);
  n.advance();
  h.settle();
  const released = h.stores.get(leader)!.read_states;
  t.equal(released.length, K, 'every read confirmed');
  t.ok(released.every((r) => r.index === commit), `each at the commit index ${commit}`);
  t.same(released.map((r) => r.context), Array.from({ length: K }, (_, i) => `r${i}`), 'in arrival order');
  t.end();
});

t.test('a read is not confirmed without a quorum echo (the batch does not release early)', (t) => {
  const h = new Harness(['a', 'b', 'c']);
  const leader = h.elect();
  h.node(leader).propose(bytes('w'));
  h.settle();
  for (const id of h.ids) if (id !== leader) h.cut.add(id);
  const n = h.node(leader);
  t.ok(n.readIndex('x1').ok);
  t.ok(n.readIndex('x2').ok);
  h.settle();
  t.same(h.stores.get(leader)!.read_states, [], 'nothing released while both followers are cut off');
  t.end();
});

t.test('k reads on a follower between two Readys travel as one read_index and are all released', (t) => {
  const h = new Harness(['a', 'b', 'c']);
  const leader = h.elect();
  h.node(leader).propose(bytes('w'));
  h.settle();
  const commit = h.node(leader).status().commit;
  const f = h.ids.find((id) => id !== leader)!;
  const n = h.node(f);
  const K = 40;
  for (let i = 0; i < K; i++) t.ok(n.readIndex(`f${i}`).ok, `read ${i} accepted`);
  t.ok(n.hasReady(), 'reads waiting to be forwarded make a Ready');
  const rd = n.ready();
  const asks = rd.messages.filter((m) => m.type === 'read_index');
  t.equal(asks.length, 1, 'one read_index for all the reads');
  t.equal(asks[0]?.to, leader, 'sent to the leader');
  h.queue.push(...rd.messages);
  n.advance();
  h.settle();
  const released = h.stores.get(f)!.read_states;
  t.same(released.map((r) => r.context), Array.from({ length: K }, (_, i) => `f${i}`), 'every read released, in arrival order');
  t.ok(released.every((r) => r.index === commit), `each at the leader's commit index ${commit}`);
  t.end();
});
