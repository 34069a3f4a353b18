// Runs operations through the SDK and records them. A business refusal (a result code
// other than OK) is `fail`: it certainly did not change anything. Any error of the call
// itself on a write is `info` (the SDK may have retried; the write may have applied), to be
// resolved with GetOutcome after the run; a read that errs is `fail` (it changed nothing).

import { StockraftClient, StockraftError } from '../src/client/index.js';
import type { CommandResult } from '../src/ledger/types.js';
import type { CompletionType, OpArgs, OpResult } from './history.js';
import type { Recorder } from './recorder.js';
import { executeCommerce } from './commerce-clients.js';

export interface CallOutcome {
  readonly type: CompletionType;
  readonly result?: OpResult;
  readonly error?: string;
}

export async function execute(client: StockraftClient, args: OpArgs): Promise<CallOutcome> {
  try {
    let result: OpResult;
    switch (args.f) {
      case 'read':
        result = { kind: 'read', position: await client.getPosition(args.sku, args.location, { consistency: 'LINEARIZABLE' }) };
        return { type: 'ok', result };
      case 'get-reservation':
        result = { kind: 'reservation', view: await client.getReservation(args.reservation_id, { consistency: 'LINEARIZABLE' }) };
        return { type: 'ok', result };
      case 'adjust': {
        const r = await client.adjust({
          op_id: args.op_id,
          sku: args.sku,
          location: args.location,
          delta: args.delta,
          reason: 'jepsen',
          reference: args.op_id,
          ...(args.expected_on_hand !== undefined ? { expected_on_hand: args.expected_on_hand } : {}),
        });
        result = { kind: 'command', result: stripId(r) };
        break;
      }
      case 'reserve':
        result = {
          kind: 'command',
          result: stripId(
            await client.reserve({
              reservation_id: args.reservation_id,
              lines: args.lines,
              ttl_ms: args.ttl_ms,
              order_ref: 'jepsen',
              ...(args.customer_id !== undefined ? { customer_id: args.customer_id } : {}),
              ...(args.backorder !== undefined ? { backorder: args.backorder } : {}),
              ...(args.wait_ms !== undefined ? { wait_ms: args.wait_ms } : {}),
              ...(args.allocations !== undefined ? { allocations: args.allocations } : {}),
            }),
          ),
        };
        break;
      case 'commit':
        result = {
          kind: 'command',
          result: stripId(await client.commit({ op_id: args.op_id, reservation_id: args.reservation_id, ...(args.lines !== undefined ? { lines: args.lines } : {}) })),
        };
        break;
      case 'release':
        result = { kind: 'command', result: stripId(await client.release({ op_id: args.op_id, reservation_id: args.reservation_id, reason: 'jepsen' })) };
        break;
      case 'extend':
        result = { kind: 'command', result: stripId(await client.extend({ op_id: args.op_id, reservation_id: args.reservation_id, ttl_ms: args.ttl_ms })) };
        break;
      default:
        result = { kind: 'command', result: await executeCommerce(client, args) };
        break;
    }
    return { type: result.kind === 'command' && result.result.code !== 'OK' ? 'fail' : 'ok', result };
  } catch (err) {
    const error = err instanceof StockraftError ? `${err.message}${err.outcome_unknown ? ' [outcome unknown]' : ''}` : String(err);
    return { type: args.f === 'read' || args.f === 'get-reservation' ? 'fail' : 'info', error };
  }
}

/** The SDK adds the id it wrote under; the history keeps the ledger's result as is. */
function stripId(r: CommandResult & { readonly id: string }): CommandResult {
  const { id: _id, ...rest } = r;
  return rest as CommandResult;
}

/** One client process: invoke, await, record, until told to stop. */
export async function runProcess(
  process: number,
  client: StockraftClient,
  recorder: Recorder,
  next: () => OpArgs,
  observe: (args: OpArgs, o: CallOutcome) => void,
  shouldStop: () => boolean,
): Promise<void> {
  while (!shouldStop() && !recorder.full) {
    const args = next();
    recorder.invoke(process, args);
    const o = await execute(client, args);
    recorder.complete(process, o.type, args, o.result, o.error);
    observe(args, o);
  }
}
