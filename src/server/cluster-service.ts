// stockraft.v1.Cluster: what operators call. Membership changes, leadership transfer and
// SetClusterVersion (cluster-version.ts) are carried out by the leader (followers forward
// them); Status, Snapshot, Backup and ListAdminEvents are answered by the node that was
// called.
//
// Admin history: the leader records every membership change once it succeeded, and a
// leadership transfer just before it starts (afterwards this node no longer leads and
// cannot propose; only a request naming another voter), as an `admin` ledger command
// naming the principal who asked. A Snapshot is recorded when the node that took it
// leads; a follower's snapshot is kept in its local audit file only. See
// docs/security.md "Admin history".

import * as grpc from '@grpc/grpc-js';
import type { CallContext, Edge, StreamOut } from './edge.js';
import type { StockNode } from '../node/node-api.js';
import { clusterService } from '../wire/protos.js';
import * as V from '../wire/validate.js';
import { statusToWire } from './status-wire.js';
import type * as W from '../wire/types.js';
import { actingPrincipalOf } from './security/interceptor.js';
import { fitText, recordAdminEvent } from './admin-history.js';
import { ADMIN_PRINCIPAL_BYTES_MAX } from '../ledger/limits.js';
import { EdgeStatusError } from './edge.js';
import type { AdminAction } from '../ledger/types.js';
import { BACKUP_BARRIER_TIMEOUT_MS, BACKUP_STREAM_CHUNK_BYTES_MAX } from './limits.js';
import { setClusterVersion } from './cluster-version.js';

type Def = <Req, Res>(name: string) => grpc.MethodDefinition<Req, Res>;

/** What a membership change or transfer records in the admin history. */
interface AdminRecord {
  readonly action: AdminAction;
  readonly target: string;
  readonly detail: string;
}

/** A membership change or transfer: `check` validates the request and names the admin
 * event (before anything happens), `change` carries it out. */
function membership<Req>(
  edge: Edge,
  def: Def,
  name: string,
  check: (req: Req) => AdminRecord,
  change: (req: Req, deadline_at_ms: number) => Promise<void>,
): grpc.UntypedHandleCall {
  const node = edge.node;
  return edge.unary<Req, W.WireMembershipResponse>(`Cluster/${name}`, def(name), {
    route: 'leader',
    async handle(req, ctx) {
      const what = check(req);
      const principal = actingPrincipalOf(ctx.metadata);
      if (what.action === 'transfer_leadership') {
        // Recorded first (see the header), but only a request the transfer can carry
        // out: from the leader to another voter. Anything else fails in `change` below
        // and leaves no record, like a refused membership change.
        const st = node.status();
        const plausible = st.role === 'leader' && what.target !== node.id && st.members.some((m) => m.id === what.target && m.role === 'voter');
        if (plausible) await recordAdminEvent(node, what.action, principal, what.target, what.detail, ctx.deadline_at_ms);
        await change(req, ctx.deadline_at_ms);
      } else {
        await change(req, ctx.deadline_at_ms);
        await recordAdminEvent(node, what.action, principal, what.target, what.detail, ctx.deadline_at_ms);
      }
      return { status: statusToWire(node.status()) };
    },
  }) as grpc.UntypedHandleCall;
}

function membershipCalls(edge: Edge, def: Def): grpc.UntypedServiceImplementation {
  const node = edge.node;
  return {
    AddLearner: membership<W.WireAddLearnerRequest>(
      edge,
      def,
      'AddLearner',
      (req) => ({ action: 'add_learner', target: V.checkNodeId('id', req.id), detail: `address ${V.checkAddress('address', req.address)}` }),
      (req) => node.addLearner(V.checkNodeId('id', req.id), V.checkAddress('address', req.address)),
    ),
    Promote: membership<W.WireIdRequest>(
      edge,
      def,
      'Promote',
      (req) => ({ action: 'promote', target: V.checkNodeId('id', req.id), detail: 'learner to voter' }),
      (req) => node.promote(V.checkNodeId('id', req.id)),
    ),
    Remove: membership<W.WireIdRequest>(
      edge,
      def,
      'Remove',
      (req) => ({ action: 'remove', target: V.checkNodeId('id', req.id), detail: 'member removed' }),
      (req) => node.remove(V.checkNodeId('id', req.id)),
    ),
    TransferLeadership: membership<W.WireTransferRequest>(
      edge,
      def,
      'TransferLeadership',
      (req) => ({ action: 'transfer_leadership', target: V.checkNodeId('to', req.to), detail: `requested from leader ${node.id}` }),
      (req, deadline_at_ms) => node.transferLeadership(V.checkNodeId('to', req.to), deadline_at_ms),
    ),
  };
}

async function snapshot(node: StockNode, ctx: CallContext): Promise<W.WireSnapshotResponse> {
  const index = await node.snapshot();
  if (node.status().role === 'leader') {
    await recordAdminEvent(node, 'snapshot', actingPrincipalOf(ctx.metadata), node.id, `snapshot at index ${index}`, ctx.deadline_at_ms);
  }
  return { index };
}

async function listAdminEvents(node: StockNode, req: W.WireListAdminEventsRequest, ctx: CallContext): Promise<W.WireListAdminEventsResponse> {
  if (node.listAdminEvents === undefined) throw new EdgeStatusError(grpc.status.UNIMPLEMENTED, 'this node does not serve the admin history');
  const after_seq = V.checkInt('after_seq', req.after_seq, 0, Number.MAX_SAFE_INTEGER);
  const limit = V.checkPageLimit('limit', req.limit);
  if (V.checkConsistency('consistency', req.consistency) === 'LINEARIZABLE') await node.readBarrier(ctx.deadline_at_ms);
  const { events, head } = await node.listAdminEvents(after_seq, limit);
  if (events.length > limit) throw new Error(`node returned ${events.length} admin events for limit ${limit}`);
  const last = events[events.length - 1];
  return {
    events: events.map((e) => ({
      seq: e.seq,
      log_index: e.log_index,
      time_ms: e.time_ms,
      op_id: e.op_id,
      action: e.action,
      principal: e.principal,
      target: e.target,
      detail: e.detail,
      prev_hash: e.prev_hash,
      hash: e.hash,
    })),
    next_after_seq: last === undefined ? after_seq : last.seq,
    more: events.length === limit,
    head_seq: head.seq,
    head_hash: head.head,
  };
}

async function markHistoryArchived(node: StockNode, req: W.WireMarkHistoryArchivedRequest, ctx: CallContext): Promise<W.WireMarkHistoryArchivedResponse> {
  if (node.markHistoryArchived === undefined) throw new EdgeStatusError(grpc.status.UNIMPLEMENTED, 'this node does not take an archived mark');
  const through_index = V.checkInt('through_index', req.through_index, 1, Number.MAX_SAFE_INTEGER);
  const principal = fitText(actingPrincipalOf(ctx.metadata) || 'unknown', ADMIN_PRINCIPAL_BYTES_MAX);
  return { archived_through_index: await node.markHistoryArchived(through_index, principal, ctx.deadline_at_ms) };
}

/** A backup that cannot be stale: the node first takes a read barrier (ReadIndex through
 * the leader), so the copy holds at least everything committed when the call arrived; its
 * first chunk's header says which applied index and log time it captured. */
async function backup(node: StockNode, ctx: CallContext, out: StreamOut<W.WireBackupChunk>): Promise<void> {
  await node.readBarrier(Math.min(ctx.deadline_at_ms, Date.now() + BACKUP_BARRIER_TIMEOUT_MS));
  for await (const chunk of node.backupChunks({ read_barrier: true })) {
    if (out.cancelled()) return;
    // Chunks are the ledger snapshot format's own self-checking units: never split
    // them, refuse one that cannot travel.
    if (chunk.byteLength > BACKUP_STREAM_CHUNK_BYTES_MAX) {
      throw new Error(`backup chunk of ${chunk.byteLength} bytes exceeds ${BACKUP_STREAM_CHUNK_BYTES_MAX}`);
    }
    await out.write({ data: chunk });
  }
}

export function clusterHandlers(edge: Edge): grpc.UntypedServiceImplementation {
  const node = edge.node;
  const svc = clusterService('server').service;
  const def: Def = <Req, Res>(name: string) => svc[name] as unknown as grpc.MethodDefinition<Req, Res>;
  return {
    Status: edge.unary<W.Empty, W.WireStatusResponse>('Cluster/Status', def('Status'), {
      route: 'local',
      handle: async () => statusToWire(node.status()),
    }) as grpc.UntypedHandleCall,
    ...membershipCalls(edge, def),
    Snapshot: edge.unary<W.Empty, W.WireSnapshotResponse>('Cluster/Snapshot', def('Snapshot'), {
      route: 'local',
      handle: (_req, ctx) => snapshot(node, ctx),
    }) as grpc.UntypedHandleCall,
    ListAdminEvents: edge.unary<W.WireListAdminEventsRequest, W.WireListAdminEventsResponse>('Cluster/ListAdminEvents', def('ListAdminEvents'), {
      route: 'local',
      handle: (req, ctx) => listAdminEvents(node, req, ctx),
    }) as grpc.UntypedHandleCall,
    MarkHistoryArchived: edge.unary<W.WireMarkHistoryArchivedRequest, W.WireMarkHistoryArchivedResponse>('Cluster/MarkHistoryArchived', def('MarkHistoryArchived'), {
      route: 'leader',
      handle: (req, ctx) => markHistoryArchived(node, req, ctx),
    }) as grpc.UntypedHandleCall,
    SetClusterVersion: edge.unary<W.WireSetClusterVersionRequest, W.WireSetClusterVersionResponse>('Cluster/SetClusterVersion', def('SetClusterVersion'), {
      route: 'leader',
      handle: (req, ctx) => setClusterVersion(node, req, actingPrincipalOf(ctx.metadata), ctx.deadline_at_ms),
    }) as grpc.UntypedHandleCall,
    Backup: edge.stream<W.Empty, W.WireBackupChunk>('Cluster/Backup', { handle: (_req, ctx, out) => backup(node, ctx, out) }) as grpc.UntypedHandleCall,
  };
}
