// stockctl backup: streams one node's consistent ledger snapshot (state and history) into
// a file of length-framed, hash-chained chunks (the format `stockd --restore` reads), then
// reads the file back and checks it before naming it done. verify-backup checks a file.

import type { Command } from 'commander';
import { open, rename, rm } from 'node:fs/promises';
import { Ledger } from '../ledger/ledger.js';
import { restoreChunksAsync } from '../ledger/snapshot.js';
import { verifyHistory } from '../ledger/history.js';
import { archivedResult } from '../ledger/archive.js';
import type { LedgerEvent } from '../ledger/types.js';
import { frameBackupChunk, readBackupChunks } from '../server/restore.js';
import { Exit, EXIT_MISMATCH } from './context.js';
import { run } from './stock-commands.js';

export interface BackupSummary {
  readonly file: string;
  readonly bytes: number;
  readonly head_hash: string;
  readonly applied_index: number;
  readonly positions: number;
  readonly events: number;
}

/** Reads a backup file through the snapshot format's checks, loads the ledger state and
 * recomputes every history chain. Throws with the reason when anything is off. */
export async function checkBackupFile(file: string): Promise<Omit<BackupSummary, 'bytes'>> {
  return (await loadBackupFile(file)).summary;
}

/** checkBackupFile, also handing back the ledger the file holds (for comparisons). */
export async function loadBackupFile(file: string): Promise<{ ledger: Ledger; summary: Omit<BackupSummary, 'bytes'> }> {
  const state: [string, unknown][] = [];
  const history: [string, LedgerEvent][] = [];
  for await (const [sublevel, key, value] of restoreChunksAsync(readBackupChunks(file))) {
    if (sublevel === 'state') state.push([key, value]);
    else if (sublevel === 'history') history.push([key, value as LedgerEvent]);
    else archivedResult(key, value); // outcomes past the dedup window: each must parse
  }
  const ledger = Ledger.load(state);
  history.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const check = verifyHistory(
    history.map(([, e]) => e),
    ledger.positionHeads(),
    ledger.adminHead(),
  );
  if (!check.ok) throw new Error(`history of ${check.sku}@${check.location} breaks at seq ${check.seq}: ${check.reason}`);
  return { ledger, summary: { file, head_hash: ledger.headHash(), applied_index: ledger.lastLogIndex(), positions: check.positions, events: check.events } };
}

function summaryText(s: BackupSummary | Omit<BackupSummary, 'bytes'>): string {
  const size = 'bytes' in s ? `, ${s.bytes} bytes` : '';
  return `${s.file}: ${s.positions} positions, ${s.events} events, applied index ${s.applied_index}, head hash ${s.head_hash}${size}`;
}

export function addBackupCommands(program: Command): void {
  program
    .command('backup')
    .description('write a consistent backup of the ledger (state and history) to a file; restore with stockd --restore FILE')
    .requiredOption('--out <file>', 'file to write (written beside as FILE.partial, renamed when checked)')
    .option('--node <host:port>', 'take it from this node (default: any endpoint)')
    .action(
      run(async (ctx, opts) => {
        const o = opts as { out: string; node?: string };
        const client = o.node === undefined ? ctx.client() : ctx.clientFor(o.node);
        const partial = `${o.out}.partial`;
        const fh = await open(partial, 'w');
        let bytes = 0;
        try {
          for await (const chunk of client.backup()) {
            const framed = frameBackupChunk(chunk);
            await fh.write(framed);
            bytes += framed.byteLength;
          }
          await fh.sync();
        } catch (err) {
          await fh.close();
          await rm(partial, { force: true });
          throw err;
        }
        await fh.close();
        let summary: Omit<BackupSummary, 'bytes'>;
        try {
          summary = await checkBackupFile(partial);
        } catch (err) {
          await rm(partial, { force: true });
          throw new Exit(EXIT_MISMATCH, `backup from the node does not check out: ${err instanceof Error ? err.message : String(err)}`);
        }
        await rename(partial, o.out);
        const done: BackupSummary = { ...summary, file: o.out, bytes };
        ctx.out.emit(done, () => summaryText(done));
      }),
    );

  program
    .command('verify-backup <file>')
    .description('check a backup file: chunk checksums, completeness, state and every history chain')
    .action(
      run(async (ctx, file) => {
        let s: Omit<BackupSummary, 'bytes'>;
        try {
          s = await checkBackupFile(file as string);
        } catch (err) {
          throw new Exit(EXIT_MISMATCH, `backup ${file as string} is refused: ${err instanceof Error ? err.message : String(err)}`);
        }
        ctx.out.emit(s, () => `${summaryText(s)}\nok`);
      }),
    );
}
