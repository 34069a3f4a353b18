// Rules versions: the entry field (bounded, absent = 1), the cluster version raised by an
// admin command (hash-chained, carried by snapshots and loads), and the refusals that stop
// a replica instead of letting it apply an entry under rules it does not know.

import t from 'tap';
import { pack } from 'msgpackr';
import { Ledger } from '../../src/ledger/ledger.js';
import { decodeEntry, encodeEntry } from '../../src/ledger/codec.js';
import { verifyHistory } from '../../src/ledger/history.js';
import { restoreChunks, snapshotChunks } from '../../src/ledger/snapshot.js';
import { CLUSTER_VERSION_KEY } from '../../src/ledger/keys.js';
import { RULES_VERSION_FIELD_MAX, RULES_VERSION_MAX, RulesVersionError, supportedRange } from '../../src/ledger/rules.js';
import type { AdminEvent, Command, LedgerEvent } from '../../src/ledger/types.js';
import { Driver, adjust } from './helpers.js';

const raise = (op_id: string, to: string): Command => ({ kind: 'admin', op_id, action: 'cluster_version', principal: 'alice', target: to, detail: 'every member supports it' });

t.test('the entry field round-trips, is bounded, and is absent on old entries', async (t) => {
  const cmds = [adjust('a1', 'S', 'L', 3)];
  t.same(decodeEntry(encodeEntry({ time_ms: 5, commands: cmds, rules_version: 2 })), { time_ms: 5, commands: cmds, rules_version: 2 });
  const old = decodeEntry(pack({ time_ms: 5, commands: cmds }));
  t.equal(old.rules_version, undefined, 'an entry written before the field decodes without it');
  t.equal(new Ledger().apply(1, old).results[0]!.code, 'OK', 'and applies as version 1');
  for (const bad of [0, -1, 1.5, RULES_VERSION_FIELD_MAX + 1, '2']) {
    t.throws(() => decodeEntry(pack({ time_ms: 5, commands: [], rules_version: bad })), new RegExp(`rules_version must be an integer 1\\.\\.${RULES_VERSION_FIELD_MAX}, got ${String(bad).replace('.', '\\.')}`), `decode refuses ${String(bad)}`);
    t.throws(() => encodeEntry({ time_ms: 5, commands: [], rules_version: bad as number }), /rules_version must be an integer/, `encode refuses ${String(bad)}`);
  }
  // Unknown but well-formed: decodes, so that the applier can name it.
  t.equal(decodeEntry(encodeEntry({ time_ms: 5, commands: [], rules_version: 77 })).rules_version, 77);
});

t.test('raising the cluster version: admin event, state record, refusals of non-raises', async (t) => {
  const d = new Driver();
  t.equal(d.ledger.clusterVersion(), 1);
  d.one(10, adjust('a1', 'S', 'L', 3));
  const r = d.entry(20, [raise('cv-1', '2')]);
  t.equal(r.results[0]!.code, 'OK');
  t.match(r.admin_events, [{ action: 'cluster_version', target: '2', seq: 1, log_index: 2 }]);
  t.equal(d.ledger.clusterVersion(), 2);
  t.same(d.store.state.get(CLUSTER_VERSION_KEY), { v: 1, version: 2, log_index: 2 });
  for (const [id, target] of [['cv-2', '2'], ['cv-3', '1'], ['cv-4', 'two'], ['cv-5', '02'], ['cv-6', '']] as const) {
    const res = d.one(30, raise(id, target));
    t.match(res, { code: 'INVALID_ARGUMENT', field: 'target', value: target, limit: /above the cluster version 2/ }, `target '${target}' is refused`);
  }
  t.equal(d.ledger.clusterVersion(), 2, 'refusals change nothing');
  t.equal(d.ledger.adminHead().seq, 1, 'and record nothing');
  // Entries under version 2 now apply.
  const v2 = d.ledger.apply(++d.log_index, { time_ms: 40, commands: [adjust('a2', 'S', 'L', 1)], rules_version: 2 });
  d.store.write(v2.writes);
  t.equal(v2.results[0]!.code, 'OK');
  t.equal(d.one(50, raise('cv-1', '2')).replay, true, 'a retried raise replays its OK');
  // The chain verifies with the raise in it.
  const history = [...d.store.history].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([, e]) => e as LedgerEvent | AdminEvent);
  t.match(verifyHistory(history as LedgerEvent[], d.ledger.positionHeads(), d.ledger.adminHead()), { ok: true });
  // Load and snapshot keep it.
  const loaded = Ledger.load(d.store.rawStateEntries());
  t.equal(loaded.clusterVersion(), 2);
  t.equal(loaded.headHash(), d.ledger.headHash());
  t.same(loaded.stateEntries(), d.ledger.stateEntries());
  const restored = [...restoreChunks(snapshotChunks(d.store.records(), 4096))].filter(([s]) => s === 'state').map(([, k, v]) => [k, v] as [string, unknown]);
  t.equal(Ledger.load(restored).clusterVersion(), 2);
});

t.test('an entry under a version this replica does not apply stops it before anything changes', async (t) => {
  const d = Driver.withOptions({ rules_version_max: 1 });
  d.one(10, adjust('a1', 'S', 'L', 3));
  const before = d.ledger.stateEntries();
  const head = d.ledger.headHash();
  t.throws(() => d.ledger.apply(2, { time_ms: 20, commands: [adjust('a2', 'S', 'L', 1)], rules_version: 2 }), {
    name: 'RulesVersionError',
    message: 'entry 2 was proposed under ledger rules version 2; this node applies versions 1..1 (cluster version 1): run a build that supports version 2',
  });
  t.throws(() => d.ledger.apply(2, { time_ms: 20, commands: [raise('cv-1', '2')] }), {
    message: 'entry 2 raises the cluster version from 1 to 2; this node applies ledger rules versions 1..1: run a build that supports version 2',
  });
  t.same(d.ledger.stateEntries(), before, 'state unchanged');
  t.equal(d.ledger.headHash(), head);
  t.equal(d.ledger.lastLogIndex(), 1, 'the index did not move: the entry can be applied by a build that knows it');
});

t.test('an entry above the cluster version is refused even by a replica that knows it', async (t) => {
  const d = new Driver();
  t.throws(() => d.ledger.apply(1, { time_ms: 1, commands: [], rules_version: 2 }), { name: 'RulesVersionError', message: /entry 1 was proposed under ledger rules version 2, above the cluster version 1/ });
  t.throws(() => d.ledger.apply(1, { time_ms: 1, commands: [], rules_version: RULES_VERSION_MAX + 1 }), RulesVersionError);
});

t.test('a state at a cluster version beyond the range is refused at load', async (t) => {
  const d = new Driver();
  d.one(10, raise('cv-1', '2'));
  t.throws(() => Ledger.load(d.store.rawStateEntries(), { rules_version_max: 1 }), {
    name: 'RulesVersionError',
    message: /is at cluster version 2, raised at entry 1; this node applies ledger rules versions 1\.\.1/,
  });
  const bad = d.store.rawStateEntries().map(([k, v]) => [k, k === CLUSTER_VERSION_KEY ? { v: 1, version: 1, log_index: 1 } : v] as [string, unknown]);
  t.throws(() => Ledger.load(bad), /cluster version must be an integer 2\.\./);
  const beyond = d.store.rawStateEntries().map(([k, v]) => [k, k === CLUSTER_VERSION_KEY ? { v: 1, version: 2, log_index: 9 } : v] as [string, unknown]);
  t.throws(() => Ledger.load(beyond), /raised at entry 9, beyond the applied index 1/);
  t.throws(() => supportedRange(RULES_VERSION_MAX + 1), new RegExp(`rules_version_max must be an integer 1\\.\\.${RULES_VERSION_MAX}, got ${RULES_VERSION_MAX + 1}`));
  t.throws(() => new Ledger({ rules_version_max: 0 }), /rules_version_max must be an integer/);
});
