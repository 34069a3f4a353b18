// Backups and restores.
//
// A backup file is the ledger snapshot format (src/ledger/snapshot.ts: self-checking,
// hash-chained chunks of the 'state', 'history' and 'outcomes' sublevels) with each chunk preceded by
// its length as a 4-byte big-endian integer. `stockctl backup` writes it from the Backup
// stream (StockNode.backupChunks); `stockd --restore FILE` reads it back.
//
// Restoring bootstraps a NEW cluster: the restored ledger becomes the state at a snapshot
// whose index is the ledger's last applied index (term 1), so the new cluster's log starts
// just above it and history keeps its log indexes. Every history chain is verified first.

import { open } from 'node:fs/promises';
import { Ledger } from '../ledger/ledger.js';
import { restoreChunksAsync } from '../ledger/snapshot.js';
import { verifyHistory } from '../ledger/history.js';
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

export async function restoreBackupInto(storage: LevelStorage, file: string, conf: ConfState, addresses: Record<NodeId, string>, log: Logger): Promise<void> {
  const t0 = Date.now();
  const state: [string, unknown][] = [];
  const history: [string, LedgerEvent][] = [];
  const archived: [string, unknown][] = [];
  try {
    for await (const [sublevel, key, value] of restoreChunksAsync(readBackupChunks(file))) {
      if (sublevel === 'state') state.push([key, value]);
      else if (sublevel === 'history') history.push([key, value as LedgerEvent]);
      else {
        archivedResult(key, value); // refuses a malformed record, naming its key
        archived.push([key, value]);
      }
    }
  } catch (err) {
    throw new StorageError(`--restore ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  let ledger: Ledger;
  try {
    ledger = Ledger.load(state);
  } catch (err) {
    throw new StorageError(`--restore ${file}: ledger state is not valid: ${err instanceof Error ? err.message : String(err)}`);
  }
  history.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const check = verifyHistory(
    history.map(([, e]) => e),
    ledger.positionHeads(),
    ledger.adminHead(),
  );
  if (!check.ok) throw new StorageError(`--restore ${file}: history of ${check.sku}/${check.location} breaks at seq ${check.seq}: ${check.reason}`);
  // The events index (log order) is rebuilt from the history; within one log index events
  // are ordered by position and seq. Admin events are not position events: Watch never
  // carries them, so they stay out of the index.
  const by_index = [...history].map(([, e]) => e).filter((e) => (e as { kind: string }).kind !== 'ADMIN').sort((a, b) => a.log_index - b.log_index || (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0) || (a.location < b.location ? -1 : a.location > b.location ? 1 : 0) || a.seq - b.seq);
  const enc = new TextEncoder();
  const records: [SublevelName, Uint8Array, Uint8Array][] = [];
  for (const [k, v] of state) records.push(['state', enc.encode(k), pack(v)]);
  for (const [k, v] of history) records.push(['history', enc.encode(k), pack(v)]);
  for (const [k, v] of archived) records.push(['outcomes', enc.encode(k), pack(v)]);
  let ord = 0;
  let prev = -1;
  for (const e of by_index) {
    ord = e.log_index === prev ? ord + 1 : 0;
    prev = e.log_index;
    records.push(['events', enc.encode(eventKey(e.log_index, ord)), pack(e)]);
  }
  const index = ledger.lastLogIndex();
  const term = index > 0 ? 1 : 0;
  const meta: SnapshotMeta = { index, term, conf_state: conf };
  const applied: AppliedRecord = { index, term, conf_state: conf, addresses };
  await storage.installSnapshot(meta, records, applied, { term, vote: null, commit: index });
  log.info({ file, index, positions: ledger.positionCount(), events: history.length, head_hash: ledger.headHash(), ms: Date.now() - t0 }, 'restored backup into a new cluster');
}
