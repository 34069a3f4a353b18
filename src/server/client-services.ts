// Registers everything clients and operators call on a node's one gRPC port: the standard
// health service, server reflection, stockraft.v1.Inventory and stockraft.v1.Cluster. Every handler runs
// behind the one Edge wrapper (limits, forwarding to the leader, error mapping, metrics).

import * as grpc from '@grpc/grpc-js';
import type { Registry } from 'prom-client';
import type { StockNode } from '../node/node-api.js';
import { ReflectionService } from '@grpc/reflection';
import { clusterService, inventoryDefinition, inventoryService } from '../wire/protos.js';
import { Edge } from './edge.js';
import { DEFAULT_CALLS_INFLIGHT_MAX, DEFAULT_STREAMS_MAX } from './limits.js';
import { ForwardPool } from './forward-pool.js';
import { edgeMetrics } from './edge-metrics.js';
import { inventoryHandlers } from './inventory-service.js';
import { clusterHandlers } from './cluster-service.js';
import { registerHealth } from './health.js';

export interface ClientServicesOptions {
  /** Client calls being served at once on this node; beyond it calls get RESOURCE_EXHAUSTED. */
  readonly calls_inflight_max?: number;
  /** Server streams (Watch, Backup) open at once on this node; beyond it RESOURCE_EXHAUSTED. */
  readonly streams_max?: number;
  /** Registry for the gRPC call metrics; prom-client's default registry when absent. */
  readonly registry?: Registry;
  /** Credentials for forwarding calls to the leader (NodeSecurity.forwardCredentials());
   * plaintext when absent. */
  readonly forward_credentials?: grpc.ChannelCredentials;
}

/** Handle for shutting the client-facing layer down (closes forwarding channels). */
export interface ClientServices {
  close(): void;
}

export function registerClientServices(server: grpc.Server, node: StockNode, options: ClientServicesOptions): ClientServices {
  const forwarder = new ForwardPool(options.forward_credentials);
  const edge = new Edge(node, forwarder, edgeMetrics(options.registry), {
    calls_inflight_max: options.calls_inflight_max ?? DEFAULT_CALLS_INFLIGHT_MAX,
    streams_max: options.streams_max ?? DEFAULT_STREAMS_MAX,
  });
  const stop_health = registerHealth(server, node);
  // Reflection lets grpcurl and similar tools list and call the client-facing services
  // without the .proto files; peer (raft) and test-hook services are not described.
  new ReflectionService(inventoryDefinition()).addToServer(server);
  server.addService(Edge.tolerantService(inventoryService('server').service), inventoryHandlers(edge));
  server.addService(Edge.tolerantService(clusterService('server').service), clusterHandlers(edge));
  return {
    close: () => {
      stop_health();
      forwarder.close();
    },
  };
}
