// The sdk-batch workload: every closed-loop client is a caller of one shared
// StockraftClient per worker process with opt-in batching, each doing single-line
// Reserves. The SDK gathers the concurrent calls into Submit batches.
import { StockraftClient } from '../../src/client/index.js';
import type { PointSpec } from '../load/spec.js';
import { Refusal, type Session } from '../load/session.js';
import { keyChooser, seededRng, skuName } from '../lib/keys.js';
import { BENCH_TTL_MS } from './stockraft-session.js';

/** Batching settings used by the benchmark: a batch leaves after 2 ms or 1000 ops, with
 * at most SDK_BATCHES_INFLIGHT_MAX batches on the wire per generator process (while all
 * are out, the open batch keeps gathering). */
export const SDK_BATCH_DELAY_MS = 2;
export const SDK_BATCH_OPS_MAX = 1000;
export const SDK_BATCHES_INFLIGHT_MAX = 4;

export function sdkSession(spec: PointSpec): Session {
  const client = new StockraftClient({
    endpoints: spec.leader !== null ? [spec.leader, ...spec.endpoints.filter((e) => e !== spec.leader)] : spec.endpoints,
    deadline_ms: spec.deadline_ms,
    batching: { max_delay_ms: SDK_BATCH_DELAY_MS, max_ops: SDK_BATCH_OPS_MAX, batches_inflight_max: SDK_BATCHES_INFLIGHT_MAX },
  });
  const rng = seededRng(spec.seed + spec.worker_index * 7919);
  const nextKey = keyChooser(spec.dist, spec.keys, rng);
  const idPrefix = `s${spec.seed.toString(36)}-${spec.worker_index}-`;
  let counter = 0;
  return {
    async op(): Promise<number> {
      const r = await client.reserve({
        reservation_id: `${idPrefix}${(counter++).toString(36)}`,
        lines: [{ sku: skuName(nextKey()), location: spec.location, quantity: 1 }],
        ttl_ms: BENCH_TTL_MS,
        order_ref: 'bench-order',
      });
      if (r.code !== 'OK') throw new Refusal(`sdk reserve: ${r.code}`);
      return 1;
    },
    async close(): Promise<void> {
      client.close();
    },
  };
}
