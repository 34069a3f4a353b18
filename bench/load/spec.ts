// What one benchmark point is: a system, a workload, a key distribution and a number of
// closed-loop clients, run for a warm-up and then a fixed measured duration. The driver
// sends a PointSpec to every worker process; workers answer with WorkerResult.
import type { KeyDist } from '../lib/keys.js';

export type SystemName = 'stockraft' | 'echo' | 'etcd';

export type WorkloadName =
  | 'reserve' // one unary single-line Reserve (etcd: read + CAS Txn)
  | 'reserve-commit' // Reserve then Commit of the same reservation
  | 'reserve5' // one unary Reserve of 5 lines
  | 'submit100' // Submit with 100 single-line reserves
  | 'get' // linearizable GetPosition (etcd: linearizable Range)
  | 'mixed' // 80% linearizable GetPosition, 20% Reserve
  | 'sdk-batch' // StockraftClient with opt-in batching; callers are the clients
  | 'unary'; // echo: one Reserve-sized unary round trip

export const STOCKRAFT_WORKLOADS: readonly WorkloadName[] = [
  'reserve',
  'reserve-commit',
  'reserve5',
  'submit100',
  'get',
  'mixed',
  'sdk-batch',
];
export const ETCD_WORKLOADS: readonly WorkloadName[] = ['reserve', 'get', 'mixed'];
export const ECHO_WORKLOADS: readonly WorkloadName[] = ['unary'];

/** How many ledger operations one call of a workload performs (Submit100 does 100). */
export function unitsPerOp(w: WorkloadName): number {
  return w === 'submit100' ? 100 : 1;
}

export interface EchoSizes {
  readonly request_bytes: number;
  readonly response_bytes: number;
}

export interface PointSpec {
  readonly system: SystemName;
  readonly workload: WorkloadName;
  readonly dist: KeyDist;
  /** Clients run by this worker (closed loop: each waits for its answer, then asks again). */
  readonly clients: number;
  readonly worker_index: number;
  readonly warmup_ms: number;
  readonly duration_ms: number;
  /** host:port of every member; `leader` (if known) is where writes are sent first. */
  readonly endpoints: readonly string[];
  readonly leader: string | null;
  readonly keys: number;
  readonly location: string;
  readonly seed: number;
  readonly echo: EchoSizes;
  /** Channels (HTTP/2 connections) this worker opens per endpoint. */
  readonly channels_per_endpoint: number;
  readonly deadline_ms: number;
}

export interface WorkerResult {
  readonly worker_index: number;
  readonly hist_b64: string;
  readonly ops: number;
  readonly units: number;
  readonly errors: number;
  readonly error_samples: readonly string[];
  /** Business refusals (e.g. insufficient stock, CAS retries exhausted): counted apart. */
  readonly refusals: number;
  /** CPU time (user + system) this worker used during the measured window: near the
   * window's length means the generator itself was saturated. */
  readonly cpu_ms: number;
}

export type DriverToWorker = { readonly type: 'setup'; readonly spec: PointSpec } | { readonly type: 'start' } | { readonly type: 'stop' };

export type WorkerToDriver =
  | { readonly type: 'ready' }
  | { readonly type: 'progress'; readonly measuring: boolean; readonly ops: number; readonly units: number; readonly errors: number }
  | { readonly type: 'result'; readonly result: WorkerResult }
  | { readonly type: 'failed'; readonly message: string };

/** Limits on what a worker will accept, so a typo cannot fork a storm. */
export const CLIENTS_PER_WORKER_MAX = 4096;
export const DURATION_MS_MAX = 3_600_000;
