// CPU per client call spent on the edge's call metrics, in one process: prom-client's
// Counter.inc + Histogram.observe with label objects (what every call did before) against
// the plain-number tally scraped on demand (src/server/call-tally.ts). Process CPU time,
// so the figure holds on a shared machine. Run: node dist/bench/edge-metrics-bench.js
import { Counter, Histogram, Registry } from 'prom-client';
import { CALL_DURATION_BUCKETS_S, edgeMetrics } from '../src/server/edge-metrics.js';

const CALLS = 1_000_000;
const ROUNDS = 3;
const METHODS = ['Inventory/Reserve', 'Inventory/GetPosition', 'Inventory/Submit', 'Inventory/Commit'];
const CODES = ['OK', 'OK', 'OK', 'UNAVAILABLE'];

function cpuNsPerCall(observe: (method: string, code: string, s: number) => void): number {
  const t0 = process.cpuUsage();
  for (let i = 0; i < CALLS; i++) observe(METHODS[i & 3]!, CODES[(i >> 2) & 3]!, ((i % 1000) + 1) / 100_000);
  const d = process.cpuUsage(t0);
  return ((d.user + d.system) * 1000) / CALLS;
}

function promClient(): (method: string, code: string, s: number) => void {
  const r = new Registry();
  const calls = new Counter({ name: 'c_total', help: 'h', labelNames: ['method', 'code'], registers: [r] });
  const duration = new Histogram({ name: 'd_seconds', help: 'h', labelNames: ['method'], buckets: [...CALL_DURATION_BUCKETS_S], registers: [r] });
  return (method, code, s) => {
    calls.inc({ method, code });
    duration.observe({ method }, s);
  };
}

function tally(): (method: string, code: string, s: number) => void {
  const m = edgeMetrics(new Registry());
  return (method, code, s) => m.observe(method, code, s);
}

for (let round = 1; round <= ROUNDS; round++) {
  const a = cpuNsPerCall(promClient());
  const b = cpuNsPerCall(tally());
  console.log(`round ${round}: prom-client labels ${a.toFixed(0)} ns/call, tally ${b.toFixed(0)} ns/call (${CALLS.toLocaleString('en')} calls each, process CPU)`);
}
