// The snapshot chunk encoder writes msgpack by hand (storage-snapshot.ts, ChunkWriter):
// every record it writes must come back from decodeSnapshotChunk byte for byte, in order,
// across the bin8/bin16/bin32 size classes, with the applied record on the first chunk
// only, each chunk within its byte bound unless one record alone exceeds it.

import t from 'tap';
import { pack, unpack, type AppliedRecord, type SnapshotRecord, type SnapshotView } from '../../src/node/storage-level.js';
import { decodeSnapshotChunk, encodeSnapshotChunks, SnapshotFormatError } from '../../src/node/storage-snapshot.js';

const APPLIED: AppliedRecord = { index: 7, term: 2, conf_state: { voters: ['a', 'b', 'c'], learners: [] }, addresses: { a: '127.0.0.1:1' } };

function bytes(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (seed * 31 + i * 7) & 0xff;
  return b;
}

function view(records: readonly SnapshotRecord[]): SnapshotView {
  async function* gen(): AsyncGenerator<SnapshotRecord> {
    for (const r of records) yield r;
  }
  return { applied: APPLIED, form: 'portable', records: gen(), close: async () => {} };
}

async function encodeAll(records: readonly SnapshotRecord[], chunk_bytes_max: number): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const c of encodeSnapshotChunks(view(records), chunk_bytes_max)) out.push(c);
  return out;
}

t.test('records come back byte for byte, in order, across every bin size class', async (t) => {
  const sizes = [0, 1, 255, 256, 65_535, 65_536, 70_000];
  const records: SnapshotRecord[] = [];
  let seed = 0;
  for (const name of ['state', 'history', 'events', 'outcomes'] as const) {
    for (const ks of [1, 14, 300]) for (const vs of sizes) records.push([name, bytes(ks, seed++), bytes(vs, seed++)]);
  }
  const chunk_bytes_max = 100_000;
  const chunks = await encodeAll(records, chunk_bytes_max);
  t.ok(chunks.length > 1, `several chunks (${chunks.length})`);
  const back: SnapshotRecord[] = [];
  chunks.forEach((c, i) => {
    const body = decodeSnapshotChunk(c, i === 0);
    if (i === 0) t.same(body.applied, APPLIED, 'the first chunk carries the applied record');
    else t.equal(body.applied, undefined, `chunk ${i} carries no applied record`);
    t.ok(c.byteLength <= chunk_bytes_max || body.records.length === 1, `chunk ${i} is within the bound or holds one record`);
    back.push(...body.records);
  });
  t.equal(back.length, records.length);
  for (let i = 0; i < records.length; i++) {
    const [n, k, v] = records[i]!;
    const [bn, bk, bv] = back[i]!;
    if (bn !== n || !Buffer.from(bk).equals(Buffer.from(k)) || !Buffer.from(bv).equals(Buffer.from(v))) {
      t.fail(`record ${i} differs after the round trip`);
      return;
    }
  }
  t.pass('every record equal');
});

t.test('decodes to what msgpackr packs for the same chunk', async (t) => {
  const records: SnapshotRecord[] = [['state', bytes(5, 1), pack({ a: 1 })], ['history', bytes(3, 2), bytes(400, 3)]];
  const [chunk] = await encodeAll(records, 1 << 20);
  t.same(unpack(chunk!), unpack(pack({ applied: APPLIED, records })), 'same map as msgpackr would write');
});

t.test('one record larger than a chunk travels alone; an empty view still sends its applied record', async (t) => {
  const big: SnapshotRecord = ['history', bytes(4, 1), bytes(5_000, 2)];
  const small: SnapshotRecord = ['state', bytes(4, 3), bytes(10, 4)];
  const chunks = await encodeAll([small, big, small], 1_000);
  t.equal(chunks.length, 3, 'small | big | small');
  t.equal(decodeSnapshotChunk(chunks[1]!, false).records.length, 1);
  t.ok(chunks[1]!.byteLength > 5_000);
  const empty = await encodeAll([], 1_000);
  t.equal(empty.length, 1);
  const body = decodeSnapshotChunk(empty[0]!, true);
  t.same(body.applied, APPLIED);
  t.equal(body.records.length, 0);
});

t.test('a damaged chunk is refused as a snapshot format error', async (t) => {
  const [chunk] = await encodeAll([['state', bytes(3, 1), bytes(3, 2)]], 1 << 20);
  const short = Buffer.from(chunk!).subarray(0, chunk!.byteLength - 2);
  t.throws(() => decodeSnapshotChunk(short, true), SnapshotFormatError, 'a truncated chunk');
  const two = Buffer.from(chunk!);
  // The record's fixarray header (0x93) says 2 elements: the record is no longer a triple.
  two[two.lastIndexOf(0x93)] = 0x92;
  t.throws(() => decodeSnapshotChunk(two, true), SnapshotFormatError, 'a record of two elements');
  const str = Buffer.from(chunk!);
  // The key's bin8 header becomes str8: a key that is text, not bytes.
  str[str.lastIndexOf(0x93) + 7] = 0xd9;
  t.throws(() => decodeSnapshotChunk(str, true), { name: 'SnapshotFormatError', message: /not \[sublevel, key bytes, value bytes\]/ }, 'a key that is not bytes');
});

t.test('a record naming an unknown sublevel is refused by the encoder', async (t) => {
  const bad = [['ledger', bytes(3, 1), bytes(3, 2)]] as unknown as SnapshotRecord[];
  await t.rejects(encodeAll(bad, 1 << 20), { name: 'SnapshotFormatError', message: /unknown sublevel 'ledger'/ });
});
