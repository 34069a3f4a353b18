// The 'outcomes' sublevel (outcomes past the dedup window) on a real LevelDB: written in
// the ledger's apply batch, read back after a restart without being loaded into the
// ledger, carried by node snapshots and by backups (ledger snapshot chunks).

import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LevelStorage, ARCHIVE_LOOKUP_IDS_MAX, type AppliedRecord, type SublevelName } from '../../src/node/storage-level.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { archivedResult, replayFromArchive } from '../../src/ledger/archive.js';
import { restoreChunks, snapshotChunks, type SnapshotRecord } from '../../src/ledger/snapshot.js';
import type { Command, KvWrite } from '../../src/ledger/types.js';

interface Teardown {
  teardown(fn: () => void): void;
}

function tempDir(t: Teardown): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'stockd-outcomes-'));
  t.teardown(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

const conf = { voters: ['a'], learners: [] };
const W = 1_000;
const applied = (index: number): AppliedRecord => ({ index, term: 1, conf_state: conf, addresses: {} });
const adjust = (op_id: string, delta: number, id_time_ms: number): Command => ({ kind: 'adjust', op_id, sku: 'S', location: 'L', delta, reason: '', reference: '', id_time_ms });

/** Applies an adjust at T, then an entry past the retention that archives it; returns
 * the ledger, every write in order, and the adjust's result. */
function archivedRun(): { ledger: Ledger; writes: KvWrite[]; cmd: Command } {
  const ledger = new Ledger({ dedup_window_ms: W });
  const cmd = adjust('a1', 5, 10_000);
  const writes: KvWrite[] = [...ledger.apply(1, { time_ms: 10_000, commands: [cmd] }).writes];
  const later = 10_000 + ledger.outcome_retention_ms;
  writes.push(...ledger.apply(2, { time_ms: later, commands: [adjust('a2', 1, later)] }).writes);
  return { ledger, writes, cmd };
}

async function opened(t: Teardown, dir = tempDir(t)): Promise<LevelStorage> {
  const s = await LevelStorage.open(dir);
  await s.claim('a', 'c-test', { conf, addresses: {} });
  await s.load();
  return s;
}

t.test('archived outcomes survive a restart and stay out of the state the ledger loads', async (t) => {
  const dir = tempDir(t);
  const s = await opened(t, dir);
  const { ledger, writes, cmd } = archivedRun();
  await s.apply(writes, [], applied(2));
  await s.sync();
  await s.close();
  const s2 = await LevelStorage.open(dir);
  t.teardown(() => s2.close());
  const [a1, a2, none] = await s2.archivedOutcomes(['a1', 'a2', 'never']);
  t.ok(a1 !== undefined, 'a1 is archived');
  t.equal(a2, undefined, 'a2 is still in memory, not archived');
  t.equal(none, undefined);
  t.same(archivedResult('a1', a1), { code: 'OK', replay: false, positions: [{ sku: 'S', location: 'L', on_hand: 5, reserved: 0, available: 5, seq: 1 }], reservation: null });
  t.equal(replayFromArchive(cmd, 'a1', a1).replay, true);
  const keys: string[] = [];
  await s2.forEachLedgerState((k) => keys.push(k));
  t.notOk(keys.includes('o!a1'), 'not in the state sublevel');
  const loaded = Ledger.loader({ dedup_window_ms: W });
  await s2.forEachLedgerState(loaded.add);
  const l = loaded.finish();
  t.equal(l.getOutcome('a1'), null, 'the restarted ledger does not hold it in memory');
  t.equal(l.prunedIndex(), ledger.prunedIndex(), 'the pruned index comes back from meta');
  await t.rejects(s2.archivedOutcomes(Array.from({ length: ARCHIVE_LOOKUP_IDS_MAX + 1 }, (_, i) => `id-${i}`)), /limit 1000/);
});

t.test('a node snapshot carries the outcomes sublevel to the receiver', async (t) => {
  const from = await opened(t);
  t.teardown(() => from.close());
  const to = await opened(t);
  t.teardown(() => to.close());
  await from.apply(archivedRun().writes, [], applied(2));
  const view = await from.openSnapshot();
  const records: [SublevelName, Uint8Array, Uint8Array][] = [];
  for await (const r of view.records) records.push(r);
  await view.close();
  t.ok(records.some(([name]) => name === 'outcomes'), 'the view holds the outcomes sublevel');
  t.equal((await to.archivedOutcomes(['a1']))[0], undefined, 'the receiver has nothing before');
  await to.installSnapshot({ index: 2, term: 1, conf_state: conf }, records, view.applied, null);
  t.equal(archivedResult('a1', (await to.archivedOutcomes(['a1']))[0]).code, 'OK', 'and the archived outcome after');
});

t.test('a backup (ledger snapshot chunks) carries archived outcomes; a reader refuses an unknown sublevel', (t) => {
  const { writes } = archivedRun();
  const outcomes = writes.filter((w) => w.sublevel === 'outcomes' && w.type === 'put').map((w) => ['outcomes', w.key, w.type === 'put' ? w.value : null] as const);
  const back = [...restoreChunks(snapshotChunks(outcomes, 4_096))];
  t.same(back, outcomes);
  const bad = [['elsewhere', 'k', 1]] as unknown as SnapshotRecord[];
  t.throws(() => [...snapshotChunks(bad, 4_096)], /unknown sublevel elsewhere/);
  t.end();
});
