// stockd_event_loop_delay_seconds is sampled by the node's raft ticks (no timer of its
// own): a stall of the event loop shows up as a late tick, in the gauge's max.

import t from 'tap';
import { NodeLoop, type LoopParts } from '../../src/node/node-loop.js';
import { NodeMetrics } from '../../src/node/node-metrics.js';

const TICK_MS = 20;
const STALL_MS = 300;

/** A loop whose core never has a Ready: only the tick path runs. */
function tickingLoop(metrics: NodeMetrics): { loop: NodeLoop; ticks: () => number } {
  let ticks = 0;
  const parts = {
    settings: { id: 'a', tick_ms: TICK_MS },
    state: { stopped: false, role: 'follower' },
    raft: { tick: () => void (ticks += 1), hasReady: () => false, step: () => undefined },
    metrics,
    expiry: { onTick: () => undefined },
    proposals: { queued: 0 },
    proposer: { proposeQueued: () => undefined },
    reads: { nextRound: () => undefined, wantsRound: () => false },
    compaction: { maybeCompact: async () => undefined },
  } as unknown as LoopParts;
  return { loop: new NodeLoop(parts), ticks: () => ticks };
}

async function delaySeconds(m: NodeMetrics, quantile: string): Promise<number | undefined> {
  return (await m.event_loop_delay.get()).values.find((v) => v.labels.quantile === quantile)?.value;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

t.test('a stalled event loop shows as a late tick in the delay gauge', async (t) => {
  const metrics = new NodeMetrics('a');
  const { loop, ticks } = tickingLoop(metrics);
  t.equal(await delaySeconds(metrics, 'max'), 0, 'nothing sampled yet: 0, not NaN');
  t.ok(loop.startTicking());
  await sleep(5 * TICK_MS);
  const t0 = performance.now();
  while (performance.now() - t0 < STALL_MS) {
    /* the stall: the event loop is held */
  }
  await sleep(5 * TICK_MS);
  loop.stopTicking();
  t.ok(ticks() >= 3, `the core was ticked (${ticks()} ticks)`);
  const max_s = await delaySeconds(metrics, 'max');
  t.ok(max_s !== undefined && max_s >= (STALL_MS - 2 * TICK_MS) / 1000, `max delay ${max_s} s covers the ${STALL_MS} ms stall`);
  t.equal(await delaySeconds(metrics, 'max'), 0, 'a scrape resets the window');
});
