// gRPC call metrics of the client-facing services: calls by method and status code, and
// how long they took. Registered on the node's prom-client registry (or the default one).
//
// Every call is counted into plain numbers kept per method (call-tally.ts); the registry
// reads them when it is scraped. prom-client's own Counter.inc and Histogram.observe hash
// their label objects on every call: ~1 µs per call against ~0.05 µs here (one process,
// `node dist/bench/edge-metrics-bench.js`; BENCHMARKS.md, "CPU per unary reserve"). The
// exposition is the same: same names, types, labels and bucket bounds.

import * as client from 'prom-client';
import { CallTally, TallyCounter, TallyHistogram } from './call-tally.js';

export interface EdgeMetrics {
  observe(method: string, code: string, seconds: number): void;
  inflight(delta: number): void;
}

const CALLS = 'stockraft_grpc_calls_total';
const DURATION = 'stockraft_grpc_call_duration_seconds';
const INFLIGHT = 'stockraft_grpc_calls_inflight';
/** Call duration buckets, seconds: 0.5 ms (a local read) to 10 s (the default deadline). */
export const CALL_DURATION_BUCKETS_S: readonly number[] = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10];

/** What one registry's client calls are counted in. Several nodes sharing one registry
 * (a test process) share it, as they would share prom-client metrics of one name. */
interface Shared {
  readonly tally: CallTally;
  readonly inflight: { calls: number };
}

const per_registry = new WeakMap<client.Registry, Shared>();

function sharedOf(registry: client.Registry): Shared {
  const known = per_registry.get(registry);
  if (known !== undefined) return known;
  const shared: Shared = { tally: new CallTally(CALL_DURATION_BUCKETS_S), inflight: { calls: 0 } };
  per_registry.set(registry, shared);
  registry.registerMetric(new TallyCounter(CALLS, 'Client gRPC calls by method and status code', shared.tally) as unknown as client.Metric);
  registry.registerMetric(new TallyHistogram(DURATION, 'Client gRPC call duration by method', shared.tally) as unknown as client.Metric);
  const c = shared.inflight;
  new client.Gauge({
    name: INFLIGHT,
    help: 'Client gRPC calls being served',
    registers: [registry],
    collect() {
      this.set(c.calls);
    },
  });
  return shared;
}

export function edgeMetrics(registry: client.Registry = client.register): EdgeMetrics {
  const { tally, inflight } = sharedOf(registry);
  return {
    observe(method, code, seconds) {
      tally.observe(method, code, seconds);
    },
    inflight(delta) {
      inflight.calls += delta;
      if (inflight.calls < 0) throw new Error(`grpc calls in flight went below zero (${inflight.calls}): an end without a start`);
    },
  };
}
