// One run: start the cluster, seed the positions, drive the workload while the nemesis
// injects faults, heal, converge, resolve unknown outcomes, read the final state, check,
// and write the store directory (history.jsonl, final-state.json, results.json,
// report.html, node logs).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { StockraftClient } from '../src/client/index.js';
import { checkHistory, checkOptionsFor, type RunVerdict } from './checkers/check.js';
import { DEFAULT_EXPIRY_OPTIONS, type ExpiryOptions } from './checkers/expiry.js';
import { EXPIRY_TTL_MS, ExpiryGenerator } from './expiry-workload.js';
import { knownBadEnv, type KnownBad } from './known-bad.js';
import type { Anomaly } from './checkers/anomaly.js';
import { Cluster } from './cluster.js';
import { execute, runProcess } from './clients.js';
import { readFinalState, resolveUnknown, waitConverged } from './final-state.js';
import type { FinalState } from './history.js';
import { Nemesis, DEFAULT_SCHEDULE, type NemesisName, type Schedule } from './nemesis.js';
import { Recorder } from './recorder.js';
import { renderReport } from './report.js';
import { Rng } from './rng.js';
import { COMMERCE_RULES_VERSION } from '../src/ledger/rules.js';
import { CommerceGenerator, commerceSetupOps } from './commerce-workload.js';
import { Generator, SharedReservations, workloadSpec, type OpGenerator, type WorkloadName } from './workloads.js';

export const STORE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'jepsen-style-tests', 'store');

export interface RunOptions {
  readonly workload: WorkloadName;
  readonly nemeses: readonly NemesisName[];
  readonly nemesis_label: string;
  readonly time_limit_s: number;
  readonly nodes: number;
  readonly concurrency: number;
  readonly seed: number;
  readonly store_root: string;
  readonly schedule: Schedule;
  readonly client_deadline_ms: number;
  readonly extra_args: readonly string[];
  /** Keep the nodes' data dirs of a valid run (invalid runs always keep them). */
  readonly keep_data: boolean;
  /** Misbehaviours switched on in every stockd (known-bad.ts); the run should be invalid. */
  readonly known_bad?: readonly KnownBad[];
  /** Options of the expiry checker (expiry workload). */
  readonly expiry?: ExpiryOptions;
  readonly log: (line: string) => void;
}

export const RUN_DEFAULTS = {
  schedule: DEFAULT_SCHEDULE,
  client_deadline_ms: 3_000,
};

const STARTUP_BOUND_MS = 30_000;
const CLUSTER_VERSION_BOUND_MS = 30_000;
const CLUSTER_VERSION_RETRY_MS = 250;
/** The disk-full node's tmpfs: room for a minute or more of the workloads' data (their
 * dirs stay below ~60 MiB) above stockd's default 64 MiB reserve. */
const DISK_FULL_TMPFS_MIB = 256;
const CONVERGE_BOUND_MS = 60_000;
const PROGRESS_EVERY_MS = 5_000;
/** Beyond the longest TTL and the skew bound: the leader's expiry tick and its commit. */
const EXPIRY_SETTLE_MARGIN_MS = 1_000;

export interface RunOutcome {
  readonly dir: string;
  readonly verdict: RunVerdict;
}

/** Reservations still pending expire by themselves, each in an entry of its own time: wait
 * past the last possible deadline, so that the final state is read from a log that has
 * stopped growing (else the nodes are read at different applied indexes). */
async function waitForLastExpiries(options: ExpiryOptions, log: (line: string) => void): Promise<void> {
  const settle_ms = EXPIRY_TTL_MS[1] + options.skew_bound_ms + EXPIRY_SETTLE_MARGIN_MS;
  log(`waiting ${settle_ms} ms for the last reservations to expire`);
  await new Promise((r) => setTimeout(r, settle_ms));
}

/** Commerce needs ledger rules version 4: raise the cluster version, then record the
 * policies (process 0) before any stock arrives. */
async function setupCommerce(admin: StockraftClient, recorder: Recorder, runTag: string, log: (line: string) => void): Promise<void> {
  // Refused until every member has announced its rules range on an open peer stream.
  const until = Date.now() + CLUSTER_VERSION_BOUND_MS;
  for (;;) {
    try {
      const v = await admin.setClusterVersion(COMMERCE_RULES_VERSION);
      log(`cluster version ${v.previous} -> ${v.cluster_version}`);
      break;
    } catch (err) {
      if (Date.now() >= until) throw err;
      await new Promise((r) => setTimeout(r, CLUSTER_VERSION_RETRY_MS));
    }
  }
  for (const args of commerceSetupOps(runTag)) {
    recorder.invoke(0, args);
    const res = await execute(admin, args);
    recorder.complete(0, res.type, args, res.result, res.error);
    if (res.type !== 'ok') throw new Error(`commerce setup: ${args.f} ended ${res.type}: ${res.error ?? JSON.stringify(res.result)}`);
  }
}

export async function runTest(o: RunOptions): Promise<RunOutcome> {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const dir = path.join(o.store_root, `${stamp}-${o.workload}-${o.nodes}n-seed${o.seed}`);
  fs.mkdirSync(dir, { recursive: true });
  const logFile = fs.openSync(path.join(dir, 'run.log'), 'a');
  const log = (line: string): void => {
    const l = `[${new Date().toISOString()}] ${line}`;
    fs.writeSync(logFile, l + '\n');
    o.log(l);
  };
  const knownBad = o.known_bad ?? [];
  log(`run ${dir}: workload ${o.workload}, nemesis ${o.nemesis_label}, ${o.nodes} nodes, concurrency ${o.concurrency}, ${o.time_limit_s}s, seed ${o.seed}${knownBad.length > 0 ? `, KNOWN BAD: ${knownBad.join(',')}` : ''}`);
  const rng = new Rng(o.seed);
  // disk-full fills one node's data dir, a small tmpfs of its own (mounting needs root).
  const tmpfs = o.nemeses.includes('disk-full') ? { id: `n${o.nodes}`, size_mib: DISK_FULL_TMPFS_MIB } : undefined;
  const cluster = await Cluster.create({ nodes: o.nodes, store_dir: dir, cluster_id: `jepsen-${o.seed}`, seed: o.seed, extra_args: o.extra_args, env: knownBadEnv(knownBad), tmpfs, log });
  const onExit = (): void => cluster.killAllSync();
  process.once('exit', onExit);
  const recorder = new Recorder(path.join(dir, 'history.jsonl'));
  const startedWallMs = Date.now();
  const extra: Anomaly[] = [];
  const clients: StockraftClient[] = [];
  const admin = new StockraftClient({ endpoints: cluster.endpoints(), deadline_ms: 5_000, attempts_max: 6 });
  let final: FinalState | null = null;
  try {
    cluster.startAll();
    const up = await waitConverged(admin, STARTUP_BOUND_MS);
    if (!up.converged) throw new Error(`cluster did not elect a leader within ${STARTUP_BOUND_MS} ms: ${up.detail}`);
    log(`cluster up: ${up.detail}`);

    const spec = workloadSpec(o.workload);
    const runTag = `j${o.seed.toString(36)}${Date.now().toString(36)}`;
    if (o.workload === 'commerce') await setupCommerce(admin, recorder, runTag, log);
    // Seed every position once, recorded like any other operation (process 0).
    for (const p of spec.positions) {
      const args = { f: 'adjust' as const, op_id: `${runTag}-init-${p.sku}-${p.location}`, sku: p.sku, location: p.location, delta: spec.initial_on_hand };
      recorder.invoke(0, args);
      const res = await execute(admin, args);
      recorder.complete(0, res.type, args, res.result, res.error);
    }

    const nemesis = new Nemesis(cluster, admin, recorder, rng.fork(), o.nemeses, o.schedule, log);
    const deadline = Date.now() + o.time_limit_s * 1000;
    const stop = (): boolean => Date.now() >= deadline;
    const shared = new SharedReservations();
    const procs: Promise<void>[] = [];
    const endpoints = cluster.endpoints();
    for (let p = 1; p <= o.concurrency; p++) {
      // Each process prefers a different node first, so reads hit followers too.
      const rotated = endpoints.map((_, i) => endpoints[(i + p) % endpoints.length]);
      const client = new StockraftClient({ endpoints: rotated, deadline_ms: o.client_deadline_ms, attempts_max: 4 });
      clients.push(client);
      const gen: OpGenerator = o.workload === 'expiry'
        ? new ExpiryGenerator(spec.positions, p, rng.fork(), runTag, () => recorder.now())
        : o.workload === 'commerce'
          ? new CommerceGenerator(p, rng.fork(), runTag)
          : new Generator(spec, p, rng.fork(), shared, runTag);
      procs.push(runProcess(p, client, recorder, () => gen.next(), (args, out) => gen.observe(args, out.type, out.result), stop));
    }
    const nem = nemesis.run(stop);
    const progress = setInterval(() => {
      const c = recorder.counts;
      const left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      log(`progress: ${c.invoke} ops (ok ${c.ok}, fail ${c.fail}, info ${c.info}), fault: ${nemesis.current ?? 'none'}, ${left}s left`);
    }, PROGRESS_EVERY_MS);
    await Promise.all(procs);
    await nem;
    clearInterval(progress);
    log('workload done; healing');
    await nemesis.healAll();
    if (o.workload === 'expiry') await waitForLastExpiries(o.expiry ?? DEFAULT_EXPIRY_OPTIONS, log);
    const conv = await waitConverged(admin, CONVERGE_BOUND_MS);
    log(`convergence: ${conv.converged ? 'yes' : 'NO'}: ${conv.detail}`);
    if (!conv.converged) extra.push({ kind: 'no-convergence', detail: `not converged within ${CONVERGE_BOUND_MS} ms after healing: ${conv.detail}` });
    const res = await resolveUnknown(admin, recorder);
    log(`GetOutcome: resolved ${res.resolved} of ${res.asked} unknown outcomes`);
    if (conv.converged) {
      // Resolution appended entries? Wait for every node to apply them before reading.
      await waitConverged(admin, CONVERGE_BOUND_MS);
      try {
        final = await readFinalState(admin, cluster.ids, spec.positions);
        fs.writeFileSync(path.join(dir, 'final-state.json'), JSON.stringify(final));
      } catch (err) {
        log(`final state could not be read: ${(err as Error).message}`);
      }
    }
  } finally {
    for (const c of clients) c.close();
    admin.close();
    recorder.close();
    await cluster.stop();
    process.removeListener('exit', onExit);
  }

  const expiryOptions = o.expiry ?? DEFAULT_EXPIRY_OPTIONS;
  const verdict0 = checkHistory(recorder.records, final, checkOptionsFor(o.workload, expiryOptions));
  const crashes: Anomaly[] = cluster.crashes.map((c) => ({ kind: 'node-crash', node: c.id, detail: c.detail }));
  const anomalies = [...verdict0.anomalies, ...extra, ...crashes];
  const verdict: RunVerdict = { ...verdict0, anomalies, valid: anomalies.length > 0 ? false : verdict0.valid };
  const meta = {
    workload: o.workload,
    nemesis: o.nemesis_label,
    nodes: o.nodes,
    concurrency: o.concurrency,
    time_limit_s: o.time_limit_s,
    seed: o.seed,
    known_bad: knownBad.join(',') || 'none',
    started_wall_ms: startedWallMs,
    ...(o.workload === 'expiry' ? { expiry_skew_bound_ms: expiryOptions.skew_bound_ms, expiry_liveness_ms: expiryOptions.liveness_ms } : {}),
    store: dir,
  };
  fs.writeFileSync(path.join(dir, 'results.json'), JSON.stringify({ ...meta, ...verdict }, null, 2));
  fs.writeFileSync(path.join(dir, 'report.html'), renderReport(`Stockraft ${o.workload} / ${o.nemesis_label}`, meta, recorder.records, verdict));
  if (verdict.expiry !== null) {
    const e = verdict.expiry;
    log(`expiry: ${e.reservations} reservations, ${e.observed_expired} seen expired, smallest margin to the lowest deadline ${e.min_margin_ms ?? '-'} ms (bound -${e.options.skew_bound_ms} ms), ${e.liveness_checked} left alone, latest first sighting ${e.max_seen_after_deadline_ms ?? '-'} ms after the highest deadline`);
  }
  log(`verdict: ${String(verdict.valid)}; ${verdict.stats.ops} ops; anomalies ${anomalies.length}; availability ${(verdict.availability.fraction_with_majority * 100).toFixed(2)}% with majority; longest unavailable ${verdict.availability.longest_unavailable_ms} ms (${verdict.availability.longest_unavailable_with_majority_ms} ms with majority)`);
  if (verdict.valid === true && !o.keep_data) {
    fs.rmSync(path.join(dir, 'data'), { recursive: true, force: true });
  }
  fs.closeSync(logFile);
  return { dir, verdict };
}
