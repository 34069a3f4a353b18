// Watch and history retention: a start at or below the archived mark is refused with the
// first retained index, and a watcher catching up from storage when the mark moves past it
// ends with the same compacted error: never a silent gap (Watch records trimmed under the
// reader) and never "corrupt data dir" (history records pruned under the reader).
import t, { type Test } from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LevelStorage, eventKey, type AppliedRecord } from '../../src/node/storage-level.js';
import { WatchHub, WATCH_PAGE_EVENTS, type KeyedEvent } from '../../src/node/watchers.js';
import { HistoryCompactedError } from '../../src/node/node-api.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { historyKey } from '../../src/ledger/keys.js';
import type { KvWrite, LedgerEvent } from '../../src/ledger/types.js';

const EVENTS = 3 * WATCH_PAGE_EVENTS + 500;
const POSITIONS = 7;

/** A data dir with EVENTS adjusts, one per log index 1..EVENTS, over POSITIONS positions. */
async function filledStorage(t: Test): Promise<{ storage: LevelStorage; events: LedgerEvent[]; applied: AppliedRecord }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stockd-watch-compacted-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const storage = await LevelStorage.open(dir);
  t.teardown(() => storage.close());
  const ledger = new Ledger();
  const events: LedgerEvent[] = [];
  let applied: AppliedRecord = { index: 0, term: 1, conf_state: { voters: ['a'], learners: [] }, addresses: {} };
  for (let index = 1; index <= EVENTS; index += 100) {
    const writes: KvWrite[] = [];
    const keyed: KeyedEvent[] = [];
    for (let i = index; i < index + 100 && i <= EVENTS; i++) {
      const out = ledger.apply(i, { time_ms: 1_700_000_000_000 + i, commands: [{ kind: 'adjust', op_id: `adj-${i}`, sku: `SKU-${i % POSITIONS}`, location: 'WH', delta: 1, reason: 'receive', reference: '' }] });
      writes.push(...out.writes);
      out.events.forEach((event, ordinal) => keyed.push({ key: eventKey(i, ordinal), event }));
      applied = { ...applied, index: i };
    }
    await storage.apply(writes, keyed, applied);
    events.push(...keyed.map((k) => k.event));
  }
  return { storage, events, applied };
}

/** What retention does to history at or below `mark`: every history record of an event
 * there is deleted (the prune entries) while the Watch records pointing at them remain. */
async function pruneHistory(storage: LevelStorage, events: readonly LedgerEvent[], mark: number, applied: AppliedRecord): Promise<void> {
  const dels: KvWrite[] = events.filter((e) => e.log_index <= mark).map((e) => ({ type: 'del', sublevel: 'history', key: historyKey(e.sku, e.location, e.seq) }));
  await storage.apply(dels, [], applied);
}

interface Outcome {
  readonly seen: number[];
  readonly end: Error | null;
}

/** Watches from `from_index`; `between` runs after the first page was read (the watcher
 * is slow: its second read waits for it). */
function watchSlowly(storage: LevelStorage, mark: { v: number }, from_index: number, between: () => Promise<void>): Promise<Outcome> {
  let reads = 0;
  const hub = new WatchHub({
    archivedThroughIndex: () => mark.v,
    readEvents: async (from, after, limit) => {
      if (++reads === 2) await between();
      return storage.eventsFrom(from, after, limit);
    },
  });
  const seen: number[] = [];
  const all = EVENTS - from_index + 1;
  return new Promise((resolve) => {
    // A watcher that catches up goes live and never ends by itself: done once all came.
    const h = hub.watch(
      from_index,
      (e) => {
        seen.push(e.log_index);
        if (seen.length === all) {
          h.close();
          resolve({ seen, end: null });
        }
      },
      (err) => resolve({ seen, end: err }),
    );
  });
}

function contiguousFrom(seen: readonly number[], from: number): boolean {
  return seen.every((v, i) => v === from + i);
}

t.test('a start at or below the archived mark is refused naming the first retained index', async (t) => {
  const hub = new WatchHub({ archivedThroughIndex: () => 40, readEvents: async () => [] });
  for (const from of [1, 40]) {
    const err = t.throws(() => hub.watch(from, () => undefined, () => undefined)) as unknown;
    t.ok(err instanceof HistoryCompactedError, `from ${from}: HistoryCompactedError`);
    const c = err as HistoryCompactedError;
    t.equal(c.needed_index, from);
    t.equal(c.archived_through_index, 40);
    t.equal(c.first_retained_index, 41);
    t.match(c.message, /first retained index is 41/);
  }
  const h = hub.watch(41, () => undefined, () => undefined);
  t.equal(hub.count, 1, 'from the first retained index the watch starts');
  h.close();
});

t.test('history pruned under a slow catch-up ends the watch as compacted, not as corruption', async (t) => {
  const { storage, events, applied } = await filledStorage(t);
  const mark = { v: 0 };
  const moved_to = 2 * WATCH_PAGE_EVENTS + 10;
  const r = await watchSlowly(storage, mark, 1, async () => {
    mark.v = moved_to;
    await pruneHistory(storage, events, moved_to, applied);
  });
  t.ok(r.end instanceof HistoryCompactedError, `ends with HistoryCompactedError, got ${String(r.end)}`);
  t.equal((r.end as HistoryCompactedError).first_retained_index, moved_to + 1, 'names the new first retained index');
  t.equal((r.end as HistoryCompactedError).needed_index, WATCH_PAGE_EVENTS, 'and the index the watcher still needed');
  t.notMatch(String(r.end), /corrupt/);
  t.same(r.seen.length, WATCH_PAGE_EVENTS, 'the first page went out before the end');
  t.ok(contiguousFrom(r.seen, 1), 'without a gap');
});

t.test('Watch records trimmed under a slow catch-up end the watch as compacted, never as a silent gap', async (t) => {
  const { storage, events, applied } = await filledStorage(t);
  const mark = { v: 0 };
  const moved_to = 2 * WATCH_PAGE_EVENTS + 10;
  const r = await watchSlowly(storage, mark, 1, async () => {
    mark.v = moved_to;
    await pruneHistory(storage, events, moved_to, applied);
    await storage.trimEvents(moved_to, 100_000);
  });
  t.ok(r.end instanceof HistoryCompactedError, `ends with HistoryCompactedError, got ${String(r.end)}`);
  t.equal((r.end as HistoryCompactedError).first_retained_index, moved_to + 1);
  t.ok(contiguousFrom(r.seen, 1), 'what was delivered has no gap');
  t.equal(r.seen.length, WATCH_PAGE_EVENTS, 'nothing from after the trimmed range was delivered');
});

t.test('a mark that moves below what the watcher needs changes nothing', async (t) => {
  const { storage, events, applied } = await filledStorage(t);
  const mark = { v: 0 };
  const r = await watchSlowly(storage, mark, 2 * WATCH_PAGE_EVENTS, async () => {
    mark.v = 2 * WATCH_PAGE_EVENTS - 1;
    await pruneHistory(storage, events, mark.v, applied);
  });
  t.equal(r.end, null, 'no error');
  t.equal(r.seen.length, EVENTS - 2 * WATCH_PAGE_EVENTS + 1, 'every event from the start');
  t.ok(contiguousFrom(r.seen, 2 * WATCH_PAGE_EVENTS), 'in order, without a gap');
});

t.test('a missing history record above the mark is still reported as damage', async (t) => {
  const { storage, events, applied } = await filledStorage(t);
  const mark = { v: 0 };
  // Known-bad: records vanish with no mark over them; the compaction check must not hide it.
  const r = await watchSlowly(storage, mark, 1, () => pruneHistory(storage, events, 2 * WATCH_PAGE_EVENTS, applied));
  t.notOk(r.end instanceof HistoryCompactedError, 'not taken for compaction');
  t.match(String(r.end), /corrupt data dir: event record .* points at history record/);
});
