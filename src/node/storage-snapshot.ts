// The byte format of a state-machine snapshot as it travels between nodes, and the staging
// of a received snapshot in the data dir until the raft core asks for it to be installed.
//
// A snapshot is a sequence of chunks, each a msgpack map {applied?, records}, where the
// first chunk carries the sender's applied record (index, term, membership, addresses)
// and `records` are [sublevel, key, value] triples of a consistent LevelDB view. A chunk
// is at most `chunk_bytes_max` bytes (one oversize record travels alone).
// Every chunk may carry the SHA-256 of all chunk bytes so far, in order (the sender sets
// it on every chunk; the last chunk must carry it): the receiver checks it as each chunk
// arrives, so a corrupt chunk is refused where it happened, before its records are
// staged. Records go straight into a staging generation of the database (see
// LevelStorage.beginStaging): memory holds one chunk at a time, and nothing bounds the
// size but the disk.

import { createHash, type Hash } from 'node:crypto';
import { pack, unpack, SNAPSHOT_SUBLEVELS, type AppliedRecord, type SnapshotRecord, type SnapshotView } from './storage-level.js';
import type { SnapshotMeta } from '../raft/types.js';

export const SNAPSHOT_CHUNK_BYTES_MAX = 1024 * 1024;
export type { SnapshotRecord };

interface ChunkBody {
  applied?: AppliedRecord;
  records: SnapshotRecord[];
}

/** Key of the first chunk's applied record and of every chunk's records list. */
const APPLIED_KEY = Buffer.from('applied');
const RECORDS_KEY = Buffer.from('records');
/** Each sub-level name as a record's first element (fixstr header and text), made once. */
const SUBLEVEL_NAME_BYTES: ReadonlyMap<string, Buffer> = new Map(
  SNAPSHOT_SUBLEVELS.map((name) => {
    if (name.length > 31) throw new Error(`sublevel name '${name}' is longer than a fixstr (31 bytes)`);
    return [name, Buffer.concat([Buffer.from([0xa0 | name.length]), Buffer.from(name, 'latin1')])];
  }),
);
/** The largest header of a record's own parts: fixarray, fixstr name, two bin32 headers. */
const RECORD_OVERHEAD_MAX = 1 + 1 + 31 + 5 + 5;

function binHeaderBytes(n: number): number {
  return n < 0x100 ? 2 : n < 0x10000 ? 3 : 5;
}

/** One chunk's msgpack, written record by record into one buffer, so that a record leaves
 * nothing behind but its bytes (a chunk used to be a list of [sublevel, key, value] arrays
 * packed at the end; measured, that was not where the sender's memory went: BENCHMARKS.md
 * "Snapshot peak RSS"). The bytes are what msgpackr writes for the same map (bin for keys
 * and values), so any receiver reads them with decodeSnapshotChunk. */
class ChunkWriter {
  private buf: Buffer;
  private pos = 0;
  private count = 0;
  private count_at = 0;

  constructor(capacity: number, applied: AppliedRecord | undefined) {
    const applied_bytes = applied === undefined ? null : pack(applied);
    const head = 1 + (applied_bytes === null ? 0 : 1 + APPLIED_KEY.length + applied_bytes.byteLength) + 1 + RECORDS_KEY.length + 5;
    this.buf = Buffer.allocUnsafe(Math.max(capacity, head + RECORD_OVERHEAD_MAX));
    this.buf[this.pos++] = 0x80 | (applied_bytes === null ? 1 : 2);
    if (applied_bytes !== null) {
      this.str(APPLIED_KEY);
      this.buf.set(applied_bytes, this.pos);
      this.pos += applied_bytes.byteLength;
    }
    this.str(RECORDS_KEY);
    this.buf[this.pos++] = 0xdd; // array32: the count is written by finish()
    this.count_at = this.pos;
    this.pos += 4;
  }

  get records(): number {
    return this.count;
  }

  /** Bytes the record takes in a chunk. */
  static recordBytes(name: string, k: Uint8Array, v: Uint8Array): number {
    return 2 + name.length + binHeaderBytes(k.byteLength) + k.byteLength + binHeaderBytes(v.byteLength) + v.byteLength;
  }

  fits(bytes: number): boolean {
    return this.pos + bytes <= this.buf.byteLength;
  }

  /** Grows the buffer to take one record larger than a chunk (it travels alone). */
  reserve(bytes: number): void {
    if (this.fits(bytes)) return;
    const bigger = Buffer.allocUnsafe(this.pos + bytes);
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }

  add(name: string, k: Uint8Array, v: Uint8Array): void {
    const name_bytes = SUBLEVEL_NAME_BYTES.get(name);
    if (name_bytes === undefined) throw new SnapshotFormatError(`snapshot record names unknown sublevel '${name}'`);
    this.buf[this.pos++] = 0x93;
    this.buf.set(name_bytes, this.pos);
    this.pos += name_bytes.byteLength;
    this.bin(k);
    this.bin(v);
    this.count += 1;
  }

  finish(): Uint8Array {
    this.buf.writeUInt32BE(this.count, this.count_at);
    return this.buf.subarray(0, this.pos);
  }

  private str(b: Buffer): void {
    this.buf[this.pos++] = 0xa0 | b.length;
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  private bin(b: Uint8Array): void {
    const n = b.byteLength;
    if (n < 0x100) {
      this.buf[this.pos++] = 0xc4;
      this.buf[this.pos++] = n;
    } else if (n < 0x10000) {
      this.buf[this.pos++] = 0xc5;
      this.buf.writeUInt16BE(n, this.pos);
      this.pos += 2;
    } else {
      this.buf[this.pos++] = 0xc6;
      this.buf.writeUInt32BE(n, this.pos);
      this.pos += 4;
    }
    this.buf.set(b, this.pos);
    this.pos += n;
  }
}

/** Encodes a consistent view as bounded chunks: a chunk's bytes stay within
 * `chunk_bytes_max` unless one record alone is larger (it then travels alone). */
export async function* encodeSnapshotChunks(view: SnapshotView, chunk_bytes_max = SNAPSHOT_CHUNK_BYTES_MAX): AsyncGenerator<Uint8Array> {
  let chunk = new ChunkWriter(chunk_bytes_max, view.applied);
  for await (const [name, k, v] of view.records) {
    const size = ChunkWriter.recordBytes(name, k, v);
    if (!chunk.fits(size) && chunk.records > 0) {
      yield chunk.finish();
      chunk = new ChunkWriter(chunk_bytes_max, undefined);
    }
    chunk.reserve(size);
    chunk.add(name, k, v);
  }
  yield chunk.finish();
}

export class SnapshotFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SnapshotFormatError';
  }
}

export function decodeSnapshotChunk(bytes: Uint8Array, first: boolean): ChunkBody {
  let v: Partial<ChunkBody> | null;
  try {
    v = unpack(bytes) as Partial<ChunkBody> | null;
  } catch (err) {
    throw new SnapshotFormatError(`snapshot chunk of ${bytes.byteLength} bytes is not msgpack: ${err instanceof Error ? err.message.slice(0, 200) : String(err)}`);
  }
  if (!v || !Array.isArray(v.records)) throw new SnapshotFormatError('snapshot chunk has no records list');
  if (first && !v.applied) throw new SnapshotFormatError('first snapshot chunk lacks the applied record');
  for (const r of v.records) {
    if (!Array.isArray(r) || r.length !== 3 || !SNAPSHOT_SUBLEVELS.includes(r[0]) || !(r[1] instanceof Uint8Array) || !(r[2] instanceof Uint8Array)) {
      throw new SnapshotFormatError('snapshot record is not [sublevel, key bytes, value bytes]');
    }
  }
  return { applied: v.applied, records: v.records };
}

/** Where a received snapshot is staged (LevelStorage implements it). */
export interface StagingStore {
  beginStaging(meta: { readonly index: number; readonly term: number }): Promise<number>;
  stageRecords(generation: number, records: readonly SnapshotRecord[]): Promise<void>;
  discardStaging(generation: number, onError: (err: unknown) => void): void;
}

export interface ReceiveProgress {
  readonly chunks: number;
  readonly bytes: number;
  readonly records: number;
}

/** A snapshot being received: every chunk is checked, then its records are written into a
 * staging generation of the database. One chunk is in memory at a time. */
export class SnapshotReceiver {
  private readonly hash: Hash = createHash('sha256');
  private applied: AppliedRecord | null = null;
  private progress_: ReceiveProgress = { chunks: 0, bytes: 0, records: 0 };
  private open = true;

  private constructor(
    private readonly store: StagingStore,
    readonly generation: number,
    readonly meta: SnapshotMeta,
    readonly from: string,
  ) {}

  static async begin(store: StagingStore, meta: SnapshotMeta, from: string): Promise<SnapshotReceiver> {
    return new SnapshotReceiver(store, await store.beginStaging(meta), meta, from);
  }

  get progress(): ReceiveProgress {
    return this.progress_;
  }

  /** Checks one chunk (its running checksum when given, its format) and stages its
   * records. A chunk that fails a check stages nothing. */
  async add(chunk: Uint8Array, running_sha256: Uint8Array): Promise<void> {
    if (!this.open) throw new SnapshotFormatError('snapshot stage is already closed');
    const first = this.progress_.chunks === 0;
    this.hash.update(chunk);
    if (running_sha256.byteLength > 0) {
      const digest = this.hash.copy().digest();
      if (!digest.equals(running_sha256)) {
        throw new SnapshotFormatError(`snapshot chunk ${this.progress_.chunks} fails its checksum (${chunk.byteLength} bytes; ${this.progress_.bytes} bytes before it were good)`);
      }
    }
    const body = decodeSnapshotChunk(chunk, first);
    if (first) {
      const a = body.applied!;
      if (a.index !== this.meta.index || a.term !== this.meta.term) {
        throw new SnapshotFormatError(`snapshot's applied record is at ${a.index}/${a.term}, its header says ${this.meta.index}/${this.meta.term}`);
      }
      this.applied = a;
    }
    await this.store.stageRecords(this.generation, body.records);
    this.progress_ = { chunks: this.progress_.chunks + 1, bytes: this.progress_.bytes + chunk.byteLength, records: this.progress_.records + body.records.length };
  }

  /** Ends the stream after checking the checksum of all chunks the sender computed. */
  finish(sha256: Uint8Array): StagedSnapshot {
    if (!this.open) throw new SnapshotFormatError('snapshot stage is already closed');
    const { chunks, bytes, records } = this.progress_;
    if (chunks === 0 || this.applied === null) throw new SnapshotFormatError('snapshot stream carried no chunks');
    const digest = this.hash.digest();
    if (!digest.equals(Buffer.from(sha256))) throw new SnapshotFormatError(`snapshot checksum mismatch after ${chunks} chunks (${bytes} bytes)`);
    this.open = false;
    return new StagedSnapshot(this.store, this.generation, this.meta, this.applied, this.from, { chunks, bytes, records });
  }

  /** Drops what was staged (in the background). */
  discard(onError: (err: unknown) => void): void {
    if (!this.open) return;
    this.open = false;
    this.store.discardStaging(this.generation, onError);
  }
}

/** A complete, verified snapshot in a staging generation, waiting for the core to name it
 * in a Ready (then LevelStorage.installStaged makes it live) or to be discarded. */
export class StagedSnapshot {
  private discarded = false;

  constructor(
    private readonly store: StagingStore,
    readonly generation: number,
    readonly meta: SnapshotMeta,
    /** The sender's applied record (membership and addresses at the snapshot). */
    readonly applied: AppliedRecord,
    readonly from: string,
    readonly progress: ReceiveProgress,
  ) {}

  get bytes(): number {
    return this.progress.bytes;
  }

  discard(onError: (err: unknown) => void): void {
    if (this.discarded) return;
    this.discarded = true;
    this.store.discardStaging(this.generation, onError);
  }
}

/** Returns a stable digest helper so senders and receivers hash identically. */
export function snapshotHasher(): Hash {
  return createHash('sha256');
}
