// Binary layouts of hot ledger values and the per-entry Watch record (storage-values.ts,
// data dir format 4), and a data dir written in format 3 (msgpack values, one Watch
// record per event) opened, served and extended by this build.

import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ClassicLevel } from 'classic-level';
import { LevelStorage, entryEventsKey, eventKey, pack, unpack, type AppliedRecord, type SublevelName } from '../../src/node/storage-level.js';
import { encodeMetaRecord } from '../../src/node/storage-records.js';
import { decodeEntryEvents, decodeValue, encodeEntryEvents, encodeValue, BINARY_VALUE_TAG } from '../../src/node/storage-values.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { historyKey } from '../../src/ledger/keys.js';
import { verifyHistory } from '../../src/ledger/history.js';
import type { Command, KvWrite, LedgerEvent, Line } from '../../src/ledger/types.js';
import { seededU32 } from '../../src/util/rng.js';
import type { OutcomeRecord, PositionRecord, ReservationRecord } from '../../src/ledger/records.js';

interface Teardown {
  teardown(fn: () => void): void;
}

function tempDir(t: Teardown): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'stockd-values-'));
  t.teardown(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

const conf = { voters: ['a'], learners: [] };
const applied = (index: number): AppliedRecord => ({ index, term: 1, conf_state: conf, addresses: {} });
const enc = new TextEncoder();
const H1 = 'ab'.repeat(32);
const H2 = '0f'.repeat(32);

const event: LedgerEvent = {
  sku: 'SKU-1',
  location: 'WH-1:A/07',
  seq: 2,
  log_index: 2 ** 40 + 3,
  time_ms: 1_700_000_000_123,
  kind: 'COMMIT',
  op_id: 'op-"1"\\x',
  reservation_id: 'res-1',
  delta_on_hand: -3,
  delta_reserved: -3,
  on_hand: 9_007_199_254_740_000,
  reserved: 0,
  prev_hash: H1,
  hash: H2,
};
const position: PositionRecord = { sku: 'SKU-1', location: 'WH-1', on_hand: 10, reserved: 4, available: 6, seq: 7, head: H2 };

t.test('events and positions round-trip through their layouts, smaller than msgpack', async (t) => {
  for (const e of [event, { ...event, seq: 1, prev_hash: '', kind: 'ADJUST' as const, delta_reserved: 0, reservation_id: '' }]) {
    const b = encodeValue('history', historyKey(e.sku, e.location, e.seq), e);
    t.equal(b[0], BINARY_VALUE_TAG, 'binary layout');
    t.same(Object.entries(decodeValue(b) as object), Object.entries(e), 'same fields, same order');
    t.ok(b.byteLength < pack(e).byteLength / 1.5, `${b.byteLength} bytes against msgpack's ${pack(e).byteLength}`);
  }
  for (const p of [position, { ...position, horizon_seq: 3 }]) {
    const b = encodeValue('state', 'p!SKU-1!WH-1', p);
    t.equal(b[0], BINARY_VALUE_TAG);
    t.same(Object.entries(decodeValue(b) as object), Object.entries(p));
  }
});

const reservation: ReservationRecord = {
  reservation_id: 'res-1',
  state: 'COMMITTED',
  lines: [{ sku: 'SKU-1', location: 'WH-1', quantity: 3 }, { sku: 'SKU-2', location: 'WH-1', quantity: 1 }],
  order_ref: 'order 17',
  created_ms: 1_700_000_000_000,
  deadline_ms: 1_700_000_060_000,
  committed_lines: [{ sku: 'SKU-1', location: 'WH-1', quantity: 2 }],
  ttl_ms: 60_000,
  final_ms: 1_700_000_001_000,
};
const outcome: OutcomeRecord = {
  result: { code: 'OK', replay: false, positions: [{ sku: 'SKU-1', location: 'WH-1', on_hand: 10, reserved: 3, available: 7, seq: 4 }], reservation },
  fp: '=reservation',
  at_ms: 1_700_000_000_000,
  at_index: 12,
};

t.test('reservations and OK outcomes round-trip through their layouts', async (t) => {
  for (const r of [reservation, { ...reservation, state: 'PENDING' as const, committed_lines: [], final_ms: -1 }]) {
    const b = encodeValue('state', 'r!res-1', r);
    t.equal(b[0], BINARY_VALUE_TAG);
    t.same(decodeValue(b), r);
    t.same(Object.keys(decodeValue(b) as object), Object.keys(r), 'fields in the same order');
  }
  const adjust: OutcomeRecord = { result: { ...outcome.result, reservation: null } as OutcomeRecord['result'], fp: '#' + 'a'.repeat(32), at_ms: 5 };
  for (const [sub, o] of [['state', outcome], ['state', adjust], ['outcomes', outcome]] as const) {
    const b = encodeValue(sub, sub === 'state' ? 'o!op-1' : 'op-1', o);
    t.equal(b[0], BINARY_VALUE_TAG);
    t.same(decodeValue(b), o);
    t.ok(b.byteLength < pack(o).byteLength / 1.5, `${b.byteLength} bytes against msgpack's ${pack(o).byteLength}`);
  }
  const none = { code: 'INSUFFICIENT_STOCK', replay: false, short_lines: [] };
  for (const [what, v] of [
    ['a refusal', { ...outcome, result: none }],
    ['a replayed result', { ...outcome, result: { ...outcome.result, replay: true } }],
    ['a reservation view without ttl_ms/final_ms', { ...outcome, result: { ...outcome.result, reservation: { ...reservation, ttl_ms: undefined, final_ms: undefined } } }],
    ['an outcome with a field the layout does not know', { ...outcome, channel: 'web' }],
    ['a reservation line with a field the layout does not know', { ...outcome, result: { ...outcome.result, reservation: { ...reservation, lines: [{ ...reservation.lines[0]!, price: 3 }] } } }],
    ['an order_ref that is not ASCII', { ...outcome, result: { ...outcome.result, reservation: { ...reservation, order_ref: 'Bestellung ü' } } }],
  ] as const) {
    const b = encodeValue('state', 'o!op-1', v);
    t.not(b[0], BINARY_VALUE_TAG, `${what}: msgpack`);
    t.same(decodeValue(b), unpack(pack(v)), `${what}: reads back`);
  }
});

t.test('what a layout cannot carry exactly is msgpack, and reads back whole', async (t) => {
  const cases: [string, 'state' | 'history', string, object][] = [
    ['an event with a field the layout does not know', 'history', 'S!L!0000000000000002', { ...event, channel: 'web' }],
    ['an event with a non-ASCII id', 'history', 'S!L!0000000000000002', { ...event, op_id: 'é' }],
    ['an event with an upper-case hash', 'history', 'S!L!0000000000000002', { ...event, hash: H2.toUpperCase() }],
    ['an event of an unknown kind', 'history', 'S!L!0000000000000002', { ...event, kind: 'TRANSFER' }],
    ['an event with a fractional quantity', 'history', 'S!L!0000000000000002', { ...event, on_hand: 1.5 }],
    ['a position with a field the layout does not know', 'state', 'p!S!L', { ...position, price: 3 }],
    ['a position whose available is not on_hand - reserved', 'state', 'p!S!L', { ...position, available: 5 }],
    ['a reservation (no layout)', 'state', 'r!res-1', { reservation_id: 'res-1' }],
    ['an admin event (no layout)', 'history', '!admin!0000000000000001', { ...event }],
  ];
  for (const [what, sub, key, v] of cases) {
    const b = encodeValue(sub, key, v);
    t.not(b[0], BINARY_VALUE_TAG, `${what}: msgpack`);
    t.same(decodeValue(b), v, `${what}: reads back`);
  }
});

t.test('a damaged or unknown binary value is refused, naming what is wrong', async (t) => {
  const b = Buffer.from(encodeValue('history', 'S!L!0000000000000002', event));
  t.throws(() => decodeValue(b.subarray(0, b.byteLength - 1)), /ends inside a field/);
  t.throws(() => decodeValue(Buffer.concat([b, Buffer.from([0])])), /1 bytes past its end/);
  const unknown = Buffer.from(b);
  unknown[1] = 99;
  t.throws(() => decodeValue(unknown), /layout tag 99, which this build does not know/);
  const bad_kind = Buffer.from(b);
  bad_kind[2] = 17;
  t.throws(() => decodeValue(bad_kind), /kind code 17/);
  const entry = encodeEntryEvents(['a!b!1', 'c!d!2'])!;
  t.same(decodeEntryEvents(entry), ['a!b!1', 'c!d!2']);
  t.throws(() => decodeEntryEvents(entry.subarray(0, entry.byteLength - 2)), /ends inside a field/);
  t.equal(encodeEntryEvents(['ä']), null, 'a non-ASCII key has no entry record');
});

/** Two positions stocked (entry 1), then a two-line reserve and a one-line one (entry 2). */
function ledgerRun(): { ledger: Ledger; writes: (readonly KvWrite[])[]; events: { key: string; event: LedgerEvent }[][] } {
  const ledger = new Ledger();
  const commands: Command[] = [
    { kind: 'adjust', op_id: 'adj-1', sku: 'SKU-1', location: 'WH-1', delta: 10, reason: 'receive', reference: 'po-1' },
    { kind: 'adjust', op_id: 'adj-2', sku: 'SKU-2', location: 'WH-1', delta: 5, reason: 'receive', reference: 'po-2' },
  ];
  const reserve = (id: string, lines: [string, number][]): Command => ({ kind: 'reserve', reservation_id: id, lines: lines.map(([sku, quantity]) => ({ sku, location: 'WH-1', quantity })), ttl_ms: 60_000, order_ref: 'o' });
  const outs = [
    ledger.apply(1, { time_ms: 1_700_000_000_000, commands }),
    ledger.apply(2, { time_ms: 1_700_000_000_001, commands: [reserve('res-1', [['SKU-1', 3], ['SKU-2', 2]]), reserve('res-2', [['SKU-1', 1]])] }),
    ledger.apply(3, { time_ms: 1_700_000_000_002, commands: [reserve('res-3', [['SKU-2', 1]])] }),
  ];
  return { ledger, writes: outs.map((o) => o.writes), events: outs.map((o, n) => o.events.map((event, i) => ({ key: eventKey(n + 1, i), event }))) };
}

/** Writes entries' writes and events as format 3 wrote them: msgpack values, one Watch
 * record per event holding its history key, and a format 3 identity. */
async function writeFormat3(dir: string, writes: readonly KvWrite[], events: { key: string; event: LedgerEvent }[], index: number): Promise<void> {
  const db = new ClassicLevel<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' });
  await db.open();
  const sub = (name: string) => db.sublevel<Uint8Array, Uint8Array>(name, { keyEncoding: 'view', valueEncoding: 'view' });
  const meta = sub('meta');
  await meta.put(enc.encode('identity'), encodeMetaRecord('identity', { format: 3, node_id: 'a', cluster_id: 'c' }));
  await meta.put(enc.encode('applied'), encodeMetaRecord('applied', applied(index)));
  await meta.put(enc.encode('hard_state'), encodeMetaRecord('hard_state', { term: 1, vote: 'a', commit: index }));
  // The log compacted up to the applied index, as a node leaves it.
  await meta.put(enc.encode('snapshot'), encodeMetaRecord('snapshot', { index, term: 1, conf_state: conf }));
  for (const w of writes) {
    if (w.type === 'put') await sub(w.sublevel).put(enc.encode(w.key), pack(w.value));
    else await sub(w.sublevel).del(enc.encode(w.key));
  }
  for (const { key, event: e } of events) await sub('events').put(enc.encode(key), enc.encode(historyKey(e.sku, e.location, e.seq)));
  await db.close();
}

t.test('a format 3 data dir opens, serves and grows in format 4', async (t) => {
  const dir = tempDir(t);
  const { ledger, writes, events } = ledgerRun();
  await writeFormat3(dir, [...writes[0]!, ...writes[1]!], [...events[0]!, ...events[1]!], 2);
  const s = await LevelStorage.open(dir);
  t.teardown(() => s.close());
  t.same(await s.claim('a', 'c'), { format: 4, node_id: 'a', cluster_id: 'c' });
  t.equal((await s.identity())?.format, 4, 'the identity now says format 4: a format 3 build refuses the dir by name');
  await s.load();
  await s.apply(writes[2]!, events[2]!, applied(3));
  const all = events.flat();
  t.same(await s.eventsFrom(1, null, 100), all, 'Watch reads per-event and per-entry records as one log');
  // Paging one event at a time crosses both kinds of record.
  const paged: string[] = [];
  let after: string | null = null;
  for (let i = 0; i < 20; i++) {
    const got = await s.eventsFrom(1, after, 1);
    if (got.length === 0) break;
    paged.push(got[0]!.key);
    after = got[0]!.key;
  }
  t.same(paged, all.map((e) => e.key), 'one at a time, every key once, in order');
  t.same((await s.eventsFrom(2, eventKey(2, 0), 2)).map((e) => e.key), [eventKey(2, 1), eventKey(2, 2)], 'after a key inside a format 3 entry');
  t.same((await s.eventsFrom(0, eventKey(3, 0), 5)).map((e) => e.key), [], 'after the last key of a per-entry record');
  // The ledger loads from mixed records: what the writes produced, and its chains verify.
  const loader = Ledger.loader({});
  await s.forEachLedgerState(loader.add);
  const loaded = loader.finish();
  t.same(await s.ledgerState(), ledger.stateEntries(), 'state reads back from msgpack and binary records alike');
  t.same(loaded.stateEntries(), ledger.stateEntries(), 'and loads into the same ledger');
  const history: LedgerEvent[] = [];
  for await (const [, v] of s.rawRecords('history')) history.push(v as LedgerEvent);
  t.ok(verifyHistory(history, loaded.positionHeads()).ok, 'the chains verify across both layouts');
  t.equal(await s.trimEvents(2, 100), 5, 'trim takes format 3 records up to the mark');
  t.same((await s.eventsFrom(0, null, 100)).map((e) => e.key), [eventKey(3, 0)], 'and leaves the later entry record');
  t.equal(await s.trimEvents(3, 100), 1, 'then the entry record');
});

t.test('a snapshot travels in the format 3 forms, and the receiver serves it', async (t) => {
  const from = await LevelStorage.open(tempDir(t));
  t.teardown(() => from.close());
  const { writes, events } = ledgerRun();
  for (let i = 0; i < 3; i++) await from.apply(writes[i]!, events[i]!, applied(i + 1));
  const raw: string[] = [];
  for await (const [k] of from.subs.events.iterator()) raw.push(new TextDecoder().decode(k));
  t.same(raw, [entryEventsKey(1), entryEventsKey(2), entryEventsKey(3)], 'stored: one Watch record per entry');
  const view = await from.openSnapshot();
  const records: [SublevelName, Uint8Array, Uint8Array][] = [];
  for await (const r of view.records) records.push(r);
  await view.close();
  t.notOk(records.some(([, , v]) => v[0] === BINARY_VALUE_TAG), 'no binary value leaves the node');
  const watch = records.filter(([name]) => name === 'events').map(([, k]) => new TextDecoder().decode(k));
  t.same(watch, events.flat().map((e) => e.key), 'one Watch record per event, as format 3 keeps them');
  for (const [name, , v] of records) if (name === 'history') t.type(unpack(v), 'object');
  const to = await LevelStorage.open(tempDir(t));
  t.teardown(() => to.close());
  await to.installSnapshot({ index: 3, term: 1, conf_state: conf }, records, view.applied, null);
  t.same(await to.eventsFrom(0, null, 100), events.flat(), 'the receiver reads every event');
});

t.test('a snapshot in the stored form carries the binary values as they are, and the receiver serves it', async (t) => {
  const from = await LevelStorage.open(tempDir(t));
  t.teardown(() => from.close());
  const { ledger, writes, events } = ledgerRun();
  for (let i = 0; i < 3; i++) await from.apply(writes[i]!, events[i]!, applied(i + 1));
  const stored = new Map<string, Buffer>();
  for (const name of ['state', 'history', 'events'] as const) {
    for await (const [k, v] of from.subs[name].iterator()) stored.set(`${name}/${new TextDecoder().decode(k)}`, Buffer.from(v));
  }
  const view = await from.openSnapshot('stored');
  t.equal(view.form, 'stored');
  const records: [SublevelName, Uint8Array, Uint8Array][] = [];
  for await (const r of view.records) records.push(r);
  await view.close();
  t.ok(records.some(([, , v]) => v[0] === BINARY_VALUE_TAG), 'binary values travel');
  const sent = new Map(records.map(([name, k, v]) => [`${name}/${new TextDecoder().decode(k)}`, Buffer.from(v)]));
  t.same([...sent.keys()].sort(), [...stored.keys()].sort(), 'the same keys as stored');
  t.ok([...stored].every(([k, v]) => sent.get(k)!.equals(v)), 'every value byte for byte as stored');
  const portable = await from.openSnapshot('portable');
  let portable_bytes = 0;
  for await (const [, k, v] of portable.records) portable_bytes += k.byteLength + v.byteLength;
  await portable.close();
  const stored_bytes = records.reduce((n, [, k, v]) => n + k.byteLength + v.byteLength, 0);
  t.ok(stored_bytes < portable_bytes, `fewer bytes than the portable form (${stored_bytes} < ${portable_bytes})`);
  const to = await LevelStorage.open(tempDir(t));
  t.teardown(() => to.close());
  await to.installSnapshot({ index: 3, term: 1, conf_state: conf }, records, view.applied, null);
  t.same(await to.eventsFrom(0, null, 100), events.flat(), 'the receiver reads every event');
  const loader = Ledger.loader({});
  await to.forEachLedgerState(loader.add);
  const loaded = loader.finish();
  t.same(loaded.stateEntries(), ledger.stateEntries(), 'and loads the same ledger');
  const history: LedgerEvent[] = [];
  for await (const [, v] of to.rawRecords('history')) history.push(v as LedgerEvent);
  t.ok(verifyHistory(history, loaded.positionHeads()).ok, 'whose chains verify');
});

t.test('random records read back as written, whichever form they are stored in', async (t) => {
  const next = seededU32(0x5eed20);
  const pick = <T>(xs: readonly T[]): T => xs[next() % xs.length]!;
  const text = (): string => {
    const n = next() % 12;
    let s = '';
    for (let i = 0; i < n; i++) s += next() % 16 === 0 ? pick(['é', '\u2603', '\u0000', '"']) : String.fromCharCode(0x21 + (next() % 94));
    return s;
  };
  const int = (): number => pick([0, 1, -1, 2 ** 31, -(2 ** 31) - 1, 2 ** 32 + 5, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, next()]);
  const hash = (): string => pick([H1, H2, '', 'AB'.repeat(32), 'ab'.repeat(31)]);
  const line = (): Line => ({ sku: text(), location: text(), quantity: int() });
  let binary = 0;
  const N = 3000;
  for (let i = 0; i < N; i++) {
    const e = { sku: text(), location: text(), seq: int(), log_index: int(), time_ms: int(), kind: pick(['ADJUST', 'RESERVE', 'COMMIT', 'RELEASE', 'EXPIRE', 'EXTEND', 'OTHER']), op_id: text(), reservation_id: text(), delta_on_hand: int(), delta_reserved: int(), on_hand: int(), reserved: int(), prev_hash: hash(), hash: hash() };
    const on_hand = int();
    const reserved = int();
    const p = { sku: text(), location: text(), on_hand, reserved, available: next() % 8 === 0 ? 1 : on_hand - reserved, seq: int(), head: hash(), ...(next() % 2 === 0 ? { horizon_seq: int() } : {}) };
    const r = { reservation_id: text(), state: pick(['PENDING', 'COMMITTED', 'RELEASED', 'EXPIRED']), lines: [line(), line()].slice(next() % 3), order_ref: text(), created_ms: int(), deadline_ms: int(), committed_lines: [line()].slice(next() % 2), ttl_ms: int(), final_ms: int() };
    const o = { result: { code: 'OK', replay: false, positions: [{ sku: text(), location: text(), on_hand, reserved, available: on_hand - reserved, seq: int() }], reservation: next() % 2 === 0 ? null : r }, fp: text(), at_ms: int(), ...(next() % 2 === 0 ? { at_index: int() } : {}) };
    for (const [sub, key, v] of [['history', 'S!L!0000000000000001', e], ['state', 'p!S!L', p], ['state', 'r!x', r], ['state', 'o!x', o], ['outcomes', 'x', o]] as const) {
      const b = encodeValue(sub, key, v);
      if (b[0] === BINARY_VALUE_TAG) binary++;
      const back = decodeValue(b);
      if (JSON.stringify(back) !== JSON.stringify(v)) {
        t.same(back, v, `${sub} ${key} record ${i} reads back`);
        return;
      }
    }
  }
  t.ok(binary > N && binary < 5 * N, `both forms exercised: ${binary} of ${5 * N} records in a layout`);
});
