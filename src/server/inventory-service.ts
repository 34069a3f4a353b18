// stockraft.v1.Inventory: the calls order systems make. Writes are validated here, then
// proposed through the leader (the Edge wrapper forwards them when this node follows);
// reads are answered from this node's applied state, after a read barrier unless the
// caller asked for SERIALIZABLE.

import * as grpc from '@grpc/grpc-js';
import type { Command, CommandResult, LedgerEvent } from '../ledger/types.js';
import type { StockNode } from '../node/node-api.js';
import { Edge, EdgeStatusError, type CallContext } from './edge.js';
import { inventoryService } from '../wire/protos.js';
import * as V from '../wire/validate.js';
import * as M from '../wire/map.js';
import { PAGE_LIMIT_MAX } from '../wire/limits.js';
import type * as W from '../wire/types.js';
import { WATCH_BUFFER_EVENTS_MAX, WATCH_SKIP_EVENTS_MAX } from './limits.js';

async function propose(node: StockNode, commands: readonly Command[], ctx: CallContext): Promise<readonly CommandResult[]> {
  const results = await node.propose(commands, ctx.deadline_at_ms);
  if (results.length !== commands.length) {
    throw new Error(`node returned ${results.length} results for ${commands.length} commands`);
  }
  return results;
}

async function barrier(node: StockNode, consistency: W.WireEnum, ctx: CallContext): Promise<void> {
  if (V.checkConsistency('consistency', consistency) === 'LINEARIZABLE') await node.readBarrier(ctx.deadline_at_ms);
}

export function inventoryHandlers(edge: Edge): grpc.UntypedServiceImplementation {
  const node = edge.node;
  const svc = inventoryService().service;
  const def = <Req, Res>(name: string): grpc.MethodDefinition<Req, Res> => svc[name] as unknown as grpc.MethodDefinition<Req, Res>;

  const write = <Req>(name: string, toCommand: (w: Req) => Command): grpc.UntypedHandleCall =>
    edge.unary<Req, W.WireCommandResult>(`Inventory/${name}`, def(name), {
      route: 'leader',
      idempotent: true,
      async handle(req, ctx) {
        const command = V.ledgerChecked('', toCommand(req));
        const [result] = await propose(node, [command], ctx);
        return M.resultToWire(result as CommandResult);
      },
    }) as grpc.UntypedHandleCall;

  const read = <Req, Res>(name: string, handle: (req: Req, ctx: CallContext) => Promise<Res>): grpc.UntypedHandleCall =>
    edge.unary<Req, Res>(`Inventory/${name}`, def(name), { route: 'local', handle }) as grpc.UntypedHandleCall;

  return {
    Reserve: write<W.WireReserve>('Reserve', (w) => V.reserveCommand('', w)),
    Commit: write<W.WireCommit>('Commit', (w) => V.commitCommand('', w)),
    Release: write<W.WireRelease>('Release', (w) => V.releaseCommand('', w)),
    Extend: write<W.WireExtend>('Extend', (w) => V.extendCommand('', w)),
    Adjust: write<W.WireAdjust>('Adjust', (w) => V.adjustCommand('', w)),

    Submit: edge.unary<W.WireSubmitRequest, W.WireSubmitResponse>('Inventory/Submit', def('Submit'), {
      route: 'leader',
      idempotent: true,
      async handle(req, ctx) {
        const commands = V.submitCommands(req.ops);
        const results = await propose(node, commands, ctx);
        return { results: results.map(M.resultToWire) };
      },
    }) as grpc.UntypedHandleCall,

    GetPosition: read<W.WireGetPositionRequest, W.WireGetPositionResponse>('GetPosition', async (req, ctx) => {
      const sku = V.checkSku('sku', req.sku);
      const location = V.checkLocation('location', req.location);
      await barrier(node, req.consistency, ctx);
      const p = node.getPosition(sku, location);
      return { found: p !== null, position: p === null ? null : M.positionToWire(p) };
    }),

    GetPositions: read<W.WireGetPositionsRequest, W.WireGetPositionsResponse>('GetPositions', async (req, ctx) => {
      const keys = V.checkReadKeys('keys', req.keys);
      await barrier(node, req.consistency, ctx);
      return {
        positions: keys.map((k) => {
          const p = node.getPosition(k.sku, k.location);
          return { found: p !== null, position: p === null ? null : M.positionToWire(p) };
        }),
      };
    }),

    GetReservation: read<W.WireGetReservationRequest, W.WireGetReservationResponse>('GetReservation', async (req, ctx) => {
      const id = V.checkId('reservation_id', req.reservation_id);
      await barrier(node, req.consistency, ctx);
      const r = node.getReservation(id);
      return { found: r !== null, reservation: r === null ? null : M.reservationToWire(r) };
    }),

    ListEvents: read<W.WireListEventsRequest, W.WireListEventsResponse>('ListEvents', async (req, ctx) => {
      const sku = V.checkSku('sku', req.sku);
      const location = V.checkLocation('location', req.location);
      const after_seq = V.checkInt('after_seq', req.after_seq, 0, Number.MAX_SAFE_INTEGER);
      const limit = V.checkPageLimit('limit', req.limit);
      await barrier(node, req.consistency, ctx);
      const events: readonly LedgerEvent[] = await node.listEvents(sku, location, after_seq, limit);
      if (events.length > limit) throw new Error(`node returned ${events.length} events for limit ${limit}`);
      const last = events[events.length - 1];
      return { events: events.map(M.eventToWire), next_after_seq: last === undefined ? after_seq : last.seq, more: events.length === limit };
    }),

    ListPositions: read<W.WireListPositionsRequest, W.WireListPositionsResponse>('ListPositions', async (req, ctx) => {
      const limit = V.checkPageLimit('limit', req.limit);
      let after: { sku: string; location: string } | null = null;
      if (req.after_sku !== '' || req.after_location !== '') {
        after = { sku: V.checkSku('after_sku', req.after_sku), location: V.checkLocation('after_location', req.after_location) };
      }
      if (node.listPositions === undefined) throw new EdgeStatusError(grpc.status.UNIMPLEMENTED, 'this node cannot list positions');
      await barrier(node, req.consistency, ctx);
      const positions = await node.listPositions(after, limit);
      if (positions.length > PAGE_LIMIT_MAX) throw new Error(`node returned ${positions.length} positions for limit ${limit}`);
      return { positions: positions.map(M.positionToWire), more: positions.length === limit };
    }),

    GetOutcome: read<W.WireGetOutcomeRequest, W.WireGetOutcomeResponse>('GetOutcome', async (req, ctx) => {
      const id = V.checkId('op_id', req.op_id);
      await barrier(node, req.consistency, ctx);
      const r = node.getOutcome(id);
      return { found: r !== null, result: r === null ? null : M.resultToWire(r) };
    }),

    Watch: edge.stream<W.WireWatchRequest, W.WireWatchEvent>('Inventory/Watch', {
      handle(req, _ctx, out) {
        const from_index = V.checkInt('from_index', req.from_index, 1, Number.MAX_SAFE_INTEGER);
        const skip = V.checkInt('skip', req.skip, 0, WATCH_SKIP_EVENTS_MAX);
        return new Promise<void>((resolve, reject) => {
          const queue: W.WireWatchEvent[] = [];
          let index = -1;
          let ordinal = 0;
          let pumping = false;
          let ended = false;
          let endError: Error | null = null;
          let handle: { close(): void } | null = null;
          const settle = (): void => {
            if (queue.length > 0 || pumping || !ended) return;
            if (endError === null) resolve();
            else reject(endError);
          };
          const end = (err: Error | null): void => {
            if (ended) return;
            ended = true;
            endError = err;
            handle?.close();
            settle();
          };
          const pump = async (): Promise<void> => {
            if (pumping) return;
            pumping = true;
            while (queue.length > 0 && !out.cancelled()) await out.write(queue.shift() as W.WireWatchEvent);
            if (out.cancelled()) queue.length = 0;
            pumping = false;
            settle();
          };
          out.onCancel(() => end(null));
          handle = node.watch(
            from_index,
            (event) => {
              if (ended) return;
              if (event.log_index !== index) {
                if (event.log_index < index) {
                  end(new Error(`watch: log index went back from ${index} to ${event.log_index}`));
                  return;
                }
                index = event.log_index;
                ordinal = 0;
              } else ordinal++;
              if (index === from_index && ordinal < skip) return;
              if (queue.length >= WATCH_BUFFER_EVENTS_MAX) {
                end(new EdgeStatusError(grpc.status.RESOURCE_EXHAUSTED, `watcher fell more than ${WATCH_BUFFER_EVENTS_MAX} events behind: resume from the last event received`));
                return;
              }
              queue.push({ event: M.eventToWire(event), ordinal });
              void pump();
            },
            (err) => end(err === null ? null : new EdgeStatusError(grpc.status.UNAVAILABLE, `watch ended by the node: ${err.message}; resume from the last event received`)),
          );
          if (ended) handle.close();
        });
      },
    }) as grpc.UntypedHandleCall,
  };
}
