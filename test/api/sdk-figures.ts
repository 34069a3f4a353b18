// Prints SDK throughput figures against a running cluster (not a test: no assertions).
//
//   cluster-scripts/start.sh --data /tmp/fig && node dist/test/api/sdk-figures.js 127.0.0.1:7401,127.0.0.1:7402,127.0.0.1:7403
//
// Three runs of adjusts: one at a time, 64 concurrent unbatched calls, and 2,000 concurrent
// calls gathered into Submit batches (max_delay_ms 2, max_ops 500).

import { StockraftClient } from '../../src/client/index.js';

const endpoints = (process.argv[2] ?? process.env['STOCKRAFT_ENDPOINTS'] ?? '127.0.0.1:7401,127.0.0.1:7402,127.0.0.1:7403').split(',');
const plain = new StockraftClient({ endpoints, deadline_ms: 30_000 });
const batched = new StockraftClient({ endpoints, deadline_ms: 30_000, batching: { max_delay_ms: 2, max_ops: 500 } });

async function run(name: string, client: StockraftClient, total: number, concurrency: number): Promise<void> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next++;
        const r = await client.adjust({ sku: `fig-${next % 50}`, location: 'wh', delta: 1 });
        if (r.code !== 'OK') throw new Error(`adjust answered ${r.code}`);
      }
    }),
  );
  const s = (performance.now() - t0) / 1000;
  console.log(`${name}: ${total} adjusts, concurrency ${concurrency}: ${(total / s).toFixed(0)} ops/s, mean latency ${((s * 1000 * concurrency) / total).toFixed(2)} ms`);
}

await plain.adjust({ sku: 'fig-warmup', location: 'wh', delta: 1 });
await run('sequential, unbatched', plain, 300, 1);
await run('concurrent, unbatched', plain, 3000, 64);
await run('concurrent, batched  ', batched, 20_000, 2000);
console.log(`batches: ${JSON.stringify(batched.batchStats())}`);
await plain.close();
await batched.close();
