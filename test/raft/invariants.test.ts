// Broken inputs at the core's boundaries throw instead of being absorbed.

import t from 'tap';
import { RaftNode } from '../../src/raft/raft-node.js';
import { defaultRaftConfig, validateRaftConfig } from '../../src/raft/config.js';
import { seededRng } from '../../src/raft/rng.js';
import { RaftLog } from '../../src/raft/raft-log.js';
import type { Entry, InitialState } from '../../src/raft/types.js';
import { RaftInvariantError, RaftMessageError } from '../../src/raft/invariant.js';

const conf_state = { voters: ['a', 'b', 'c'], learners: [] };
const entry = (index: number, term: number): Entry => ({ index, term, type: 'normal', data: new Uint8Array([index]) });
const cfg = () => defaultRaftConfig('a', seededRng(1));

function node(init: Partial<InitialState> = {}): RaftNode {
  return new RaftNode(cfg(), { hard_state: { term: 0, vote: null, commit: 0 }, conf_state, snapshot: null, entries: [], applied: 0, ...init });
}

t.test('restart state is checked', (t) => {
  t.throws(() => node({ hard_state: { term: 1, vote: null, commit: 3 }, entries: [entry(1, 1)] }), /commit 3/);
  t.throws(() => node({ hard_state: { term: 1, vote: null, commit: 0 }, entries: [entry(1, 1), entry(3, 1)] }), /contiguous/);
  t.throws(() => node({ hard_state: { term: 1, vote: null, commit: 1 }, entries: [entry(1, 2)] }), /term/);
  t.throws(() => node({ hard_state: { term: 2, vote: null, commit: 1 }, entries: [entry(1, 2)], applied: 2 }), /applied/);
  t.end();
});

t.test('config limits name the field', (t) => {
  t.throws(() => validateRaftConfig({ ...cfg(), heartbeat_ticks: 10 }), /heartbeat_ticks/);
  t.throws(() => validateRaftConfig({ ...cfg(), inflight_appends_max: 0 }), /inflight_appends_max/);
  t.end();
});

t.test('a message for another node, ready() twice, advance() without ready() throw', (t) => {
  const n = node();
  t.throws(() => n.step({ type: 'heartbeat', from: 'b', to: 'x', term: 1, commit: 0, context: '' }), /delivered to a/);
  n.step({ type: 'heartbeat', from: 'b', to: 'a', term: 1, commit: 0, context: '' });
  n.ready();
  t.throws(() => n.ready(), /before advance/);
  n.advance();
  t.throws(() => n.advance(), /without an outstanding/);
  t.end();
});

t.test('the log refuses to truncate or move commit wrongly', (t) => {
  const log = new RaftLog({ index: 0, term: 0, conf_state }, [entry(1, 1), entry(2, 2)], 2, 2);
  t.throws(() => log.truncateAndAppend([entry(2, 3)]), /below commit/);
  t.throws(() => log.commitTo(5), /beyond last/);
  t.throws(() => log.truncateAndAppend([entry(4, 3)]), /gap/);
  // A leader's append that would rewrite a committed entry is answered with the commit
  // index instead of being applied.
  const n = node({ hard_state: { term: 2, vote: null, commit: 2 }, entries: [entry(1, 1), entry(2, 2)], applied: 2 });
  n.step({ type: 'append', from: 'b', to: 'a', term: 3, prev_index: 1, prev_term: 1, entries: [entry(2, 3)], commit: 2 });
  const rd = n.ready();
  t.same(rd.entries, []);
  t.match(rd.messages[0], { type: 'append_resp', reject: false, index: 2 });
  t.end();
});

t.test('compaction beyond applied is refused', (t) => {
  const n = node({ hard_state: { term: 2, vote: null, commit: 2 }, entries: [entry(1, 1), entry(2, 2)], applied: 1 });
  t.throws(() => n.compact(2), /applied/);
  t.equal(n.compact(1).index, 1);
  t.end();
});

t.test('a malformed append is refused whole, before anything changes', (t) => {
  const n = node({ hard_state: { term: 1, vote: null, commit: 1 }, entries: [entry(1, 1)], applied: 1 });
  const before = n.status();
  t.throws(() => n.step({ type: 'append', from: 'b', to: 'a', term: 2, prev_index: 1, prev_term: 1, entries: [entry(2, 2), entry(4, 2)], commit: 1 }), /expected 3/);
  t.throws(() => n.step({ type: 'append', from: 'b', to: 'a', term: 2, prev_index: 1, prev_term: 1, entries: [entry(2, 3)], commit: 1 }), /outside/);
  t.throws(() => n.step({ type: 'heartbeat', from: 'b', to: 'a', term: -1, commit: 0, context: '' }), /term/);
  t.same(n.status(), before, 'state untouched');
  t.end();
});

t.test('a refused peer message and a broken invariant are told apart by class', (t) => {
  const n = node({ hard_state: { term: 1, vote: null, commit: 1 }, entries: [entry(1, 1)], applied: 1 });
  t.throws(() => n.step({ type: 'heartbeat', from: 'b', to: 'a', term: -1, commit: 0, context: '' }), RaftMessageError, 'shape check: RaftMessageError');
  t.throws(() => n.step({ type: 'heartbeat', from: 'b', to: 'x', term: 1, commit: 0, context: '' }), RaftMessageError, 'misdelivered: RaftMessageError');
  const log = new RaftLog({ index: 0, term: 0, conf_state }, [entry(1, 1), entry(2, 2)], 2, 2);
  t.throws(() => log.maybeAppend(0, 0, [entry(1, 1), entry(2, 3)]), RaftInvariantError, 'a conflict at or below commit: RaftInvariantError');
  t.throws(() => log.maybeAppend(0, 0, [entry(1, 1), entry(2, 3)]), /append conflicts at index 2 \(term 2 vs 3\) at or below commit 2/);
  t.end();
});
