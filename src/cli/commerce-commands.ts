// stockctl's commerce commands (ledger rules version 4, docs/commerce.md): policy position,
// policy sku, transfer, receive, count; and the parsing of reserve's --allocate.

import type { Command } from 'commander';
import type { AllocationLine } from '../ledger/types.js';
import { parseDuration, parseInteger, parsePositionRef, UsageError } from './args.js';
import { report, run } from './stock-commands.js';

const QUANTITY_ARG_MAX = Number.MAX_SAFE_INTEGER;

/** "sku:loc1,loc2:qty[:most|:priority][:split]" -> an allocation line. */
export function parseAllocation(name: string, value: string): AllocationLine {
  const parts = value.split(':');
  if (parts.length < 3 || parts.length > 5) throw new UsageError(`${name}: sku:loc1,loc2:qty[:most|:priority][:split], got ${JSON.stringify(value)}`);
  const [sku, locs, qty, ...flags] = parts as [string, string, string, ...string[]];
  const locations = locs.split(',').filter((l) => l !== '');
  if (sku === '' || locations.length === 0) throw new UsageError(`${name}: needs a sku and at least one location, got ${JSON.stringify(value)}`);
  let strategy: AllocationLine['strategy'] = 'PRIORITY';
  let split = false;
  for (const f of flags) {
    if (f === 'most') strategy = 'MOST_AVAILABLE';
    else if (f === 'priority') strategy = 'PRIORITY';
    else if (f === 'split') split = true;
    else throw new UsageError(`${name}: flags are most, priority and split, got ${JSON.stringify(f)}`);
  }
  return { sku, locations, quantity: parseInteger(`${name} quantity`, qty, 1, QUANTITY_ARG_MAX), strategy, split };
}

/** The op_id a command carries: the one given with --op-id, else none (the SDK makes one). */
export function opId(o: { opId?: string }): { op_id?: string } {
  return o.opId !== undefined ? { op_id: o.opId } : {};
}

function addPolicyCommands(program: Command): void {
  const policy = program.command('policy').description('commerce policies (cluster version 4): per position, per SKU');
  policy
    .command('position <sku@location>')
    .description("set a position's backorder limit and low-stock threshold (creates the position if absent)")
    .requiredOption('--backorder-limit <n>', 'units reserves may take beyond on_hand (0 = no backorders)')
    .option('--low-stock <n>', 'emit LOW_STOCK when available drops below this (0 = off)', '0')
    .option('--op-id <id>', 'operation id (default: a new time-ordered id)')
    .action(
      run(async (ctx, ref, opts) => {
        const o = opts as { backorderLimit: string; lowStock: string; opId?: string };
        const r = await ctx.client().setPositionPolicy({
          ...parsePositionRef('sku@location', ref as string),
          backorder_limit: parseInteger('--backorder-limit', o.backorderLimit, 0, QUANTITY_ARG_MAX),
          low_stock_threshold: parseInteger('--low-stock', o.lowStock, 0, QUANTITY_ARG_MAX),
          ...opId(o),
        });
        report(ctx, r.id, r);
      }),
    );
  policy
    .command('sku <sku>')
    .description("set a SKU's per-customer limit (units a customer may hold: waiting, pending, committed)")
    .requiredOption('--customer-limit <n>', 'units per customer (0 = no limit)')
    .option('--window <duration>', 'count units reserved within this window (0 = for ever; else 1s..366d)', '0')
    .option('--op-id <id>', 'operation id (default: a new time-ordered id)')
    .action(
      run(async (ctx, sku, opts) => {
        const o = opts as { customerLimit: string; window: string; opId?: string };
        const r = await ctx.client().setSkuPolicy({
          sku: sku as string,
          customer_limit: parseInteger('--customer-limit', o.customerLimit, 0, QUANTITY_ARG_MAX),
          customer_window_ms: parseDuration('--window', o.window),
          ...opId(o),
        });
        report(ctx, r.id, r);
      }),
    );
}

function addTransferCommands(program: Command): void {
  program
    .command('transfer <sku@from> <to_location> <quantity>')
    .description('ship units to another location: off on_hand now, in transit there until received')
    .option('--reference <text>', 'external reference, e.g. a shipment number', '')
    .option('--op-id <id>', 'the transfer id (default: a new time-ordered id); receive names it')
    .action(
      run(async (ctx, ref, to, qty, opts) => {
        const o = opts as { reference: string; opId?: string };
        const from = parsePositionRef('sku@from', ref as string);
        const r = await ctx.client().transfer({
          sku: from.sku,
          from_location: from.location,
          to_location: to as string,
          quantity: parseInteger('quantity', qty as string, 1, QUANTITY_ARG_MAX),
          reference: o.reference,
          ...opId(o),
        });
        report(ctx, r.id, r);
      }),
    );
  program
    .command('receive <transfer_id> <received>')
    .description('receive a transfer (once): received units go on hand, received - shipped is the variance')
    .option('--op-id <id>', 'operation id (default: a new time-ordered id)')
    .action(
      run(async (ctx, id, received, opts) => {
        const o = opts as { opId?: string };
        const r = await ctx.client().receiveTransfer({ transfer_id: id as string, received: parseInteger('received', received as string, 0, QUANTITY_ARG_MAX), ...opId(o) });
        report(ctx, r.id, r);
      }),
    );
  program
    .command('count <sku@location> <counted>')
    .description('record a cycle count: on_hand becomes the counted value, the variance is recorded')
    .option('--reference <text>', 'external reference, e.g. the count sheet', '')
    .option('--op-id <id>', 'operation id (default: a new time-ordered id)')
    .action(
      run(async (ctx, ref, counted, opts) => {
        const o = opts as { reference: string; opId?: string };
        const r = await ctx.client().count({
          ...parsePositionRef('sku@location', ref as string),
          counted: parseInteger('counted', counted as string, 0, Number.MAX_SAFE_INTEGER),
          reference: o.reference,
          ...opId(o),
        });
        report(ctx, r.id, r);
      }),
    );
}

export function addCommerceCommands(program: Command): void {
  addPolicyCommands(program);
  addTransferCommands(program);
}
