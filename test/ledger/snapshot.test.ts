import t from 'tap';
import { Packr } from 'msgpackr';
import { restoreChunks, restoreChunksAsync, snapshotChunks, snapshotChunksAsync, SnapshotWriter, type SnapshotRecord } from '../../src/ledger/snapshot.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { verifyHistory } from '../../src/ledger/history.js';
import type { Command, LedgerEvent } from '../../src/ledger/types.js';
import { Driver, Rng, adjust, commit, extend, line, release, reserve } from './helpers.js';

const packr = new Packr({ useRecords: false, mapsAsObjects: true });

function workload(seed: number, n: number): { time_ms: number; commands: Command[] }[] {
  const rng = new Rng(seed);
  const out: { time_ms: number; commands: Command[] }[] = [];
  let time = 1_000;
  let id = 0;
  const res: string[] = [];
  for (let i = 0; i < n; i++) {
    time += rng.int(2_000);
    const cmds: Command[] = [];
    for (let k = rng.int(4); k > 0; k--) {
      const sku = `SKU-${rng.int(30)}`;
      const dice = rng.int(6);
      if (dice < 2) cmds.push(adjust(`a${seed}-${++id}`, sku, 'L1', 1 + rng.int(20)));
      else if (dice < 4) {
        const rid = `r${seed}-${++id}`;
        res.push(rid);
        cmds.push(reserve(rid, [line(sku, 'L1', 1 + rng.int(3))], 1_000 + rng.int(20_000)));
      } else if (dice < 5 && res.length > 0) cmds.push(commit(`c${seed}-${++id}`, rng.pick(res)));
      else if (res.length > 0) cmds.push(rng.int(2) === 0 ? release(`l${seed}-${++id}`, rng.pick(res)) : extend(`e${seed}-${++id}`, rng.pick(res), 5_000));
    }
    out.push({ time_ms: time, commands: cmds });
  }
  return out;
}

function run(d: Driver, entries: { time_ms: number; commands: Command[] }[]): void {
  for (const e of entries) d.entry(e.time_ms, e.commands);
}

t.test('records round-trip through chunks of bounded size', async (t) => {
  const d = new Driver();
  run(d, workload(1, 400));
  const records = d.store.records();
  for (const max of [1_024, 4_096, 1 << 20]) {
    const chunks = [...snapshotChunks(records, max)];
    t.ok(chunks.every((c) => c.length <= max), `every chunk within ${max} bytes (${chunks.length} chunks)`);
    t.same([...restoreChunks(chunks)], records, `same records back at ${max}`);
  }
  const asyncChunks: Uint8Array[] = [];
  for await (const c of snapshotChunksAsync((async function* () { yield* records; })(), 2_048)) asyncChunks.push(c);
  const back: SnapshotRecord[] = [];
  for await (const r of restoreChunksAsync(asyncChunks)) back.push(r);
  t.same(back, records, 'async variants agree');
  t.same([...restoreChunks(snapshotChunks([], 1_024))], [], 'an empty ledger snapshots to one chunk');
});

t.test('snapshot, restore, continue equals continuing without the snapshot', (t) => {
  const first = workload(2, 300);
  const second = workload(3, 300);
  const live = new Driver();
  run(live, first);
  const chunks = [...snapshotChunks(live.store.records(), 8_192)];
  const restored = new Driver();
  const state: [string, unknown][] = [];
  for (const [sublevel, key, value] of restoreChunks(chunks)) {
    if (sublevel === 'state') {
      state.push([key, value]);
      restored.store.state.set(key, value);
    } else restored.store.history.set(key, value);
  }
  restored.ledger = Ledger.load(state);
  restored.log_index = restored.ledger.lastLogIndex();
  t.equal(restored.ledger.headHash(), live.ledger.headHash(), 'same head after restore');
  t.same(restored.ledger.stateEntries(), live.ledger.stateEntries(), 'same state after restore');
  run(live, second);
  run(restored, second);
  t.equal(restored.ledger.headHash(), live.ledger.headHash(), 'same head after continuing');
  t.same(restored.store.records(), live.store.records(), 'same state and history on disk after continuing');
  t.ok(verifyHistory(restored.store.historyEvents(), restored.ledger.positionHeads()).ok, 'restored history verifies');
  t.end();
});

t.test('altered, truncated, reordered or foreign input is refused (known-bad)', (t) => {
  const d = new Driver();
  run(d, workload(4, 200));
  const chunks = [...snapshotChunks(d.store.records(), 2_048)];
  t.ok(chunks.length >= 4, `${chunks.length} chunks`);
  const tamperBody = (i: number): Uint8Array[] => {
    const raw = packr.unpack(chunks[i]) as { body: Uint8Array };
    const body = Uint8Array.from(raw.body);
    body[Math.floor(body.length / 2)] ^= 0x01;
    return chunks.map((c, j) => (j === i ? packr.pack({ ...raw, body }) : c));
  };
  const tamperEnd = (): Uint8Array[] => {
    const last = chunks.length - 1;
    const raw = packr.unpack(chunks[last]) as { end: { records: number; chunks: number } };
    return chunks.map((c, j) => (j === last ? packr.pack({ ...raw, end: { ...raw.end, records: raw.end.records + 1 } }) : c));
  };
  const cases: [string, Uint8Array[], RegExp][] = [
    ['no chunks', [], /truncated/],
    ['last chunk missing', chunks.slice(0, -1), /truncated/],
    ['middle chunk missing', [chunks[0], ...chunks.slice(2)], /out of order/],
    ['chunks swapped', [chunks[1], chunks[0], ...chunks.slice(2)], /out of order/],
    ['chunk repeated', [chunks[0], chunks[0], ...chunks.slice(1)], /out of order/],
    ['body altered', tamperBody(1), /checksum mismatch/],
    ['end counts altered', tamperEnd(), /checksum mismatch/],
    ['extra chunk after the end', [...chunks, chunks[0]], /after the last chunk/],
    ['not msgpack', [Uint8Array.from([0xc1, 0x00]), ...chunks], /./],
    ['foreign msgpack', [packr.pack({ hello: 'world' })], /not a ledger snapshot chunk/],
    ['chunk from another snapshot', [chunks[0], [...snapshotChunks(d.store.records().slice(1), 2_048)][1]], /chain broken|checksum/],
  ];
  for (const [what, input, re] of cases) {
    t.throws(() => [...restoreChunks(input)], re, what);
  }
  t.end();
});

t.test('writer limits', (t) => {
  t.throws(() => new SnapshotWriter(10), /chunk_bytes_max/);
  t.throws(() => new SnapshotWriter(1 << 30), /chunk_bytes_max/);
  const w = new SnapshotWriter(1_024);
  t.throws(() => w.add('state', 'k', 'x'.repeat(2_000)), /more than a chunk body holds/);
  t.throws(() => w.add('elsewhere' as 'state', 'k', 1), /unknown sublevel/);
  w.finish();
  t.throws(() => w.add('state', 'k', 1), /after finish/);
  t.end();
});

t.test('a restored history with a doctored event fails verification', (t) => {
  const d = new Driver();
  run(d, workload(5, 100));
  const records = d.store.records().map(([s, k, v]) => (s === 'history' && (v as LedgerEvent).seq === 2 ? ([s, k, { ...(v as LedgerEvent), reserved: 0, on_hand: 1 }] as const) : ([s, k, v] as const)));
  const events = [...restoreChunks(snapshotChunks(records, 4_096))].filter((r) => r[0] === 'history').map((r) => r[2] as LedgerEvent);
  t.equal(verifyHistory(events, d.ledger.positionHeads()).ok, false);
  t.end();
});

t.test('a header rides in the first chunk, covered by its hash', async (t) => {
  const { checkSnapshotHeader, SnapshotReader: Reader } = await import('../../src/ledger/snapshot.js');
  const { pack: mpack, unpack: munpack } = await import('msgpackr');
  const records: SnapshotRecord[] = Array.from({ length: 200 }, (_, i) => ['state', `k${String(i).padStart(4, '0')}`, { v: i, pad: 'x'.repeat(40) }]);
  const header = { kind: 'stockraft-backup', applied_index: 812, log_time_ms: 1_700_000_000_000 };
  const chunks = [...snapshotChunks(records, 4096)];
  const headed: Uint8Array[] = [];
  for await (const c of snapshotChunksAsync(records, 4096, header)) headed.push(c);
  t.ok(headed.length > 2, 'several chunks');
  const r = new Reader();
  const got: SnapshotRecord[] = [];
  for (const c of headed) got.push(...r.push(c));
  r.finish();
  t.same(r.header, header, 'the reader hands out the header');
  t.same(got, records, 'and every record');
  const plain = new Reader();
  for (const c of chunks) plain.push(c);
  t.equal(plain.header, null, 'no header: null, and chunks as before');
  // Altering the header breaks the first chunk's hash.
  const first = munpack(headed[0]!) as Record<string, unknown>;
  const forged = mpack({ ...first, h: { ...header, applied_index: 999 } });
  t.throws(() => new Reader().push(forged), /chunk 0: checksum mismatch/);
  // A header on a later chunk is refused.
  const second = munpack(headed[1]!) as Record<string, unknown>;
  const r2 = new Reader();
  r2.push(headed[0]!);
  t.throws(() => r2.push(mpack({ ...second, h: header })), /chunk 1: only the first chunk carries a header/);
  t.throws(() => checkSnapshotHeader({ a: 1.5 }), /header field a is neither text nor an integer/);
  t.throws(() => checkSnapshotHeader(Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`f${i}`, i]))), /17 fields, limit 16/);
  t.throws(() => checkSnapshotHeader({ a: 'x'.repeat(2000) }), /bytes of JSON, limit 1024/);
});
