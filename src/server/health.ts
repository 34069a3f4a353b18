// The standard gRPC health service (grpc.health.v1, from grpc-health-check) on a node's one
// port, for load balancers and `grpc_health_probe`. The node and each client-facing service
// answer SERVING once the node knows a leader: before that every write and linearizable read
// would answer UNAVAILABLE. Unknown service names get NOT_FOUND (Check) or SERVICE_UNKNOWN
// (Watch), as the protocol says.

import type * as grpc from '@grpc/grpc-js';
import { HealthImplementation, type ServingStatus } from 'grpc-health-check';
import type { StockNode } from '../node/node-api.js';
import type { NodeId } from '../raft/types.js';

/** '' is the whole node; the others are the services a client calls. */
export const HEALTH_SERVICE_NAMES: readonly string[] = ['', 'stockraft.v1.Inventory', 'stockraft.v1.Cluster'];

export function servingStatusFor(leader_id: NodeId | null): ServingStatus {
  return leader_id !== null ? 'SERVING' : 'NOT_SERVING';
}

/** Registers the health service and keeps it in step with leader changes; the returned
 * function stops following the node (on shutdown). */
export function registerHealth(server: grpc.Server, node: StockNode): () => void {
  const health = new HealthImplementation();
  let last: ServingStatus | null = null;
  const update = (leader_id: NodeId | null): void => {
    const status = servingStatusFor(leader_id);
    // Watchers hear changes only: a new leader after an election is still SERVING.
    if (status === last) return;
    last = status;
    for (const name of HEALTH_SERVICE_NAMES) health.setStatus(name, status);
  };
  update(node.status().leader_id);
  // Watch streams are written outside the node's loop step that changed the leader.
  const unsubscribe = node.onLeaderChange((leader_id) => queueMicrotask(() => update(leader_id)));
  health.addToServer(server);
  return unsubscribe;
}
