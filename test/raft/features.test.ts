// Behaviour of the core feature by feature, on a small synchronous cluster.

import t from 'tap';
import { Harness, bytes, text } from './harness.js';
import { RaftNode } from '../../src/raft/raft-node.js';
import { defaultRaftConfig } from '../../src/raft/config.js';
import { seededRng } from '../../src/raft/rng.js';
import { decodeConfChange, encodeConfChange } from '../../src/raft/conf-change.js';
import type { Message } from '../../src/raft/types.js';

function payloads(h: Harness, id: string): string[] {
  return h.stores.get(id)!.applied.filter((e) => e.type === 'normal' && e.data.length > 0).map((e) => text(e.data));
}

t.test('pre-vote: a cut-off follower does not inflate its term and does not disrupt the leader', (t) => {
  const h = new Harness(['a', 'b', 'c']);
  const leader = h.elect();
  const term = h.node(leader).status().term;
  const lone = h.ids.find((id) => id !== leader)!;
  h.cut.add(lone);
  h.tickAll(100);
  t.equal(h.node(lone).status().term, term, 'term unchanged while cut off');
  h.cut.delete(lone);
  h.tickAll(5);
  t.equal(h.leader(), leader, 'the leader keeps its place after the heal');
  t.equal(h.node(leader).status().term, term);
  t.end();
});

t.test('leadership transfer: target takes over; proposals are refused meanwhile', (t) => {
  const h = new Harness(['a', 'b', 'c']);
  const leader = h.elect();
  const target = h.ids.find((id) => id !== leader)!;
  h.cut.add(target);
  h.node(leader).propose(bytes('behind'));
  h.settle();
  h.cut.delete(target);
  t.ok(h.node(leader).transferLeadership(target).ok);
  const r = h.node(leader).propose(bytes('during'));
  t.same(r.ok ? null : r.reason, 'transferring');
  h.settle();
  h.tickAll(3);
  t.equal(h.leader(), target, 'the target leads');
  t.ok(payloads(h, target).includes('behind'), 'the target was caught up first');
  t.end();
});

t.test('leadership transfer to a dead node is abandoned after an election timeout', (t) => {
  const h = new Harness(['a', 'b', 'c']);
  const leader = h.elect();
  const target = h.ids.find((id) => id !== leader)!;
  h.cut.add(target);
  h.node(leader).propose(bytes('x'));
  h.settle();
  t.ok(h.node(leader).transferLeadership(target).ok);
  h.tickAll(25);
  t.equal(h.node(leader).status().transferee, null);
  t.ok(h.node(leader).propose(bytes('after')).ok, 'proposals flow again');
  t.end();
});

t.test('ReadIndex on the leader and through a follower', (t) => {
  const h = new Harness(['a', 'b', 'c']);
  const leader = h.elect();
  h.node(leader).propose(bytes('w'));
  h.settle();
  const commit = h.node(leader).status().commit;
  t.ok(h.node(leader).readIndex('L1').ok);
  h.settle();
  t.same(h.stores.get(leader)!.read_states, [{ context: 'L1', index: commit }]);
  const f = h.ids.find((id) => id !== leader)!;
  t.ok(h.node(f).readIndex('F1').ok);
  h.settle();
  t.same(h.stores.get(f)!.read_states, [{ context: 'F1', index: commit }]);
  t.end();
});

t.test('a leader without a quorum confirms no read', (t) => {
  const h = new Harness(['a', 'b', 'c']);
  const leader = h.elect();
  for (const id of h.ids) if (id !== leader) h.cut.add(id);
  t.ok(h.node(leader).readIndex('lonely').ok);
  h.tickAll(3);
  t.same(h.stores.get(leader)!.read_states, [], 'no heartbeat quorum, no read');
  t.end();
});

t.test('a new leader serves no read before committing an entry of its own term', (t) => {
  // Drive a single candidate by hand so the read arrives between winning and committing.
  const rng = seededRng(3);
  const conf_state = { voters: ['a', 'b', 'c'], learners: [] };
  const init = { hard_state: { term: 0, vote: null, commit: 0 }, conf_state, snapshot: null, entries: [], applied: 0 };
  const a = new RaftNode({ ...defaultRaftConfig('a', rng), pre_vote: false }, init);
  for (let k = 0; k < 40 && a.status().role !== 'candidate'; k++) a.tick();
  const term = a.status().term;
  a.step({ type: 'vote_resp', from: 'b', to: 'a', term, reject: false });
  t.equal(a.status().role, 'leader');
  t.ok(a.readIndex('early').ok, 'accepted, held back');
  let rd = a.ready();
  t.same(rd.read_states, []);
  t.notOk(rd.messages.some((m) => m.type === 'heartbeat' && m.context !== ''), 'no read confirmation round yet');
  a.advance();
  // b acknowledges the no-op: it commits and the held read starts its heartbeat round.
  const last = a.status().last_index;
  a.step({ type: 'append_resp', from: 'b', to: 'a', term, reject: false, index: last, reject_hint_index: 0, reject_hint_term: 0 });
  rd = a.ready();
  const hb = rd.messages.find((m): m is Extract<Message, { type: 'heartbeat' }> => m.type === 'heartbeat' && m.to === 'b' && m.context !== '');
  t.ok(hb, 'the read is confirmed by a heartbeat round after the commit');
  a.advance();
  a.step({ type: 'heartbeat_resp', from: 'b', to: 'a', term, context: hb!.context });
  rd = a.ready();
  t.same(rd.read_states, [{ context: 'early', index: last }]);
  t.end();
});

t.test('membership: add a learner (it joins empty and takes a snapshot), promote it, remove the leader', (t) => {
  const h = new Harness(['a', 'b', 'c']);
  const leader = h.elect();
  h.node(leader).propose(bytes('before-d'));
  h.settle();
  h.addNode('d', { voters: [], learners: [] });
  t.ok(h.node(leader).proposeConfChange({ type: 'add_learner', node_id: 'd', context: bytes('addr-d') }).ok);
  const second = h.node(leader).proposeConfChange({ type: 'promote', node_id: 'd', context: new Uint8Array() });
  t.same(second.ok ? null : second.reason, 'conf_change_pending', 'one change at a time');
  h.settle();
  h.tickAll(3);
  t.same(h.node('d').status().conf_state, { voters: ['a', 'b', 'c'], learners: ['d'] }, 'd learned the membership from a snapshot');
  t.ok(h.node(leader).proposeConfChange({ type: 'promote', node_id: 'd', context: new Uint8Array() }).ok);
  h.settle();
  h.tickAll(2);
  for (const id of ['a', 'b', 'c', 'd']) t.same([...h.node(id).status().conf_state.voters].sort(), ['a', 'b', 'c', 'd'], `${id} sees d as voter`);
  t.ok(h.node(leader).proposeConfChange({ type: 'remove', node_id: leader, context: new Uint8Array() }).ok);
  h.settle();
  t.not(h.node(leader).status().role, 'leader', 'the removed leader stepped down');
  h.cut.add(leader);
  h.tickAll(40);
  const next = h.leader();
  t.ok(next !== null && next !== leader, `a remaining voter leads (${next})`);
  t.ok(h.node(next!).propose(bytes('after')).ok);
  h.settle();
  h.tickAll(2);
  t.ok(payloads(h, 'd').includes('after'), 'the new configuration commits');
  const cc = h.stores.get('d')!.applied.filter((e) => e.type === 'conf_change').map((e) => decodeConfChange(e.data).type);
  t.same(cc, ['add_learner', 'promote', 'remove'], 'd replayed the changes above its snapshot (index 0: the leader had not compacted)');
  // A restart rebuilds the membership from the snapshot plus the committed changes.
  const before = h.node('b').status().conf_state;
  h.restart('b');
  t.same(h.node('b').status().conf_state, before);
  t.end();
});

t.test('invalid membership changes are refused with the reason', (t) => {
  const h = new Harness(['a', 'b', 'c']);
  const leader = h.elect();
  const r1 = h.node(leader).proposeConfChange({ type: 'promote', node_id: 'zz', context: new Uint8Array() });
  t.match(r1.ok ? null : r1.detail, /not a learner/);
  const r2 = h.node(leader).proposeConfChange({ type: 'add_learner', node_id: 'b', context: new Uint8Array() });
  t.match(r2.ok ? null : r2.detail, /already a member/);
  const r3 = h.node(leader).proposeConfChange({ type: 'add_learner', node_id: '', context: new Uint8Array() });
  t.same(r3.ok ? null : r3.reason, 'invalid');
  t.same(decodeConfChange(encodeConfChange({ type: 'remove', node_id: 'x', context: bytes('y') })), { type: 'remove', node_id: 'x', context: bytes('y') });
  t.end();
});

t.test('compaction and snapshot catch-up of a follower that fell behind', (t) => {
  const h = new Harness(['a', 'b', 'c']);
  const leader = h.elect();
  const lag = h.ids.find((id) => id !== leader)!;
  h.cut.add(lag);
  for (let i = 0; i < 20; i++) h.node(leader).propose(bytes(`e${i}`));
  h.settle();
  const st = h.node(leader).status();
  const meta = h.node(leader).compact(st.applied);
  t.equal(meta.index, st.applied);
  t.same([...meta.conf_state.voters].sort(), ['a', 'b', 'c']);
  t.equal(h.node(leader).status().snapshot_index, st.applied);
  h.cut.delete(lag);
  h.tickAll(3);
  t.equal(h.stores.get(lag)!.snapshot?.index, meta.index, 'the follower installed the snapshot');
  t.equal(h.node(lag).status().commit, h.node(leader).status().commit, 'and caught up');
  t.end();
});

t.test('forwarded proposals commit through the leader', (t) => {
  const h = new Harness(['a', 'b', 'c'], 2, (c) => ({ ...c, forward_proposals: true }));
  const leader = h.elect();
  const f = h.ids.find((id) => id !== leader)!;
  const r = h.node(f).propose(bytes('via-follower'));
  t.ok(r.ok);
  h.settle();
  h.tickAll(2);
  t.ok(payloads(h, leader).includes('via-follower'));
  t.end();
});

t.test('proposals beyond uncommitted_entries_max are refused', (t) => {
  const h = new Harness(['a', 'b', 'c'], 1, (c) => ({ ...c, uncommitted_entries_max: 5 }));
  const leader = h.elect();
  for (const id of h.ids) if (id !== leader) h.cut.add(id);
  const results = Array.from({ length: 6 }, (_, i) => h.node(leader).propose(bytes(`p${i}`)));
  const last = results[5];
  t.same(last.ok ? null : last.reason, 'too_many_uncommitted');
  t.end();
});

t.test('batching: proposals between two Readys travel in one append bounded by append_entries_max', (t) => {
  const h = new Harness(['a', 'b', 'c'], 1, (c) => ({ ...c, append_entries_max: 8 }));
  const leader = h.elect();
  h.tickAll(2);
  const n = h.node(leader);
  for (let i = 0; i < 20; i++) n.propose(bytes(`b${i}`));
  const rd = n.ready();
  const appends = rd.messages.filter((m): m is Extract<Message, { type: 'append' }> => m.type === 'append');
  t.ok(appends.length > 0);
  t.ok(appends.every((m) => m.entries.length <= 8), 'each append within the bound');
  t.ok(appends.some((m) => m.entries.length === 8), 'appends are full batches');
  n.advance();
  t.end();
});

t.test('learners and joiners never campaign', (t) => {
  const h = new Harness(['a', 'b', 'c']);
  const leader = h.elect();
  h.addNode('d', { voters: [], learners: [] });
  h.addNode('e', { voters: [], learners: [] });
  t.ok(h.node(leader).proposeConfChange({ type: 'add_learner', node_id: 'd', context: new Uint8Array() }).ok);
  h.settle();
  h.tickAll(3);
  t.same(h.node('d').status().conf_state.learners, ['d']);
  for (const id of ['a', 'b', 'c']) h.cut.add(id);
  h.tickAll(100);
  for (const id of ['d', 'e']) {
    t.equal(h.node(id).status().role, 'follower', `${id} stays a follower`);
    t.equal(h.node(id).status().vote, null, `${id} never voted for itself`);
  }
  t.end();
});

t.test('a membership change counts from the moment it is in the log and is undone if overwritten', (t) => {
  const conf_state = { voters: ['a', 'b', 'c'], learners: [] };
  const n = new RaftNode(defaultRaftConfig('a', seededRng(5)), {
    hard_state: { term: 1, vote: null, commit: 1 }, conf_state, snapshot: null,
    entries: [{ index: 1, term: 1, type: 'normal', data: new Uint8Array() }], applied: 1,
  });
  const cc = encodeConfChange({ type: 'add_learner', node_id: 'x', context: new Uint8Array() });
  n.step({ type: 'append', from: 'b', to: 'a', term: 2, prev_index: 1, prev_term: 1, entries: [{ index: 2, term: 2, type: 'conf_change', data: cc }], commit: 1 });
  t.same(n.status().conf_state, { voters: ['a', 'b', 'c'], learners: ['x'] }, 'uncommitted change in force');
  n.step({ type: 'append', from: 'c', to: 'a', term: 3, prev_index: 1, prev_term: 1, entries: [{ index: 2, term: 3, type: 'normal', data: new Uint8Array([1]) }], commit: 1 });
  t.same(n.status().conf_state, conf_state, 'overwritten change undone');
  t.end();
});

t.test('removing a follower stops replication to it; the cluster commits without it', (t) => {
  const h = new Harness(['a', 'b', 'c']);
  const leader = h.elect();
  const gone = h.ids.find((id) => id !== leader)!;
  t.ok(h.node(leader).proposeConfChange({ type: 'remove', node_id: gone, context: new Uint8Array() }).ok);
  h.settle();
  t.notOk(gone in (h.node(leader).status().progress ?? {}), 'no progress kept for the removed node');
  h.cut.add(gone);
  t.ok(h.node(leader).propose(bytes('two-voters')).ok);
  h.settle();
  t.ok(payloads(h, leader).includes('two-voters'), 'commits with the two remaining voters');
  t.end();
});
