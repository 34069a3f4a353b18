// The byte format of a state-machine snapshot as it travels between nodes, and the staging
// of a received snapshot in the data dir until the raft core asks for it to be installed.
//
// A snapshot is a sequence of chunks, each a msgpackr map {applied?, records}, where the
// first chunk carries the sender's applied record (index, term, membership, addresses)
// and `records` are [sublevel, key, value] triples of a consistent LevelDB view. A chunk
// holds at most `chunk_bytes_max` of keys and values (one oversize record travels alone).
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

/** Encodes a consistent view as bounded chunks. */
export async function* encodeSnapshotChunks(view: SnapshotView, chunk_bytes_max = SNAPSHOT_CHUNK_BYTES_MAX): AsyncGenerator<Uint8Array> {
  let body: ChunkBody = { applied: view.applied, records: [] };
  let bytes = 0;
  for await (const rec of view.records) {
    const size = rec[1].byteLength + rec[2].byteLength + 16;
    if (bytes + size > chunk_bytes_max && body.records.length > 0) {
      yield pack(body);
      body = { records: [] };
      bytes = 0;
    }
    body.records.push(rec);
    bytes += size;
  }
  yield pack(body);
}

export class SnapshotFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SnapshotFormatError';
  }
}

export function decodeSnapshotChunk(bytes: Uint8Array, first: boolean): ChunkBody {
  const v = unpack(bytes) as Partial<ChunkBody> | null;
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
