// Figures of the durable node, measured on real stockd processes on loopback:
//   group-commit  writes/s and fsyncs/s on the leader of 3 nodes under 64 concurrent
//                 proposers (one command per call: the node packs concurrent calls into
//                 shared entries and shared fsyncs)
//   restart       time for a node holding 1,000,000 applied events to restart and serve
//   snapshot      time to install a snapshot of 100,000 positions on a new node
//
//   node dist/bench/node-figures.js [group-commit|restart|snapshot|all] [--seconds N]
//     [--events N] [--positions N]
//
// Proposals go through the StockTest service (--test-hooks), so the figures include its
// JSON encoding but not the client API's validation and forwarding.

import { StockdCluster, adjust } from '../test/server/cluster-harness.js';
import type { Command } from '../src/ledger/types.js';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return def;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name} must be a positive integer, got ${process.argv[i + 1]}`);
  return v;
}

async function metricValue(port: number, name: string): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  const text = await res.text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(name + '{') || line.startsWith(name + ' ')) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

async function groupCommit(seconds: number): Promise<void> {
  const c = await StockdCluster.start({ size: 3, metrics: true });
  try {
    const leader = await c.waitForLeader();
    const client = c.client(leader);
    const mport = c.nodes.get(leader)!.metrics_port!;
    // Warm the connections.
    await client.propose([adjust('warm', 'W', 'L', 1)]);
    const f0 = await metricValue(mport, 'stockd_fsync_seconds_count');
    const e0 = await metricValue(mport, 'stockd_entries_applied_total');
    let acks = 0;
    let errors = 0;
    let seq = 0;
    const until = Date.now() + seconds * 1000;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: 64 }, async (_, w) => {
        while (Date.now() < until) {
          const i = seq++;
          try {
            const r = await client.propose([adjust(`gc-${w}-${i}`, `SKU-${i % 1000}`, 'WH', 1)]);
            if (r[0]?.code === 'OK') acks++;
          } catch {
            errors++;
          }
        }
      }),
    );
    const secs = (performance.now() - t0) / 1000;
    const f1 = await metricValue(mport, 'stockd_fsync_seconds_count');
    const e1 = await metricValue(mport, 'stockd_entries_applied_total');
    console.log(`group-commit: 3 nodes, 64 concurrent proposers, 1 command per call, ${secs.toFixed(1)} s`);
    console.log(`  acknowledged writes/s on the leader: ${(acks / secs).toFixed(0)}  (errors ${errors})`);
    console.log(`  fsyncs/s on the leader:              ${((f1 - f0) / secs).toFixed(0)}`);
    console.log(`  raft entries/s applied:              ${((e1 - e0) / secs).toFixed(0)}  (${(acks / Math.max(1, e1 - e0)).toFixed(1)} writes per entry)`);
    console.log(`  writes per fsync:                    ${(acks / Math.max(1, f1 - f0)).toFixed(1)}`);
  } finally {
    await c.close();
  }
}

/** Loads `events` adjust events spread over `positions` positions, 1000 commands per call. */
async function load(c: StockdCluster, leader: string, events: number, positions: number, prefix: string): Promise<void> {
  const calls = Math.ceil(events / 1000);
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < calls) {
        const call = next++;
        const cmds: Command[] = [];
        for (let j = 0; j < 1000 && call * 1000 + j < events; j++) {
          const n = call * 1000 + j;
          cmds.push(adjust(`${prefix}-${n}`, `SKU-${(n % positions).toString().padStart(7, '0')}`, 'WH', 1));
        }
        const r = await c.client(leader).propose(cmds, 60_000);
        if (r.some((x) => x.code !== 'OK')) throw new Error(`load call ${call}: ${JSON.stringify(r.find((x) => x.code !== 'OK'))}`);
      }
    }),
  );
}

async function restart(events: number): Promise<void> {
  const c = await StockdCluster.start({ size: 1 });
  try {
    const leader = await c.waitForLeader();
    const t0 = performance.now();
    await load(c, leader, events, 10_000, 'rs');
    console.log(`restart: loaded ${events} events over 10000 positions in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const before = await c.client(leader).status();
    const ts = performance.now();
    await c.stop(leader, 120_000);
    console.log(`  SIGTERM to exit: ${(performance.now() - ts).toFixed(0)} ms`);
    const t1 = performance.now();
    await c.startNode(leader, true, 600_000);
    const t_serving = performance.now();
    await c.waitForLeader(600_000);
    const s = await c.client(leader).status();
    const t2 = performance.now();
    if (s.head_hash !== before.head_hash) throw new Error('head hash changed across the restart');
    const line = c.nodes.get(leader)!.output.find((l) => l.includes('"data dir loaded"'));
    const loaded = line ? (JSON.parse(line) as { load_ms: number; log_entries: number; positions: number }) : null;
    const load_ms = loaded ? `${loaded.load_ms} ms; ${loaded.log_entries} log entries above the compaction point, ${loaded.positions} positions` : '?';
    console.log(`  restart to serving (process start, data dir loaded, port bound): ${(t_serving - t1).toFixed(0)} ms (data dir load ${load_ms})`);
    console.log(`  restart to leader and answering status:                         ${(t2 - t1).toFixed(0)} ms (applied ${s.applied_index}, same head hash)`);
  } finally {
    await c.close();
  }
}

async function snapshot(positions: number): Promise<void> {
  const c = await StockdCluster.start({ size: 1 });
  try {
    const leader = await c.waitForLeader();
    const t0 = performance.now();
    await load(c, leader, positions, positions, 'sn');
    console.log(`snapshot: loaded ${positions} positions in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const target = (await c.client(leader).status()).applied_index;
    await c.startJoiner('n2');
    const t1 = performance.now();
    await c.client(leader).admin({ op: 'add_learner', id: 'n2', address: c.address('n2') });
    await c.waitFor('the learner to catch up', async () => ((await c.client('n2').status()).applied_index >= target ? true : undefined), 600_000, 20);
    const t2 = performance.now();
    const sent = c.nodes.get(leader)!.output.find((l) => l.includes('"snapshot sent"'));
    const inst = c.output('n2').split('\n').find((l) => l.includes('"snapshot installed"'));
    const s = sent ? (JSON.parse(sent) as { bytes: number; chunks: number; ms: number }) : null;
    const i = inst ? (JSON.parse(inst) as { ms: number; records: number; read_ms: number; write_ms: number; load_ms: number }) : null;
    console.log(`  add learner -> caught up: ${(t2 - t1).toFixed(0)} ms`);
    if (s) console.log(`  streamed ${(s.bytes / 1048576).toFixed(1)} MiB in ${s.chunks} chunks in ${s.ms} ms`);
    if (i) console.log(`  installed ${i.records} records (state, history, events) in ${i.ms} ms: read staged ${i.read_ms} ms, one synced LevelDB batch ${i.write_ms} ms, ledger load ${i.load_ms} ms`);
  } finally {
    await c.close();
  }
}

async function main(): Promise<void> {
  const what = process.argv[2] ?? 'all';
  if (!['group-commit', 'restart', 'snapshot', 'all'].includes(what)) throw new Error(`first argument must be group-commit|restart|snapshot|all, got ${what}`);
  if (what === 'group-commit' || what === 'all') await groupCommit(arg('seconds', 10));
  if (what === 'restart' || what === 'all') await restart(arg('events', 1_000_000));
  if (what === 'snapshot' || what === 'all') await snapshot(arg('positions', 100_000));
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
