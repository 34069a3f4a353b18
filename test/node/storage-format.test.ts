// The on-disk layout of LevelStorage (format 3): raft entries as a binary header, a CRC-32
// and their data, log-order event records that point at history records, and a data dir of
// another format refused by name. Checksums, damage and migration: storage-integrity.test.ts.

import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ClassicLevel } from 'classic-level';
import { FORMAT_VERSION, LevelStorage, decodeEntryRecord, encodeEntryRecord, entryEventsKey, eventKey, logKey, pack, unpack, type AppliedRecord, type SublevelName } from '../../src/node/storage-level.js';
import { decodeValue } from '../../src/node/storage-values.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { historyKey } from '../../src/ledger/keys.js';
import type { Command, KvWrite, LedgerEvent } from '../../src/ledger/types.js';
import type { Entry } from '../../src/raft/types.js';

interface Teardown {
  teardown(fn: () => void): void;
}

function tempDir(t: Teardown): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'stockd-format-'));
  t.teardown(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

const conf = { voters: ['a'], learners: [] };
const applied = (index: number): AppliedRecord => ({ index, term: 1, conf_state: conf, addresses: {} });
const enc = new TextEncoder();
const dec = new TextDecoder();

async function rawDb(dir: string): Promise<ClassicLevel<Uint8Array, Uint8Array>> {
  const db = new ClassicLevel<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' });
  await db.open();
  return db;
}

/** Two positions stocked, then a two-line reserve: four events, each with a history write. */
function ledgerRun(): { writes: KvWrite[]; events: { key: string; event: LedgerEvent }[] } {
  const ledger = new Ledger();
  const commands: Command[] = [
    { kind: 'adjust', op_id: 'adj-1', sku: 'SKU-1', location: 'WH-1', delta: 10, reason: 'receive', reference: 'po-1' },
    { kind: 'adjust', op_id: 'adj-2', sku: 'SKU-2', location: 'WH-1', delta: 5, reason: 'receive', reference: 'po-2' },
  ];
  const a = ledger.apply(1, { time_ms: 1_700_000_000_000, commands });
  const b = ledger.apply(2, { time_ms: 1_700_000_000_001, commands: [{ kind: 'reserve', reservation_id: 'res-1', lines: [{ sku: 'SKU-1', location: 'WH-1', quantity: 3 }, { sku: 'SKU-2', location: 'WH-1', quantity: 2 }], ttl_ms: 60_000, order_ref: 'o-1' }] });
  return {
    writes: [...a.writes, ...b.writes],
    events: [...a.events.map((event, i) => ({ key: eventKey(1, i), event })), ...b.events.map((event, i) => ({ key: eventKey(2, i), event }))],
  };
}

t.test('entry records round-trip and refuse what is not theirs', async (t) => {
  const data = enc.encode('payload');
  for (const e of [
    { index: 1, term: 1, type: 'normal', data },
    { index: 2 ** 40 + 7, term: 2 ** 33 + 1, type: 'conf_change', data },
    { index: Number.MAX_SAFE_INTEGER, term: 3, type: 'normal', data: new Uint8Array(0) },
  ] as Entry[]) {
    const back = decodeEntryRecord(encodeEntryRecord(e), e.index);
    t.same({ ...back, data: [...back.data] }, { ...e, data: [...e.data] }, `entry ${e.index} (${e.type}) round-trips`);
  }
  const rec = encodeEntryRecord({ index: 5, term: 1, type: 'normal', data });
  t.throws(() => decodeEntryRecord(rec, 6), /entry stored under index 6 says 5/, 'a record under another index is refused');
  t.throws(() => decodeEntryRecord(pack({ index: 5, term: 1, type: 'normal', data }), 5), /not an entry record/, 'a format 1 (msgpack) record is refused');
  const bad_type = Uint8Array.from(rec);
  bad_type[1] = 9;
  t.throws(() => decodeEntryRecord(bad_type, 5), /raft entry 5 \(log key 0000000000000005\) fails its checksum/, 'a changed type byte fails the checksum');
  t.throws(() => decodeEntryRecord(rec.subarray(0, 10), 5), /not an entry record/, 'a truncated header is refused');
  t.same([...logKey(2 ** 40 + 1)], [0, 0, 1, 0, 0, 0, 0, 1], 'log keys are 8 bytes big-endian');
});

t.test('persisted entries are stored as header + data under the log sub-level and load back', async (t) => {
  const dir = tempDir(t);
  const s = await LevelStorage.open(dir);
  await s.claim('a', 'c', { conf, addresses: {} });
  await s.load();
  const entries: Entry[] = [
    { index: 1, term: 1, type: 'conf_change', data: enc.encode('cc') },
    { index: 2, term: 1, type: 'normal', data: new Uint8Array(0) },
    { index: 3, term: 2, type: 'normal', data: new Uint8Array(5000).fill(7) },
  ];
  await s.persist(entries, { term: 2, vote: 'a', commit: 3 });
  await s.close();
  const db = await rawDb(dir);
  const raw = await db.sublevel<Uint8Array, Uint8Array>('log', { keyEncoding: 'view', valueEncoding: 'view' }).get(logKey(3));
  await db.close();
  t.equal(raw?.byteLength, 22 + 5000, 'an entry costs an 18-byte header and a 4-byte checksum beside its data');
  const s2 = await LevelStorage.open(dir);
  const l = await s2.load();
  t.same(l.entries.map((e) => [e.index, e.term, e.type, e.data.byteLength]), [[1, 1, 'conf_change', 2], [2, 1, 'normal', 0], [3, 2, 'normal', 5000]]);
  t.equal(dec.decode(l.entries[0]!.data), 'cc');
  t.ok(l.entries[2]!.data.every((b) => b === 7), 'data bytes intact');
  await s2.close();
});

t.test('a data dir of another format is refused by name', async (t) => {
  const dir = tempDir(t);
  const db = await rawDb(dir);
  await db.sublevel<Uint8Array, Uint8Array>('meta', { keyEncoding: 'view', valueEncoding: 'view' }).put(enc.encode('identity'), pack({ format: 1, node_id: 'a', cluster_id: 'c' }));
  await db.close();
  const s = await LevelStorage.open(dir);
  t.teardown(() => s.close());
  t.equal(FORMAT_VERSION, 4);
  await t.rejects(s.claim('a', 'c'), { name: 'StorageError', message: /has format 1, this stockd reads formats 3 and 4 and migrates format 2/ });
});

t.test('log-order event records point at history records and read back as the events', async (t) => {
  const dir = tempDir(t);
  const s = await LevelStorage.open(dir);
  t.teardown(() => s.close());
  const { writes, events } = ledgerRun();
  await s.apply(writes, events, applied(2));
  const got = await s.eventsFrom(1, null, 100);
  t.same(got.map((e) => e.key), events.map((e) => e.key), 'every event under its log-order key, in order');
  t.same(got.map((e) => e.event), events.map((e) => e.event), 'each decodes to the applied event');
  t.same((await s.eventsFrom(2, null, 100)).map((e) => e.event), events.slice(2).map((e) => e.event), 'from a log index');
  t.same((await s.eventsFrom(0, eventKey(2, 0), 1)).map((e) => e.key), [eventKey(2, 1)], 'after a key, limited');
  const raw: [string, unknown][] = [];
  for await (const [k, v] of s.subs.events.iterator()) raw.push([dec.decode(k), decodeValue(v)]);
  const keysOf = (index: number): string[] => events.filter((e) => e.event.log_index === index).map((e) => historyKey(e.event.sku, e.event.location, e.event.seq));
  t.same(raw, [[entryEventsKey(1), keysOf(1)], [entryEventsKey(2), keysOf(2)]], 'one record per entry, holding its events\' history keys, not second copies');
});

t.test('an event stored whole (as a restore writes it) reads back too; a dangling pointer is corruption', async (t) => {
  const dir = tempDir(t);
  const s = await LevelStorage.open(dir);
  t.teardown(() => s.close());
  const { writes, events } = ledgerRun();
  await s.apply(writes, events, applied(2));
  const whole = { ...events[0]!.event, log_index: 3 };
  await s.installSnapshot(
    { index: 3, term: 1, conf_state: conf },
    [
      ['history', enc.encode(historyKey('SKU-1', 'WH-1', 1)), pack(events[0]!.event)],
      ['events', enc.encode(eventKey(1, 0)), enc.encode(historyKey('SKU-1', 'WH-1', 1))],
      ['events', enc.encode(eventKey(3, 0)), pack(whole)],
      ['events', enc.encode(eventKey(4, 0)), enc.encode(historyKey('SKU-9', 'WH-1', 1))],
    ],
    applied(3),
    null,
  );
  t.same((await s.eventsFrom(1, null, 2)).map((e) => e.event), [events[0]!.event, whole], 'a pointer and a whole event side by side');
  await t.rejects(s.eventsFrom(4, null, 10), /points at history record 'SKU-9!WH-1!0000000000000001', which is missing/);
});

t.test('an event without its history write in the batch is stored whole', async (t) => {
  const dir = tempDir(t);
  const s = await LevelStorage.open(dir);
  t.teardown(() => s.close());
  const ev = { sku: 'S', location: 'L', seq: 1, log_index: 2 } as unknown as LedgerEvent;
  await s.apply([], [{ key: eventKey(2, 0), event: ev }], applied(2));
  t.same(await s.eventsFrom(0, null, 10), [{ key: eventKey(2, 0), event: ev }]);
  const [[, v]] = await s.subs.events.iterator().all();
  t.same(unpack(v!), ev, 'the record holds the event itself');
});

t.test('a snapshot carries pointers and their history: the receiver reads the events', async (t) => {
  const from = await LevelStorage.open(tempDir(t));
  t.teardown(() => from.close());
  const to = await LevelStorage.open(tempDir(t));
  t.teardown(() => to.close());
  const { writes, events } = ledgerRun();
  await from.apply(writes, events, applied(2));
  const view = await from.openSnapshot();
  const records: [SublevelName, Uint8Array, Uint8Array][] = [];
  for await (const r of view.records) records.push(r);
  await view.close();
  await to.installSnapshot({ index: 2, term: 1, conf_state: conf }, records, view.applied, null);
  t.same((await to.eventsFrom(0, null, 100)).map((e) => e.event), events.map((e) => e.event));
});
