// Reading a backup file back, one chunk at a time: every chunk through the snapshot
// format's checks, the state through the ledger loader (the ledger's invariants), every
// history chain as a stream in key order (HistoryVerifier). Memory holds the ledger state
// (as a node start does) and one chunk; history events pass through.

import { Ledger } from '../ledger/ledger.js';
import { SnapshotReader, type SnapshotHeader } from '../ledger/snapshot.js';
import { HistoryVerifier } from '../ledger/history.js';
import { archivedResult } from '../ledger/archive.js';
import type { AdminEvent, LedgerEvent } from '../ledger/types.js';
import { readBackupChunks } from '../server/restore.js';

export interface BackupFileSummary {
  readonly file: string;
  readonly head_hash: string;
  /** The ledger's last applied entry (from the state itself). */
  readonly applied_index: number;
  readonly positions: number;
  readonly events: number;
  readonly records: number;
  /** What the backup states about itself (null: written before backups had a header). */
  readonly header: SnapshotHeader | null;
}

/** Checks a backup file and hands back the ledger it holds. Throws naming the chunk or
 * the chain at fault. */
export async function loadBackupFile(file: string): Promise<{ ledger: Ledger; summary: BackupFileSummary }> {
  const reader = new SnapshotReader();
  const loader = Ledger.loader();
  const verifier = new HistoryVerifier();
  let prev_key: string | null = null;
  let records = 0;
  let chunk = 0;
  for await (const bytes of readBackupChunks(file)) {
    for (const [sublevel, key, value] of reader.push(bytes)) {
      records++;
      if (sublevel === 'state') {
        loader.add(key, value);
        continue;
      }
      if (sublevel === 'outcomes') {
        archivedResult(key, value); // outcomes past the dedup window: each must parse
        continue;
      }
      // History keys are ASCII: string order is their storage order.
      if (prev_key !== null && key <= prev_key) throw new Error(`chunk ${chunk}: history key '${key}' is not after '${prev_key}' (out of order or repeated)`);
      prev_key = key;
      const f = verifier.push(value as LedgerEvent | AdminEvent);
      if (f !== null && !f.ok) throw new Error(`history of ${f.sku}@${f.location} breaks at seq ${f.seq}: ${f.reason}`);
    }
    chunk++;
  }
  reader.finish();
  const ledger = loader.finish();
  const check = verifier.finish(ledger.positionHeads(), ledger.adminHead());
  if (!check.ok) throw new Error(`history of ${check.sku}@${check.location} breaks at seq ${check.seq}: ${check.reason}`);
  return {
    ledger,
    summary: { file, head_hash: ledger.headHash(), applied_index: ledger.lastLogIndex(), positions: check.positions, events: check.events + check.admin_events, records, header: reader.header },
  };
}

/** loadBackupFile without the ledger. */
export async function checkBackupFile(file: string): Promise<BackupFileSummary> {
  return (await loadBackupFile(file)).summary;
}
