// Longevity: what a store that has run for a long time costs. Builds the data dirs of a
// 3-node cluster with N applied events over P positions (longevity-build.ts, no network),
// then measures on real stockd processes:
//   (about 50,000 outcomes stay within the dedup window; the rest of the history is old)
//   - restart to serving: start all three on their dirs, time until n1 answers a
//     linearizable read; RSS of each node once serving (and 5 s later);
//   - restart of one node: kill -9 a follower, start it, time until it answers a
//     linearizable read itself, while the other two serve;
//   - snapshot to a new learner: start n4 (--join), add it as a learner, time until it has
//     applied the leader's index; peak RSS of the sender (leader) and receiver (n4),
//     sampled every 100 ms;
//   - backup: `stockctl backup` from the leader, wall time and file size.
// Prints a table (or one JSON object with --json), with the load average, which matters:
// the machine may be shared. Asserts nothing.
//
//   npm run bench:longevity -- [--events 200000] [--positions 20000] [--json]
//   big targets: --events 20000000 --positions 1000000 (~27 min to build here)
//   --build-only DIR builds the dirs into DIR and keeps them; --from DIR measures on them
//   (once: the run changes them), so a big build serves a later measurement; --restart-only
//   stops after the restarts, --no-backup before the backup.

import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { StockraftClient } from '../src/client/index.js';
import { STOCKD_NODE_ENV, STOCKD_NODE_FLAGS } from '../src/server/node-flags.js';
import { freePorts, sleep, startProc, stopAll, stopProc, type Proc } from './lib/procs.js';
import { rssMib, rssParts, type RssParts } from './lib/rss.js';
import { benchSku, buildCluster, CLUSTER_ID, LONGEVITY_LOCATION } from './longevity-build.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const STOCKD_JS = path.resolve(HERE, '../src/server/main.js');
const STOCKCTL_JS = path.resolve(HERE, '../src/cli/main.js');
const EVENTS_MAX = 100_000_000;
const SERVE_TIMEOUT_MS = 300_000;
/** Bounds the snapshot to a learner and the backup (the backup stream itself has no gRPC
 * deadline): a 20M-event store took 24 min to stream to a new learner here (2026-12-03),
 * and a backup grows with history the same way (2M events: 120-195 s). */
const CATCH_UP_TIMEOUT_MS = 7_200_000;
const SAMPLE_MS = 100;

interface Args {
  events: number;
  positions: number;
  json: boolean;
  /** Build the data dirs into this dir, keep them, measure nothing. */
  build_only: string | null;
  /** Measure on the data dirs a --build-only run left here (they are changed by it). */
  from: string | null;
  /** Only the two restart figures (no learner, no backup: a 20M-event store takes ~1 h more). */
  restart_only: boolean;
  /** Everything but the backup (20M events: ~25 min). */
  no_backup: boolean;
}

/** What --build-only leaves beside the data dirs, for --from. */
interface BuiltFile {
  readonly events: number;
  readonly positions: number;
  readonly addresses: Record<string, string>;
  readonly applied_index: number;
  readonly head_hash: string;
  readonly build_ms: number;
}
const BUILT_FILE = 'built.json';

function intArg(name: string, v: string, lo: number, hi: number): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < lo || n > hi) throw new RangeError(`--${name} must be an integer ${lo}..${hi}, got '${v}'`);
  return n;
}

function dirArg(name: string, v: string | undefined): string {
  if (v === undefined || v === '' || v.startsWith('--')) throw new RangeError(`--${name} needs a directory`);
  return path.resolve(v);
}

function parseArgs(argv: readonly string[]): Args {
  const a: Args = { events: 200_000, positions: 20_000, json: false, build_only: null, from: null, restart_only: false, no_backup: false };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    if (k === '--json') a.json = true;
    else if (k === '--events') a.events = intArg('events', argv[++i] ?? '', 1_000, EVENTS_MAX);
    else if (k === '--positions') a.positions = intArg('positions', argv[++i] ?? '', 1, 10_000_000);
    else if (k === '--build-only') a.build_only = dirArg('build-only', argv[++i]);
    else if (k === '--from') a.from = dirArg('from', argv[++i]);
    else if (k === '--restart-only') a.restart_only = true;
    else if (k === '--no-backup') a.no_backup = true;
    else throw new RangeError(`unknown argument '${k}' (--events N --positions P --json --build-only DIR --from DIR --restart-only --no-backup)`);
  }
  if (a.positions > a.events) throw new RangeError(`--positions ${a.positions} exceeds --events ${a.events}`);
  return a;
}

function startNode(root: string, id: string, address: string, dir: string, extra: readonly string[]): Proc {
  const args = [...STOCKD_NODE_FLAGS, STOCKD_JS, '--id', id, '--listen', address, '--data', dir, '--insecure', '--log-level', 'warn', ...extra];
  return startProc(`stockd ${id}`, process.execPath, args, { log_file: path.join(root, `${id}.log`), env: { ...process.env, ...STOCKD_NODE_ENV } });
}

/** Polls until fn returns a value (bounded by timeout_ms). */
async function until<T>(what: string, timeout_ms: number, fn: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeout_ms;
  // Bounded by the deadline.
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      // Not yet, unless a process died.
      if (err instanceof Error && / exited:/.test(err.message)) throw err;
    }
    await sleep(50);
  }
  throw new Error(`${what}: not within ${timeout_ms} ms`);
}

/** Samples the peak RSS of processes until stopped, with its split at the peak. */
function peakRss(pids: readonly number[]): { stop(): RssParts[] } {
  const peaks: RssParts[] = pids.map(() => ({ rss_mib: 0, anon_mib: 0, file_mib: 0 }));
  const sample = (pid: number, i: number): void => {
    // A process that is gone (or going) has no RSS to read: the step that waits on it
    // reports that, not this timer.
    let now: RssParts;
    try {
      now = rssParts(pid);
    } catch {
      return;
    }
    if (now.rss_mib > peaks[i]!.rss_mib) peaks[i] = now;
  };
  const timer = setInterval(() => pids.forEach(sample), SAMPLE_MS);
  // Called again (a finally after the result was taken) it changes nothing.
  return { stop: () => (clearInterval(timer), peaks) };
}

function peakText(p: RssParts): string {
  return `${Math.round(p.rss_mib)} MiB (anon ${Math.round(p.anon_mib)}, file ${Math.round(p.file_mib)})`;
}

interface Figures {
  restart_to_serving_ms: number;
  rss_mib_serving: number[];
  rss_mib_5s_later: number[];
  /** One follower's own restart (kill -9, start, serving) while the others serve. */
  node_restart_ms: number;
  node_restart_rss_mib: number;
  snapshot_to_learner_ms: number;
  /** The learner's data dir once caught up: the installed snapshot and what followed. */
  learner_dir_bytes: number;
  snapshot_peak_rss_mib: { sender: number; receiver: number };
  /** The anonymous and mapped-file parts of each peak. */
  snapshot_peak_split_mib: { sender: { anon: number; file: number }; receiver: { anon: number; file: number } };
  backup_ms: number;
  backup_bytes: number;
  /** Peak RSS of the node serving the backup while it streams. */
  backup_peak_rss_mib: number;
}

/** One call to a starting node on a fresh channel: a channel kept across a node's start
 * would wait out gRPC's reconnect backoff (1 s and growing) after the first refused
 * connection, and that wait would count as start time. */
async function probe<T>(address: string, fn: (c: StockraftClient) => Promise<T>): Promise<T> {
  const c = new StockraftClient({ endpoints: [address], deadline_ms: 2_000 });
  try {
    return await fn(c);
  } finally {
    c.close();
  }
}

/** Whether `address` answers a linearizable read. */
const linearizableRead = (address: string): Promise<boolean> => probe(address, async (c) => (await c.getPosition(benchSku(0), LONGEVITY_LOCATION)) !== null);

/** The flags of a member of the built cluster. */
const memberArgs = (initial: string): string[] => ['--initial-cluster', initial, '--cluster-id', CLUSTER_ID];

const leaderOf = (client: StockraftClient): Promise<string> => until('a leader', 60_000, async () => (await client.status()).leader_id ?? undefined);

async function measureRestart(root: string, dirs: Record<string, string>, addr: Record<string, string>, initial: string): Promise<{ procs: Record<string, Proc>; ms: number; rss: number[]; rss_later: number[] }> {
  const t0 = performance.now();
  const procs: Record<string, Proc> = {};
  for (const id of ['n1', 'n2', 'n3']) procs[id] = startNode(root, id, addr[id]!, dirs[id]!, memberArgs(initial));
  try {
    await until('n1 to answer a linearizable read', SERVE_TIMEOUT_MS, async () => {
      for (const p of Object.values(procs)) if (p.exited()) throw new Error(`${p.name} exited:\n${p.tail()}`);
      return (await linearizableRead(addr.n1!)) ? true : undefined;
    });
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${Object.values(procs).map((p) => `--- ${p.name}:\n${p.tail()}`).join('\n')}`);
  }
  const ms = performance.now() - t0;
  const rss = ['n1', 'n2', 'n3'].map((id) => Math.round(rssMib(procs[id]!.pid)));
  await sleep(5_000);
  const rss_later = ['n1', 'n2', 'n3'].map((id) => Math.round(rssMib(procs[id]!.pid)));
  return { procs, ms, rss, rss_later };
}

/** kill -9 of one follower, then its start until it answers a linearizable read through
 * itself: a node's own restart, while the other two serve (as in production, where a node
 * restarts alone on its machine; the restart of all three at once on one 2-CPU machine
 * shares the CPUs three ways). */
async function measureNodeRestart(root: string, procs: Record<string, Proc>, dirs: Record<string, string>, addr: Record<string, string>, initial: string, client: StockraftClient): Promise<{ id: string; ms: number; rss: number }> {
  const leader_id = await leaderOf(client);
  const id = ['n3', 'n2', 'n1'].find((x) => x !== leader_id)!;
  await stopProc(procs[id]!, 'SIGKILL');
  const t0 = performance.now();
  procs[id] = startNode(root, id, addr[id]!, dirs[id]!, memberArgs(initial));
  await until(`${id} to answer a linearizable read`, SERVE_TIMEOUT_MS, async () => {
    if (procs[id]!.exited()) throw new Error(`${id} exited:\n${procs[id]!.tail()}`);
    return (await linearizableRead(addr[id]!)) ? true : undefined;
  });
  return { id, ms: performance.now() - t0, rss: Math.round(rssMib(procs[id]!.pid)) };
}

async function measureLearner(root: string, procs: Record<string, Proc>, addr: Record<string, string>, initial: string, client: StockraftClient): Promise<{ ms: number; sender: RssParts; receiver: RssParts; learner_dir_bytes: number }> {
  const leader_id = await leaderOf(client);
  const target = (await client.status()).applied_index;
  procs.n4 = startNode(root, 'n4', addr.n4!, path.join(root, 'n4'), ['--join', '--cluster-id', CLUSTER_ID, '--initial-cluster', initial]);
  // Up once it answers status (its log runs at warn: no 'serving' line to wait for).
  await until('n4 to answer status', 60_000, async () => ((await probe(addr.n4!, (c) => c.status())).id === 'n4' ? true : undefined));
  const sampler = peakRss([procs[leader_id]!.pid, procs.n4.pid]);
  const t0 = performance.now();
  const n4 = new StockraftClient({ endpoints: [addr.n4!], deadline_ms: 2_000 });
  try {
    await client.addLearner('n4', addr.n4!);
    await until('n4 to catch up', CATCH_UP_TIMEOUT_MS, async () => ((await n4.status()).applied_index >= target ? true : undefined));
  } finally {
    n4.close();
    sampler.stop();
  }
  const ms = performance.now() - t0;
  const [sender, receiver] = sampler.stop();
  return { ms, sender: sender!, receiver: receiver!, learner_dir_bytes: dirBytes(path.join(root, 'n4')) };
}

/** Bytes of the files under `dir` (the learner's data dir: what the snapshot installed). */
function dirBytes(dir: string): number {
  let n = 0;
  // Bounded by the files of one data dir (LevelDB keeps it flat).
  for (const e of readdirSync(dir, { withFileTypes: true })) n += e.isDirectory() ? dirBytes(path.join(dir, e.name)) : statSync(path.join(dir, e.name)).size;
  return n;
}

async function measureBackup(root: string, leader_address: string, leader_pid: number): Promise<{ ms: number; bytes: number; peak: RssParts }> {
  const sampler = peakRss([leader_pid]);
  const file = path.join(root, 'backup.bin');
  const t0 = performance.now();
  try {
    await promisify(execFile)(process.execPath, [STOCKCTL_JS, '--endpoints', leader_address, '--deadline-ms', '600000', 'backup', '--out', file], { maxBuffer: 1 << 20, timeout: CATCH_UP_TIMEOUT_MS });
  } catch (err) {
    // What stockctl said is the reason; execFile's own message holds only its last lines.
    const e = err as { stderr?: string; code?: unknown; signal?: unknown };
    throw new Error(`stockctl backup failed (exit ${String(e.code)}, signal ${String(e.signal)}): ${String(e.stderr ?? err).slice(-2000)}`);
  } finally {
    sampler.stop();
  }
  const ms = performance.now() - t0;
  return { ms, bytes: statSync(file).size, peak: sampler.stop()[0]! };
}

/** The built data dirs: from a --build-only run (--from), or built now into `root`. */
async function builtCluster(args: Args, root: string, log: (s: string) => void): Promise<BuiltFile & { dirs: Record<string, string> }> {
  const dirs: Record<string, string> = { n1: `${root}/n1`, n2: `${root}/n2`, n3: `${root}/n3` };
  if (args.from !== null) {
    const f = JSON.parse(readFileSync(path.join(args.from, BUILT_FILE), 'utf8')) as BuiltFile;
    // The report names the sizes the dirs were built with.
    args.events = f.events;
    args.positions = f.positions;
    log(`using the ${f.events.toLocaleString('en-US')}-event, ${f.positions.toLocaleString('en-US')}-position dirs in ${args.from} (built in ${(f.build_ms / 1000).toFixed(1)} s)`);
    return { ...f, dirs };
  }
  const ports = await freePorts(4);
  const addresses: Record<string, string> = { n1: `127.0.0.1:${ports[0]}`, n2: `127.0.0.1:${ports[1]}`, n3: `127.0.0.1:${ports[2]}`, n4: `127.0.0.1:${ports[3]}` };
  const members = { n1: addresses.n1!, n2: addresses.n2!, n3: addresses.n3! };
  const built = await buildCluster(root, args.events, args.positions, members, (done) => log(`  built ${done.toLocaleString('en-US')} events`));
  log(`built ${args.events.toLocaleString('en-US')} events over ${args.positions.toLocaleString('en-US')} positions in ${(built.build_ms / 1000).toFixed(1)} s`);
  const f: BuiltFile = { events: args.events, positions: args.positions, addresses, applied_index: built.applied_index, head_hash: built.head_hash, build_ms: built.build_ms };
  writeFileSync(path.join(root, BUILT_FILE), JSON.stringify(f));
  return { ...f, dirs };
}

function rootDir(args: Args): string {
  if (args.from !== null) return args.from;
  if (args.build_only === null) return mkdtempSync(path.join(os.tmpdir(), 'stockd-longevity-'));
  if (existsSync(args.build_only)) throw new Error(`--build-only ${args.build_only}: the directory exists already`);
  mkdirSync(args.build_only, { recursive: true });
  return args.build_only;
}

async function run(args: Args, log: (s: string) => void): Promise<Figures & { build_ms: number; applied_index: number }> {
  const root = rootDir(args);
  try {
    const built = await builtCluster(args, root, log);
    if (args.build_only !== null) return { build_ms: built.build_ms, applied_index: built.applied_index } as Figures & { build_ms: number; applied_index: number };
    const addr = built.addresses;
    const members = { n1: addr.n1!, n2: addr.n2!, n3: addr.n3! };
    const initial = Object.entries(members).map(([id, a]) => `${id}=${a}`).join(',');
    const r = await measureRestart(root, built.dirs, addr, initial);
    log(`restart to serving ${r.ms.toFixed(0)} ms; RSS ${r.rss.join(' / ')} MiB`);
    const client = new StockraftClient({ endpoints: Object.values(members), deadline_ms: 30_000 });
    try {
      const one = await measureNodeRestart(root, r.procs, built.dirs, addr, initial, client);
      log(`restart of ${one.id} alone (kill -9, start, until it serves a linearizable read) ${one.ms.toFixed(0)} ms; RSS ${one.rss} MiB`);
      const skipped = { snapshot_to_learner_ms: -1, learner_dir_bytes: -1, snapshot_peak_rss_mib: { sender: -1, receiver: -1 }, snapshot_peak_split_mib: { sender: { anon: -1, file: -1 }, receiver: { anon: -1, file: -1 } }, backup_ms: -1, backup_bytes: -1, backup_peak_rss_mib: -1 };
      const restarts = { build_ms: built.build_ms, applied_index: built.applied_index, restart_to_serving_ms: Math.round(r.ms), node_restart_ms: Math.round(one.ms), node_restart_rss_mib: one.rss, rss_mib_serving: r.rss, rss_mib_5s_later: r.rss_later };
      if (args.restart_only) return { ...restarts, ...skipped };
      const l = await measureLearner(root, r.procs, addr, initial, client);
      log(`snapshot to learner ${l.ms.toFixed(0)} ms (its data dir then ${(l.learner_dir_bytes / 2 ** 30).toFixed(2)} GiB); peak RSS sender ${peakText(l.sender)}, receiver ${peakText(l.receiver)}`);
      const learner = {
        ...restarts,
        snapshot_to_learner_ms: Math.round(l.ms),
        learner_dir_bytes: l.learner_dir_bytes,
        snapshot_peak_rss_mib: { sender: Math.round(l.sender.rss_mib), receiver: Math.round(l.receiver.rss_mib) },
        snapshot_peak_split_mib: {
          sender: { anon: Math.round(l.sender.anon_mib), file: Math.round(l.sender.file_mib) },
          receiver: { anon: Math.round(l.receiver.anon_mib), file: Math.round(l.receiver.file_mib) },
        },
      };
      if (args.no_backup) return { ...skipped, ...learner };
      const leader_id = (await client.status()).leader_id ?? 'n1';
      const b = await measureBackup(root, addr[leader_id]!, r.procs[leader_id]!.pid);
      log(`backup ${b.ms.toFixed(0)} ms, ${b.bytes} bytes; peak RSS of the serving node ${peakText(b.peak)}`);
      return {
        ...learner,
        backup_ms: Math.round(b.ms),
        backup_bytes: b.bytes,
        backup_peak_rss_mib: Math.round(b.peak.rss_mib),
      };
    } finally {
      client.close();
      for (const p of Object.values(r.procs)) await stopProc(p);
    }
  } finally {
    await stopAll();
    // Dirs built with --build-only (or used with --from) are the caller's to remove.
    if (args.build_only === null && args.from === null) rmSync(root, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const log = (s: string): void => void (args.json ? process.stderr.write(s + '\n') : console.log(s));
  const load_before = os.loadavg().map((x) => Number(x.toFixed(2)));
  const f = await run(args, log);
  if (args.build_only !== null) {
    log(`kept in ${args.build_only}: measure with --from ${args.build_only}`);
    return;
  }
  const load_after = os.loadavg().map((x) => Number(x.toFixed(2)));
  const out = { events: args.events, positions: args.positions, node: process.version, cpus: os.cpus().length, loadavg_before: load_before, loadavg_after: load_after, ...f };
  if (args.json) {
    console.log(JSON.stringify(out));
    return;
  }
  const rows: [string, string][] = [
    ['events / positions', `${args.events.toLocaleString('en-US')} / ${args.positions.toLocaleString('en-US')}`],
    ['restart to serving (linearizable read on n1)', `${f.restart_to_serving_ms} ms`],
    ['restart of one follower alone (kill -9 to serving)', `${f.node_restart_ms} ms, RSS ${f.node_restart_rss_mib} MiB`],
    ['RSS per node once serving / 5 s later', `${f.rss_mib_serving.join(' / ')} MiB  |  ${f.rss_mib_5s_later.join(' / ')} MiB`],
    ['snapshot to a new learner (caught up)', `${f.snapshot_to_learner_ms} ms, its data dir then ${(f.learner_dir_bytes / 2 ** 30).toFixed(2)} GiB`],
    ['peak RSS during it: sender / receiver', `${f.snapshot_peak_rss_mib.sender} / ${f.snapshot_peak_rss_mib.receiver} MiB (anon ${f.snapshot_peak_split_mib.sender.anon} + file ${f.snapshot_peak_split_mib.sender.file} / anon ${f.snapshot_peak_split_mib.receiver.anon} + file ${f.snapshot_peak_split_mib.receiver.file})`],
    ['stockctl backup', `${f.backup_ms} ms, ${(f.backup_bytes / 2 ** 20).toFixed(1)} MiB, serving node's peak RSS ${f.backup_peak_rss_mib} MiB`],
    ['load average (1/5/15 min) before / after', `${load_before.join(' ')} / ${load_after.join(' ')}`],
  ];
  // --restart-only and --no-backup leave rows unmeasured (-1).
  for (const [k, v] of rows) if (!v.startsWith('-1 ')) console.log(`${k.padEnd(50)} ${v}`);
}

main().catch(async (err: unknown) => {
  console.error(err);
  await stopAll();
  process.exit(1);
});
