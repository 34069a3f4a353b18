// Every checker is shown a doctored history that breaks its property and must report it;
// the same history without the flaw must pass.

import t from 'tap';
import { Checkers, type LogView } from './checkers.js';

function logOf(entries: readonly [number, number][], snapshot_index = 0, snapshot_term = 0): LogView {
  return {
    snapshot_index,
    snapshot_term,
    last_index: snapshot_index + entries.length,
    entryAt: (i) => {
      const [term, id] = entries[i - snapshot_index - 1];
      return { term, id };
    },
  };
}

t.test('election safety: two leaders in one term', (t) => {
  const c = new Checkers();
  c.onLeader('a', 1);
  c.onLeader('a', 1);
  c.onLeader('b', 2);
  t.equal(c.violations.length, 0, 'one leader per term passes');
  c.onLeader('c', 2);
  t.equal(c.violations[0]?.checker, 'election_safety');
  t.end();
});

t.test('log matching: same index and term, different entry or different predecessor', (t) => {
  const c = new Checkers();
  c.onStored('a', 1, 1, 7, 0);
  c.onStored('b', 1, 1, 7, 0);
  c.onStored('a', 2, 2, 8, 1);
  t.equal(c.violations.length, 0, 'identical entries pass');
  c.onStored('b', 2, 2, 9, 1);
  t.equal(c.violations[0]?.checker, 'log_matching', 'different contents');
  const d = new Checkers();
  d.onStored('a', 3, 2, 8, 1);
  d.onStored('b', 3, 2, 8, 2);
  t.equal(d.violations[0]?.checker, 'log_matching', 'same entry after a different term');
  t.end();
});

t.test('leader completeness: a new leader misses or alters a committed entry', (t) => {
  const c = new Checkers();
  c.onCommitted('a', 1, 1, 0);
  c.onCommitted('a', 2, 1, 5);
  c.onNewLeaderLog('b', 2, logOf([[1, 0], [1, 5], [2, 0]]));
  c.onNewLeaderLog('b', 2, logOf([[2, 0]], 2, 1));
  t.equal(c.violations.length, 0, 'a complete log (or a snapshot covering it) passes');
  c.onNewLeaderLog('c', 3, logOf([[1, 0]]));
  t.equal(c.violations[0]?.checker, 'leader_completeness', 'missing entry');
  const d = new Checkers();
  d.onCommitted('a', 1, 1, 5);
  d.onNewLeaderLog('c', 3, logOf([[2, 6]]));
  t.equal(d.violations[0]?.checker, 'leader_completeness', 'different entry at a committed index');
  t.end();
});

t.test('state machine safety: different entries applied or committed at one index, gaps', (t) => {
  const c = new Checkers();
  c.onApplied('a', 1, 1, 1, 5, 11);
  c.onApplied('b', 1, 1, 1, 5, 11);
  t.equal(c.violations.length, 0);
  c.onApplied('c', 1, 1, 2, 6, 12);
  t.equal(c.violations[0]?.checker, 'state_machine_safety', 'different entry applied');
  const d = new Checkers();
  d.onApplied('a', 1, 2, 1, 5, 11);
  t.equal(d.violations[0]?.checker, 'state_machine_safety', 'gap in the applied sequence');
  const e = new Checkers();
  e.onCommitted('a', 4, 2, 9);
  e.onCommitted('b', 4, 3, 9);
  t.equal(e.violations[0]?.checker, 'state_machine_safety', 'committed entry changed');
  const f = new Checkers();
  f.onApplied('a', 1, 1, 1, 5, 11);
  f.onSnapshotInstalled('b', 1, 1, 99);
  t.equal(f.violations[0]?.checker, 'state_machine_safety', 'snapshot state differs');
  t.end();
});

t.test('read linearizability: a read index below a write committed before the read began', (t) => {
  const c = new Checkers();
  c.onCommitted('a', 1, 1, 5);
  c.onCommitted('a', 2, 1, 6);
  c.onReadStart('r1');
  c.onReadState('a', 'r1', 2);
  t.equal(c.violations.length, 0, 'a read at the commit index passes');
  c.onReadStart('r2');
  c.onReadState('b', 'r2', 1);
  t.equal(c.violations[0]?.checker, 'read_linearizability');
  const d = new Checkers();
  d.onReadState('a', 'never', 3);
  t.equal(d.violations[0]?.checker, 'read_linearizability', 'a read nobody issued');
  t.end();
});

t.test('liveness: no progress within the bound after a heal', (t) => {
  const c = new Checkers();
  c.onCalmStart(10, 5);
  c.onTick(14);
  t.equal(c.onCalmProgress(14), 4, 'progress inside the bound passes');
  c.onTick(100);
  t.equal(c.violations.length, 0);
  c.onCalmStart(200, 5);
  for (let tick = 201; tick <= 206; tick++) c.onTick(tick);
  t.equal(c.violations[0]?.checker, 'liveness');
  t.end();
});
