// Runs one benchmark point: forks worker processes, spreads the clients over them, starts
// them together, prints progress and merges their histograms.
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mergeEncoded, summarize, type LatencySummary } from '../lib/hist.js';
import type { DriverToWorker, PointSpec, WorkerResult, WorkerToDriver } from './spec.js';

const WORKER_JS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'worker.js');
/** A worker that has not reported ready this long after setup is taken as failed. */
const SETUP_TIMEOUT_MS = 30_000;
export const WORKERS_MAX = 64;

export interface PointResult {
  readonly system: PointSpec['system'];
  readonly workload: PointSpec['workload'];
  readonly dist: PointSpec['dist'];
  readonly clients: number;
  readonly workers: number;
  readonly duration_s: number;
  readonly ops: number;
  readonly units: number;
  readonly ops_s: number;
  /** Ledger operations per second (Submit100 counts 100 per call). */
  readonly units_s: number;
  readonly errors: number;
  readonly refusals: number;
  readonly error_samples: readonly string[];
  readonly latency: LatencySummary;
  /** Busiest generator process: its CPU time over the measured window (1 = a full CPU). */
  readonly generator_cpu_max: number;
  /** CPU time all server processes of the system spent per call over the measured window
   * (microseconds; Submit counts one call). Absent when not measured. */
  readonly server_cpu_us_per_call?: number;
}

/** Splits `clients` over at most `workers` processes as evenly as possible. */
export function spreadClients(clients: number, workers: number): number[] {
  if (!Number.isInteger(clients) || clients < 1) throw new Error(`clients: must be a positive integer, got ${clients}`);
  if (!Number.isInteger(workers) || workers < 1 || workers > WORKERS_MAX) throw new Error(`workers: must be an integer in 1..${WORKERS_MAX}, got ${workers}`);
  const n = Math.min(clients, workers);
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(Math.floor(clients / n) + (i < clients % n ? 1 : 0));
  return out;
}

export type ProgressFn = (line: string) => void;

export async function runPoint(
  base: Omit<PointSpec, 'clients' | 'worker_index'>,
  clients: number,
  workers: number,
  progress: ProgressFn,
): Promise<PointResult> {
  const split = spreadClients(clients, workers);
  const children: ChildProcess[] = [];
  const results: WorkerResult[] = [];
  const latest = new Map<number, { ops: number; units: number; errors: number; measuring: boolean }>();
  try {
    const ready: Promise<void>[] = [];
    const done: Promise<void>[] = [];
    split.forEach((n, i) => {
      const child = fork(WORKER_JS, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      children.push(child);
      let onReady: () => void = () => {};
      let onFail: (e: Error) => void = () => {};
      ready.push(
        new Promise<void>((res, rej) => {
          onReady = res;
          onFail = rej;
          setTimeout(() => rej(new Error(`worker ${i}: not ready after ${SETUP_TIMEOUT_MS} ms`)), SETUP_TIMEOUT_MS).unref();
        }),
      );
      done.push(
        new Promise<void>((res, rej) => {
          child.on('message', (raw: unknown) => {
            const m = raw as WorkerToDriver;
            if (m.type === 'ready') onReady();
            else if (m.type === 'progress') latest.set(i, m);
            else if (m.type === 'result') {
              results.push(m.result);
              res();
            } else if (m.type === 'failed') {
              const e = new Error(`worker ${i} failed: ${m.message}`);
              onFail(e);
              rej(e);
            }
          });
          child.on('exit', (code) => {
            const e = new Error(`worker ${i} exited with ${code} before reporting`);
            onFail(e);
            rej(e);
          });
        }),
      );
      const msg: DriverToWorker = { type: 'setup', spec: { ...base, clients: n, worker_index: i } };
      child.send(msg);
    });
    // Whichever fails first (a worker's setup or its exit) is the error to report.
    const allDone = Promise.all(done);
    allDone.catch(() => {}); // observed below; this only keeps an early failure from going unhandled
    await Promise.race([Promise.all(ready), allDone]);
    const t0 = Date.now();
    for (const c of children) c.send({ type: 'start' } satisfies DriverToWorker);
    let lastOps = 0;
    const ticker = setInterval(() => {
      let ops = 0;
      let errors = 0;
      let measuring = false;
      for (const p of latest.values()) {
        ops += p.ops;
        errors += p.errors;
        measuring ||= p.measuring;
      }
      const s = ((Date.now() - t0) / 1000).toFixed(0);
      progress(`  ${s}s ${measuring ? 'measuring' : 'warm-up'}: ${ops - lastOps} ops in the last second${errors > 0 ? `, ${errors} errors` : ''}`);
      lastOps = ops;
    }, 1000);
    try {
      await allDone;
    } finally {
      clearInterval(ticker);
    }
  } finally {
    for (const c of children) if (c.exitCode === null && c.signalCode === null && c.pid !== undefined) c.kill('SIGTERM');
  }
  const hist = mergeEncoded(results.map((r) => r.hist_b64));
  const sum = (f: (r: WorkerResult) => number): number => results.reduce((a, r) => a + f(r), 0);
  const duration_s = base.duration_ms / 1000;
  const ops = sum((r) => r.ops);
  const units = sum((r) => r.units);
  return {
    system: base.system,
    workload: base.workload,
    dist: base.dist,
    clients,
    workers: split.length,
    duration_s,
    ops,
    units,
    ops_s: ops / duration_s,
    units_s: units / duration_s,
    errors: sum((r) => r.errors),
    refusals: sum((r) => r.refusals),
    error_samples: results.flatMap((r) => r.error_samples).slice(0, 5),
    latency: summarize(hist),
    generator_cpu_max: results.reduce((m, r) => Math.max(m, r.cpu_ms / base.duration_ms), 0),
  };
}
