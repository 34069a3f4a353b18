// A burst of reservations falling due together is more than one entry may expire
// (EXPIRIES_PER_ENTRY_MAX): the leader keeps proposing time ticks while any are due, so
// the whole burst expires within a few ticks, on every node, with no command needed.
// Fails if the ledger stops at the bound and the leader does not tick again (reserved
// stock would stay held), or if any node disagrees.

import t from 'tap';
import { adjust, StockdCluster } from './cluster-harness.js';
import type { Command } from '../../src/ledger/types.js';
import { EXPIRIES_PER_ENTRY_MAX, SUBMIT_OPS_MAX, TTL_MS_MIN } from '../../src/ledger/limits.js';

const BATCHES = 3;
/** Polls for the drain: bounded, 100 ms apart. */
const POLLS_MAX = 300;

t.test('a burst of due reservations larger than one entry expires through repeated ticks', async (t) => {
  const reservations = BATCHES * SUBMIT_OPS_MAX;
  t.ok(reservations > 2 * EXPIRIES_PER_ENTRY_MAX, `${reservations} reservations need at least three entries to expire`);
  const c = await StockdCluster.start({ size: 3 });
  t.teardown(() => c.close());
  const leader = await c.waitForLeader(60_000);
  const [stocked] = await c.client(leader).propose([adjust('drain-stock', 'DRAIN', 'WH1', reservations)], 30_000);
  t.equal(stocked.code, 'OK', 'stock received');

  for (let b = 0; b < BATCHES; b++) {
    const batch: Command[] = Array.from({ length: SUBMIT_OPS_MAX }, (_, i) => ({
      kind: 'reserve' as const,
      reservation_id: `drain-${b}-${i}`,
      lines: [{ sku: 'DRAIN', location: 'WH1', quantity: 1 }],
      ttl_ms: TTL_MS_MIN,
      order_ref: 'drain',
    }));
    const results = await c.client(leader).propose(batch, 30_000);
    t.ok(results.every((r) => r.code === 'OK'), `batch ${b}: ${SUBMIT_OPS_MAX} reserves made`);
  }
  const held = await c.client(leader).position('DRAIN', 'WH1', true);
  t.ok(held !== null && held.reserved > 0, `reserved right after the reserves: ${held?.reserved}`);

  let reserved = Number.NaN;
  for (let poll = 0; poll < POLLS_MAX; poll++) {
    const p = await c.client(leader).position('DRAIN', 'WH1', true);
    reserved = p?.reserved ?? Number.NaN;
    if (reserved === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  t.equal(reserved, 0, 'every reservation expired on the leader');
  const converged = await c.waitConverged(30_000);
  t.ok(converged.applied_index > 0, `converged at ${converged.applied_index}`);
  for (const id of c.nodes.keys()) {
    const p = await c.client(id).position('DRAIN', 'WH1', false);
    t.match(p, { on_hand: reservations, reserved: 0 }, `${id}: stock back, nothing reserved`);
  }
  const last = await c.client(leader).outcomes([`drain-${BATCHES - 1}-${SUBMIT_OPS_MAX - 1}`]);
  t.match(last[0], { code: 'OK' }, 'the reserve outcome is kept after expiry');
});
