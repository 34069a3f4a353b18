// stockraft.v1.Inventory: the calls order systems make. Writes are validated here, then
// proposed through the leader (the Edge wrapper forwards them when this node follows);
// reads are answered from this node's applied state, after a read barrier unless the
// caller asked for SERIALIZABLE. One function per call; inventoryHandlers assembles them.

import * as grpc from '@grpc/grpc-js';
import type { Command, CommandResult, LedgerEvent } from '../ledger/types.js';
import type { StockNode } from '../node/node-api.js';
import { Edge, EdgeStatusError, type CallContext } from './edge.js';
import { inventoryService } from '../wire/protos.js';
import * as V from '../wire/validate.js';
import * as VC from '../wire/validate-commerce.js';
import * as M from '../wire/map.js';
import { PAGE_LIMIT_MAX } from '../wire/limits.js';
import type * as W from '../wire/types.js';
import { serveWatch } from './inventory-watch.js';

async function propose(node: StockNode, commands: readonly Command[], ctx: CallContext): Promise<readonly CommandResult[]> {
  const results = await node.propose(commands, ctx.deadline_at_ms);
  if (results.length !== commands.length) {
    throw new Error(`node returned ${results.length} results for ${commands.length} commands`);
  }
  return results;
}

async function barrier(node: StockNode, consistency: W.WireEnum | undefined, ctx: CallContext): Promise<void> {
  if (V.checkConsistency('consistency', consistency) === 'LINEARIZABLE') await node.readBarrier(ctx.deadline_at_ms);
}

/** Builds the Edge-wrapped handler of each kind of call. */
class InventoryCalls {
  private readonly node: StockNode;
  private readonly svc = inventoryService('server').service;

  constructor(private readonly edge: Edge) {
    this.node = edge.node;
  }

  private def<Req, Res>(name: string): grpc.MethodDefinition<Req, Res> {
    return this.svc[name] as unknown as grpc.MethodDefinition<Req, Res>;
  }

  /** A single-command write, carried out by the leader. */
  write<Req>(name: string, toCommand: (w: Req) => Command): grpc.UntypedHandleCall {
    const node = this.node;
    return this.edge.unary<Req, W.WireCommandResult>(`Inventory/${name}`, this.def(name), {
      route: 'leader',
      idempotent: true,
      async handle(req, ctx) {
        const command = V.ledgerChecked('', toCommand(req));
        const [result] = await propose(node, [command], ctx);
        return M.resultToWire(result as CommandResult);
      },
    }) as grpc.UntypedHandleCall;
  }

  /** Many commands in one call, carried out by the leader in one entry. */
  submit(): grpc.UntypedHandleCall {
    const node = this.node;
    return this.edge.unary<W.WireSubmitRequest, W.WireSubmitResponse>('Inventory/Submit', this.def('Submit'), {
      route: 'leader',
      idempotent: true,
      async handle(req, ctx) {
        const results = await propose(node, V.submitCommands(req.ops), ctx);
        return { results: results.map(M.resultToWire) };
      },
    }) as grpc.UntypedHandleCall;
  }

  /** A read answered by this node. */
  read<Req, Res>(name: string, handle: (node: StockNode, req: Req, ctx: CallContext) => Promise<Res>): grpc.UntypedHandleCall {
    const node = this.node;
    return this.edge.unary<Req, Res>(`Inventory/${name}`, this.def(name), { route: 'local', handle: (req, ctx) => handle(node, req, ctx) }) as grpc.UntypedHandleCall;
  }

  watch(): grpc.UntypedHandleCall {
    const node = this.node;
    return this.edge.stream<W.WireWatchRequest, W.WireWatchEvent>('Inventory/Watch', { handle: (req, _ctx, out) => serveWatch(node, req, out) }) as grpc.UntypedHandleCall;
  }
}

async function getPosition(node: StockNode, req: W.WireGetPositionRequest, ctx: CallContext): Promise<W.WireGetPositionResponse> {
  const sku = V.checkSku('sku', req.sku);
  const location = V.checkLocation('location', req.location);
  await barrier(node, req.consistency, ctx);
  const p = node.getPosition(sku, location);
  return { found: p !== null, position: p === null ? null : M.positionToWire(p) };
}

async function getPositions(node: StockNode, req: W.WireGetPositionsRequest, ctx: CallContext): Promise<W.WireGetPositionsResponse> {
  const keys = V.checkReadKeys('keys', req.keys);
  await barrier(node, req.consistency, ctx);
  return {
    positions: keys.map((k) => {
      const p = node.getPosition(k.sku, k.location);
      return { found: p !== null, position: p === null ? null : M.positionToWire(p) };
    }),
  };
}

async function getReservation(node: StockNode, req: W.WireGetReservationRequest, ctx: CallContext): Promise<W.WireGetReservationResponse> {
  const id = V.checkId('reservation_id', req.reservation_id);
  await barrier(node, req.consistency, ctx);
  const r = node.getReservation(id);
  return { found: r !== null, reservation: r === null ? null : M.reservationToWire(r) };
}

async function listEvents(node: StockNode, req: W.WireListEventsRequest, ctx: CallContext): Promise<W.WireListEventsResponse> {
  const sku = V.checkSku('sku', req.sku);
  const location = V.checkLocation('location', req.location);
  const after_seq = V.checkInt('after_seq', req.after_seq, 0, Number.MAX_SAFE_INTEGER);
  const limit = V.checkPageLimit('limit', req.limit);
  await barrier(node, req.consistency, ctx);
  const page = node.listEventsPage === undefined ? { events: await node.listEvents(sku, location, after_seq, limit), horizon: null } : await node.listEventsPage(sku, location, after_seq, limit);
  const events: readonly LedgerEvent[] = page.events;
  if (events.length > limit) throw new Error(`node returned ${events.length} events for limit ${limit}`);
  const last = events[events.length - 1];
  const h = page.horizon;
  // Below the horizon the page names it, and paging continues after it even when empty.
  const next_after_seq = last !== undefined ? last.seq : h !== null ? h.seq : after_seq;
  const res = { events: events.map(M.eventToWire), next_after_seq, more: events.length === limit };
  return h === null ? res : { ...res, horizon: { seq: h.seq, log_index: h.log_index, time_ms: h.time_ms, on_hand: h.on_hand, reserved: h.reserved, hash: h.hash } };
}

async function listPositions(node: StockNode, req: W.WireListPositionsRequest, ctx: CallContext): Promise<W.WireListPositionsResponse> {
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
}

async function getOutcome(node: StockNode, req: W.WireGetOutcomeRequest, ctx: CallContext): Promise<W.WireGetOutcomeResponse> {
  const id = V.checkId('op_id', req.op_id);
  await barrier(node, req.consistency, ctx);
  const r = await node.getOutcome(id);
  return { found: r !== null, result: r === null ? null : M.resultToWire(r) };
}

export function inventoryHandlers(edge: Edge): grpc.UntypedServiceImplementation {
  const calls = new InventoryCalls(edge);
  return {
    Reserve: calls.write<W.WireReserve>('Reserve', (w) => V.reserveCommand('', w)),
    Commit: calls.write<W.WireCommit>('Commit', (w) => V.commitCommand('', w)),
    Release: calls.write<W.WireRelease>('Release', (w) => V.releaseCommand('', w)),
    Extend: calls.write<W.WireExtend>('Extend', (w) => V.extendCommand('', w)),
    Adjust: calls.write<W.WireAdjust>('Adjust', (w) => V.adjustCommand('', w)),
    Submit: calls.submit(),
    GetPosition: calls.read('GetPosition', getPosition),
    GetPositions: calls.read('GetPositions', getPositions),
    GetReservation: calls.read('GetReservation', getReservation),
    ListEvents: calls.read('ListEvents', listEvents),
    ListPositions: calls.read('ListPositions', listPositions),
    GetOutcome: calls.read('GetOutcome', getOutcome),
    Watch: calls.watch(),
    // Commerce (ledger rules version 4): the ledger refuses them under older rules.
    SetPositionPolicy: calls.write<W.WireSetPositionPolicy>('SetPositionPolicy', (w) => VC.setPositionPolicyCommand('', w)),
    SetSkuPolicy: calls.write<W.WireSetSkuPolicy>('SetSkuPolicy', (w) => VC.setSkuPolicyCommand('', w)),
    Transfer: calls.write<W.WireStockTransfer>('Transfer', (w) => VC.transferCommand('', w)),
    ReceiveTransfer: calls.write<W.WireReceiveTransfer>('ReceiveTransfer', (w) => VC.receiveTransferCommand('', w)),
    Count: calls.write<W.WireCount>('Count', (w) => VC.countCommand('', w)),
  };
}
