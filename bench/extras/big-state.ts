// A cluster holding a large ledger: 1,000,000 positions (one Adjust event each) and
// 100,000 open reservations. Measures RSS per node, then the restart time of a node with
// over 1,000,000 applied events (kill -9, start, first linearizable read served).
import { sleep, stopProc } from '../lib/procs.js';
import { rssMib, rssSplitText } from '../lib/rss.js';
import type { RestartFigures, RssFigures } from '../report/model.js';
import { InventoryClient } from '../targets/inventory-client.js';
import { StockraftClient, type OpInput } from '../../src/client/index.js';
import { startStockraft, waitForLeader, SUBMIT_OPS_MAX } from '../targets/stockraft-cluster.js';

export const BIG_POSITIONS = 1_000_000;
export const BIG_OPEN_RESERVATIONS = 100_000;
const SEVEN_DAYS_MS = 7 * 24 * 3600 * 1000;
const PARALLEL_SUBMITS = 4;
const LOCATION = 'B1';
const IDLE_SETTLE_MS = 30_000;

const bigSku = (i: number): string => `BIG-${String(i).padStart(7, '0')}`;

async function submitAll(c: StockraftClient, total: number, make: (i: number) => OpInput, log: (l: string) => void, what: string): Promise<void> {
  const t0 = Date.now();
  let next = 0;
  let lastLog = t0;
  const lane = async (): Promise<void> => {
    // Bounded: each pass takes SUBMIT_OPS_MAX of `total`.
    while (next < total) {
      const start = next;
      next = Math.min(total, next + SUBMIT_OPS_MAX);
      const ops: OpInput[] = [];
      for (let i = start; i < next; i++) ops.push(make(i));
      // The SDK finds the leader and retries with the same ids after a leader change;
      // a replayed op answers OK again.
      const r = await c.submit(ops);
      const bad = r.find((x) => x.code !== 'OK');
      if (bad) throw new Error(`${what}: refused: ${JSON.stringify(bad)}`);
      if (Date.now() - lastLog > 5000) {
        lastLog = Date.now();
        log(`  ${what}: ${next.toLocaleString('en-US')} / ${total.toLocaleString('en-US')}`);
      }
    }
  };
  await Promise.all(Array.from({ length: PARALLEL_SUBMITS }, lane));
  log(`  ${what}: ${total.toLocaleString('en-US')} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

export async function measureBigState(log: (l: string) => void): Promise<{ rss: RssFigures; restart: RestartFigures }> {
  const cluster = await startStockraft({ nodes: 3, log });
  try {
    const leader = await waitForLeader(cluster.endpoints, 30_000);
    const c = new StockraftClient({ endpoints: [leader, ...cluster.endpoints.filter((e) => e !== leader)], deadline_ms: 120_000, attempts_max: 20 });
    try {
      await submitAll(c, BIG_POSITIONS, (i) => ({ kind: 'adjust', op_id: `big-a-${i}`, sku: bigSku(i), location: LOCATION, delta: 1000, reason: 'bench', reference: 'big' }), log, 'positions');
      await submitAll(
        c,
        BIG_OPEN_RESERVATIONS,
        (i) => ({ kind: 'reserve', reservation_id: `big-r-${i}`, lines: [{ sku: bigSku((i * 7) % BIG_POSITIONS), location: LOCATION, quantity: 1 }], ttl_ms: SEVEN_DAYS_MS, order_ref: 'big' }),
        log,
        'open reservations',
      );
    } finally {
      c.close();
    }
    await waitAllApplied(cluster.endpoints);
    // Right after the load, and again once the nodes have been idle long enough for their
    // idle heap compaction (src/server/idle-gc.ts: a few seconds on a follower, 10-12 s on
    // a leader). The second is the figure: what a node holding this state keeps.
    await sleep(3000);
    const after_load = cluster.nodes.map((n) => rssMib(n.proc.pid));
    log(`  RSS per node right after the load: ${after_load.map((v) => v.toFixed(0)).join(' / ')} MiB (${cluster.nodes.map((n) => rssSplitText(n.proc.pid)).join(' / ')})`);
    await sleep(IDLE_SETTLE_MS);
    const rss = cluster.nodes.map((n) => rssMib(n.proc.pid));
    const leader_now = await waitForLeader(cluster.endpoints, 30_000);
    const leader_id = cluster.nodes.find((n) => n.address === leader_now)?.id ?? leader_now;
    log(`  RSS per node after ${IDLE_SETTLE_MS / 1000} s idle: ${rss.map((v) => v.toFixed(0)).join(' / ')} MiB (${cluster.nodes.map((n) => rssSplitText(n.proc.pid)).join(' / ')}); leader ${leader_id}`);

    // Restart a follower: kill -9, start, time to the first linearizable read it serves.
    const lead = await waitForLeader(cluster.endpoints, 30_000);
    const idx = cluster.nodes.findIndex((n) => n.address !== lead);
    const node = cluster.nodes[idx];
    await stopProc(node.proc, 'SIGKILL');
    const t0 = performance.now();
    await cluster.restart(idx);
    const probe = new InventoryClient(node.address, 2000);
    let restart_ms = NaN;
    try {
      const deadline = Date.now() + 300_000;
      while (Date.now() < deadline) {
        try {
          const r = await probe.getPosition(bigSku(0), LOCATION);
          if (r.found) {
            restart_ms = performance.now() - t0;
            break;
          }
        } catch {
          await sleep(20);
        }
      }
    } finally {
      probe.close();
    }
    if (!Number.isFinite(restart_ms)) throw new Error(`restart: ${node.id} did not serve a read within 300 s`);
    log(`  restart of ${node.id}: serving after ${restart_ms.toFixed(0)} ms`);
    // A restarted node holds the loaded state without what applying the load left behind.
    await sleep(3000);
    log(`  RSS of ${node.id} after its restart: ${rssMib(node.proc.pid).toFixed(0)} MiB (${rssSplitText(node.proc.pid)})`);
    await sleep(IDLE_SETTLE_MS);
    log(`  RSS of ${node.id} ${IDLE_SETTLE_MS / 1000} s later: ${rssMib(node.proc.pid).toFixed(0)} MiB (${rssSplitText(node.proc.pid)})`);
    return {
      rss: { positions: BIG_POSITIONS, open_reservations: BIG_OPEN_RESERVATIONS, rss_mib_per_node: rss, rss_mib_per_node_after_load: after_load, idle_s: IDLE_SETTLE_MS / 1000 },
      restart: { applied_events: BIG_POSITIONS + BIG_OPEN_RESERVATIONS, restart_ms },
    };
  } finally {
    await cluster.stop();
  }
}

async function waitAllApplied(endpoints: readonly string[]): Promise<void> {
  const clients = endpoints.map((e) => new InventoryClient(e, 2000));
  try {
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      const s = await Promise.all(clients.map((c) => c.status().catch(() => null)));
      const applied = s.map((x) => x?.applied_index ?? -1);
      const commit = Math.max(...s.map((x) => x?.commit_index ?? 0));
      if (applied.every((a) => a >= commit)) return;
      await sleep(200);
    }
    throw new Error('big state: nodes did not all apply within 120 s');
  } finally {
    for (const c of clients) c.close();
  }
}
