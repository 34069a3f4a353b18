// The node loop tells a refused peer message (dropped with a warning, the node goes on)
// from a broken invariant met while stepping one (the node stops: health NOT_SERVING, the
// fatal counter by kind, onFatal with a message naming the peer message's type, sender,
// term and indexes).

import t from 'tap';
import { Harness } from '../raft/harness.js';
import { NodeLoop, type LoopParts } from '../../src/node/node-loop.js';
import { NodeState } from '../../src/node/node-state.js';
import { NodeMetrics } from '../../src/node/node-metrics.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { RaftInvariantError, RaftMessageError } from '../../src/raft/invariant.js';
import { describeMessage, fatalKind, SafetyViolation } from '../../src/node/fatal.js';
import { StorageError } from '../../src/node/storage-records.js';
import type { Message } from '../../src/raft/types.js';
import type { RaftCore } from '../../src/node/raft-core.js';

interface Logged {
  level: string;
  obj: object;
  msg: string;
}

/** A loop around a real elected leader `a` of a, b, c, with the parts the inbox path uses. */
function leaderLoop(): { loop: NodeLoop; state: NodeState; logged: Logged[]; fatal: Error[]; metrics: NodeMetrics; core: RaftCore } {
  const h = new Harness(['a', 'b', 'c']);
  let leader = h.elect();
  for (let i = 0; i < 20 && leader !== 'a'; i++) {
    h.node(leader).transferLeadership('a');
    h.settle();
    leader = h.leader() ?? leader;
  }
  if (leader !== 'a') throw new Error(`a did not become leader (${leader})`);
  h.settle();
  const core = h.node('a');
  const state = new NodeState(new Ledger(), { index: 0, term: 0, conf_state: { voters: ['a', 'b', 'c'], learners: [] }, addresses: {} }, core.status());
  const logged: Logged[] = [];
  const log = (level: string) => (obj: object, msg: string): void => void logged.push({ level, obj, msg });
  const metrics = new NodeMetrics('a');
  const fatal: Error[] = [];
  state.countFatal = (kind) => metrics.faults.countFatal(kind);
  state.onFatal = (err) => void fatal.push(err);
  const parts = {
    settings: { id: 'a' },
    state,
    raft: core,
    log: { info: log('info'), warn: log('warn'), error: log('error'), debug: log('debug') },
    metrics,
    proposals: { queued: 0 },
    proposer: { proposeQueued: () => undefined },
    reads: { nextRound: () => undefined, wantsRound: () => false },
    compaction: { maybeCompact: async () => undefined },
  } as unknown as LoopParts;
  return { loop: new NodeLoop(parts), state, logged, fatal, metrics, core };
}

async function settled(loop: NodeLoop): Promise<void> {
  for (let i = 0; i < 100 && loop.running; i++) await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
}

async function fatalCount(metrics: NodeMetrics, kind: string): Promise<number> {
  const m = await metrics.faults.fatal_errors.get();
  return m.values.find((v) => v.labels.kind === kind)?.value ?? -1;
}

t.test('a malformed peer message is dropped with a warning; the node goes on', async (t) => {
  const { loop, state, logged, fatal, metrics, core } = leaderLoop();
  const term = core.status().term;
  loop.deliver([{ type: 'append', from: 'b', to: 'a', term, prev_index: 0, prev_term: 0, entries: [{ index: 5, term, type: 'normal', data: new Uint8Array(0) }], commit: 0 }]);
  await settled(loop);
  t.same(fatal, [], 'no fatal error');
  t.equal(state.stopped, false, 'the node still runs');
  const warn = logged.find((l) => l.level === 'warn');
  t.equal(warn?.msg, 'core refused a malformed peer message');
  t.match(warn?.obj, { from: 'b', type: 'append', err: /entry 0 has index 5, expected 1/ });
  t.equal(await fatalCount(metrics, 'safety'), 0);
});

t.test('a broken invariant while stepping a peer message stops the node, naming the message', async (t) => {
  const { loop, state, fatal, metrics, core } = leaderLoop();
  const s = core.status();
  // A follower acknowledging an index the leader never had: one of them lost or invented
  // durable data.
  loop.deliver([{ type: 'append_resp', from: 'b', to: 'a', term: s.term, reject: false, index: s.last_index + 50, reject_hint_index: 0, reject_hint_term: 0 }]);
  await settled(loop);
  t.equal(fatal.length, 1, 'onFatal called once');
  const err = fatal[0]!;
  t.type(err, SafetyViolation);
  t.match(err.message, new RegExp(`safety violation on node a while handling append_resp from b at term ${s.term} \\(index ${s.last_index + 50}, reject false\\): follower b acknowledged index ${s.last_index + 50} beyond leader a last index ${s.last_index}`));
  t.equal(state.stopped, true, 'the node stopped');
  t.equal(state.fatal_kind, 'safety');
  t.equal(await fatalCount(metrics, 'safety'), 1, 'stockd_fatal_errors_total{kind="safety"} counted');
  loop.deliver([{ type: 'heartbeat', from: 'b', to: 'a', term: s.term, commit: 0, context: '' }]);
  await settled(loop);
  t.equal(fatal.length, 1, 'nothing more is stepped after the stop');
});

t.test('fatal errors are classified by kind; messages are described with their indexes', async (t) => {
  t.equal(fatalKind(new RaftInvariantError('append conflicts at index 3 at or below commit 4')), 'safety');
  t.equal(fatalKind(new StorageError('corrupt data dir: raft entry 3 fails its checksum')), 'corruption');
  t.equal(fatalKind(Object.assign(new Error('IO error: /d/000005.log: No space left on device'), { code: 'LEVEL_IO_ERROR' })), 'disk_full');
  t.equal(fatalKind(Object.assign(new Error('IO error: /d/000005.log: Input/output error'), { code: 'LEVEL_IO_ERROR' })), 'storage');
  t.equal(fatalKind(new RaftMessageError('x')), 'other', 'a refused message is not a safety violation');
  const m: Message = { type: 'append', from: 'b', to: 'a', term: 4, prev_index: 7, prev_term: 3, entries: [{ index: 8, term: 4, type: 'normal', data: new Uint8Array(0) }, { index: 9, term: 4, type: 'normal', data: new Uint8Array(0) }], commit: 6 };
  t.equal(describeMessage(m), 'append from b at term 4 (prev_index 7, prev_term 3, entries 8..9 (terms 4..4), commit 6)');
});
