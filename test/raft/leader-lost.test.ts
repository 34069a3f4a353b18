// A follower told that its link to the leader broke (reportUnreachable(leader)) forgets
// the leader and campaigns within a few ticks, ranked by id, instead of after a full
// election timeout; a false alarm does not disturb a live leader.

import t from 'tap';
import { Harness, bytes } from './harness.js';
import { LEADER_LOST_FIRST_TICKS, LEADER_LOST_RANK_TICKS } from '../../src/raft/raft-node.js';
import type { NodeId, RaftConfig } from '../../src/raft/types.js';

const IDS = ['n1', 'n2', 'n3'];
/** Ticks within which the early campaign must have produced a leader: far below the
 * default election timeout of 10 ticks. */
const EARLY_TICKS = LEADER_LOST_FIRST_TICKS + LEADER_LOST_RANK_TICKS + 1;

/** A cluster led by `leader`, with one committed proposal everywhere. */
function ledBy(leader: NodeId, tweak?: (c: RaftConfig) => RaftConfig): Harness {
  const h = new Harness(IDS, 3, tweak);
  const first = h.elect();
  if (first !== leader) {
    h.node(first).transferLeadership(leader);
    h.settle();
    h.tickAll();
  }
  if (h.leader() !== leader) throw new Error(`could not make ${leader} the leader`);
  h.node(leader).propose(bytes('x'));
  h.settle();
  return h;
}

/** kill -9: the node stops, and every link to it breaks. */
function kill(h: Harness, id: NodeId): void {
  h.nodes.delete(id);
  h.cut.add(id);
}

function ticksToLeader(h: Harness, ticks_max: number): { leader: NodeId | null; ticks: number } {
  for (let k = 1; k <= ticks_max; k++) {
    h.tickAll();
    const l = h.leader();
    if (l !== null) return { leader: l, ticks: k };
  }
  return { leader: null, ticks: ticks_max };
}

t.test('followers of a killed leader that hear of it elect the first-ranked one within a few ticks', (t) => {
  const h = ledBy('n3');
  const term = h.node('n1').status().term;
  kill(h, 'n3');
  for (const id of ['n1', 'n2']) h.node(id).reportUnreachable('n3');
  t.equal(h.node('n1').status().leader, null, 'the follower forgets the dead leader at once');
  const r = ticksToLeader(h, EARLY_TICKS);
  t.equal(r.leader, 'n1', `n1 (rank 0 among n1, n2) leads after ${r.ticks} ticks`);
  t.equal(h.node('n1').status().term, term + 1, 'one election, no split vote');
  t.equal(h.node('n2').status().leader, 'n1');
  t.ok(h.node('n1').propose(bytes('y')).ok, 'the new leader takes writes');
  h.settle();
  t.equal(h.node('n2').status().commit, h.node('n1').status().commit);
  t.end();
});

t.test('without the report the same cluster waits a full election timeout', (t) => {
  const h = ledBy('n3');
  kill(h, 'n3');
  const r = ticksToLeader(h, EARLY_TICKS);
  t.equal(r.leader, null, `no leader within ${EARLY_TICKS} ticks: the check-quorum lease and the timeout hold`);
  t.not(ticksToLeader(h, 100).leader, null, 'a leader after the timeout');
  t.end();
});

t.test('only one follower hears of it: the lease of the other one ends with the timeout', (t) => {
  const h = ledBy('n3');
  kill(h, 'n3');
  h.node('n2').reportUnreachable('n3');
  // n2 campaigns early, but n1 still counts its lease and ignores the pre-vote.
  for (let k = 0; k < EARLY_TICKS; k++) h.tickAll();
  t.equal(h.leader(), null, 'no leader while n1 still counts its lease');
  t.equal(h.node('n1').status().term, h.node('n2').status().term, 'the ignored pre-vote raised no term');
  t.not(ticksToLeader(h, 100).leader, null, 'a leader after the timeout');
  t.end();
});

t.test('a first-ranked follower whose log is behind is refused; the next rank wins', (t) => {
  const h = ledBy('n3');
  // n1 misses the last entry.
  h.cut.add('n1');
  h.node('n3').propose(bytes('only-n2-n3'));
  h.settle();
  h.cut.delete('n1');
  const n2_last = h.node('n2').status().last_index;
  t.ok(h.node('n1').status().last_index < n2_last, 'n1 is behind n2');
  kill(h, 'n3');
  for (const id of ['n1', 'n2']) h.node(id).reportUnreachable('n3');
  const r = ticksToLeader(h, EARLY_TICKS);
  t.equal(r.leader, 'n2', `n2 leads after ${r.ticks} ticks`);
  h.settle();
  t.equal(h.node('n1').status().last_index, h.node('n2').status().last_index, 'n1 caught up from n2');
  t.ok(h.node('n2').status().last_index > n2_last, 'the new leader appended its no-op after the entry n1 missed');
  t.end();
});

t.test('a pre-vote ignored under the lease is answered once this follower loses the leader too', (t) => {
  const h = ledBy('n3');
  const term = h.node('n1').status().term;
  kill(h, 'n3');
  // n1 notices first and asks n2 at once; n2 still counts its lease and ignores it.
  h.node('n1').reportUnreachable('n3');
  h.settle();
  t.equal(h.node('n1').status().role, 'pre_candidate', 'n1 waits for an answer');
  t.equal(h.leader(), null);
  // A moment later n2 notices: it grants the kept pre-vote instead of campaigning itself.
  h.node('n2').reportUnreachable('n3');
  h.settle();
  t.equal(h.leader(), 'n1', 'n1 leads without another tick');
  t.equal(h.node('n2').status().term, term + 1, 'one election, no split vote');
  t.end();
});

t.test('a kept pre-vote from a candidate whose log is behind is refused; this follower campaigns itself', (t) => {
  const h = ledBy('n3');
  h.cut.add('n1');
  h.node('n3').propose(bytes('only-n2-n3'));
  h.settle();
  h.cut.delete('n1');
  kill(h, 'n3');
  h.node('n1').reportUnreachable('n3');
  h.settle();
  h.node('n2').reportUnreachable('n3');
  h.settle();
  t.equal(h.leader(), null, 'n2 refused the pre-vote of n1, which is behind');
  const r = ticksToLeader(h, EARLY_TICKS);
  t.equal(r.leader, 'n2', `n2 (rank 1) leads after ${r.ticks} ticks`);
  t.end();
});

t.test('a false alarm about a live leader changes nothing but a moment without a known leader', (t) => {
  const h = ledBy('n3');
  const term = h.node('n3').status().term;
  h.node('n1').reportUnreachable('n3');
  t.equal(h.node('n1').status().leader, null);
  h.tickAll(EARLY_TICKS);
  t.equal(h.leader(), 'n3', 'the leader keeps its place');
  for (const id of IDS) t.equal(h.node(id).status().term, term, `${id} stays at term ${term}`);
  t.equal(h.node('n1').status().leader, 'n3', 'the next heartbeat gives the follower its leader back');
  t.end();
});

t.test('a pre-vote from a false alarm is dropped by the next heartbeat and not answered later', (t) => {
  const h = ledBy('n3');
  h.node('n1').reportUnreachable('n3');
  h.settle();
  h.tickAll(EARLY_TICKS);
  t.equal(h.node('n1').status().leader, 'n3', 'n1 follows n3 again');
  // Much later n3 really dies. n2 must not answer n1's old pre-vote (n1 is a follower and
  // would ignore the grant) and stand back: it campaigns itself and wins.
  kill(h, 'n3');
  h.node('n2').reportUnreachable('n3');
  h.settle();
  h.tickAll(LEADER_LOST_RANK_TICKS);
  t.equal(h.node('n2').status().role, 'pre_candidate', 'n2 (rank 1) campaigned early');
  h.node('n1').reportUnreachable('n3');
  h.settle();
  t.equal(h.leader(), 'n2', 'n1 answered the pre-vote n2 sent while n1 still counted its lease');
  t.end();
});

t.test('a report about a peer that is not the leader leaves the leader known and the timers alone', (t) => {
  const h = ledBy('n3');
  h.node('n1').reportUnreachable('n2');
  t.equal(h.node('n1').status().leader, 'n3', 'the leader is still known');
  kill(h, 'n3');
  h.node('n1').reportUnreachable('n2');
  t.equal(ticksToLeader(h, EARLY_TICKS).leader, null, 'no early campaign');
  t.end();
});

t.test('without pre-vote the report only ends the lease', (t) => {
  const h = ledBy('n3', (c) => ({ ...c, pre_vote: false }));
  kill(h, 'n3');
  for (const id of ['n1', 'n2']) h.node(id).reportUnreachable('n3');
  t.equal(h.node('n1').status().leader, null);
  t.equal(ticksToLeader(h, EARLY_TICKS).leader, null, 'no early real election (it could depose a live leader)');
  t.not(ticksToLeader(h, 100).leader, null, 'a leader after the timeout');
  t.end();
});

t.test('five voters: the lowest-ranked of the four survivors wins at once', (t) => {
  const ids = ['a', 'b', 'c', 'd', 'e'];
  const h = new Harness(ids, 5);
  let l = h.elect();
  if (l !== 'e') {
    h.node(l).transferLeadership('e');
    h.settle();
    h.tickAll();
    l = h.leader() ?? '';
  }
  t.equal(l, 'e');
  const term = h.node('a').status().term;
  kill(h, 'e');
  for (const id of ['a', 'b', 'c', 'd']) h.node(id).reportUnreachable('e');
  const r = ticksToLeader(h, LEADER_LOST_FIRST_TICKS + 1);
  t.equal(r.leader, 'a');
  t.equal(h.node('a').status().term, term + 1, 'one election');
  t.end();
});
