// The standard gRPC health service (grpc.health.v1, from grpc-health-check) on a node's one
// port, for load balancers and `grpc_health_probe`. The node and each client-facing service
// answer SERVING once the node knows a leader: before that every write and linearizable read
// would answer UNAVAILABLE. Unknown service names get NOT_FOUND (Check) or SERVICE_UNKNOWN
// (Watch), as the protocol says.

import type * as grpc from '@grpc/grpc-js';
import { HealthImplementation, type ServingStatus } from 'grpc-health-check';
import type { StockNode } from '../node/node-api.js';
import { HEALTH_WATCH_POLL_MS } from './limits.js';

type HealthServer = Parameters<HealthImplementation['addToServer']>[0];

/** '' is the whole node; the others are the services a client calls. */
export const HEALTH_SERVICE_NAMES: readonly string[] = ['', 'stockraft.v1.Inventory', 'stockraft.v1.Cluster'];

/** Registers the health service; the returned function stops its timer (on shutdown). */
export function registerHealth(server: grpc.Server, node: StockNode): () => void {
  const health = new HealthImplementation();
  let last: ServingStatus | null = null;
  const refresh = (): void => {
    // A node serves once it knows a leader; a node stopped on a fatal error never serves again.
    const s = node.status();
    const status: ServingStatus = !s.fatal_error && s.leader_id !== null ? 'SERVING' : 'NOT_SERVING';
    // Watchers hear changes only: a new leader after an election is still SERVING.
    if (status === last) return;
    last = status;
    for (const name of HEALTH_SERVICE_NAMES) health.setStatus(name, status);
  };
  refresh();
  // Polled rather than subscribed: the node's leader-change listeners belong to calls in
  // flight (LeaderSignal), and a probe is fine with a second's delay on Watch.
  const timer = setInterval(refresh, HEALTH_WATCH_POLL_MS);
  timer.unref();
  // Check reads the status of the moment: the library's handler is wrapped to refresh first.
  const wrapping: HealthServer = {
    addService: (definition, handlers) => {
      const check = handlers['check'] as ((call: unknown, callback: unknown) => void) | undefined;
      if (check === undefined) throw new Error('grpc-health-check: no check handler to wrap');
      const checkNow = (call: unknown, callback: unknown): void => {
        refresh();
        check(call, callback);
      };
      server.addService(definition as grpc.ServiceDefinition, { ...handlers, check: checkNow } as grpc.UntypedServiceImplementation);
    },
  };
  health.addToServer(wrapping);
  return () => clearInterval(timer);
}
