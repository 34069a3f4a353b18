// History retention frees archived outcomes: those applied at or below the archived mark
// whose events are all pruned go; every other one stays. Counted on a real data dir.
import t, { type Test } from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LevelStorage, type AppliedRecord } from '../../src/node/storage-level.js';
import { OutcomeTrimmer } from '../../src/node/outcome-trim.js';
import { OUTCOME_TRIM_PASS_INTERVAL_MS, OUTCOME_TRIM_SCANNED_MAX } from '../../src/node/limits.js';
import { archivedOutcomePrunable } from '../../src/ledger/retention.js';
import type { KvWrite } from '../../src/ledger/types.js';

const FP = '#' + '0'.repeat(32);

function okRecord(at_index: number, positions: readonly { sku: string; seq: number }[]): unknown {
  return {
    result: { code: 'OK', replay: false, positions: positions.map((p) => ({ sku: p.sku, location: 'WH', on_hand: 5, reserved: 0, available: 5, seq: p.seq })), reservation: null },
    fp: FP,
    at_ms: 1_700_000_000_000 + at_index,
    at_index,
  };
}

function refusalRecord(at_index: number | undefined): unknown {
  const r = { result: { code: 'RESERVATION_NOT_FOUND', replay: false, detail: 'no reservation' }, fp: FP, at_ms: 1_700_000_000_000 };
  return at_index === undefined ? r : { ...r, at_index };
}

t.test('archivedOutcomePrunable: at or below the mark and every event pruned, nothing else', async (t) => {
  const horizons = new Map([
    ['A', 10],
    ['B', 3],
  ]);
  const horizon = (sku: string): number => horizons.get(sku) ?? -1;
  t.equal(archivedOutcomePrunable(okRecord(50, [{ sku: 'A', seq: 10 }]), 100, horizon), true, 'its event is the horizon: pruned');
  t.equal(archivedOutcomePrunable(okRecord(50, [{ sku: 'A', seq: 7 }, { sku: 'B', seq: 3 }]), 100, horizon), true, 'two positions, both pruned');
  t.equal(archivedOutcomePrunable(okRecord(50, [{ sku: 'A', seq: 7 }, { sku: 'B', seq: 4 }]), 100, horizon), false, 'one event still retained: stays');
  t.equal(archivedOutcomePrunable(okRecord(50, [{ sku: 'A', seq: 11 }]), 100, horizon), false, 'event above the horizon: stays');
  t.equal(archivedOutcomePrunable(okRecord(101, [{ sku: 'A', seq: 1 }]), 100, horizon), false, 'applied above the mark: stays');
  t.equal(archivedOutcomePrunable(okRecord(50, [{ sku: 'A', seq: 1 }]), 0, horizon), false, 'no mark: stays');
  t.equal(archivedOutcomePrunable(okRecord(50, [{ sku: 'Z', seq: 1 }]), 100, horizon), false, 'unknown position: stays');
  t.equal(archivedOutcomePrunable(refusalRecord(100), 100, horizon), true, 'a refusal at the mark appended no event: goes');
  t.equal(archivedOutcomePrunable(refusalRecord(101), 100, horizon), false, 'a refusal above the mark stays');
  t.equal(archivedOutcomePrunable(refusalRecord(undefined), 100, horizon), false, 'a record without its apply index stays');
  t.equal(archivedOutcomePrunable({ at_index: 5, result: { positions: 'x' } }, 100, horizon), false, 'a malformed record stays');
  t.equal(archivedOutcomePrunable(null, 100, horizon), false);
});

async function storageWith(t: Test, records: readonly [string, unknown][]): Promise<LevelStorage> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stockd-outcome-trim-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const storage = await LevelStorage.open(dir);
  t.teardown(() => storage.close());
  const writes: KvWrite[] = records.map(([id, value]) => ({ type: 'put', sublevel: 'outcomes', key: id, value }));
  const applied: AppliedRecord = { index: 1, term: 1, conf_state: { voters: ['a'], learners: [] }, addresses: {} };
  await storage.apply(writes, [], applied);
  return storage;
}

async function storedIds(storage: LevelStorage): Promise<string[]> {
  const ids: string[] = [];
  for await (const [id] of storage.rawRecords('outcomes')) ids.push(id);
  return ids;
}

t.test('a trim pass over a data dir drops exactly the outcomes of pruned history', async (t) => {
  // More records than one round reads, so the pass crosses rounds by its cursor.
  const n = OUTCOME_TRIM_SCANNED_MAX + 2_345;
  const records: [string, unknown][] = [];
  const keep = new Set<string>();
  for (let i = 1; i <= n; i++) {
    const id = `op-${String(i).padStart(6, '0')}`;
    // Position A's events up to seq 6,000 are pruned; the mark is at log index 9,000.
    const seq = i;
    records.push([id, i % 97 === 0 ? refusalRecord(i) : okRecord(i, [{ sku: 'A', seq }])]);
    const goes = i <= 9_000 && (i % 97 === 0 || seq <= 6_000);
    if (!goes) keep.add(id);
  }
  records.push(['legacy-1', refusalRecord(undefined)]);
  keep.add('legacy-1');
  const storage = await storageWith(t, records);
  let mark = 0;
  let now = 0;
  const trimmer = new OutcomeTrimmer({
    storage,
    ledger: () => ({ archivedThroughIndex: () => mark, horizonSeq: (sku: string) => (sku === 'A' ? 6_000 : -1) }),
    now_ms: () => now,
  });
  const before = await storedIds(storage);
  t.equal(before.length, n + 1, 'every record stored');

  t.same(await trimmer.round(), { scanned: 0, deleted: 0 }, 'no archived mark: nothing read, nothing dropped');
  mark = 9_000;
  const first = await trimmer.round();
  t.equal(first.scanned, OUTCOME_TRIM_SCANNED_MAX, 'a round reads at most its bound');
  const second = await trimmer.round();
  t.equal(second.scanned, n + 1 - OUTCOME_TRIM_SCANNED_MAX, 'the next round continues from the cursor');
  const after = await storedIds(storage);
  const expected_deleted = n + 1 - keep.size;
  t.equal(first.deleted + second.deleted, expected_deleted, 'the rounds report what they dropped');
  t.equal(after.length, keep.size, `records before ${before.length}, after ${after.length}`);
  t.same(after, [...keep].sort(), 'exactly the outcomes of retained history (and records without an index) stay');

  t.same(await trimmer.round(), { scanned: 0, deleted: 0 }, 'a finished pass waits before the next');
  now += OUTCOME_TRIM_PASS_INTERVAL_MS;
  t.same(await trimmer.round(), { scanned: keep.size, deleted: 0 }, 'after the interval a new pass finds nothing more');
  t.same(await trimmer.round(), { scanned: 0, deleted: 0 }, 'and waits again');
  mark = n;
  const refusals_above = [...keep].filter((id) => id.startsWith('op-') && Number(id.slice(3)) % 97 === 0).length;
  t.ok(refusals_above > 0);
  t.same(await trimmer.round(), { scanned: keep.size, deleted: refusals_above }, 'a moved mark starts a pass at once; the refusals now below it go');
  t.equal((await storedIds(storage)).length, keep.size - refusals_above);
});
