// The in-flight gauge of the client gRPC edge is a plain count on the call path, read into
// the gauge on scrape: a scrape shows the calls started and not ended, nodes sharing a
// registry share it, and an end without a start is refused loudly.

import t from 'tap';
import { Registry } from 'prom-client';
import { edgeMetrics } from '../../src/server/edge-metrics.js';

async function inflightOf(registry: Registry): Promise<number> {
  const m = await registry.getSingleMetric('stockraft_grpc_calls_inflight')!.get();
  return m.values[0]?.value ?? Number.NaN;
}

t.test('scrape reads the count of calls started and not ended', async (t) => {
  const registry = new Registry();
  const a = edgeMetrics(registry);
  t.equal(await inflightOf(registry), 0, 'nothing in flight at first');
  a.inflight(1);
  a.inflight(1);
  a.inflight(1);
  a.inflight(-1);
  t.equal(await inflightOf(registry), 2, 'three started, one ended');
  const b = edgeMetrics(registry); // a second node on the same registry
  b.inflight(1);
  t.equal(await inflightOf(registry), 3, 'a second node on the same registry adds to the same gauge');
  const other = new Registry();
  edgeMetrics(other).inflight(1);
  t.equal(await inflightOf(other), 1, 'another registry counts on its own');
  t.equal(await inflightOf(registry), 3, 'and leaves the first alone');
});

t.test('an end without a start throws', async (t) => {
  const m = edgeMetrics(new Registry());
  t.throws(() => m.inflight(-1), /below zero/, 'refused');
});
