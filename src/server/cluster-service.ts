// stockraft.v1.Cluster: what operators call. Membership changes and leadership transfer
// are carried out by the leader (followers forward them); Status, Snapshot and Backup are
// answered by the node that was called.

import * as grpc from '@grpc/grpc-js';
import type { Edge } from './grpc-edge-call.js';
import { clusterService } from './grpc-edge-protos.js';
import * as V from './grpc-edge-validate.js';
import { statusToWire } from './grpc-edge-map.js';
import type * as W from './grpc-edge-wire.js';

/** Largest backup chunk passed on; the gRPC message limit is 4 MiB. */
export const BACKUP_CHUNK_BYTES_MAX = 3 * 1024 * 1024;

export function clusterHandlers(edge: Edge): grpc.UntypedServiceImplementation {
  const node = edge.node;
  const svc = clusterService().service;
  const def = <Req, Res>(name: string): grpc.MethodDefinition<Req, Res> => svc[name] as unknown as grpc.MethodDefinition<Req, Res>;
  const membership = <Req>(name: string, change: (req: Req, deadline_at_ms: number) => Promise<void>): grpc.UntypedHandleCall =>
    edge.unary<Req, W.WireMembershipResponse>(`Cluster/${name}`, def(name), {
      route: 'leader',
      async handle(req, ctx) {
        await change(req, ctx.deadline_at_ms);
        return { status: statusToWire(node.status()) };
      },
    }) as grpc.UntypedHandleCall;

  return {
    Status: edge.unary<W.Empty, W.WireStatusResponse>('Cluster/Status', def('Status'), {
      route: 'local',
      handle: async () => statusToWire(node.status()),
    }) as grpc.UntypedHandleCall,

    AddLearner: membership<W.WireAddLearnerRequest>('AddLearner', (req) =>
      node.addLearner(V.checkNodeId('id', req.id), V.checkAddress('address', req.address)),
    ),
    Promote: membership<W.WireIdRequest>('Promote', (req) => node.promote(V.checkNodeId('id', req.id))),
    Remove: membership<W.WireIdRequest>('Remove', (req) => node.remove(V.checkNodeId('id', req.id))),
    TransferLeadership: membership<W.WireTransferRequest>('TransferLeadership', (req, deadline_at_ms) =>
      node.transferLeadership(V.checkNodeId('to', req.to), deadline_at_ms),
    ),

    Snapshot: edge.unary<W.Empty, W.WireSnapshotResponse>('Cluster/Snapshot', def('Snapshot'), {
      route: 'local',
      handle: async () => ({ index: await node.snapshot() }),
    }) as grpc.UntypedHandleCall,

    Backup: edge.stream<W.Empty, W.WireBackupChunk>('Cluster/Backup', {
      async handle(_req, _ctx, out) {
        for await (const chunk of node.backupChunks()) {
          if (out.cancelled()) return;
          // Chunks are the ledger snapshot format's own self-checking units: never split
          // them, refuse one that cannot travel.
          if (chunk.byteLength > BACKUP_CHUNK_BYTES_MAX) {
            throw new Error(`backup chunk of ${chunk.byteLength} bytes exceeds ${BACKUP_CHUNK_BYTES_MAX}`);
          }
          await out.write({ data: chunk });
        }
      },
    }) as grpc.UntypedHandleCall,
  };
}
