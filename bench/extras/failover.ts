// Failover: with writes flowing, kill -9 the leader and time how long until a write issued
// after the kill is acknowledged. The killed node is restarted between trials.
import { sleep, stopProc } from '../lib/procs.js';
import { skuName } from '../lib/keys.js';
import type { FailoverFigures } from '../report/model.js';
import { InventoryClient } from '../targets/inventory-client.js';
import { preloadStockraft, startStockraft, waitForLeader, type StockraftCluster } from '../targets/stockraft-cluster.js';

const WRITERS = 16;
/** Per-write deadline: short, so a writer stuck on the dead leader tries again soon. */
const WRITE_DEADLINE_MS = 500;
/** A trial in which writes do not come back within this is recorded as this long. */
const TRIAL_TIMEOUT_MS = 20_000;
const KEYS = 1000;

function median(v: readonly number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export async function measureFailover(trials: number, log: (l: string) => void): Promise<FailoverFigures> {
  const cluster = await startStockraft({ nodes: 3, log });
  const clients = cluster.endpoints.map((e) => new InventoryClient(e, WRITE_DEADLINE_MS));
  let stop = false;
  try {
    let leader = await waitForLeader(cluster.endpoints, 30_000);
    await preloadStockraft([leader, ...cluster.endpoints.filter((e) => e !== leader)], KEYS, 'L1', 1_000_000_000, 'failover');
    // Writers spread over every node (followers forward to the leader), like clients that
    // do not know where the leader is. `lastOkIssued` is the issue time of the latest
    // acknowledged write.
    let lastOkIssued = 0;
    let seq = 0;
    const writer = async (w: number): Promise<void> => {
      let i = w;
      while (!stop) {
        const c = clients[i++ % clients.length];
        const issued = performance.now();
        try {
          const r = await c.reserve({ reservation_id: `fo-${w}-${seq++}`, lines: [{ sku: skuName(seq % KEYS), location: 'L1', quantity: 1 }], ttl_ms: 10_000, order_ref: 'failover' });
          if (r.code === 'OK' && issued > lastOkIssued) lastOkIssued = issued;
        } catch {
          await sleep(5);
        }
      }
    };
    const writers = Array.from({ length: WRITERS }, (_, w) => writer(w));
    const recovery: number[] = [];
    for (let t = 0; t < trials; t++) {
      await sleep(1000);
      leader = await waitForLeader(cluster.endpoints, 30_000);
      const idx = cluster.nodes.findIndex((n) => n.address === leader);
      if (idx < 0) throw new Error(`failover: leader ${leader} is not one of ours`);
      const victim = cluster.nodes[idx];
      const killedAt = performance.now();
      await stopProc(victim.proc, 'SIGKILL');
      // Bounded by TRIAL_TIMEOUT_MS.
      while (lastOkIssued < killedAt && performance.now() - killedAt < TRIAL_TIMEOUT_MS) await sleep(5);
      const ms = lastOkIssued >= killedAt ? performance.now() - killedAt : TRIAL_TIMEOUT_MS;
      recovery.push(ms);
      log(`  failover trial ${t + 1}/${trials}: killed leader ${victim.id}, writes back after ${ms.toFixed(0)} ms`);
      await cluster.restart(idx);
      await waitCaughtUp(cluster, idx);
    }
    stop = true;
    await Promise.all(writers);
    return { trials, recovery_ms: recovery, p50_ms: median(recovery), max_ms: Math.max(...recovery) };
  } finally {
    stop = true;
    for (const c of clients) c.close();
    await cluster.stop();
  }
}

/** Waits until restarted node i answers Status with an applied index near the leader's. */
async function waitCaughtUp(cluster: StockraftCluster, i: number): Promise<void> {
  const c = new InventoryClient(cluster.endpoints[i], 1000);
  const deadline = Date.now() + 30_000;
  try {
    while (Date.now() < deadline) {
      try {
        const s = await c.status();
        if (s.leader_id !== '' && s.commit_index - s.applied_index < 100) return;
      } catch {
        // starting
      }
      await sleep(100);
    }
    throw new Error(`failover: ${cluster.nodes[i].id} did not catch up within 30 s after restart`);
  } finally {
    c.close();
  }
}
