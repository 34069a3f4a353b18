// stockctl's stock operations: adjust, reserve, commit, release, extend, get, positions,
// events, watch, outcome.

import type { Command } from 'commander';
import type { CommandResult, LedgerEvent } from '../ledger/types.js';
import { collect, UsageError, parseDuration, parseInteger, parseLine, parsePositionRef } from './args.js';
import { contextOf, Exit, EXIT_REFUSED, type Ctx } from './context.js';
import { opId, parseAllocation } from './commerce-commands.js';
import { eventsTable, positionsTable, refusalReason, reservationText, resultText } from './output.js';
import { addWatchCommand } from './watch-command.js';

type Action = (ctx: Ctx, ...args: unknown[]) => Promise<void>;

/** Runs an action with a context and closes its clients whatever happens. */
export function run(action: Action): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const cmd = args[args.length - 1] as Command;
    const ctx = contextOf(cmd);
    try {
      await action(ctx, ...args);
    } finally {
      ctx.close();
    }
  };
}

export function report(ctx: Ctx, id: string, r: CommandResult): void {
  ctx.out.emit({ id, ...r }, () => resultText(id, r));
  const reason = refusalReason(r);
  if (reason !== null) throw new Exit(EXIT_REFUSED, reason);
}

const MAX_EVENT_PAGES = 1_000_000;

function addAdjustCommand(program: Command): void {
  program
    .command('adjust <sku@location> <delta>')
    .description('receive (+) or shrink (-) stock; --expected-on-hand makes it a compare-and-set')
    .option('--reason <text>', 'why (free text)', '')
    .option('--reference <text>', 'external reference, e.g. a delivery note', '')
    .option('--expected-on-hand <n>', 'apply only if on_hand equals this')
    .option('--op-id <id>', 'operation id (default: a new time-ordered id); repeat it to retry safely')
    .action(
      run(async (ctx, ref, delta, opts) => {
        const o = opts as { reason: string; reference: string; expectedOnHand?: string; opId?: string };
        const pos = parsePositionRef('sku@location', ref as string);
        const r = await ctx.client().adjust({
          ...pos,
          delta: parseInteger('delta', delta as string, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
          reason: o.reason,
          reference: o.reference,
          ...(o.expectedOnHand !== undefined ? { expected_on_hand: parseInteger('--expected-on-hand', o.expectedOnHand, 0, Number.MAX_SAFE_INTEGER) } : {}),
          ...opId(o),
        });
        report(ctx, r.id, r);
      }),
    );
}

function addReserveCommand(program: Command): void {
  program
    .command('reserve')
    .description('reserve all lines or none')
    .option('--line <sku@location=qty>', 'a line (repeatable; at least one --line or --allocate)', collect)
    .option('--ttl <duration>', 'time to live: 1s..7d, e.g. 90s, 15m, 2h', '15m')
    .option('--id <reservation_id>', 'reservation id (default: a new time-ordered id)')
    .option('--order-ref <text>', 'the order this is for', '')
    // Commerce (cluster version 4, docs/commerce.md).
    .option('--allocate <sku:loc1,loc2:qty[:most|:priority][:split]>', 'let the ledger pick the location (repeatable)', collect)
    .option('--customer <id>', 'customer id (required when the SKU has a per-customer limit)')
    .option('--backorder', 'may take units beyond available, up to the backorder limit')
    .option('--wait-ms <duration>', 'when short, wait in the wait-list this long (1s..7d; one --line only)')
    .action(
      run(async (ctx, opts) => {
        const o = opts as { line?: string[]; ttl: string; id?: string; orderRef: string; allocate?: string[]; customer?: string; backorder?: boolean; waitMs?: string };
        if ((o.line ?? []).length + (o.allocate ?? []).length === 0) throw new UsageError('reserve: give at least one --line or --allocate');
        const r = await ctx.client().reserve({
          lines: (o.line ?? []).map((l) => parseLine('--line', l)),
          ttl_ms: parseDuration('--ttl', o.ttl),
          order_ref: o.orderRef,
          ...(o.id !== undefined ? { reservation_id: o.id } : {}),
          ...(o.allocate !== undefined ? { allocations: o.allocate.map((a) => parseAllocation('--allocate', a)) } : {}),
          ...(o.customer !== undefined ? { customer_id: o.customer } : {}),
          ...(o.backorder === true ? { backorder: true } : {}),
          ...(o.waitMs !== undefined ? { wait_ms: parseDuration('--wait-ms', o.waitMs) } : {}),
        });
        report(ctx, r.id, r);
      }),
    );
}

function addCommitCommand(program: Command): void {
  program
    .command('commit <reservation_id>')
    .description('sell reserved units (all, or the given --line quantities; the rest returns to available)')
    .option('--line <sku@location=qty>', 'partial commit line (repeatable)', collect)
    .option('--op-id <id>', 'operation id (default: a new time-ordered id)')
    .action(
      run(async (ctx, id, opts) => {
        const o = opts as { line?: string[]; opId?: string };
        const r = await ctx.client().commit({
          reservation_id: id as string,
          ...(o.line !== undefined ? { lines: o.line.map((l) => parseLine('--line', l)) } : {}),
          ...opId(o),
        });
        report(ctx, r.id, r);
      }),
    );
}

function addReleaseCommand(program: Command): void {
  program
    .command('release <reservation_id>')
    .description('return reserved units to available')
    .option('--reason <text>', 'why', '')
    .option('--op-id <id>', 'operation id (default: a new time-ordered id)')
    .action(
      run(async (ctx, id, opts) => {
        const o = opts as { reason: string; opId?: string };
        const r = await ctx.client().release({ reservation_id: id as string, reason: o.reason, ...opId(o) });
        report(ctx, r.id, r);
      }),
    );
}

function addExtendCommand(program: Command): void {
  program
    .command('extend <reservation_id>')
    .description('give a pending reservation more time')
    .requiredOption('--ttl <duration>', 'new time to live from now: 1s..7d')
    .option('--op-id <id>', 'operation id (default: a new time-ordered id)')
    .action(
      run(async (ctx, id, opts) => {
        const o = opts as { ttl: string; opId?: string };
        const r = await ctx.client().extend({ reservation_id: id as string, ttl_ms: parseDuration('--ttl', o.ttl), ...opId(o) });
        report(ctx, r.id, r);
      }),
    );
}

function addGetCommand(program: Command): void {
  program
    .command('get [sku@location...]')
    .description('show positions, or a reservation with --reservation')
    .option('--reservation <id>', 'show this reservation instead')
    .option('--serializable', 'answer from the called node at once (may be stale)')
    .action(
      run(async (ctx, refs, opts) => {
        const o = opts as { reservation?: string; serializable?: boolean };
        const consistency = o.serializable === true ? ('SERIALIZABLE' as const) : ('LINEARIZABLE' as const);
        if (o.reservation !== undefined) {
          const r = await ctx.client().getReservation(o.reservation, { consistency });
          if (r === null) throw new Exit(EXIT_REFUSED, `RESERVATION_NOT_FOUND: ${o.reservation}`);
          ctx.out.emit(r, () => reservationText(r));
          return;
        }
        const keys = (refs as string[]).map((r) => parsePositionRef('sku@location', r));
        if (keys.length === 0) throw new Exit(EXIT_REFUSED, 'give one or more sku@location, or --reservation <id>');
        const ps = await ctx.client().getPositions(keys, { consistency });
        ctx.out.emit(ps, () => positionsTable(ps, keys));
        const missing = ps.findIndex((p) => p === null);
        if (missing >= 0) throw new Exit(EXIT_REFUSED, `POSITION_NOT_FOUND: ${keys[missing]?.sku}@${keys[missing]?.location}`);
      }),
    );
}

function addPositionsCommand(program: Command): void {
  program
    .command('positions')
    .description('list positions in (sku, location) order')
    .option('--after <sku@location>', 'start after this position')
    .option('--limit <n>', 'positions per page (1..1000)', '100')
    .option('--serializable', 'answer from the called node at once')
    .action(
      run(async (ctx, opts) => {
        const o = opts as { after?: string; limit: string; serializable?: boolean };
        const page = await ctx.client().listPositions({
          after: o.after === undefined ? null : parsePositionRef('--after', o.after),
          limit: parseInteger('--limit', o.limit, 1, 1000),
          consistency: o.serializable === true ? 'SERIALIZABLE' : 'LINEARIZABLE',
        });
        ctx.out.emit(page, () => positionsTable(page.positions) + (page.more ? '\n(more: continue with --after the last one)' : ''));
      }),
    );
}

function addEventsCommand(program: Command): void {
  program
    .command('events <sku@location>')
    .description("a position's history, oldest first")
    .option('--after-seq <n>', 'events with a larger sequence number', '0')
    .option('--limit <n>', 'events per page (1..1000)', '100')
    .option('--all', 'every page')
    .action(
      run(async (ctx, ref, opts) => {
        const o = opts as { afterSeq: string; limit: string; all?: boolean };
        const pos = parsePositionRef('sku@location', ref as string);
        const limit = parseInteger('--limit', o.limit, 1, 1000);
        let after_seq = parseInteger('--after-seq', o.afterSeq, 0, Number.MAX_SAFE_INTEGER);
        const events: LedgerEvent[] = [];
        let more = true;
        let pruned = '';
        for (let page = 0; page < MAX_EVENT_PAGES && more; page++) {
          const p = await ctx.client().listEvents(pos.sku, pos.location, { after_seq, limit });
          if (p.horizon !== undefined) pruned = `(events 1..${p.horizon.seq} were pruned by history retention; the chain continues from hash ${p.horizon.hash})\n`;
          events.push(...p.events);
          after_seq = p.next_after_seq;
          more = p.more;
          if (o.all !== true) break;
        }
        ctx.out.emit(events, () => pruned + eventsTable(events) + (more && o.all !== true ? `\n(more: --after-seq ${after_seq}, or --all)` : ''));
      }),
    );
}

function addOutcomeCommand(program: Command): void {
  program
    .command('outcome <id>')
    .description('what happened to an op id or reservation id (after a timeout, say)')
    .action(
      run(async (ctx, id) => {
        const r = await ctx.client().getOutcome(id as string);
        if (r === null) {
          ctx.out.emit({ id, found: false }, () => `${id as string}: unknown to the cluster (never applied, or dropped with archived history)`);
          throw new Exit(EXIT_REFUSED, `NOT_FOUND: ${id as string} was never applied or its outcome was dropped with archived history`);
        }
        report(ctx, id as string, r);
      }),
    );
}

export function addStockCommands(program: Command): void {
  addAdjustCommand(program);
  addReserveCommand(program);
  addCommitCommand(program);
  addReleaseCommand(program);
  addExtendCommand(program);
  addGetCommand(program);
  addPositionsCommand(program);
  addEventsCommand(program);
  addWatchCommand(program);
  addOutcomeCommand(program);
}
