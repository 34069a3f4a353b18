// The edge's call counts kept in plain numbers must scrape exactly as prom-client's own
// Counter and Histogram would for the same calls, and stay bounded.

import t from 'tap';
import { Counter, Histogram, Registry } from 'prom-client';
import { edgeMetrics, CALL_DURATION_BUCKETS_S } from '../../src/server/edge-metrics.js';
import { CallTally, METHOD_OVERFLOW, TALLY_CODES_PER_METHOD_MAX, TALLY_METHODS_MAX } from '../../src/server/call-tally.js';

/** One metric's exposition text, as /metrics serves it. */
async function scrape(registry: Registry, name: string): Promise<string> {
  const m = registry.getSingleMetric(name);
  if (m === undefined) throw new Error(`no metric ${name}`);
  const one = new Registry();
  one.registerMetric(m);
  return one.metrics();
}

const CALLS: readonly [string, string, number][] = [
  ['Inventory/Reserve', 'OK', 0.0004],
  ['Inventory/Reserve', 'OK', 0.0005], // exactly on a bound: that bucket (le)
  ['Inventory/Reserve', 'UNAVAILABLE', 0.0031],
  ['Inventory/GetPosition', 'OK', 0.07],
  ['Inventory/Reserve', 'OK', 12.5], // above the last bound: +Inf only
  ['Inventory/Submit', 'DEADLINE_EXCEEDED', 10],
];

t.test('a scrape reads what prom-client metrics fed the same calls would show', async (t) => {
  const ours = new Registry();
  const m = edgeMetrics(ours);
  const ref = new Registry();
  const calls = new Counter({ name: 'stockraft_grpc_calls_total', help: 'Client gRPC calls by method and status code', labelNames: ['method', 'code'], registers: [ref] });
  const duration = new Histogram({ name: 'stockraft_grpc_call_duration_seconds', help: 'Client gRPC call duration by method', labelNames: ['method'], buckets: [...CALL_DURATION_BUCKETS_S], registers: [ref] });
  for (const [method, code, s] of CALLS) {
    m.observe(method, code, s);
    calls.inc({ method, code });
    duration.observe({ method }, s);
  }
  for (const name of ['stockraft_grpc_calls_total', 'stockraft_grpc_call_duration_seconds']) {
    const a = await scrape(ours, name);
    const b = await scrape(ref, name);
    t.equal(a, b, `${name} scrapes as prom-client's own`);
  }
  const text = await scrape(ours, 'stockraft_grpc_call_duration_seconds');
  t.match(text, 'stockraft_grpc_call_duration_seconds_bucket{le="0.0005",method="Inventory/Reserve"} 2', 'a value on a bound counts in that bucket');
  t.match(text, 'stockraft_grpc_call_duration_seconds_bucket{le="10",method="Inventory/Reserve"} 3', 'a value above the last bound is not in it');
  t.match(text, 'stockraft_grpc_call_duration_seconds_bucket{le="+Inf",method="Inventory/Reserve"} 4', '+Inf holds every call');
  t.match(text, 'stockraft_grpc_call_duration_seconds_count{method="Inventory/Reserve"} 4');
  const b = edgeMetrics(ours); // a second node on the same registry adds to the same series
  b.observe('Inventory/GetPosition', 'OK', 0.001);
  t.match(await scrape(ours, 'stockraft_grpc_calls_total'), 'stockraft_grpc_calls_total{method="Inventory/GetPosition",code="OK"} 2');
  ours.resetMetrics();
  t.equal((await ours.getSingleMetric('stockraft_grpc_calls_total')!.get()).values.length, 0, 'reset empties the counts');
});

t.test('methods and codes past their bounds are counted under "other"; bad input is refused', async (t) => {
  const tally = new CallTally([0.1, 1]);
  for (let i = 0; i < TALLY_METHODS_MAX + 5; i++) tally.observe(`M${i}`, 'OK', 0.01);
  const methods = new Set(tally.counterValues().map((v) => v.labels['method']));
  t.equal(methods.size, TALLY_METHODS_MAX + 1, `at most ${TALLY_METHODS_MAX} methods plus "${METHOD_OVERFLOW}"`);
  t.equal(tally.counterValues().find((v) => v.labels['method'] === METHOD_OVERFLOW)?.value, 5, 'the 5 beyond the bound');
  for (let i = 0; i < TALLY_CODES_PER_METHOD_MAX + 3; i++) tally.observe('M0', `C${i}`, 0.01);
  const m0 = tally.counterValues().filter((v) => v.labels['method'] === 'M0');
  t.equal(m0.length, TALLY_CODES_PER_METHOD_MAX + 1, 'codes bounded per method');
  t.equal(m0.find((v) => v.labels['code'] === METHOD_OVERFLOW)?.value, 4, 'the 4 codes past the bound (M0 had OK already)');
  t.throws(() => tally.observe('M0', 'OK', Number.NaN), /duration of M0 must be a finite number of seconds, got NaN/);
  t.throws(() => new CallTally([1, 0.5]), /bucket bounds must be finite and increasing, got 1,0.5/);
});
