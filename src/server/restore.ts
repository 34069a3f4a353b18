// Backups and restores.
//
// A backup file is the ledger snapshot format (src/ledger/snapshot.ts: self-checking,
// hash-chained chunks of the 'state', 'history' and 'outcomes' sublevels) with each chunk preceded by
// its length as a 4-byte big-endian integer. `stockctl backup` writes it from the Backup
// stream (StockNode.backupChunks); `stockd --restore FILE` reads it back.
//
// Restoring bootstraps a NEW cluster: the restored ledger becomes the state at a snapshot
// whose index is the ledger's last applied index (term 1), so the new cluster's log starts
// just above it and history keeps its log indexes.
//
// A restore reads the file twice, one chunk at a time (never the whole file):
//   1. validateBackup, before the data dir is created or opened: every chunk's framing,
//      checksum and place in the chunk chain, every state record through the ledger loader
//      (the ledger's invariants), every history chain against the state's heads. Any fault
//      is named by chunk, record and key, and the data dir is never touched.
//   2. backupRecords, inside the one storage batch that installs the snapshot: the same
//      checks on the chunks again (the file must be the one validated: same chunk chain
//      end), and the events index rebuilt on the way.
// Memory: the ledger state once, as at every node start, plus one chunk; history events
// pass through. The storage batch itself holds the records until it is written.

import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { Ledger } from '../ledger/ledger.js';
import { SnapshotReader, type SnapshotRecord } from '../ledger/snapshot.js';
import { HistoryVerifier } from '../ledger/history.js';
import { archivedResult } from '../ledger/archive.js';
import type { LedgerEvent } from '../ledger/types.js';
import { eventKey, pack, StorageError, type AppliedRecord, type LevelStorage, type SublevelName } from '../node/storage-level.js';
import type { ConfState, NodeId, SnapshotMeta } from '../raft/types.js';
import { BACKUP_FILE_CHUNK_BYTES_MAX } from './limits.js';

export async function* readBackupChunks(file: string): AsyncGenerator<Uint8Array> {
  const fh = await open(file, 'r');
  try {
    const len = Buffer.alloc(4);
    // Bounded by the file size: every round consumes at least 4 bytes or ends.
    for (;;) {
      const { bytesRead } = await fh.read(len, 0, 4, null);
      if (bytesRead === 0) return;
      if (bytesRead !== 4) throw new StorageError(`backup ${file} is truncated inside a chunk length`);
      const n = len.readUInt32BE(0);
      if (n === 0 || n > BACKUP_FILE_CHUNK_BYTES_MAX) throw new StorageError(`backup ${file}: chunk of ${n} bytes (limit ${BACKUP_FILE_CHUNK_BYTES_MAX})`);
      const buf = Buffer.alloc(n);
      const r = await fh.read(buf, 0, n, null);
      if (r.bytesRead !== n) throw new StorageError(`backup ${file} is truncated inside a chunk`);
      yield buf;
    }
  } finally {
    await fh.close();
  }
}

/** Frames chunks for a backup file. */
export function frameBackupChunk(chunk: Uint8Array): Uint8Array {
  const out = Buffer.alloc(4 + chunk.byteLength);
  out.writeUInt32BE(chunk.byteLength, 0);
  out.set(chunk, 4);
  return out;
}

export interface Logger {
  info(obj: object, msg: string): void;
}

function readFully(fd: number, buf: Buffer, position: number): number {
  let got = 0;
  // Bounded: each round reads at least one byte or stops.
  while (got < buf.length) {
    const n = readSync(fd, buf, got, buf.length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}

/** The records of a backup file with where each came from, read synchronously one chunk at
 * a time (storage's install batch takes a synchronous iterable). Every chunk goes through
 * the snapshot format's checks; errors name the chunk and its byte offset. */
function* framedRecords(file: string): Generator<{ readonly record: SnapshotRecord; readonly chunk: number; readonly at: number }, { chunks: number; bytes: number; sha256: string }> {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    throw new StorageError(`cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const reader = new SnapshotReader();
  const digest = createHash('sha256');
  const len = Buffer.alloc(4);
  let offset = 0;
  let chunk = 0;
  try {
    // Bounded by the file size: every round consumes at least 5 bytes or ends.
    for (;;) {
      const got = readFully(fd, len, offset);
      if (got === 0) break;
      if (got !== 4) throw new StorageError(`chunk ${chunk} at byte ${offset}: file ends inside the chunk's length`);
      const n = len.readUInt32BE(0);
      if (n === 0 || n > BACKUP_FILE_CHUNK_BYTES_MAX) throw new StorageError(`chunk ${chunk} at byte ${offset}: length ${n} is out of range 1..${BACKUP_FILE_CHUNK_BYTES_MAX}`);
      const buf = Buffer.alloc(n);
      if (readFully(fd, buf, offset + 4) !== n) throw new StorageError(`chunk ${chunk} at byte ${offset}: file ends inside the chunk (${n} bytes announced)`);
      digest.update(len).update(buf);
      let records: SnapshotRecord[];
      try {
        records = reader.push(buf);
      } catch (err) {
        throw new StorageError(`chunk ${chunk} at byte ${offset}: ${(err as Error).message}`);
      }
      for (let i = 0; i < records.length; i++) yield { record: records[i] as SnapshotRecord, chunk, at: i };
      offset += 4 + n;
      chunk++;
    }
    try {
      reader.finish();
    } catch (err) {
      throw new StorageError(`after chunk ${chunk - 1} (byte ${offset}): ${(err as Error).message}`);
    }
    return { chunks: chunk, bytes: offset, sha256: digest.digest('hex') };
  } finally {
    closeSync(fd);
  }
}

export interface BackupSummary {
  readonly index: number;
  readonly positions: number;
  readonly events: number;
  readonly head_hash: string;
  readonly chunks: number;
  readonly bytes: number;
  /** Of the whole file: the install pass checks it read the same bytes. */
  readonly sha256: string;
}

const utf8 = new TextEncoder();

/** History keys must come in storage (byte) order: the chains are checked as a stream. */
function checkKeyOrder(prev: Uint8Array | null, key: Uint8Array, where: string, k: string): void {
  if (prev !== null && Buffer.compare(prev, key) >= 0) throw new StorageError(`${where}: history key '${k}' is not after the key before it (records out of order or repeated)`);
}

/** Pass 1: checks the whole backup without touching anything. Throws a StorageError naming
 * the file and the chunk/record at fault. */
export function validateBackup(file: string): BackupSummary {
  try {
    const loader = Ledger.loader();
    const verifier = new HistoryVerifier();
    let prev_history: Uint8Array | null = null;
    const it = framedRecords(file);
    let step = it.next();
    // Bounded by the file: the generator ends after its last chunk.
    for (; !step.done; step = it.next()) {
      const { record, chunk, at } = step.value;
      const [sublevel, key, value] = record;
      const where = `chunk ${chunk}, record ${at}`;
      if (sublevel === 'state') {
        try {
          loader.add(key, value);
        } catch (err) {
          throw new StorageError(`${where}: state key '${key}': ${(err as Error).message}`);
        }
        continue;
      }
      if (sublevel === 'outcomes') {
        try {
          archivedResult(key, value);
        } catch (err) {
          throw new StorageError(`${where}: archived outcome '${key}': ${(err as Error).message}`);
        }
        continue;
      }
      const kb = utf8.encode(key);
      checkKeyOrder(prev_history, kb, where, key);
      prev_history = kb;
      const f = verifier.push(value as LedgerEvent);
      if (f !== null && !f.ok) throw new StorageError(`${where}: history key '${key}': chain of ${f.sku}@${f.location} breaks at seq ${f.seq}: ${f.reason}`);
    }
    let ledger: Ledger;
    try {
      ledger = loader.finish();
    } catch (err) {
      throw new StorageError(`ledger state is not valid: ${(err as Error).message}`);
    }
    const check = verifier.finish(ledger.positionHeads(), ledger.adminHead());
    if (!check.ok) throw new StorageError(`history of ${check.sku}@${check.location} does not match the state at seq ${check.seq}: ${check.reason}`);
    return { index: ledger.lastLogIndex(), positions: ledger.positionCount(), events: check.events + check.admin_events, head_hash: ledger.headHash(), chunks: step.value.chunks, bytes: step.value.bytes, sha256: step.value.sha256 };
  } catch (err) {
    throw new StorageError(`--restore ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Pass 2: the storage records of a validated backup (state, history, archived outcomes, and the events index
 * in log order: within one log index, events keep the history's key order). */
function* backupRecords(file: string, validated: BackupSummary): Generator<[SublevelName, Uint8Array, Uint8Array]> {
  const ordinals = new Map<number, number>();
  const it = framedRecords(file);
  let step = it.next();
  for (; !step.done; step = it.next()) {
    const [sublevel, key, value] = step.value.record;
    yield [sublevel, utf8.encode(key), pack(value)];
    const e = value as LedgerEvent | { kind: 'ADMIN' } | { kind: 'HORIZON' };
    // Admin events and history horizons are not position events: Watch never carries them,
    // so they stay out of the index.
    if (sublevel !== 'history' || e.kind === 'ADMIN' || e.kind === 'HORIZON') continue;
    const ev = e as LedgerEvent;
    const ord = ordinals.get(ev.log_index) ?? 0;
    ordinals.set(ev.log_index, ord + 1);
    yield ['events', utf8.encode(eventKey(ev.log_index, ord)), pack(ev)];
  }
  // The file changed since it was validated: nothing is written (the batch is not).
  if (step.value.sha256 !== validated.sha256) {
    throw new StorageError(`--restore ${file}: the file changed after it was validated (sha256 ${step.value.sha256}, validated ${validated.sha256}): nothing was written`);
  }
}

/** Installs a backup validated by validateBackup into a new, unclaimed data dir, in one
 * synced batch. */
export async function restoreBackupInto(storage: LevelStorage, file: string, validated: BackupSummary, conf: ConfState, addresses: Record<NodeId, string>, log: Logger): Promise<void> {
  const t0 = Date.now();
  const index = validated.index;
  const term = index > 0 ? 1 : 0;
  const meta: SnapshotMeta = { index, term, conf_state: conf };
  const applied: AppliedRecord = { index, term, conf_state: conf, addresses };
  await storage.installSnapshot(meta, backupRecords(file, validated), applied, { term, vote: null, commit: index });
  log.info({ file, index, positions: validated.positions, events: validated.events, head_hash: validated.head_hash, bytes: validated.bytes, ms: Date.now() - t0 }, 'restored backup into a new cluster');
}
