// CPU a 3-node stockd cluster spends with no client load (heartbeats, ticks, timers,
// metrics collection), per node. On a loaded machine, where a point serves few calls per
// second, this fixed cost is a large part of the "server CPU µs per call" the bench
// reports: it divides by the calls served.
// Run: node dist/bench/idle-cpu.js [seconds] [--profile DIR]
// --profile DIR: every node writes a V8 .cpuprofile into DIR (read it with
// dist/bench/profile/summarize.js or owners.js; start-up is in it, the idle tail is the
// last `seconds`).
import os from 'node:os';
import { startStockraft } from './targets/stockraft-cluster.js';
import { cpuSeconds } from './lib/proc-cpu.js';
import { sleep } from './lib/procs.js';

const SETTLE_MS = 3000;
const args = process.argv.slice(2);
const profile_at = args.indexOf('--profile');
const profile_dir = profile_at >= 0 ? args.splice(profile_at, 2)[1] : undefined;
if (profile_at >= 0 && profile_dir === undefined) throw new Error('--profile: needs a directory');
const seconds = Number(args[0] ?? 10);
if (!Number.isFinite(seconds) || seconds < 1 || seconds > 600) throw new Error(`seconds: must be 1..600, got ${args[0]}`);

const cluster = await startStockraft({ nodes: 3, log: (l) => console.log(l), node_flags: profile_dir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profile_dir}`] });
try {
  await sleep(SETTLE_MS);
  const pids = cluster.nodes.map((n) => n.proc.pid);
  const before = pids.map(cpuSeconds);
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const after = pids.map(cpuSeconds);
  const elapsed_s = (performance.now() - t0) / 1000;
  const shares = pids.map((_, i) => {
    const a = before[i];
    const b = after[i];
    return a === null || a === undefined || b === null || b === undefined ? '?' : `${((100 * (b - a)) / elapsed_s).toFixed(1)}%`;
  });
  console.log(`idle CPU per node over ${elapsed_s.toFixed(1)} s (% of one core): ${cluster.nodes.map((n, i) => `${n.id} ${shares[i]}`).join(', ')}; load average ${os.loadavg()[0]!.toFixed(1)}`);
} finally {
  await cluster.stop();
}
