// Whole-cluster runs that are known to be broken, each caught by its checker: the
// current-term commit rule switched off (Raft's figure 8, scripted), a host that sends a
// vote before it is durable and crashes, a host serving reads from its local commit
// index, and an election timeout beyond the liveness bound.

import t from 'tap';
import { Simulation, runSeed } from './simulator.js';
import type { Message, NodeId, RaftConfig } from '../../src/raft/types.js';

const voteTypes = new Set(['vote', 'vote_resp']);

function among(ids: readonly NodeId[]): (m: Message) => boolean {
  return (m) => ids.includes(m.from) && ids.includes(m.to);
}

function elect(sim: Simulation, id: NodeId, allow: (m: Message) => boolean): void {
  for (let k = 0; k < 100; k++) {
    sim.tickNode(id);
    sim.deliverAll(allow);
    if (sim.status(id)?.role === 'leader') return;
  }
  throw new Error(`${id} was not elected`);
}

/** Figure 8 of the Raft paper: an entry of an earlier term reaches a majority under a
 * later leader, which must not count it as committed; a node holding a conflicting entry
 * of a higher term can still win the next election and overwrite it. */
function figure8(unsafe: boolean): Simulation {
  const tweak = (c: RaftConfig): RaftConfig => ({
    ...c, pre_vote: false, check_quorum: false, append_entries_max: 1, unsafe_commit_any_term: unsafe,
  });
  const sim = new Simulation({ seed: 8, nodes: 5, steps: 0, tweak, scripted: true });
  const all = () => true;
  elect(sim, 'n1', all); // term 1; the no-op (1, t1) reaches everyone
  sim.deliverAll(all);
  sim.proposeAt('n1'); // (2, t1) reaches n2 only
  sim.deliverAll(among(['n1', 'n2']));
  sim.crashNode('n1');
  elect(sim, 'n5', (m) => voteTypes.has(m.type) && among(['n3', 'n4', 'n5'])(m)); // term 2, (2, t2) stays on n5
  sim.crashNode('n5');
  sim.restartNode('n1');
  elect(sim, 'n1', (m) => voteTypes.has(m.type) && among(['n1', 'n2', 'n3', 'n4'])(m)); // term 3
  // n1 brings n3 and n4 up to (2, t1) but its own no-op (3, t3) reaches nobody.
  const holds2 = (id: NodeId) => (sim.status(id)?.last_index ?? 0) >= 2;
  const allow = (m: Message) =>
    among(['n1', 'n3', 'n4'])(m) && !(m.type === 'append' && m.entries.some((e) => e.index >= 3) && holds2(m.to));
  for (let k = 0; k < 5; k++) {
    sim.tickNode('n1');
    sim.deliverAll(allow);
  }
  sim.crashNode('n1');
  sim.restartNode('n5');
  elect(sim, 'n5', (m) => voteTypes.has(m.type) && among(['n2', 'n3', 'n4', 'n5'])(m));
  sim.deliverAll(among(['n2', 'n3', 'n4', 'n5']));
  return sim;
}

t.test('figure 8: committing an earlier-term entry by counting replicas is caught', (t) => {
  const bad = figure8(true);
  t.equal(bad.checkers.violations[0]?.checker, 'leader_completeness', JSON.stringify(bad.checkers.violations[0]));
  const good = figure8(false);
  t.same(good.checkers.violations, [], 'the current-term rule keeps the same schedule safe');
  t.equal(good.status('n5')?.role, 'leader', 'the schedule really ran to the end');
  t.end();
});

/** c grants a vote to a, crashes before the vote is on disk, restarts and grants the same
 * term's vote to b. */
function doubleVote(unsafe: boolean): Simulation {
  const tweak = (c: RaftConfig): RaftConfig => ({ ...c, pre_vote: false, check_quorum: false });
  const sim = new Simulation({ seed: 9, nodes: 3, steps: 0, tweak, scripted: true, unsafe_send_before_persist: unsafe });
  for (let k = 0; k < 100 && sim.status('n1')?.role !== 'candidate'; k++) sim.tickNode('n1');
  sim.crashInNextReady('n3', false);
  sim.deliverAll(among(['n1', 'n3']));
  sim.restartNode('n3');
  elect(sim, 'n2', among(['n2', 'n3']));
  return sim;
}

t.test('a vote sent before it is durable lets two leaders share a term', (t) => {
  const bad = doubleVote(true);
  t.equal(bad.checkers.violations[0]?.checker, 'election_safety', JSON.stringify(bad.checkers.violations[0]));
  const good = doubleVote(false);
  t.same(good.checkers.violations, [], 'sending after the write keeps the same schedule safe');
  t.equal(good.status('n2')?.role, 'leader', 'the schedule really ran to the end');
  t.end();
});

t.test('a host answering reads from its local commit index is caught', (t) => {
  let caught = 0;
  for (let seed = 1; seed <= 20; seed++) {
    const r = runSeed({ seed, nodes: 3, steps: 2000, unsafe_local_reads: true });
    if (r.violations.some((v) => v.checker === 'read_linearizability')) caught++;
  }
  t.ok(caught > 0, `stale local reads caught in ${caught} of 20 seeds`);
  t.end();
});

t.test('an election timeout beyond the liveness bound is caught', (t) => {
  const r = runSeed({ seed: 1, nodes: 3, steps: 5000, tweak: (c) => ({ ...c, election_ticks: 500 }), liveness_bound_ticks: 100 });
  t.equal(r.violations[0]?.checker, 'liveness');
  t.end();
});
