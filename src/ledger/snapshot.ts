// Self-checking chunk format for ledger snapshots (InstallSnapshot) and backups. A source
// is a consistent iteration of the ledger sublevels as [sublevel, key, value] records:
// 'state', 'history' and 'outcomes' (outcomes past the dedup window, archive.ts). A reader
// from before 'outcomes' existed refuses a backup that holds any, naming the record.
//
// Each chunk is msgpack of
//   { f: 'stockraft-ledger-snapshot', v: 1, i, n, body, prev, hash, end }
// where body is n msgpack-encoded records back to back, i counts chunks from 0, prev is
// the previous chunk's hash ('' for the first), end is null except on the last chunk,
// where it is { records, chunks } for the whole snapshot, and hash is SHA-256 over
// `stockraft-snapshot-v1\n<i>\n<n>\n<prev>\n<end as JSON>\n` followed by the body.
// The first chunk may also carry a header `h` (a flat map of strings and integers: what a
// backup states about itself, e.g. the applied index it captured); its hash then also
// covers `h <header as JSON>\n` before the body. Without a header the hash is as before.
// The chain refuses altered, reordered, repeated or foreign chunks at the chunk where it
// happens, and a stream that stops before the chunk with `end` is refused as truncated.
// Records of a chunk are handed out only after that chunk checked out; a consumer must
// still treat the restore as failed (and discard what it wrote) if the stream throws later.

import { createHash } from 'node:crypto';
import { Packr } from 'msgpackr';
import { SNAPSHOT_CHUNK_BYTES_MAX, SNAPSHOT_CHUNK_BYTES_MIN } from './limits.js';

export type Sublevel = 'state' | 'history' | 'outcomes';
const SUBLEVELS: ReadonlySet<unknown> = new Set<Sublevel>(['state', 'history', 'outcomes']);
export type SnapshotRecord = readonly [sublevel: Sublevel, key: string, value: unknown];

const FORMAT = 'stockraft-ledger-snapshot';
const VERSION = 1;
/** Room kept in a chunk for the envelope around the body. */
const ENVELOPE_BYTES = 512;
/** A header's fields and its JSON text are bounded (it travels in the first chunk). */
export const SNAPSHOT_HEADER_FIELDS_MAX = 16;
export const SNAPSHOT_HEADER_BYTES_MAX = 1024;

/** What a snapshot states about itself, in its first chunk. */
export type SnapshotHeader = Readonly<Record<string, string | number>>;

/** Throws SnapshotError unless `h` is a flat map of at most SNAPSHOT_HEADER_FIELDS_MAX
 * strings and safe integers whose JSON fits SNAPSHOT_HEADER_BYTES_MAX. */
export function checkSnapshotHeader(h: unknown): SnapshotHeader {
  if (!isRecordObject(h)) throw new SnapshotError('header is not a map');
  const entries = Object.entries(h);
  if (entries.length > SNAPSHOT_HEADER_FIELDS_MAX) throw new SnapshotError(`header has ${entries.length} fields, limit ${SNAPSHOT_HEADER_FIELDS_MAX}`);
  for (const [k, v] of entries) {
    if (typeof v !== 'string' && !(typeof v === 'number' && Number.isSafeInteger(v))) throw new SnapshotError(`header field ${k} is neither text nor an integer`);
  }
  const bytes = Buffer.byteLength(JSON.stringify(h));
  if (bytes > SNAPSHOT_HEADER_BYTES_MAX) throw new SnapshotError(`header is ${bytes} bytes of JSON, limit ${SNAPSHOT_HEADER_BYTES_MAX}`);
  return h as SnapshotHeader;
}

const packr = new Packr({ useRecords: false, mapsAsObjects: true, moreTypes: false });

export class SnapshotError extends Error {
  constructor(reason: string) {
    super(`ledger snapshot: ${reason}`);
    this.name = 'SnapshotError';
  }
}

interface End {
  readonly records: number;
  readonly chunks: number;
}

function chunkHash(i: number, n: number, prev: string, end: End | null, body: Uint8Array, header: SnapshotHeader | null): string {
  const h = createHash('sha256');
  h.update(`stockraft-snapshot-v1\n${i}\n${n}\n${prev}\n${JSON.stringify(end)}\n`);
  if (header !== null) h.update(`h ${JSON.stringify(header)}\n`);
  h.update(body);
  return h.digest('hex');
}

/** Cuts records into chunks of at most chunk_bytes_max bytes each. */
export class SnapshotWriter {
  private readonly body_bytes_max: number;
  private parts: Uint8Array[] = [];
  private part_bytes = 0;
  private index = 0;
  private prev = '';
  private records = 0;
  private done = false;
  private readonly header: SnapshotHeader | null;

  constructor(
    readonly chunk_bytes_max: number,
    header: SnapshotHeader | null = null,
  ) {
    this.header = header === null ? null : checkSnapshotHeader(header);
    if (!Number.isSafeInteger(chunk_bytes_max) || chunk_bytes_max < SNAPSHOT_CHUNK_BYTES_MIN || chunk_bytes_max > SNAPSHOT_CHUNK_BYTES_MAX) {
      throw new RangeError(`chunk_bytes_max must be an integer ${SNAPSHOT_CHUNK_BYTES_MIN}..${SNAPSHOT_CHUNK_BYTES_MAX}, got ${String(chunk_bytes_max)}`);
    }
    // With a header, every chunk keeps room for it (only the first carries it).
    this.body_bytes_max = chunk_bytes_max - ENVELOPE_BYTES - (this.header === null ? 0 : SNAPSHOT_HEADER_BYTES_MAX);
    if (this.body_bytes_max < ENVELOPE_BYTES) throw new RangeError(`chunk_bytes_max ${chunk_bytes_max} leaves no room for records beside a header`);
  }

  /** Adds one record; returns a finished chunk when the record did not fit the current one. */
  add(sublevel: Sublevel, key: string, value: unknown): Uint8Array | null {
    if (this.done) throw new SnapshotError('add after finish');
    if (!SUBLEVELS.has(sublevel)) throw new SnapshotError(`unknown sublevel ${String(sublevel)}`);
    if (typeof key !== 'string') throw new SnapshotError('record key is not a string');
    const bytes = packr.pack([sublevel, key, value]);
    if (bytes.length > this.body_bytes_max) {
      throw new SnapshotError(`record ${sublevel}/${key} encodes to ${bytes.length} bytes, more than a chunk body holds (${this.body_bytes_max})`);
    }
    let out: Uint8Array | null = null;
    if (this.part_bytes + bytes.length > this.body_bytes_max) out = this.cut(null);
    this.parts.push(bytes);
    this.part_bytes += bytes.length;
    this.records++;
    return out;
  }

  /** The last chunk, which carries the totals. */
  finish(): Uint8Array {
    if (this.done) throw new SnapshotError('finish twice');
    this.done = true;
    return this.cut({ records: this.records, chunks: this.index + 1 });
  }

  private cut(end: End | null): Uint8Array {
    const body = Buffer.concat(this.parts, this.part_bytes);
    const n = this.parts.length;
    const i = this.index;
    const header = i === 0 ? this.header : null;
    const hash = chunkHash(i, n, this.prev, end, body, header);
    const chunk = packr.pack(header === null ? { f: FORMAT, v: VERSION, i, n, body, prev: this.prev, hash, end } : { f: FORMAT, v: VERSION, i, n, body, prev: this.prev, hash, end, h: header });
    this.prev = hash;
    this.index++;
    this.parts = [];
    this.part_bytes = 0;
    return chunk;
  }
}

function isRecordObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

/** Checks chunks in order and hands out their records. */
export class SnapshotReader {
  private index = 0;
  private prev = '';
  private records = 0;
  private end: End | null = null;
  /** The first chunk's header, once it arrived (null: none). */
  header: SnapshotHeader | null = null;

  push(chunk: Uint8Array): SnapshotRecord[] {
    const at = `chunk ${this.index}`;
    if (this.end !== null) throw new SnapshotError(`${at} arrives after the last chunk`);
    let raw: unknown;
    try {
      raw = packr.unpack(chunk);
    } catch (err) {
      throw new SnapshotError(`${at} is not msgpack (${(err as Error).message.slice(0, 120)})`);
    }
    if (!isRecordObject(raw) || raw.f !== FORMAT) throw new SnapshotError(`${at} is not a ledger snapshot chunk`);
    if (raw.v !== VERSION) throw new SnapshotError(`${at} has format version ${String(raw.v)}, this build reads ${VERSION}`);
    const { i, n, body, prev, hash } = raw;
    const end = raw.end === null || raw.end === undefined ? null : raw.end;
    if (i !== this.index) throw new SnapshotError(`${at}: chunk index ${String(i)} out of order (missing, repeated or reordered chunk)`);
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw new SnapshotError(`${at}: bad record count`);
    if (!(body instanceof Uint8Array)) throw new SnapshotError(`${at}: body is not bytes`);
    if (prev !== this.prev) throw new SnapshotError(`${at}: does not follow the previous chunk (chain broken)`);
    if (end !== null && (!isRecordObject(end) || typeof end.records !== 'number' || typeof end.chunks !== 'number')) {
      throw new SnapshotError(`${at}: malformed end marker`);
    }
    const endRec = end === null ? null : { records: end.records as number, chunks: end.chunks as number };
    if (raw.h !== undefined && this.index !== 0) throw new SnapshotError(`${at}: only the first chunk carries a header`);
    const header = raw.h === undefined ? null : checkSnapshotHeader(raw.h);
    if (typeof hash !== 'string' || chunkHash(this.index, n, this.prev, endRec, body, header) !== hash) {
      throw new SnapshotError(`${at}: checksum mismatch (chunk altered)`);
    }
    let items: unknown[];
    try {
      items = n === 0 ? [] : (packr.unpackMultiple(body) as unknown[]);
    } catch (err) {
      throw new SnapshotError(`${at}: body does not decode (${(err as Error).message.slice(0, 120)})`);
    }
    if (items.length !== n) throw new SnapshotError(`${at}: holds ${items.length} records, header says ${n}`);
    for (const r of items) {
      if (!Array.isArray(r) || r.length !== 3 || !SUBLEVELS.has(r[0]) || typeof r[1] !== 'string') {
        throw new SnapshotError(`${at}: malformed record`);
      }
    }
    this.records += n;
    if (this.index === 0) this.header = header;
    this.index++;
    this.prev = hash;
    if (endRec !== null) {
      if (endRec.records !== this.records || endRec.chunks !== this.index) {
        throw new SnapshotError(`last chunk counts ${endRec.records} records in ${endRec.chunks} chunks, received ${this.records} in ${this.index}`);
      }
      this.end = endRec;
    }
    return items as SnapshotRecord[];
  }

  /** Throws unless the last chunk arrived. */
  finish(): End {
    if (this.end === null) throw new SnapshotError(`truncated: ${this.index} chunks and ${this.records} records arrived, but not the last chunk`);
    return this.end;
  }
}

export function* snapshotChunks(source: Iterable<SnapshotRecord>, chunk_bytes_max: number): Generator<Uint8Array> {
  const w = new SnapshotWriter(chunk_bytes_max);
  for (const [sublevel, key, value] of source) {
    const c = w.add(sublevel, key, value);
    if (c !== null) yield c;
  }
  yield w.finish();
}

export async function* snapshotChunksAsync(
  source: AsyncIterable<SnapshotRecord> | Iterable<SnapshotRecord>,
  chunk_bytes_max: number,
  header: SnapshotHeader | null = null,
): AsyncGenerator<Uint8Array> {
  const w = new SnapshotWriter(chunk_bytes_max, header);
  for await (const [sublevel, key, value] of source) {
    const c = w.add(sublevel, key, value);
    if (c !== null) yield c;
  }
  yield w.finish();
}

export function* restoreChunks(chunks: Iterable<Uint8Array>): Generator<SnapshotRecord> {
  const r = new SnapshotReader();
  for (const c of chunks) yield* r.push(c);
  r.finish();
}

export async function* restoreChunksAsync(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): AsyncGenerator<SnapshotRecord> {
  const r = new SnapshotReader();
  for await (const c of chunks) yield* r.push(c);
  r.finish();
}
