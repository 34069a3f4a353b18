// Registers everything clients and operators call on a node's one gRPC port: the standard
// health service, stockraft.v1.Inventory and stockraft.v1.Cluster. Every handler runs
// behind the one Edge wrapper (limits, forwarding to the leader, error mapping, metrics).

import * as grpc from '@grpc/grpc-js';
import type { Registry } from 'prom-client';
import type { StockNode } from '../node/node-api.js';
import { clusterService, inventoryService, loadHealthProto, serviceOf } from '../wire/protos.js';
import { Edge } from './edge.js';
import { DEFAULT_CALLS_INFLIGHT_MAX, DEFAULT_STREAMS_MAX } from './limits.js';
import { ForwardPool } from './forward-pool.js';
import { edgeMetrics } from './edge-metrics.js';
import { inventoryHandlers } from './inventory-service.js';
import { clusterHandlers } from './cluster-service.js';
import { HEALTH_WATCH_POLL_MS } from './limits.js';

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

type ServingStatus = 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';

const HEALTH_SERVICES = new Set(['', 'stockraft.v1.Inventory', 'stockraft.v1.Cluster']);

function healthOf(node: StockNode, service: string): ServingStatus {
  if (!HEALTH_SERVICES.has(service)) return 'SERVICE_UNKNOWN';
  // A node serves once it knows a leader: before that every write and linearizable read
  // would answer UNAVAILABLE. A node stopped on a fatal error never serves again.
  const s = node.status();
  if (s.fatal_error) return 'NOT_SERVING';
  return s.leader_id !== null ? 'SERVING' : 'NOT_SERVING';
}

function registerHealth(server: grpc.Server, node: StockNode): void {
  const health = serviceOf(loadHealthProto(), 'grpc.health.v1.Health');
  server.addService(health.service, {
    Check: (call: grpc.ServerUnaryCall<{ service: string }, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      const status = healthOf(node, call.request.service);
      if (status === 'SERVICE_UNKNOWN') {
        callback({ code: grpc.status.NOT_FOUND, details: `unknown service: ${call.request.service}` });
        return;
      }
      callback(null, { status });
    },
    Watch: (call: grpc.ServerWritableStream<{ service: string }, unknown>) => {
      // Sends the status now and on every change (polled); ends when the caller cancels.
      let last: ServingStatus | null = null;
      const push = (): void => {
        const status = healthOf(node, call.request.service);
        if (status !== last) {
          last = status;
          call.write({ status });
        }
      };
      push();
      const timer = setInterval(push, HEALTH_WATCH_POLL_MS);
      timer.unref();
      const stop = (): void => clearInterval(timer);
      call.on('cancelled', stop);
      call.on('close', stop);
      call.on('error', stop);
    },
  });
}

export function registerClientServices(server: grpc.Server, node: StockNode, options: ClientServicesOptions): ClientServices {
  const forwarder = new ForwardPool(options.forward_credentials);
  const edge = new Edge(node, forwarder, edgeMetrics(options.registry), {
    calls_inflight_max: options.calls_inflight_max ?? DEFAULT_CALLS_INFLIGHT_MAX,
    streams_max: options.streams_max ?? DEFAULT_STREAMS_MAX,
  });
  registerHealth(server, node);
  server.addService(Edge.tolerantService(inventoryService().service), inventoryHandlers(edge));
  server.addService(Edge.tolerantService(clusterService().service), clusterHandlers(edge));
  return { close: () => forwarder.close() };
}
