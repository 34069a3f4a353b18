// The pure plan of `stockd --force-new-cluster`: which entries stay, which are dropped,
// which conf_change entries make the survivor the only voter, and the refusals.

import t from 'tap';
import { applyConfChange, decodeConfChange, encodeConfChange } from '../../src/raft/conf-change.js';
import type { ConfChange, ConfState, Entry } from '../../src/raft/types.js';
import type { LoadedState } from '../../src/node/storage-level.js';
import { membershipAt, planForceNewCluster } from '../../src/server/force-new-cluster-plan.js';

const THREE: ConfState = { voters: ['n1', 'n2', 'n3'], learners: [] };

function normal(index: number, term: number): Entry {
  return { index, term, type: 'normal', data: new Uint8Array([1, 2, 3]) };
}

function change(index: number, term: number, cc: ConfChange): Entry {
  return { index, term, type: 'conf_change', data: encodeConfChange(cc) };
}

function loaded(entries: Entry[], commit: number, opts: { conf?: ConfState; snapshot_index?: number; term?: number; empty?: boolean } = {}): LoadedState {
  const conf = opts.conf ?? THREE;
  const snapshot = opts.snapshot_index === undefined ? null : { index: opts.snapshot_index, term: 1, conf_state: conf };
  return {
    identity: opts.empty ? null : { format: 2, node_id: 'n1', cluster_id: 'c-test' },
    hard_state: { term: opts.term ?? 3, vote: 'n2', commit },
    snapshot,
    bootstrap_conf: snapshot === null ? conf : null,
    entries,
    applied: { index: Math.min(commit, 2), term: 1, conf_state: conf, addresses: {} },
  };
}

/** The membership the core derives on the next load: the plan's entries replayed. */
function replayed(before: ConfState, entries: readonly Entry[]): ConfState {
  return entries.reduce((conf, e) => applyConfChange(conf, decodeConfChange(e.data)), before);
}

t.test('a voter: entries up to the commit stay, the tail is dropped, the others are removed in a new term', async (t) => {
  const l = loaded([normal(1, 1), normal(2, 2), normal(3, 3), normal(4, 3), normal(5, 3)], 3);
  const p = planForceNewCluster(l, 'n1', '127.0.0.1:1');
  if (p.kind !== 'rewrite') return t.fail(`expected a rewrite, got ${p.kind}`);
  t.equal(p.commit_before, 3);
  t.equal(p.dropped_entries, 2, 'entries 4 and 5 were above the commit index');
  t.same(p.removed, ['n2', 'n3']);
  t.equal(p.promoted_self, false);
  t.same(p.entries.map((e) => e.index), [4, 5], 'the new entries replace the dropped tail');
  t.ok(p.entries.every((e) => e.term === 4 && e.type === 'conf_change'), 'one term above the stored one');
  t.same(p.entries.map((e) => decodeConfChange(e.data)).map((c) => [c.type, c.node_id]), [['remove', 'n2'], ['remove', 'n3']]);
  t.same(p.hard_state, { term: 4, vote: 'n1', commit: 5 }, 'the new entries are committed');
  t.same(replayed(p.before, p.entries), { voters: ['n1'], learners: [] }, 'replayed: the only voter');
});

t.test('membership changes above the commit index do not count', async (t) => {
  // n4 was added and n3 removed, but only the addition committed.
  const entries = [normal(1, 1), change(2, 1, { type: 'add_learner', node_id: 'n4', context: new Uint8Array(0) }), change(3, 2, { type: 'remove', node_id: 'n3', context: new Uint8Array(0) })];
  const l = loaded(entries, 2);
  t.same(membershipAt(l, 2), { voters: ['n1', 'n2', 'n3'], learners: ['n4'] });
  const p = planForceNewCluster(l, 'n1', 'a:1');
  if (p.kind !== 'rewrite') return t.fail(p.kind);
  t.same(p.removed, ['n2', 'n3', 'n4'], 'n3 is removed by the rewrite; its uncommitted removal was dropped');
  t.equal(p.dropped_entries, 1);
});

t.test('a learner promotes itself first', async (t) => {
  const l = loaded([normal(1, 1)], 1, { conf: { voters: ['n2', 'n3'], learners: ['n1'] } });
  const p = planForceNewCluster(l, 'n1', '127.0.0.1:9');
  if (p.kind !== 'rewrite') return t.fail(p.kind);
  t.equal(p.promoted_self, true);
  const first = decodeConfChange(p.entries[0]!.data);
  t.same([first.type, first.node_id, new TextDecoder().decode(first.context)], ['promote', 'n1', '127.0.0.1:9'], 'promotion carries its address');
  t.same(replayed(p.before, p.entries), { voters: ['n1'], learners: [] });
});

t.test('after a snapshot the commit index is at least the snapshot index', async (t) => {
  const l = loaded([normal(11, 3)], 0, { snapshot_index: 10 });
  const p = planForceNewCluster(l, 'n1', 'a:1');
  if (p.kind !== 'rewrite') return t.fail(p.kind);
  t.equal(p.commit_before, 10);
  t.equal(p.entries[0]!.index, 11);
});

t.test('refusals and the no-op', async (t) => {
  const empty = planForceNewCluster(loaded([], 0, { empty: true }), 'n1', 'a:1');
  t.equal(empty.kind, 'refuse');
  t.match(empty.kind === 'refuse' ? empty.reason : '', /empty/);
  const stranger = planForceNewCluster(loaded([normal(1, 1)], 1), 'n9', 'a:1');
  t.equal(stranger.kind, 'refuse');
  t.match(stranger.kind === 'refuse' ? stranger.reason : '', /node 'n9' is not a member .*voters \[n1, n2, n3\].*commit index 1/);
  const alone = planForceNewCluster(loaded([normal(1, 1), normal(2, 1)], 1, { conf: { voters: ['n1'], learners: [] } }), 'n1', 'a:1');
  t.same(alone, { kind: 'unchanged', commit: 1 }, 'already the only voter: nothing to rewrite, its own tail stays');
});
