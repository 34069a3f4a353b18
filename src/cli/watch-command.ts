// stockctl watch: ledger events as they are applied, from a log index on.
//
// Without --from-index the stream starts at the first retained index: log index 1 while
// nothing is archived, else the index after the archived mark, which the node names when
// it refuses a start below it (OUT_OF_RANGE, ErrorInfo reason COMPACTED,
// first_retained_index; etcd answers a watch below its compact revision the same way).
// An explicit --from-index below the mark, or a mark that moves past a watch still
// catching up, ends the command with that error (exit 1): restarting further on would
// skip events the caller asked for.

import type { Command } from 'commander';
import * as grpc from '@grpc/grpc-js';
import { StockraftError, type StockraftClient, type WatchItem } from '../client/index.js';
import { parseInteger } from './args.js';
import { io } from './io.js';
import type { Ctx } from './context.js';
import { run } from './stock-commands.js';

/** The first retained index a COMPACTED refusal names, or null for any other error. */
export function compactedFirstRetained(err: unknown): number | null {
  if (!(err instanceof StockraftError) || err.code !== grpc.status.OUT_OF_RANGE) return null;
  const d = err.status_details;
  if (d === null || d.reason !== 'COMPACTED') return null;
  const first = Number(d.metadata['first_retained_index']);
  return Number.isSafeInteger(first) && first >= 1 ? first : null;
}

interface WatchStart {
  readonly from_index: number;
  readonly skip: number;
  /** True when the start was not given: a COMPACTED refusal before any event moves it. */
  readonly follow_retained: boolean;
}

/** Events from `start`; a defaulted start that the node refuses as compacted moves once
 * to the first retained index (with a note on stderr). */
async function* watchFrom(client: StockraftClient, start: WatchStart): AsyncGenerator<WatchItem> {
  let delivered = false;
  try {
    for await (const item of client.watch({ from_index: start.from_index, skip: start.skip })) {
      delivered = true;
      yield item;
    }
    return;
  } catch (err) {
    const first = compactedFirstRetained(err);
    if (!start.follow_retained || delivered || first === null) throw err;
    io.err(`history through log index ${first - 1} is archived: watching from the first retained index ${first}\n`);
    yield* client.watch({ from_index: first, skip: 0 });
  }
}

async function watchStart(ctx: Ctx, o: { fromIndex?: string; skip: string; fromNow?: boolean }): Promise<WatchStart> {
  if (o.fromNow === true) return { from_index: (await ctx.client().status()).applied_index + 1, skip: 0, follow_retained: false };
  const skip = parseInteger('--skip', o.skip, 0, 1_000_000);
  if (o.fromIndex === undefined) return { from_index: 1, skip, follow_retained: true };
  return { from_index: parseInteger('--from-index', o.fromIndex, 1, Number.MAX_SAFE_INTEGER), skip, follow_retained: false };
}

export function addWatchCommand(program: Command): void {
  program
    .command('watch')
    .description('stream ledger events as they are applied (Ctrl-C to stop); resumes across node failures')
    .option('--from-index <n>', 'first raft log index to show (default: the first retained index, 1 unless history is archived)')
    .option('--skip <n>', 'events at --from-index already seen', '0')
    .option('--count <n>', 'stop after this many events')
    .option('--from-now', 'only events applied from now on (overrides --from-index)')
    .action(
      run(async (ctx, opts) => {
        const o = opts as { fromIndex?: string; skip: string; count?: string; fromNow?: boolean };
        const start = await watchStart(ctx, o);
        const count = o.count === undefined ? Number.POSITIVE_INFINITY : parseInteger('--count', o.count, 1, Number.MAX_SAFE_INTEGER);
        let n = 0;
        if (!ctx.out.json) io.out('LOG_INDEX/ORD  KIND     SKU@LOCATION  D_ON_HAND  D_RESERVED  ON_HAND  RESERVED  OP_ID\n');
        for await (const item of watchFrom(ctx.client(), start)) {
          const e = item.event;
          ctx.out.emit({ ...e, ordinal: item.ordinal }, () =>
            [`${e.log_index}/${item.ordinal}`.padEnd(13), e.kind.padEnd(7), `${e.sku}@${e.location}`.padEnd(12), String(e.delta_on_hand).padStart(9), String(e.delta_reserved).padStart(10), String(e.on_hand).padStart(7), String(e.reserved).padStart(8), e.op_id].join('  '),
          );
          if (++n >= count) break;
        }
      }),
    );
}
