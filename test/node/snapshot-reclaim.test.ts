// A received snapshot is staged, then its ledger is loaded and checked (incoming-snapshots.ts).
// The node gives back its memory between the two (NodeSettings.reclaim_memory): the reclaim
// runs once per snapshot of at least a bound, before the first staged record is read; one
// that fails is logged and the snapshot is still checked and announced; none configured
// changes nothing.

import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Ledger } from '../../src/ledger/ledger.js';
import { LevelStorage, pack, type AppliedRecord, type SnapshotRecord } from '../../src/node/storage-level.js';
import { encodeSnapshotChunks, snapshotHasher, SnapshotReceiver, type StagedSnapshot } from '../../src/node/storage-snapshot.js';
import { IncomingSnapshots, RECLAIM_STAGED_BYTES_MIN, type IncomingSnapshotParts } from '../../src/node/incoming-snapshots.js';
import type { NodeState } from '../../src/node/node-state.js';
import type { MemoryReclaim } from '../../src/node/node-settings.js';
import type { Message, SnapshotMeta } from '../../src/raft/types.js';

const conf = { voters: ['a', 'b'], learners: [] };
const META: SnapshotMeta = { index: 5, term: 2, conf_state: conf };
const APPLIED: AppliedRecord = { index: 5, term: 2, conf_state: conf, addresses: {} };

async function staged(t: { teardown(fn: () => void | Promise<void>): void }): Promise<{ storage: LevelStorage; snap: StagedSnapshot }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stockd-reclaim-'));
  const storage = await LevelStorage.open(dir);
  t.teardown(async () => {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await storage.claim('a', 'c-test', { conf, addresses: {} });
  await storage.load();
  // A ledger with nothing in it yet: its meta record alone.
  const records: SnapshotRecord[] = [];
  async function* gen(): AsyncGenerator<SnapshotRecord> {
    yield* records;
  }
  const r = await SnapshotReceiver.begin(storage, META, 'b');
  const h = snapshotHasher();
  for await (const c of encodeSnapshotChunks({ applied: APPLIED, form: 'stored', records: gen(), close: () => Promise.resolve() })) {
    h.update(c);
    await r.add(c, h.copy().digest());
  }
  return { storage, snap: r.finish(h.digest()) };
}

function incoming(storage: LevelStorage, reclaim: MemoryReclaim | null, warnings: string[], delivered: Message[], reclaim_staged_bytes_min = 0): IncomingSnapshots {
  const state = { stopped: false, ledger: new Ledger() } as unknown as NodeState;
  const parts = {
    self_id: 'a',
    state,
    storage,
    log: { info: () => undefined, debug: () => undefined, error: () => undefined, warn: (_o: object, m: string) => warnings.push(m) },
    metrics: null,
    hook: null,
    reclaim_memory: reclaim,
    reclaim_staged_bytes_min,
    deliver: (m: Message[]) => delivered.push(...m),
  } as unknown as IncomingSnapshotParts;
  return new IncomingSnapshots(parts);
}

t.test('the reclaim runs once, before the staged ledger is read', async (t) => {
  const { storage, snap } = await staged(t);
  const steps: string[] = [];
  const read = storage.forEachStagedState.bind(storage);
  storage.forEachStagedState = (g, add) => {
    steps.push('load');
    return read(g, add);
  };
  const delivered: Message[] = [];
  const reclaim: MemoryReclaim = { all: async () => void steps.push('reclaim'), heap: async () => void steps.push('heap') };
  const ack = await incoming(storage, reclaim, [], delivered).onReceived('b', 2, snap);
  t.equal(ack.accepted, true, ack.detail);
  t.same(steps, ['reclaim', 'load'], 'reclaim first, then the load');
  t.equal(delivered.length, 1, 'the snapshot is announced to the core');
});

t.test('a snapshot smaller than the bound is loaded without a reclaim', async (t) => {
  const { storage, snap } = await staged(t);
  const steps: string[] = [];
  const reclaim: MemoryReclaim = { all: async () => void steps.push('reclaim'), heap: async () => void steps.push('heap') };
  const delivered: Message[] = [];
  const ack = await incoming(storage, reclaim, [], delivered, snap.bytes + 1).onReceived('b', 2, snap);
  t.equal(ack.accepted, true, ack.detail);
  t.same(steps, [], 'no reclaim below the bound');
  t.equal(delivered.length, 1);
  t.ok(RECLAIM_STAGED_BYTES_MIN >= 1024 * 1024, 'the default bound skips small snapshots');
});

t.test('a reclaim that fails is logged; the snapshot is still checked and announced', async (t) => {
  const { storage, snap } = await staged(t);
  const warnings: string[] = [];
  const delivered: Message[] = [];
  const failing: MemoryReclaim = { all: () => Promise.reject(new Error('no inspector')), heap: () => Promise.reject(new Error('no inspector')) };
  const ack = await incoming(storage, failing, warnings, delivered).onReceived('b', 2, snap);
  t.equal(ack.accepted, true, ack.detail);
  t.same(warnings, ['could not reclaim memory before loading a staged snapshot']);
  t.equal(delivered.length, 1);
});

t.test('without a reclaim the snapshot is checked as before', async (t) => {
  const { storage, snap } = await staged(t);
  const delivered: Message[] = [];
  const ack = await incoming(storage, null, [], delivered).onReceived('b', 2, snap);
  t.equal(ack.accepted, true, ack.detail);
  t.equal(delivered.length, 1);
});

t.test('a long staged load pauses for its work every so many records, between batches', async (t) => {
  const { storage } = await staged(t);
  const generation = await storage.beginStaging({ index: 9, term: 2 });
  const enc = new TextEncoder();
  await storage.stageRecords(generation, Array.from({ length: 2_500 }, (_, i) => ['state', enc.encode(`k-${String(i).padStart(5, '0')}`), pack(i)] as SnapshotRecord));
  const seen: number[] = [];
  let added = 0;
  const n = await storage.forEachStagedState(generation, () => void added++, { every_records: 1_000, run: async () => void seen.push(added) });
  t.equal(n, 2_500);
  // LevelDB hands out batches of its own size: the pause comes at the end of the batch
  // that crosses each multiple.
  t.equal(seen.length, 2, `two pauses (after ${seen.join(', ')} records)`);
  t.ok(seen[0]! >= 1_000 && seen[0]! < 2_000 && seen[1]! >= 2_000, 'one past 1,000 records, one past 2,000');
});
