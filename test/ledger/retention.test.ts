// History retention in the ledger: the archived mark, prune lists (all or nothing, bounded
// per entry), horizons, and verify over pruned history (retention.ts, history.ts).

import t from 'tap';
import { Ledger } from '../../src/ledger/ledger.js';
import { HistoryVerifier, verifyHistory } from '../../src/ledger/history.js';
import { decodeEntry, encodeEntry } from '../../src/ledger/codec.js';
import { historyKey, horizonKey } from '../../src/ledger/keys.js';
import { HISTORY_PRUNE_EVENTS_PER_ENTRY_MAX } from '../../src/ledger/limits.js';
import type { Command, HistoryHorizon, LedgerEntry, LedgerEvent } from '../../src/ledger/types.js';
import { scanForPrune, type RetentionPolicy } from '../../src/node/history-scan.js';
import { Driver, adjust, raise3, type MemStore } from './helpers.js';

const mark = (n: number, op_id = `m${n}`): Command => ({ kind: 'admin', op_id, action: 'history_archived', principal: 'ops', target: String(n), detail: '' });

/** Reads a position's events from a MemStore as the node reads LevelDB. */
function reader(store: MemStore) {
  return async (sku: string, location: string, after_seq: number, limit: number): Promise<LedgerEvent[]> => {
    const out: LedgerEvent[] = [];
    for (let seq = after_seq + 1; out.length < limit; seq++) {
      const e = store.history.get(historyKey(sku, location, seq)) as LedgerEvent | undefined;
      if (e === undefined) break;
      out.push(e);
    }
    return out;
  };
}

/** Two positions with `n` events each, one entry per event pair, time 1000 * i; the first
 * entry raises the cluster version to 3, the rest are proposed under it. */
function busy(n: number): Driver {
  const d = new Driver();
  for (let i = 1; i <= n; i++) {
    d.entry(i * 1_000, [...(i === 1 ? [raise3] : []), adjust(`a${i}`, 'SKU-1', 'L', 1), adjust(`b${i}`, 'SKU-2', 'L', 2)]);
    d.rules_version = 3;
  }
  return d;
}

function positionEvents(store: MemStore, sku: string): LedgerEvent[] {
  return store.historyEvents().filter((e) => e.sku === sku && (e as { kind: string }).kind !== 'HORIZON');
}

async function prune(d: Driver, policy: RetentionPolicy, events_max = 1_000): Promise<HistoryHorizon[]> {
  const scan = await scanForPrune(d.ledger, policy, 0, { positions_max: 100, events_max }, reader(d.store));
  return scan.prune;
}

function applyPrune(d: Driver, time_ms: number, list: readonly HistoryHorizon[]) {
  const out = d.ledger.apply(++d.log_index, { time_ms, commands: [], prune: list, rules_version: d.rules_version });
  d.store.write(out.writes);
  return out;
}

t.test('nothing is pruned before the archived mark, and only below it', async (t) => {
  const d = busy(10);
  t.same(await prune(d, { retain_ms: null, retain_events: 2 }), [], 'no mark: nothing to prune');
  t.equal(d.one(11_000, mark(4)).code, 'OK');
  t.equal(d.ledger.archivedThroughIndex(), 4);
  const list = await prune(d, { retain_ms: null, retain_events: 2 });
  t.same(list.map((h) => [h.sku, h.seq, h.log_index]), [['SKU-1', 4, 4], ['SKU-2', 4, 4]], 'count rule capped by the mark');
  // A horizon above the mark is refused, whole, with the reason.
  const e8 = d.store.history.get(historyKey('SKU-1', 'L', 8)) as LedgerEvent;
  const bad = { kind: 'HORIZON' as const, sku: 'SKU-1', location: 'L', seq: 8, log_index: 8, time_ms: e8.time_ms, on_hand: e8.on_hand, reserved: 0, hash: e8.hash };
  const before = d.store.history.size;
  const refused = applyPrune(d, 12_000, [list[0], bad]);
  t.equal(refused.prune?.ok, false);
  t.match(refused.prune, { ok: false, reason: /prune\[1\].*log_index 8 is above the archived mark 4/ });
  t.equal(d.store.history.size, before, 'a refused list deletes nothing');
  t.equal(d.ledger.horizonSeq('SKU-1', 'L'), 0);
});

t.test('the mark only moves up, never past the entry before it, and its target is checked', (t) => {
  const d = busy(3);
  t.equal(d.one(4_000, mark(2)).code, 'OK');
  t.equal(d.one(4_000, mark(1)).code, 'OK');
  t.equal(d.ledger.archivedThroughIndex(), 2, 'not lowered');
  t.equal(d.one(4_000, mark(1_000)).code, 'OK');
  t.equal(d.ledger.archivedThroughIndex(), d.log_index - 1, 'clamped to the entries before it');
  const r = d.one(4_000, { ...mark(1), target: '01' } as Command);
  t.match(r, { code: 'INVALID_ARGUMENT', field: 'target', value: '"01"' });
  t.match(d.one(4_000, { ...mark(1), op_id: 'x2', target: 'abc' } as Command), { code: 'INVALID_ARGUMENT', field: 'target' });
  t.end();
});

t.test('pruning keeps a horizon, verify passes from it, and replicas agree', async (t) => {
  const a = busy(30);
  const b = busy(30);
  for (const d of [a, b]) d.one(31_000, mark(20));
  const list = await prune(a, { retain_ms: 15_000, retain_events: null });
  // Log time 31 s: events older than 16 s go, up to the mark (index 20).
  t.same(list.map((h) => h.seq), [15, 15]);
  const entry: LedgerEntry = { time_ms: 32_000, commands: [], prune: list, rules_version: 3 };
  // The list travels in the entry: both replicas decode and apply the same bytes.
  const bytes = encodeEntry(entry);
  for (const d of [a, b]) {
    const out = d.ledger.apply(++d.log_index, decodeEntry(bytes));
    t.same(out.prune, { ok: true, positions: 2, events: 30 });
    d.store.write(out.writes);
  }
  t.same([...a.store.history].sort(), [...b.store.history].sort(), 'same history on both replicas');
  t.same(a.ledger.stateEntries(), b.ledger.stateEntries(), 'same state');
  t.equal(a.ledger.headHash(), b.ledger.headHash());
  const e15 = busy(30).store.history.get(historyKey('SKU-1', 'L', 15)) as LedgerEvent;
  t.same(a.store.history.get(horizonKey('SKU-1', 'L')), { kind: 'HORIZON', sku: 'SKU-1', location: 'L', seq: 15, log_index: 15, time_ms: 15_000, on_hand: 15, reserved: 0, hash: e15.hash });
  t.equal(a.store.history.get(historyKey('SKU-1', 'L', 15)), undefined, 'pruned events are deleted');
  t.ok(a.store.history.get(historyKey('SKU-1', 'L', 16)), 'the next is kept');
  t.same(verifyHistory(a.store.historyEvents(), a.ledger.positionHeads()), { ok: true, events: 30, positions: 2, admin_events: 2, horizons: 2 });
  // The horizon survives a restart, and the position keeps working.
  const loaded = Ledger.load(a.store.rawStateEntries());
  t.equal(loaded.horizonSeq('SKU-1', 'L'), 15);
  t.same(loaded.stateEntries(), a.ledger.stateEntries());
  a.ledger = loaded;
  a.one(33_000, adjust('late', 'SKU-1', 'L', 1));
  t.equal((a.store.state.get('p!SKU-1!L') as { horizon_seq?: number }).horizon_seq, 15, 'a later change keeps the horizon in the record');
  t.same(verifyHistory(a.store.historyEvents(), a.ledger.positionHeads()), { ok: true, events: 31, positions: 2, admin_events: 2, horizons: 2 });
  // Pruning again continues from the horizon; the same list twice is refused the second time.
  const again = await prune(a, { retain_ms: null, retain_events: 1 });
  t.same(again.map((h) => h.seq), [20, 20], 'count rule, capped by the mark');
  t.same(applyPrune(a, 34_000, again).prune, { ok: true, positions: 2, events: 10 });
  t.match(applyPrune(a, 34_000, again).prune, { ok: false, reason: /must be above the horizon 20/ });
});

t.test('verify fails on a tampered horizon or event (known-bad)', async (t) => {
  const d = busy(12);
  d.one(13_000, mark(10));
  applyPrune(d, 14_000, await prune(d, { retain_ms: null, retain_events: 3 }));
  const good = d.store.historyEvents() as unknown as Record<string, unknown>[];
  const heads = [...d.ledger.positionHeads()];
  t.equal(verifyHistory(good as never, heads).ok, true);
  const hz = good.findIndex((e) => e.kind === 'HORIZON' && e.sku === 'SKU-1');
  const patch = (i: number, p: Record<string, unknown>) => good.map((e, j) => (j === i ? { ...e, ...p } : e)) as never;
  t.match(verifyHistory(patch(hz, { hash: 'f'.repeat(64) }), heads), { ok: false, sku: 'SKU-1', seq: 10, reason: /prev_hash does not match the hash of seq 9 \(the history horizon\)/ });
  t.match(verifyHistory(patch(hz, { on_hand: 3 }), heads), { ok: false, sku: 'SKU-1', seq: 10, reason: /on_hand 10 != previous 3 \+ delta 1/ });
  t.match(verifyHistory(patch(hz, { seq: 8 }), heads), { ok: false, sku: 'SKU-1', seq: 10, reason: /seq 10 follows seq 8/ });
  t.match(verifyHistory(patch(hz + 1, { delta_on_hand: 2 }), heads), { ok: false, sku: 'SKU-1', seq: 10, reason: /hash does not match the event fields/ });
  // A horizon after its position's events, and a kept event below the horizon.
  const moved = [...good];
  const [h] = moved.splice(hz, 1);
  moved.splice(hz + 2, 0, h);
  t.match(verifyHistory(moved as never, heads), { ok: false, sku: 'SKU-1', seq: 10, reason: /seq 10 follows seq 0/ });
  const late = new HistoryVerifier();
  const full = positionEvents(busy(2).store, 'SKU-1');
  t.equal(late.push(full[0]), null);
  t.match(late.push(good[hz] as never), { ok: false, sku: 'SKU-1', reason: /horizon: comes after events of its position/ });
  const e5 = busy(12).store.history.get(historyKey('SKU-1', 'L', 5));
  const orphan = [...good];
  orphan.splice(hz + 1, 0, e5 as Record<string, unknown>);
  t.match(verifyHistory(orphan as never, heads), { ok: false, sku: 'SKU-1', seq: 5, reason: /seq 5 follows seq 9/ });
  const v = new HistoryVerifier();
  t.match(v.push({ ...(good[hz] as object), hash: 'xyz' } as never), { ok: false, reason: /horizon: hash is not 64/ });
});

t.test('one entry prunes at most HISTORY_PRUNE_EVENTS_PER_ENTRY_MAX events (known-bad list refused)', async (t) => {
  const d = new Driver();
  d.entry(1, [raise3]);
  d.rules_version = 3;
  const n = HISTORY_PRUNE_EVENTS_PER_ENTRY_MAX + 10;
  const per_entry = 1_000;
  for (let i = 0; i < n; i += per_entry) {
    const cmds: Command[] = [];
    for (let j = i; j < Math.min(n, i + per_entry); j++) cmds.push(adjust(`a${j}`, 'SKU-1', 'L', 1));
    d.entry(1_000 + i, cmds);
  }
  d.one(1_000 + n, mark(d.log_index));
  // The scan stays within the bound and continues where it stopped.
  const first = await prune(d, { retain_ms: null, retain_events: 1 }, 1_000_000);
  t.equal(first.length, 1);
  t.equal(first[0].seq, HISTORY_PRUNE_EVENTS_PER_ENTRY_MAX);
  // One event more than the bound: refused whole.
  const last = d.store.history.get(historyKey('SKU-1', 'L', HISTORY_PRUNE_EVENTS_PER_ENTRY_MAX + 1)) as LedgerEvent;
  const over = { kind: 'HORIZON' as const, sku: 'SKU-1', location: 'L', seq: last.seq, log_index: last.log_index, time_ms: last.time_ms, on_hand: last.on_hand, reserved: 0, hash: last.hash };
  t.match(applyPrune(d, 1_000 + n, [over]).prune, { ok: false, reason: /more than 10000 events/ });
  t.same(applyPrune(d, 1_000 + n, first).prune, { ok: true, positions: 1, events: HISTORY_PRUNE_EVENTS_PER_ENTRY_MAX });
  const rest = await prune(d, { retain_ms: null, retain_events: 1 }, 1_000_000);
  t.same(rest.map((h) => h.seq), [n - 1], 'the rest in the next entry, the latest event kept');
  t.same(applyPrune(d, 1_000 + n, rest).prune, { ok: true, positions: 1, events: 9 });
  t.equal(positionEvents(d.store, 'SKU-1').length, 1);
  t.equal(verifyHistory(d.store.historyEvents(), d.ledger.positionHeads()).ok, true);
});

t.test('malformed prune items are refused whole, naming the item', (t) => {
  const d = busy(5);
  d.one(6_000, mark(4));
  const e2 = d.store.history.get(historyKey('SKU-1', 'L', 2)) as LedgerEvent;
  const ok = { kind: 'HORIZON' as const, sku: 'SKU-1', location: 'L', seq: 2, log_index: 2, time_ms: 2_000, on_hand: 2, reserved: 0, hash: e2.hash };
  const cases: [unknown[], RegExp][] = [
    [[ok, ok], /prune\[1\] names SKU-1@L twice/],
    [[{ ...ok, sku: 'NOPE' }], /prune\[0\] position NOPE@L does not exist/],
    [[{ ...ok, seq: 5 }], /seq 5 must be above the horizon 0 and below the latest seq 5/],
    [[{ ...ok, hash: 'zz' }], /hash is not 64/],
    [[{ ...ok, reserved: 3 }], /quantities break/],
    [[{ ...ok, kind: 'EVENT' }], /kind must be 'HORIZON'/],
    [[{ ...ok, time_ms: 99_000 }], /time_ms 99000 is after the entry's/],
    [['x'], /is not a horizon record/],
  ];
  for (const [list, reason] of cases) {
    const before = d.store.history.size;
    t.match(applyPrune(d, 7_000, list as HistoryHorizon[]).prune, { ok: false, reason }, String(reason));
    t.equal(d.store.history.size, before);
  }
  t.end();
});

t.test('before ledger rules version 3 there is no retention (known-bad: an old cluster)', (t) => {
  const d = new Driver();
  for (let i = 1; i <= 4; i++) d.entry(i * 1_000, [adjust(`a${i}`, 'SKU-1', 'L', 1)]);
  const r = d.one(5_000, mark(2));
  t.match(r, { code: 'INVALID_ARGUMENT', field: 'action', limit: /history_archived needs version 3/ });
  t.equal(d.ledger.archivedThroughIndex(), 0);
  const e1 = d.store.history.get(historyKey('SKU-1', 'L', 1)) as LedgerEvent;
  const h = { kind: 'HORIZON' as const, sku: 'SKU-1', location: 'L', seq: 1, log_index: 1, time_ms: 1_000, on_hand: 1, reserved: 0, hash: e1.hash };
  const before = d.store.history.size;
  t.match(applyPrune(d, 6_000, [h]).prune, { ok: false, reason: /needs ledger rules version 3; the entry is under version 1/ });
  t.equal(d.store.history.size, before, 'nothing pruned');
  t.end();
});
