// stockctl admin-events: the replicated admin history (membership changes, leader
// transfers, snapshots, role reloads, each with the principal who made it), oldest first.

import type { Command } from 'commander';
import type { AdminEvent } from '../ledger/types.js';
import { parseInteger } from './args.js';
import { table } from './output.js';
import { run } from './stock-commands.js';

/** Pages read by --all (each up to --limit events). */
const ADMIN_EVENT_PAGES_MAX = 10_000;

export function adminEventsTable(events: readonly AdminEvent[]): string {
  return table(
    ['SEQ', 'LOG_INDEX', 'TIME', 'ACTION', 'TARGET', 'PRINCIPAL', 'DETAIL', 'HASH'],
    events.map((e) => [e.seq, e.log_index, new Date(e.time_ms).toISOString(), e.action, e.target || null, e.principal, e.detail || null, e.hash.slice(0, 16)]),
  );
}

export function addAdminEventsCommand(program: Command): void {
  program
    .command('admin-events')
    .description('the replicated admin history: who changed membership, leadership, snapshots and roles (admin role)')
    .option('--after-seq <n>', 'events with a larger sequence number', '0')
    .option('--limit <n>', 'events per page (1..1000)', '100')
    .option('--all', 'every page')
    .option('--serializable', 'answer from the called node at once (may be stale)')
    .action(
      run(async (ctx, opts) => {
        const o = opts as { afterSeq: string; limit: string; all?: boolean; serializable?: boolean };
        const limit = parseInteger('--limit', o.limit, 1, 1000);
        let after_seq = parseInteger('--after-seq', o.afterSeq, 0, Number.MAX_SAFE_INTEGER);
        const consistency = o.serializable === true ? ('SERIALIZABLE' as const) : ('LINEARIZABLE' as const);
        const events: AdminEvent[] = [];
        let more = true;
        for (let page = 0; page < ADMIN_EVENT_PAGES_MAX && more; page++) {
          const p = await ctx.client().listAdminEvents({ after_seq, limit, consistency });
          events.push(...p.events);
          after_seq = p.next_after_seq;
          more = p.more;
          if (o.all !== true) break;
        }
        ctx.out.emit({ events, more }, () => adminEventsTable(events) + (more ? `\n(more: continue with --after-seq ${after_seq}, or --all)` : ''));
      }),
    );
}
