// The byte format of a state-machine snapshot as it travels between nodes, and the staging
// of a received snapshot on disk until the raft core asks for it to be installed.
//
// A snapshot is a sequence of chunks, each a msgpackr map {applied?, records}, where the
// first chunk carries the sender's applied record (index, term, membership, addresses)
// and `records` are [sublevel, key, value] triples of a consistent LevelDB view. A chunk
// holds at most `chunk_bytes_max` of keys and values (one oversize record travels alone).
// The receiver checks the SHA-256 of all chunk bytes, in order, against the last chunk.

import { createHash, type Hash } from 'node:crypto';
import { mkdirSync, openSync, writeSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pack, unpack, SNAPSHOT_SUBLEVELS, type AppliedRecord, type SnapshotView, type SublevelName } from './storage-level.js';
import type { SnapshotMeta } from '../raft/types.js';

export const SNAPSHOT_CHUNK_BYTES_MAX = 1024 * 1024;
/** A received snapshot larger than this is refused rather than staged. */
export const SNAPSHOT_TOTAL_BYTES_MAX = 4 * 1024 * 1024 * 1024;

export type SnapshotRecord = [SublevelName, Uint8Array, Uint8Array];

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

/** A snapshot being received: chunks are appended to a file in the data dir. */
export class SnapshotStage {
  private fd: number | null;
  private readonly hash: Hash = createHash('sha256');
  private bytes = 0;
  private chunks = 0;
  readonly path: string;

  constructor(dir: string, readonly meta: SnapshotMeta, readonly from: string) {
    mkdirSync(dir, { recursive: true });
    this.path = join(dir, `incoming-${meta.index}-${meta.term}-${process.pid}-${Date.now()}.snap`);
    this.fd = openSync(this.path, 'w');
  }

  add(chunk: Uint8Array): void {
    if (this.fd === null) throw new SnapshotFormatError('snapshot stage is already closed');
    if (this.bytes + chunk.byteLength > SNAPSHOT_TOTAL_BYTES_MAX) {
      throw new SnapshotFormatError(`snapshot exceeds ${SNAPSHOT_TOTAL_BYTES_MAX} bytes`);
    }
    // Each chunk is checked as it arrives so a malformed stream fails early.
    decodeSnapshotChunk(chunk, this.chunks === 0);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(chunk.byteLength);
    writeSync(this.fd, len);
    writeSync(this.fd, chunk);
    this.hash.update(chunk);
    this.bytes += chunk.byteLength;
    this.chunks += 1;
  }

  /** Closes the file after checking the checksum the sender computed. */
  finish(sha256: Uint8Array): StagedSnapshot {
    if (this.fd === null) throw new SnapshotFormatError('snapshot stage is already closed');
    closeSync(this.fd);
    this.fd = null;
    const digest = this.hash.digest();
    if (!digest.equals(Buffer.from(sha256))) {
      this.discard();
      throw new SnapshotFormatError(`snapshot checksum mismatch after ${this.chunks} chunks (${this.bytes} bytes)`);
    }
    if (this.chunks === 0) {
      this.discard();
      throw new SnapshotFormatError('snapshot stream carried no chunks');
    }
    return new StagedSnapshot(this.path, this.meta, this.bytes);
  }

  discard(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    rmSync(this.path, { force: true });
  }
}

/** A complete, verified snapshot on disk, waiting for the core to name it in a Ready. */
export class StagedSnapshot {
  constructor(readonly path: string, readonly meta: SnapshotMeta, readonly bytes: number) {}

  /** Reads it back: the sender's applied record and every record. */
  read(): { applied: AppliedRecord; records: SnapshotRecord[] } {
    const buf = readFileSync(this.path);
    let off = 0;
    let applied: AppliedRecord | undefined;
    const records: SnapshotRecord[] = [];
    let first = true;
    while (off < buf.length) {
      if (off + 4 > buf.length) throw new SnapshotFormatError(`staged snapshot ${this.path} is truncated`);
      const len = buf.readUInt32BE(off);
      off += 4;
      if (off + len > buf.length) throw new SnapshotFormatError(`staged snapshot ${this.path} is truncated`);
      const body = decodeSnapshotChunk(buf.subarray(off, off + len), first);
      off += len;
      if (first) applied = body.applied;
      first = false;
      for (const r of body.records) records.push(r);
    }
    if (!applied) throw new SnapshotFormatError(`staged snapshot ${this.path} is empty`);
    return { applied, records };
  }

  discard(): void {
    rmSync(this.path, { force: true });
  }
}

/** Returns a stable digest helper so senders and receivers hash identically. */
export function snapshotHasher(): Hash {
  return createHash('sha256');
}
