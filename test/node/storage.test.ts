// LevelStorage on a real LevelDB in a temp dir: group commit, restart loading, applied
// record atomic with ledger writes, compaction, snapshot install, identity and corruption
// checks.

import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ClassicLevel } from 'classic-level';
import { FORMAT_VERSION, LevelStorage, eventKey, logKey, pack, type AppliedRecord } from '../../src/node/storage-level.js';
import type { Entry } from '../../src/raft/types.js';
import type { LedgerEvent } from '../../src/ledger/types.js';

interface Teardown {
  teardown(fn: () => void): void;
}

function tempDir(t: Teardown): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'stockd-storage-'));
  t.teardown(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

const conf = { voters: ['a', 'b', 'c'], learners: [] };
const entry = (index: number, term: number, text = `e${index}`): Entry => ({ index, term, type: 'normal', data: new TextEncoder().encode(text) });

async function fresh(t: Teardown): Promise<{ s: LevelStorage; dir: string }> {
  const dir = tempDir(t);
  const s = await LevelStorage.open(dir);
  await s.claim('a', 'c-test', { conf, addresses: { a: '127.0.0.1:1' } });
  await s.load();
  return { s, dir };
}

t.test('reopen() in place: every sub-level reads and writes as before', async (t) => {
  const { s } = await fresh(t);
  await s.persist([entry(1, 1), entry(2, 1)], { term: 1, vote: 'a', commit: 2 });
  await s.reopen();
  const l = await s.load();
  t.same(l.entries.map((e) => e.index), [1, 2], 'the log reads back');
  t.same(l.hard_state, { term: 1, vote: 'a', commit: 2 }, 'the meta records read back');
  t.equal((await s.identity())?.node_id, 'a');
  await s.persist([entry(3, 1)], { term: 1, vote: 'a', commit: 3 });
  t.same((await s.load()).entries.map((e) => e.index), [1, 2, 3], 'and it takes writes');
  await s.close();
});

t.test('entries and hard state survive a reopen; a later write replaces the tail', async (t) => {
  const { s, dir } = await fresh(t);
  await s.persist([entry(1, 1), entry(2, 1), entry(3, 1)], { term: 1, vote: 'a', commit: 1 });
  await s.persist([entry(3, 2, 'new'), entry(4, 2)], { term: 2, vote: 'b', commit: 2 });
  t.equal(s.stats.fsyncs, 2, 'one synced batch per persist');
  await s.close();
  const s2 = await LevelStorage.open(dir);
  const l = await s2.load();
  t.same(l.hard_state, { term: 2, vote: 'b', commit: 2 });
  t.same(l.entries.map((e) => [e.index, e.term]), [[1, 1], [2, 1], [3, 2], [4, 2]], 'the conflicting entry 3 was replaced');
  t.equal(new TextDecoder().decode(l.entries[2]!.data), 'new');
  t.same(l.bootstrap_conf, conf, 'bootstrap membership kept');
  t.same(l.applied.addresses, { a: '127.0.0.1:1' });
  await s2.close();
});

t.test('persist refuses gaps and writes below the compaction point', async (t) => {
  const { s } = await fresh(t);
  await s.persist([entry(1, 1)], null);
  await t.rejects(s.persist([entry(3, 1)], null), /gap/, 'a gap is refused');
  await t.rejects(s.persist([entry(2, 1), entry(4, 1)], null), /not contiguous/, 'non-contiguous entries are refused');
  await s.close();
});

t.test('ledger writes, events and the applied record land together', async (t) => {
  const { s, dir } = await fresh(t);
  await s.persist([entry(1, 1), entry(2, 1)], { term: 1, vote: null, commit: 2 });
  const applied: AppliedRecord = { index: 2, term: 1, conf_state: conf, addresses: {} };
  const ev = { sku: 'S', location: 'L', seq: 1, log_index: 2 } as unknown as LedgerEvent;
  await s.apply([{ type: 'put', sublevel: 'state', key: 'p!S!L', value: { x: 1 } }, { type: 'put', sublevel: 'history', key: 'S!L!1', value: ev }], [{ key: eventKey(2, 0), event: ev }], applied);
  t.equal(s.durable_applied, 0, 'not yet known durable: the applied batch is not synced by itself');
  await s.sync();
  t.equal(s.durable_applied, 2, 'durable after the next synced write');
  await s.close();
  const s2 = await LevelStorage.open(dir);
  const l = await s2.load();
  t.equal(l.applied.index, 2);
  const state = await s2.ledgerState();
  t.same(state, [['p!S!L', { x: 1 }]]);
  const events = await s2.eventsFrom(1, null, 10);
  t.same(events.map((e) => e.key), [eventKey(2, 0)]);
  t.same(await s2.eventsFrom(3, null, 10), [], 'nothing at or after index 3');
  t.same(await s2.eventsFrom(0, eventKey(2, 0), 10), [], 'nothing after the last key');
  await s2.close();
});

t.test('compaction drops entries up to the durable applied index only', async (t) => {
  const { s, dir } = await fresh(t);
  const entries = Array.from({ length: 10 }, (_, i) => entry(i + 1, 1));
  await s.persist(entries, { term: 1, vote: null, commit: 10 });
  await t.rejects(s.compact({ index: 5, term: 1, conf_state: conf }), /only 0 is durably applied/, 'refused before the applied index is durable');
  await s.apply([], [], { index: 8, term: 1, conf_state: conf, addresses: {} });
  await s.sync();
  await s.compact({ index: 5, term: 1, conf_state: conf });
  t.equal(s.snapshotIndex, 5);
  await s.close();
  const s2 = await LevelStorage.open(dir);
  const l = await s2.load();
  t.same(l.snapshot, { index: 5, term: 1, conf_state: conf });
  t.same(l.entries.map((e) => e.index), [6, 7, 8, 9, 10], 'only entries above the compaction point remain');
  await s2.close();
});

t.test('a snapshot install replaces ledger, events and log in one batch', async (t) => {
  const { s, dir } = await fresh(t);
  await s.persist([entry(1, 1), entry(2, 1)], { term: 1, vote: null, commit: 2 });
  await s.apply([{ type: 'put', sublevel: 'state', key: 'old', value: 1 }], [], { index: 2, term: 1, conf_state: conf, addresses: {} });
  const enc = new TextEncoder();
  const meta = { index: 50, term: 3, conf_state: { voters: ['a', 'b'], learners: ['c'] } };
  await s.installSnapshot(meta, [['state', enc.encode('new'), pack(2)], ['events', enc.encode(eventKey(40, 0)), pack({ log_index: 40 })]], { index: 50, term: 3, conf_state: meta.conf_state, addresses: { b: 'x:1' } }, { term: 3, vote: null, commit: 50 });
  await s.persist([entry(51, 3)], null);
  await s.close();
  const s2 = await LevelStorage.open(dir);
  const l = await s2.load();
  t.same(l.snapshot, meta);
  t.same(l.entries.map((e) => e.index), [51]);
  t.equal(l.applied.index, 50);
  const state = await s2.ledgerState();
  t.same(state, [['new', 2]], 'old ledger state is gone');
  const view = await s2.openSnapshot();
  const recs: string[] = [];
  for await (const [name, k] of view.records) recs.push(`${name}:${new TextDecoder().decode(k)}`);
  await view.close();
  t.same(recs, ['state:new', `events:${eventKey(40, 0)}`], 'a consistent view yields what was installed');
  t.equal(view.applied.index, 50);
  await s2.close();
});

t.test('identity: another node or cluster is refused', async (t) => {
  const { s, dir } = await fresh(t);
  await s.close();
  const s2 = await LevelStorage.open(dir);
  await t.rejects(s2.claim('b', null), { name: 'StorageError', message: /belongs to node 'a', not to 'b'/ });
  await t.rejects(s2.claim('a', 'c-other'), /belongs to cluster 'c-test', not to 'c-other'/);
  t.same(await s2.claim('a', null), { format: FORMAT_VERSION, node_id: 'a', cluster_id: 'c-test' }, 'the owner is accepted');
  await s2.close();
  await t.rejects(LevelStorage.open(dir).then(async (x) => {
    const y = await LevelStorage.open(dir).finally(() => x.close());
    await y.close();
  }), /in use by another process|unreadable/, 'a dir open elsewhere is refused');
});

t.test('a log with a gap is reported corrupt', async (t) => {
  const { s, dir } = await fresh(t);
  await s.persist([entry(1, 1), entry(2, 1), entry(3, 1)], { term: 1, vote: null, commit: 1 });
  await s.close();
  // Remove entry 2 behind the storage's back.
  const db = new ClassicLevel<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' });
  await db.open();
  await db.sublevel<Uint8Array, Uint8Array>('log', { keyEncoding: 'view', valueEncoding: 'view' }).del(logKey(2));
  await db.close();
  const s2 = await LevelStorage.open(dir);
  await t.rejects(s2.load(), /raft log has a gap, expected entry 2, found 3/);
  await s2.close();
});

t.test('a commit index beyond the stored log is reported corrupt', async (t) => {
  const { s, dir } = await fresh(t);
  await s.persist([entry(1, 1)], { term: 1, vote: null, commit: 7 });
  await s.close();
  const s2 = await LevelStorage.open(dir);
  await t.rejects(s2.load(), /commit index 7 is beyond the last stored entry 1/);
  await s2.close();
});

t.test('log bytes are tracked through replacement and compaction', async (t) => {
  const { s } = await fresh(t);
  const big = (index: number, n: number): Entry => ({ index, term: 1, type: 'normal', data: new Uint8Array(n) });
  await s.persist([big(1, 100), big(2, 200), big(3, 300), big(4, 400)], { term: 1, vote: null, commit: 4 });
  t.equal(s.logBytes, 1000);
  await s.persist([big(3, 5)], null);
  t.equal(s.logBytes, 305, 'entries 3 and 4 replaced by a 5-byte entry 3');
  await s.persist([big(4, 50), big(5, 60)], null);
  t.equal(s.logBytes, 415);
  t.equal(s.trailingStart(5, 10, 1000), 0, 'everything fits: compact nothing');
  t.equal(s.trailingStart(5, 2, 1000), 3, 'at most 2 trailing entries');
  t.equal(s.trailingStart(5, 10, 112), 3, 'at most 112 bytes: entries 4 and 5');
  t.equal(s.trailingStart(5, 10, 115), 2, 'at most 115 bytes: entries 3, 4 and 5');
  t.equal(s.trailingStart(5, 10, 10), 5, 'not even one fits: compact everything up to 5');
  await s.apply([], [], { index: 5, term: 1, conf_state: conf, addresses: {} });
  await s.sync();
  await s.compact({ index: 3, term: 1, conf_state: conf });
  t.equal(s.logBytes, 110, 'entries 1..3 no longer counted');
  await s.close();
});

t.test('a Ready that only moves the commit index costs no fsync', async (t) => {
  const { s, dir } = await fresh(t);
  await s.persist([entry(1, 1), entry(2, 1)], { term: 1, vote: 'a', commit: 0 });
  const synced = s.stats.fsyncs;
  await s.persist([], { term: 1, vote: 'a', commit: 2 });
  t.equal(s.stats.fsyncs, synced, 'commit-only: not synced');
  await s.persist([], { term: 2, vote: null, commit: 2 });
  t.equal(s.stats.fsyncs, synced + 1, 'a new term is synced');
  await s.persist([], { term: 2, vote: 'b', commit: 2 });
  t.equal(s.stats.fsyncs, synced + 2, 'a vote is synced');
  await s.close();
  const s2 = await LevelStorage.open(dir);
  t.same((await s2.load()).hard_state, { term: 2, vote: 'b', commit: 2 });
  await s2.close();
});
