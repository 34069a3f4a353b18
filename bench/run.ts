// `npm run bench`: Stockraft against the echo ceiling and etcd, on this machine, in one run.
// See BENCHMARKS.md for what is measured and the latest figures.
import { Command, Option } from 'commander';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { KEY_DISTS, type KeyDist } from './lib/keys.js';
import { machineInfo } from './lib/machine.js';
import { killAllSync, stopAll } from './lib/procs.js';
import { runPoint, WORKERS_MAX, type PointResult } from './load/driver.js';
import { ECHO_WORKLOADS, ETCD_WORKLOADS, STOCKRAFT_WORKLOADS, type PointSpec, type SystemName, type WorkloadName } from './load/spec.js';
import { startEcho } from './targets/echo-reference.js';
import { ensureEtcd, preloadEtcd, startEtcdCluster } from './targets/etcd-cluster.js';
import { reserveSizes } from './targets/reserve-size.js';
import { preloadStockraft, startStockraft, waitForLeader } from './targets/stockraft-cluster.js';
import { InventoryClient } from './targets/inventory-client.js';
import { runExtras, type ExtraName, EXTRA_NAMES } from './extras/run-extras.js';
import { evaluateTargets, SDK_CALLERS } from './report/targets.js';
import { pointsText, reportMarkdown, targetsText, extrasLines } from './report/markdown.js';
import { reportHtml } from './report/plot.js';
import type { RunReport } from './report/model.js';
import { cpuSeconds, totalCpuSeconds } from './lib/proc-cpu.js';
import { loadProfile, profileText, summarizeProfile } from './profile/cpuprofile.js';
import os from 'node:os';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const KEYS = 10_000;
const LOCATION = 'L1';
/** Ample stock: no reserve of the run can run a SKU dry. */
const STOCK_UNITS = 1_000_000_000;
/** Extra warm-up of the first point on freshly started servers (one per workload for
 * Stockraft and etcd): V8 has not yet compiled their hot paths, and the first seconds of a
 * cold node ran at half the rate of a warm one (GetPosition: 2,939 then 4,679 calls/s). */
const COLD_WARMUP_EXTRA_MS = 3_000;
const CLIENTS_MAX = 4096;
const DEADLINE_MS = 10_000;

function list(v: string): string[] {
  return v.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

function intList(field: string, v: string, max: number): number[] {
  return list(v).map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 1 || n > max) throw new Error(`${field}: each value must be an integer in 1..${max}, got ${s}`);
    return n;
  });
}

function positive(field: string, v: string, max: number): number {
  const n = Number(v);
  if (!(n > 0 && n <= max)) throw new Error(`${field}: must be a number in (0, ${max}], got ${v}`);
  return n;
}

interface Options {
  quick: boolean;
  compare: string[];
  workloads?: string;
  clients?: string;
  durationS?: string;
  warmupS?: string;
  dists?: string;
  workers?: string;
  echo: boolean;
  stockraft: boolean;
  extras?: string;
  failoverTrials: string;
  channels: string;
  outDir: string;
  profile: boolean;
  nodeFlags?: string;
  nodes: string;
}

/** Cluster sizes the workload points may run on. The targets are stated for 3 nodes; one
 * node is the like-for-like comparison with the single echo process (the same gRPC path
 * and ledger, without replication), 5 shows what two more replicas cost. */
const NODE_COUNTS = [1, 3, 5] as const;

const log = (l: string): void => {
  process.stdout.write(`${l}\n`);
};

async function main(): Promise<void> {
  const program = new Command()
    .name('bench')
    .description('Stockraft against the echo ceiling of grpc-js and against etcd, on loopback')
    .option('--quick', 'a short run (under 2 minutes): 64 clients, uniform keys, 3 s per point, no failover/restart/RSS', false)
    .option('--compare <system>', 'also run a reference system (etcd); repeatable', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--workloads <list>', `Stockraft workloads (${STOCKRAFT_WORKLOADS.join(',')}), or none (only the extras)`)
    .option('--clients <list>', 'closed-loop client counts (default 1,4,16,64,256)')
    .option('--duration-s <n>', 'measured seconds per point (default 10, quick 3)')
    .option('--warmup-s <n>', 'warm-up seconds per point, not measured (default 2, quick 1)')
    .option('--dists <list>', 'key distributions: uniform,zipf (default both, quick uniform)')
    .option('--workers <n>', 'load-generator processes at most (default: number of CPUs)')
    .option('--no-echo', 'skip the echo reference')
    .option('--no-stockraft', 'skip Stockraft (references only)')
    .addOption(new Option('--extras <list>', `extra figures: ${EXTRA_NAMES.join(',')} or none (default all, quick none)`))
    .option('--failover-trials <n>', 'kill -9 trials for the failover figure', '10')
    .option('--channels <n>', 'HTTP/2 connections per endpoint per load-generator process', '2')
    .option('--profile', 'run the stockd nodes with --cpu-prof and print their hot spots', false)
    .option('--nodes <n>', `stockd nodes in the cluster the workloads run on (${NODE_COUNTS.join(', ')}); the extras always use 3`, '3')
    .option('--node-flags <flags>', 'extra Node.js flags for the stockd processes only, space-separated (e.g. "--max-semi-space-size=32"); the report records them')
    .option('--out-dir <dir>', 'where results are written', path.join(REPO, 'bench/results'));
  program.parse();
  const o = program.opts<Options>();

  const quick = o.quick;
  const clients = o.clients ? intList('--clients', o.clients, CLIENTS_MAX) : quick ? [64] : [1, 4, 16, 64, 256];
  const duration_s = o.durationS ? positive('--duration-s', o.durationS, 3600) : quick ? 3 : 10;
  const warmup_s = o.warmupS !== undefined ? Number(o.warmupS) : quick ? 1 : 2;
  if (!(warmup_s >= 0 && warmup_s <= 600)) throw new Error(`--warmup-s: must be in 0..600, got ${o.warmupS}`);
  const dists = (o.dists ? list(o.dists) : quick ? ['uniform'] : [...KEY_DISTS]) as KeyDist[];
  for (const d of dists) if (!KEY_DISTS.includes(d)) throw new Error(`--dists: unknown distribution ${d} (known: ${KEY_DISTS.join(',')})`);
  const workloads = (o.workloads === 'none' ? [] : o.workloads ? list(o.workloads) : [...STOCKRAFT_WORKLOADS]) as WorkloadName[];
  for (const w of workloads) if (!STOCKRAFT_WORKLOADS.includes(w)) throw new Error(`--workloads: unknown workload ${w} (known: ${STOCKRAFT_WORKLOADS.join(',')})`);
  for (const c of o.compare) if (c !== 'etcd') throw new Error(`--compare: unknown system ${c} (known: etcd)`);
  const workers = o.workers ? intList('--workers', o.workers, WORKERS_MAX)[0] : Math.min(WORKERS_MAX, machineInfo().nproc);
  const channels = intList('--channels', o.channels, 64)[0];
  const failoverTrials = intList('--failover-trials', o.failoverTrials, 100)[0];
  const extras = (o.extras ? (o.extras === 'none' ? [] : list(o.extras)) : quick ? [] : [...EXTRA_NAMES]) as ExtraName[];
  for (const e of extras) if (!EXTRA_NAMES.includes(e)) throw new Error(`--extras: unknown ${e} (known: ${EXTRA_NAMES.join(',')}, none)`);
  if (!o.stockraft && extras.length > 0) throw new Error('--extras: need Stockraft (drop --no-stockraft or pass --extras none)');

  const nodes = Number(o.nodes);
  if (!(NODE_COUNTS as readonly number[]).includes(nodes)) throw new Error(`--nodes: must be one of ${NODE_COUNTS.join(', ')}, got ${o.nodes}`);
  const nodeFlags = o.nodeFlags ? o.nodeFlags.split(/\s+/).filter((f) => f !== '') : [];
  for (const f of nodeFlags) if (!/^--[a-z0-9-]+(=[A-Za-z0-9._/=-]+)?$/.test(f)) throw new Error(`--node-flags: not a Node.js flag: ${f}`);
  const echoSizes = reserveSizes();
  const machine = machineInfo();
  const date = new Date().toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  log(`bench ${date}: ${machine.cpu_model}, ${machine.nproc} CPUs, ${machine.memory_mib} MiB`);
  log(`clients ${clients.join(',')}; ${duration_s} s per point after ${warmup_s} s warm-up; keys ${dists.join(',')}; up to ${workers} generator processes`);

  const points: PointResult[] = [];
  const notes: string[] = [];
  if (nodes !== 3) notes.push(`the workloads ran on ${nodes} stockd node${nodes === 1 ? '' : 's'} (--nodes ${nodes}); the targets are stated for 3`);
  let etcdVersion: string | null = null;
  // The SDK workload is about many concurrent callers: 256 always, plus the larger counts.
  const sdkClients = quick ? [SDK_CALLERS] : [...new Set([...clients.filter((c) => c >= 16), SDK_CALLERS])].sort((a, b) => a - b);

  type Plan = { system: SystemName; workload: WorkloadName; dist: KeyDist; clients: number };
  const planFor = (system: SystemName, ws: readonly WorkloadName[], ds: readonly KeyDist[]): Plan[] =>
    ws.flatMap((workload) => ds.flatMap((dist) => (workload === 'sdk-batch' ? sdkClients : clients).map((c) => ({ system, workload, dist, clients: c }))));
  const plans: Plan[] = [
    ...(o.echo ? planFor('echo', ECHO_WORKLOADS, ['uniform']) : []),
    ...(o.stockraft ? planFor('stockraft', workloads, dists) : []),
    ...(o.compare.includes('etcd') ? planFor('etcd', ETCD_WORKLOADS, dists) : []),
  ];
  let done = 0;
  /** `findLeader`, when given, runs before every point: a point starts only once the
   * cluster has a leader again (a heavy point before it may have cost an election), and
   * its writes go to that leader. */
  const runPlans = async (
    system: SystemName,
    workload: WorkloadName | null,
    endpoints: readonly string[],
    pids: readonly number[],
    firstLeader: string | null,
    findLeader?: () => Promise<string>,
  ): Promise<void> => {
    let leader = firstLeader;
    let first = true;
    for (const p of plans.filter((x) => x.system === system && (workload === null || x.workload === workload))) {
      if (findLeader) leader = await findLeader();
      done++;
      log(`[${done}/${plans.length}] ${p.system} ${p.workload} ${p.system === 'echo' ? '' : `${p.dist} `}${p.clients} clients`);
      const base: Omit<PointSpec, 'clients' | 'worker_index'> = {
        system: p.system,
        workload: p.workload,
        dist: p.dist,
        // Freshly started servers run cold code: their first point warms up longer.
        warmup_ms: Math.round(warmup_s * 1000) + (first ? COLD_WARMUP_EXTRA_MS : 0),
        duration_ms: Math.round(duration_s * 1000),
        endpoints,
        leader,
        keys: KEYS,
        location: LOCATION,
        seed: Math.floor(Math.random() * 2 ** 31),
        echo: echoSizes,
        channels_per_endpoint: channels,
        deadline_ms: DEADLINE_MS,
      };
      first = false;
      try {
        const cpu = serverCpuWindow(pids, base.warmup_ms);
        const entries = system === 'stockraft' && leader !== null ? entryWindow(leader, base.warmup_ms) : null;
        const measured = await runPoint(base, p.clients, workers, (l) => log(l));
        const entries_s = entries === null ? null : await entries.perSecond();
        if (entries_s !== null && entries_s > 0) log(`  raft entries committed: ${Math.round(entries_s)}/s, ${(measured.units_s / entries_s).toFixed(1)} ledger ops per entry`);
        const server_cores = cpu.cores();
        const r = server_cores === null || measured.ops_s <= 0 ? measured : { ...measured, server_cpu_us_per_call: (server_cores * 1e6) / measured.ops_s };
        points.push(r);
        if (pids.length > 1 && measured.ops_s > 0) {
          const by = cpu.coresByProcess().map((c, i) => `${endpoints[i] ?? `pid ${pids[i]}`}${endpoints[i] === leader ? ' (leader)' : ''} ${c === null ? '?' : Math.round((c * 1e6) / measured.ops_s)}`);
          log(`  server cpu µs/call by process: ${by.join(', ')}`);
        }
        log(`  => ${Math.round(r.units_s)} ops/s, p50 ${r.latency.p50_ms.toFixed(2)} ms, p99 ${r.latency.p99_ms.toFixed(2)} ms, p99.9 ${r.latency.p999_ms.toFixed(2)} ms${r.errors ? `, ${r.errors} errors (${r.error_samples[0]})` : ''}${r.refusals ? `, ${r.refusals} refused` : ''}, busiest generator at ${Math.round(r.generator_cpu_max * 100)}% of a CPU`);
      } catch (e) {
        const msg = `${p.system} ${p.workload} ${p.dist} ${p.clients}: failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`;
        log(`  !! ${msg}`);
        notes.push(msg);
      }
    }
  };

  // A system that cannot be started is recorded as a note; the others still run, so one
  // broken piece does not throw away the rest of a long run.
  const section = async (name: string, body: () => Promise<void>): Promise<void> => {
    try {
      await body();
    } catch (e) {
      const msg = `${name}: not measured: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`;
      log(`  !! ${msg}`);
      notes.push(msg);
    }
  };

  if (o.echo) {
    await section('echo', async () => {
      const echo = await startEcho(echoSizes);
      log(`echo: server at ${echo.endpoint}, ${echoSizes.request_bytes} B requests, ${echoSizes.response_bytes} B replies`);
      try {
        await runPlans('echo', null, [echo.endpoint], [echo.proc.pid], null);
      } finally {
        await echo.stop();
      }
    });
  }

  let failover: RunReport['failover'] = null;
  let restart: RunReport['restart'] = null;
  let rss: RunReport['rss'] = null;
  let profileSummaries: string[] = [];
  if (o.stockraft) {
    // Each workload runs on a fresh cluster holding only the preloaded SKUs, so no point
    // carries the state an earlier workload left (a full run reserves well over a million
    // times, and a node holding that much state spends more on every call: Submit x100
    // cost 201 us per reserve at the end of a run on one cluster, 129-170 on a fresh one).
    if (workloads.length > 0) await section('stockraft', async () => {
      const profDir = o.profile ? fs.mkdtempSync(path.join(os.tmpdir(), 'stockraft-bench-prof-')) : null;
      for (const workload of workloads) {
        const cluster = await startStockraft({ nodes, log, node_flags: [...nodeFlags, ...(profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [])] });
        try {
          const leader = await waitForLeader(cluster.endpoints, 30_000);
          log(`stockraft (${workload}): leader ${leader}; preloading ${KEYS} SKUs`);
          await preloadStockraft([leader, ...cluster.endpoints.filter((e) => e !== leader)], KEYS, LOCATION, STOCK_UNITS, date);
          await runPlans('stockraft', workload, cluster.endpoints, cluster.nodes.map((n) => n.proc.pid), leader, () => waitForLeader(cluster.endpoints, 60_000));
        } finally {
          await cluster.stop();
        }
      }
      if (profDir !== null) profileSummaries = summarizeProfiles(profDir, path.join(o.outDir, `${date}-profile`));
    });
    if (extras.length > 0) {
      const x = await runExtras(extras, { log, failover_trials: failoverTrials, workers, channels });
      failover = x.failover;
      restart = x.restart;
      rss = x.rss;
    }
  }

  if (o.compare.includes('etcd')) {
    await section('etcd', async () => {
      const bin = ensureEtcd(log);
      // A fresh cluster per workload here too (see the Stockraft section).
      for (const workload of ETCD_WORKLOADS) {
        const etcd = await startEtcdCluster(bin, log);
        etcdVersion = etcd.version;
        try {
          log(`etcd (${workload}): preloading ${KEYS} keys`);
          await preloadEtcd(etcd.endpoints[0], KEYS, STOCK_UNITS);
          await runPlans('etcd', workload, etcd.endpoints, etcd.procs.map((p) => p.pid), null);
        } finally {
          await etcd.stop();
        }
      }
    });
  }

  const report: RunReport = {
    date,
    command,
    machine,
    loadavg_end_1m: os.loadavg()[0],
    config: {
      clients,
      dists,
      duration_s,
      warmup_s,
      workers,
      keys: KEYS,
      systems: [...(o.echo ? ['echo'] : []), ...(o.stockraft ? ['stockraft'] : []), ...o.compare],
      echo_request_bytes: echoSizes.request_bytes,
      echo_response_bytes: echoSizes.response_bytes,
      etcd_version: etcdVersion,
    },
    points,
    failover,
    restart,
    rss,
    targets: evaluateTargets(points, failover, rss),
    notes,
  };
  fs.mkdirSync(o.outDir, { recursive: true });
  const json = path.join(o.outDir, `${date}.json`);
  const html = path.join(o.outDir, `${date}.html`);
  const md = path.join(o.outDir, `${date}.md`);
  const rel = (p: string): string => path.relative(REPO, p);
  fs.writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  fs.writeFileSync(html, reportHtml(report));
  fs.writeFileSync(md, reportMarkdown(report, { json: rel(json), html: rel(html) }));
  log('');
  log(pointsText(points));
  log('');
  log(targetsText(report.targets));
  for (const l of extrasLines(report)) log(l);
  for (const n of notes) log(`note: ${n}`);
  for (const p of profileSummaries) log(p);
  log('');
  log(`wrote ${rel(json)}, ${rel(html)}, ${rel(md)}`);
}

/** Server CPU over a point's measured window: sampled when the warm-up ends and again when
 * `cores()` is called (right after the point); null if a server died or the point ended
 * before its warm-up did. */
function serverCpuWindow(pids: readonly number[], warmup_ms: number): { cores(): number | null; coresByProcess(): (number | null)[] } {
  let start: { cpu_s: number; by_pid: (number | null)[]; at_ms: number } | null = null;
  let end_by_pid: (number | null)[] = [];
  let end_ms = 0;
  const timer = setTimeout(() => {
    const cpu_s = totalCpuSeconds(pids);
    if (cpu_s !== null) start = { cpu_s, by_pid: pids.map(cpuSeconds), at_ms: performance.now() };
  }, warmup_ms);
  return {
    cores(): number | null {
      clearTimeout(timer);
      end_by_pid = pids.map(cpuSeconds);
      end_ms = performance.now();
      const end = totalCpuSeconds(pids);
      if (start === null || end === null) return null;
      const elapsed_s = (end_ms - start.at_ms) / 1000;
      return elapsed_s > 0 ? (end - start.cpu_s) / elapsed_s : null;
    },
    /** Each process's share of cores() (same window; call after cores()): which node spends it. */
    coresByProcess(): (number | null)[] {
      const s = start;
      if (s === null) return pids.map(() => null);
      const elapsed_s = (end_ms - s.at_ms) / 1000;
      return pids.map((_, i) => {
        const a = s.by_pid[i];
        const b = end_by_pid[i];
        return a === null || a === undefined || b === null || b === undefined || elapsed_s <= 0 ? null : (b - a) / elapsed_s;
      });
    },
  };
}

/** The leader's commit index over the measured window (from the end of the warm-up): how
 * many raft entries the point cost, i.e. how many calls shared an entry. */
function entryWindow(leader: string, warmup_ms: number): { perSecond(): Promise<number | null> } {
  const client = new InventoryClient(leader, 2000);
  const at = async (): Promise<{ index: number; at_ms: number } | null> => {
    try {
      const s = await client.status();
      return { index: Number(s.commit_index), at_ms: performance.now() };
    } catch {
      return null;
    }
  };
  let start: Promise<{ index: number; at_ms: number } | null> = Promise.resolve(null);
  const timer = setTimeout(() => {
    start = at();
  }, warmup_ms);
  return {
    async perSecond(): Promise<number | null> {
      clearTimeout(timer);
      try {
        const a = await start;
        const b = await at();
        if (a === null || b === null || b.at_ms <= a.at_ms) return null;
        return ((b.index - a.index) * 1000) / (b.at_ms - a.at_ms);
      } finally {
        client.close();
      }
    },
  };
}

/** Summarizes every stockd profile in `dir`, keeps the raw profiles beside the results
 * (out of git: they are large) and returns one text block per node. */
function summarizeProfiles(dir: string, keep: string): string[] {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort();
  if (files.length === 0) return [`profile: no .cpuprofile written in ${dir} (did stockd exit cleanly on SIGTERM?)`];
  fs.mkdirSync(keep, { recursive: true });
  const out: string[] = [];
  for (const f of files) {
    fs.copyFileSync(path.join(dir, f), path.join(keep, f));
    const text = profileText(summarizeProfile(loadProfile(path.join(dir, f)), REPO, 25));
    fs.writeFileSync(path.join(keep, `${f}.txt`), `${text}\n`);
    out.push(`profile ${path.relative(REPO, path.join(keep, f))}:\n${text}`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  return out;
}

let stopping = false;
const onSignal = (sig: NodeJS.Signals): void => {
  if (stopping) return;
  stopping = true;
  log(`${sig}: stopping the processes this run started`);
  void stopAll().finally(() => process.exit(130));
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
process.on('exit', killAllSync);

main().catch(async (e: unknown) => {
  process.stderr.write(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  await stopAll();
  process.exit(1);
});
