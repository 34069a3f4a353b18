// Migration of a data dir from format 2 to format 3 (storage-records.ts): every raft entry
// and meta record is rewritten with its checksum, then the identity record says format 3.
//
// Crash-safe by being rerunnable: each record's rewrite is idempotent (a record already in
// format 3 is verified and left alone, one in format 2 is rewritten), every batch is
// atomic, and the identity record, written last and synced, is what says the migration
// is done. A stockd killed midway finds format 2 again at its next start and finishes.

import type { AbstractBatchOperation } from 'abstract-level';
import { decodeEntryRecord, decodeEntryRecordV2, decodeMetaRecord, encodeEntryRecord, encodeMetaRecord, ENTRY_RECORD_TAG, ENTRY_RECORD_TAG_V2, isMetaRecord, StorageError, unpack } from './storage-records.js';
import type { Sub } from './storage-level.js';

/** Records read and rewritten per batch. */
const MIGRATE_BATCH = 1000;
const dec = new TextDecoder();

export interface MigrationReport {
  readonly entries_rewritten: number;
  readonly meta_rewritten: number;
}

type SubOp = AbstractBatchOperation<Sub, Uint8Array, Uint8Array>;

/** Test hook: called after each batch is written (a test stops the migration there). */
export type AfterBatch = (batches_done: number) => void;

async function rewriteAll(sub: Sub, convert: (key: Uint8Array, value: Uint8Array) => Uint8Array | null, after: AfterBatch | null, done: { batches: number }): Promise<number> {
  let rewritten = 0;
  const it = sub.iterator();
  try {
    // Bounded by the sub-level's size: every round consumes a non-empty batch or ends.
    for (;;) {
      const rows = await it.nextv(MIGRATE_BATCH);
      if (rows.length === 0) break;
      const ops: SubOp[] = [];
      for (const [k, v] of rows) {
        const next = convert(k, v);
        if (next !== null) ops.push({ type: 'put', key: k, value: next });
      }
      if (ops.length > 0) await sub.batch(ops);
      rewritten += ops.length;
      done.batches += 1;
      after?.(done.batches);
    }
  } finally {
    await it.close();
  }
  return rewritten;
}

/** Rewrites the log and meta sub-levels of a format 2 dir in format 3, then calls
 * `writeIdentity` (which writes the format 3 identity record, synced: LevelDB's log being
 * sequential, that makes every rewrite before it durable too). */
export async function migrateFormat2(log: Sub, meta: Sub, keyIndex: (key: Uint8Array) => number, writeIdentity: () => Promise<void>, after: AfterBatch | null = null): Promise<MigrationReport> {
  const done = { batches: 0 };
  const entries_rewritten = await rewriteAll(log, (k, v) => {
    const index = keyIndex(k);
    if (v[0] === ENTRY_RECORD_TAG) {
      decodeEntryRecord(v, index);
      return null;
    }
    if (v[0] !== ENTRY_RECORD_TAG_V2) throw new StorageError(`corrupt data dir: raft entry ${index} is neither a format 2 nor a format 3 record (tag ${String(v[0])})`);
    return encodeEntryRecord(decodeEntryRecordV2(v, index));
  }, after, done);
  const meta_rewritten = await rewriteAll(meta, (k, v) => {
    const key = dec.decode(k);
    if (key === 'identity') return null;
    if (isMetaRecord(v)) {
      decodeMetaRecord(key, v);
      return null;
    }
    let value: unknown;
    try {
      value = unpack(v);
    } catch (err) {
      throw new StorageError(`corrupt data dir: format 2 meta record '${key}' does not decode: ${err instanceof Error ? err.message : String(err)}`);
    }
    return encodeMetaRecord(key, value);
  }, after, done);
  await writeIdentity();
  return { entries_rewritten, meta_rewritten };
}
