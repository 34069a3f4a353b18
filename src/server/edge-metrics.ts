// gRPC call metrics of the client-facing services: calls by method and status code, and
// how long they took. Registered on the node's prom-client registry (or the default one).

import * as client from 'prom-client';

export interface EdgeMetrics {
  observe(method: string, code: string, seconds: number): void;
  inflight(delta: number): void;
}

const CALLS = 'stockraft_grpc_calls_total';
const DURATION = 'stockraft_grpc_call_duration_seconds';
const INFLIGHT = 'stockraft_grpc_calls_inflight';

/** Calls in flight per registry: a plain number on the call path (two per call), read
 * into the gauge only when the registry is scraped. Several nodes sharing one registry
 * share the count, as they share the gauge. */
const inflight_counts = new WeakMap<client.Registry, { calls: number }>();

export function edgeMetrics(registry: client.Registry = client.register): EdgeMetrics {
  // Several nodes may share one registry in a test process: reuse what is there.
  const calls =
    (registry.getSingleMetric(CALLS) as client.Counter<'method' | 'code'> | undefined) ??
    new client.Counter({ name: CALLS, help: 'Client gRPC calls by method and status code', labelNames: ['method', 'code'], registers: [registry] });
  const duration =
    (registry.getSingleMetric(DURATION) as client.Histogram<'method'> | undefined) ??
    new client.Histogram({
      name: DURATION,
      help: 'Client gRPC call duration by method',
      labelNames: ['method'],
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10],
      registers: [registry],
    });
  let count = inflight_counts.get(registry);
  if (count === undefined) {
    const c = { calls: 0 };
    count = c;
    inflight_counts.set(registry, c);
    if (registry.getSingleMetric(INFLIGHT) === undefined) {
      new client.Gauge({
        name: INFLIGHT,
        help: 'Client gRPC calls being served',
        registers: [registry],
        collect() {
          this.set(c.calls);
        },
      });
    }
  }
  const shared = count;
  return {
    observe(method, code, seconds) {
      calls.inc({ method, code });
      duration.observe({ method }, seconds);
    },
    inflight(delta) {
      shared.calls += delta;
      if (shared.calls < 0) throw new Error(`grpc calls in flight went below zero (${shared.calls}): an end without a start`);
    },
  };
}
