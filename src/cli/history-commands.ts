// stockctl history export | verify-archive | mark-archived: history archives
// (history-archive.ts) and the archived mark below which retention may prune
// (`stockd --history-retain-ms / --history-retain-events`; src/ledger/README.md,
// "History retention"). The safe order: export, verify-archive --live, mark-archived DIR.

import type { Command } from 'commander';
import { existsSync, readdirSync } from 'node:fs';
import type { StockraftClient } from '../client/index.js';
import { parseInteger, UsageError } from './args.js';
import { Exit, EXIT_MISMATCH } from './context.js';
import { run } from './stock-commands.js';
import { ArchiveWriter, verifyArchive, type ArchiveManifest } from './history-archive.js';

/** Events per ListEvents page while exporting. */
const PAGE = 1000;
/** Bounds of the walks (positions pages, event pages per position). */
const POSITION_PAGES_MAX = 10_000_000;
const EVENT_PAGES_PER_POSITION_MAX = 10_000_000;

/** Writes every position's history below `before_index` (from its horizon on) into dir. */
export async function exportHistory(client: StockraftClient, dir: string, before_index: number): Promise<ArchiveManifest> {
  const w = new ArchiveWriter(dir, before_index);
  let after: { sku: string; location: string } | null = null;
  for (let page = 0; page < POSITION_PAGES_MAX; page++) {
    const p = await client.listPositions({ after, limit: PAGE });
    for (const pos of p.positions) {
      let after_seq = 0;
      for (let ep = 0; ep < EVENT_PAGES_PER_POSITION_MAX; ep++) {
        const evs = await client.listEvents(pos.sku, pos.location, { after_seq, limit: PAGE });
        const below = evs.events.filter((e) => e.log_index < before_index);
        if (evs.horizon !== undefined && ep === 0 && below.length > 0) await w.add(evs.horizon);
        else if (evs.horizon !== undefined && ep > 0) throw new Error(`${pos.sku}@${pos.location}: history was pruned up to seq ${evs.horizon.seq} during the export: export again`);
        for (const e of below) await w.add(e);
        after_seq = evs.next_after_seq;
        if (!evs.more || below.length < evs.events.length) break;
      }
    }
    const last = p.positions[p.positions.length - 1];
    if (!p.more || last === undefined) break;
    after = { sku: last.sku, location: last.location };
  }
  return w.finish();
}

/** Compares the archive's last record of each position with the live history: the same
 * event (or the live horizon, once pruned there). Returns the first mismatch, or null. */
export async function compareWithLive(client: StockraftClient, ends: Iterable<{ sku: string; location: string; seq: number; hash: string }>): Promise<string | null> {
  for (const end of ends) {
    const page = await client.listEvents(end.sku, end.location, { after_seq: end.seq - 1, limit: 1 });
    const at = `${end.sku}@${end.location} seq ${end.seq}`;
    if (page.horizon !== undefined) {
      if (page.horizon.seq > end.seq) return `${at}: the live history is pruned up to seq ${page.horizon.seq}, past the archive's end (events ${end.seq + 1}..${page.horizon.seq} are in no archive checked here)`;
      if (page.horizon.hash !== end.hash) return `${at}: the live horizon's hash differs from the archive's`;
      continue;
    }
    const e = page.events[0];
    if (e === undefined || e.seq !== end.seq) return `${at}: the live cluster has no such event`;
    if (e.hash !== end.hash) return `${at}: the live event's hash differs from the archive's`;
  }
  return null;
}

async function checkedArchive(dir: string, client: StockraftClient | null): Promise<ArchiveManifest> {
  const v = await verifyArchive(dir);
  if (!v.ok) throw new Exit(EXIT_MISMATCH, `archive ${dir} is refused: ${v.reason}`);
  if (client !== null) {
    const bad = await compareWithLive(client, v.ends.values());
    if (bad !== null) throw new Exit(EXIT_MISMATCH, `archive ${dir} does not match the live cluster: ${bad}`);
  }
  return v.manifest;
}

function manifestText(dir: string, m: ArchiveManifest): string {
  return `${dir}: ${m.files} file(s), ${m.positions} positions, ${m.events} events, ${m.horizons} horizons, history archived through log index ${m.archived_through_index}`;
}

export function addHistoryCommands(program: Command): void {
  const history = program.command('history').description('history archives and the archived mark retention prunes below');
  history
    .command('export')
    .description('export every position\'s history below a log index into hash-chained archive files')
    .requiredOption('--out <dir>', 'directory to write (must not hold an archive)')
    .requiredOption('--before-index <n>', 'export events with a log index below this (at most the applied index + 1)')
    .action(
      run(async (ctx, opts) => {
        const o = opts as { out: string; beforeIndex: string };
        const before_index = parseInteger('--before-index', o.beforeIndex, 2, Number.MAX_SAFE_INTEGER);
        if (existsSync(o.out) && readdirSync(o.out).length > 0) throw new UsageError(`--out ${o.out} is not empty`);
        const client = ctx.client();
        const applied = (await client.status()).applied_index;
        if (before_index - 1 > applied) throw new UsageError(`--before-index ${before_index} is past the applied index ${applied} + 1: later events could still be appended below it`);
        const m = await exportHistory(client, o.out, before_index);
        const checked = await checkedArchive(o.out, null);
        ctx.out.emit({ dir: o.out, ...checked }, () => manifestText(o.out, m));
      }),
    );
  history
    .command('verify-archive <dir>')
    .description('verify an archive offline (file chain, every hash chain); --live also compares its ends with the cluster')
    .option('--live', 'compare each position\'s last archived event with the live history')
    .action(
      run(async (ctx, dir, opts) => {
        const o = opts as { live?: boolean };
        const m = await checkedArchive(dir as string, o.live === true ? ctx.client() : null);
        ctx.out.emit({ dir, ok: true, live: o.live === true, ...m }, () => `${manifestText(dir as string, m)}\nok`);
      }),
    );
  history
    .command('mark-archived [dir]')
    .description('let retention prune history through the archive\'s end (verified offline and live first), or through --through-index without an archive')
    .option('--through-index <n>', 'mark without an archive: history through this log index may be pruned and is then gone')
    .action(
      run(async (ctx, dir, opts) => {
        const o = opts as { throughIndex?: string };
        if ((dir === undefined) === (o.throughIndex === undefined)) throw new UsageError('give either an archive directory or --through-index');
        const client = ctx.client();
        const through = dir === undefined ? parseInteger('--through-index', o.throughIndex as string, 1, Number.MAX_SAFE_INTEGER) : (await checkedArchive(dir as string, client)).archived_through_index;
        const mark = await client.markHistoryArchived(through);
        ctx.out.emit({ archived_through_index: mark }, () => `history archived through log index ${mark}`);
      }),
    );
}
