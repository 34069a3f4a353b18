// stockctl backup: streams one node's consistent ledger snapshot (state and history) into
// a file of length-framed, hash-chained chunks (the format `stockd --restore` reads), then
// reads the file back and checks it before naming it done. verify-backup checks a file.
//
// A backup cannot be stale: the node takes a read barrier before it copies, and its first
// chunk's header says which applied index and log time it captured. stockctl compares that
// with the highest commit index the endpoints reported before it started, and refuses a copy
// more than --max-lag-entries behind (or one taken without a barrier) unless --allow-stale.
// Memory stays bounded on this side too: each chunk is checked for its place in the chain
// and written as it arrives; the final check streams the file back (backup-file.ts).

import type { Command } from 'commander';
import { open, rename, rm } from 'node:fs/promises';
import { SnapshotReader, type SnapshotHeader } from '../ledger/snapshot.js';
import type { StockraftClient } from '../client/index.js';
import { frameBackupChunk } from '../server/restore.js';
import { Exit, EXIT_CALL_FAILED, EXIT_MISMATCH, EXIT_REFUSED } from './context.js';
import { parseInteger } from './args.js';
import { io } from './io.js';
import { run } from './stock-commands.js';
import { checkBackupFile, type BackupFileSummary } from './backup-file.js';

export { checkBackupFile, loadBackupFile } from './backup-file.js';

/** Default bound of how far behind the cluster's commit index a backup may be. */
export const BACKUP_MAX_LAG_ENTRIES_DEFAULT = 1000;
/** How often progress is printed to stderr while a backup streams. */
const PROGRESS_EVERY_MS = 2000;

export interface BackupSummary extends BackupFileSummary {
  readonly bytes: number;
  /** The highest commit index the endpoints reported before the backup started. */
  readonly cluster_commit_index: number;
}

function summaryText(s: BackupFileSummary & { bytes?: number; cluster_commit_index?: number }): string {
  const size = s.bytes === undefined ? '' : `, ${s.bytes} bytes`;
  const h = s.header;
  const captured =
    h === null
      ? 'no header (a backup from a build before headers)'
      : `taken from ${String(h.node_id)} at applied index ${String(h.applied_index)}, log time ${new Date(Number(h.log_time_ms)).toISOString()}${Number(h.read_barrier) === 1 ? ' after a read barrier' : ' WITHOUT a read barrier'}`;
  const behind = s.cluster_commit_index === undefined || h === null ? '' : `, cluster commit index ${s.cluster_commit_index} at start`;
  return `${s.file}: ${s.positions} positions, ${s.events} events, applied index ${s.applied_index}, head hash ${s.head_hash}${size}\n${captured}${behind}`;
}

/** The highest commit index any endpoint reports (the leader's, when it answers). */
async function clusterCommitIndex(client: StockraftClient): Promise<number | null> {
  const all = await client.statusAll();
  const answered = all.flatMap((e) => (e.status === null ? [] : [e.status]));
  if (answered.length === 0) return null;
  return Math.max(...answered.map((s) => s.commit_index));
}

/** Why a backup with this header is stale, or null when it is current enough. */
export function staleness(header: SnapshotHeader | null, cluster_commit: number | null, max_lag_entries: number): string | null {
  if (header === null) return 'the node sent no header: it cannot say what it captured';
  if (Number(header.read_barrier) !== 1) return `node ${String(header.node_id)} took no read barrier`;
  if (cluster_commit === null) return 'no endpoint reported a commit index to compare with';
  const lag = cluster_commit - Number(header.applied_index);
  if (lag > max_lag_entries) return `it holds applied index ${String(header.applied_index)}, ${lag} entries behind the cluster's commit index ${cluster_commit} (limit --max-lag-entries ${max_lag_entries})`;
  return null;
}

/** Streams the backup into `partial`, printing progress; the header and byte count. */
async function streamInto(client: StockraftClient, partial: string): Promise<{ header: SnapshotHeader | null; bytes: number }> {
  const fh = await open(partial, 'w');
  const reader = new SnapshotReader();
  let bytes = 0;
  let records = 0;
  let chunks = 0;
  let last_report = Date.now();
  try {
    for await (const chunk of client.backup()) {
      // Checked as it arrives (chain, checksum): a broken stream stops at once.
      records += reader.push(chunk).length;
      const framed = frameBackupChunk(chunk);
      await fh.write(framed);
      bytes += framed.byteLength;
      chunks++;
      if (Date.now() - last_report >= PROGRESS_EVERY_MS) {
        last_report = Date.now();
        io.err(`backup: ${chunks} chunks, ${records} records, ${bytes} bytes so far\n`);
      }
    }
    reader.finish();
    await fh.sync();
  } finally {
    await fh.close();
  }
  io.err(`backup: ${chunks} chunks, ${records} records, ${bytes} bytes received\n`);
  return { header: reader.header, bytes };
}

export function addBackupCommands(program: Command): void {
  program
    .command('backup')
    .description('write a consistent, current backup of the ledger (state and history) to a file; restore with stockd --restore FILE')
    .requiredOption('--out <file>', 'file to write (written beside as FILE.partial, renamed when checked)')
    .option('--node <host:port>', 'take it from this node (default: any endpoint)')
    .option('--max-lag-entries <n>', `refuse a copy more than this many entries behind the cluster's commit index (default ${BACKUP_MAX_LAG_ENTRIES_DEFAULT})`)
    .option('--allow-stale', 'keep a copy that is behind, or taken without a read barrier, instead of refusing it')
    .action(
      run(async (ctx, opts) => {
        const o = opts as { out: string; node?: string; maxLagEntries?: string; allowStale?: boolean };
        const max_lag = o.maxLagEntries === undefined ? BACKUP_MAX_LAG_ENTRIES_DEFAULT : parseInteger('--max-lag-entries', o.maxLagEntries, 0, Number.MAX_SAFE_INTEGER);
        const cluster_commit = await clusterCommitIndex(ctx.client());
        if (cluster_commit === null && o.allowStale !== true) throw new Exit(EXIT_CALL_FAILED, 'no endpoint answered Status: cannot tell whether a backup would be current (--allow-stale to take it anyway)');
        const client = o.node === undefined ? ctx.client() : ctx.clientFor(o.node);
        const partial = `${o.out}.partial`;
        let got: { header: SnapshotHeader | null; bytes: number };
        try {
          got = await streamInto(client, partial);
        } catch (err) {
          await rm(partial, { force: true });
          throw err;
        }
        const stale = staleness(got.header, cluster_commit, max_lag);
        if (stale !== null && o.allowStale !== true) {
          await rm(partial, { force: true });
          throw new Exit(EXIT_REFUSED, `backup refused as stale: ${stale}; take it from a current node or pass --allow-stale`);
        }
        if (stale !== null) io.err(`backup: kept although stale (--allow-stale): ${stale}\n`);
        let summary: BackupFileSummary;
        try {
          summary = await checkBackupFile(partial);
        } catch (err) {
          await rm(partial, { force: true });
          throw new Exit(EXIT_MISMATCH, `backup from the node does not check out: ${err instanceof Error ? err.message : String(err)}`);
        }
        await rename(partial, o.out);
        const done: BackupSummary = { ...summary, file: o.out, bytes: got.bytes, cluster_commit_index: cluster_commit ?? 0 };
        ctx.out.emit(done, () => summaryText(done));
      }),
    );

  program
    .command('verify-backup <file>')
    .description('check a backup file: chunk checksums, completeness, state and every history chain; print what it captured')
    .action(
      run(async (ctx, file) => {
        let s: BackupFileSummary;
        try {
          s = await checkBackupFile(file as string);
        } catch (err) {
          throw new Exit(EXIT_MISMATCH, `backup ${file as string} is refused: ${err instanceof Error ? err.message : String(err)}`);
        }
        ctx.out.emit(s, () => `${summaryText(s)}\nok`);
      }),
    );
}
