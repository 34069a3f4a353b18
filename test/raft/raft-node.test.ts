import t from 'tap';
import { Harness, bytes, text } from './harness.js';

t.test('three nodes elect one leader and replicate a proposal to all', (t) => {
  const h = new Harness(['a', 'b', 'c']);
  const leader = h.elect();
  const r = h.node(leader).propose(bytes('hello'));
  t.ok(r.ok, 'leader accepts the proposal');
  h.settle();
  h.tickAll(2);
  for (const id of h.ids) {
    const applied = h.stores.get(id)!.applied.filter((e) => e.data.length > 0).map((e) => text(e.data));
    t.same(applied, ['hello'], `${id} applied the proposal`);
  }
  const leaders = h.ids.filter((id) => h.node(id).status().role === 'leader');
  t.equal(leaders.length, 1, 'exactly one leader');
  t.end();
});

t.test('a follower refuses proposals naming the leader', (t) => {
  const h = new Harness(['a', 'b', 'c']);
  const leader = h.elect();
  const follower = h.ids.find((id) => id !== leader)!;
  const r = h.node(follower).propose(bytes('x'));
  t.same(r.ok ? null : [r.reason, r.leader], ['not_leader', leader]);
  t.end();
});

t.test('a cut-off leader is replaced and the old one steps down on check-quorum', (t) => {
  const h = new Harness(['a', 'b', 'c']);
  const first = h.elect();
  h.cut.add(first);
  h.tickAll(40);
  const second = h.leader();
  t.ok(second !== null && second !== first, 'the majority elected a new leader');
  t.not(h.node(first).status().role, 'leader', 'the isolated leader stepped down');
  t.end();
});
