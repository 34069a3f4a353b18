// Gives memory back once a node goes quiet after a busy period.
//
// V8 starts a full (mark-compact) collection when the old generation has grown by a factor
// since the last one, and not when the process goes idle. A node that has just applied a
// million commands therefore keeps the garbage of that load, and the pages it fragmented,
// for as long as it stays quiet: measured with 1M positions and 100k reservations, a node
// held 871 MiB resident, and 660 MiB after one memory-reducing collection (heap in use
// 472 -> 213 MiB, heap committed 523 -> 329 MiB).
//
// The policy here asks for one such collection when the process has been idle (event-loop
// utilization below `elu_idle_max` for `idle_checks` checks in a row) and the heap V8 has
// committed has grown by `growth_bytes_min` since the last collection it asked for. The
// committed size, not the size in use, is what the process holds: a heap whose garbage V8
// already collected can still hold its fragmented pages (seen: 197 MiB committed for 146
// MiB in use, against 144 committed on a compacted node). The resident size growing by
// `rss_growth_bytes_min` also counts: when V8 itself collected near the end of a load, the
// committed heap is back near its baseline while the C heap still holds the free pages of
// that load (seen once: a leader settled 56 MiB above its followers, no collection asked
// for). A busy node is left to V8.
//
// The pause is long for a heap of a million positions: 415-781 ms measured with three nodes
// collecting at once on 2 cores, above the 500 ms election timeout. A follower's pause
// delays nothing but its own acknowledgements; a leader's can make the followers elect
// another leader. So a leader waits for `leader_idle_checks` idle checks (a cluster that
// has been quiet that long has no call to disturb), and each node adds a random 0..2 checks
// to its wait so that the nodes of one cluster, idle at the same moment, do not all
// collect at once.
//
// The collection is V8's low-memory one (all garbage, then compaction of fragmented pages
// and a smaller young generation), reached through an in-process inspector session: an
// ordinary full collection (`gc()` with --expose-gc) frees the objects but leaves most of
// the pages they fragmented committed (measured: 386-433 MiB committed for 230 MiB in use).
// Its pause is longer than an ordinary collection's and is taken while nothing waits.

import inspector from 'node:inspector';
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';

export interface IdleGcOptions {
  /** How often the process is sampled. */
  readonly check_ms: number;
  /** Consecutive idle samples before a collection (a follower's). */
  readonly idle_checks: number;
  /** The same for a leader, whose pause the followers notice. */
  readonly leader_idle_checks: number;
  /** Event-loop utilization (0..1) at or below which a sample counts as idle. */
  readonly elu_idle_max: number;
  /** Growth of the committed heap since the last collection that is worth one. */
  readonly growth_bytes_min: number;
  /** Growth of the resident size since the last collection that is worth one. */
  readonly rss_growth_bytes_min: number;
  /** Least time between two collections, whatever the samples say. */
  readonly interval_ms_min: number;
}

export const IDLE_GC_DEFAULTS: IdleGcOptions = {
  check_ms: 1000,
  idle_checks: 2,
  leader_idle_checks: 10,
  elu_idle_max: 0.05,
  growth_bytes_min: 32 * 1024 * 1024,
  rss_growth_bytes_min: 64 * 1024 * 1024,
  interval_ms_min: 30_000,
};

export interface IdleSample {
  readonly now_ms: number;
  /** Event-loop utilization over the last check period, 0..1. */
  readonly elu: number;
  readonly heap_bytes: number;
  /** Resident size of the process; absent: only the heap is judged. */
  readonly rss_bytes?: number;
  /** Whether this node leads its cluster now. */
  readonly leader: boolean;
}

/** The decision alone, fed samples: deterministic and testable without a heap. */
export class IdleGcPolicy {
  private idle_run = 0;
  private baseline_bytes: number;
  private baseline_rss_bytes: number;
  private last_collect_ms = -Infinity;

  constructor(
    private readonly opts: IdleGcOptions,
    start_heap_bytes: number,
    start_rss_bytes = 0,
  ) {
    if (!(opts.check_ms >= 10 && opts.idle_checks >= 1 && opts.leader_idle_checks >= opts.idle_checks && opts.elu_idle_max >= 0 && opts.elu_idle_max < 1 && opts.growth_bytes_min > 0 && opts.rss_growth_bytes_min > 0 && opts.interval_ms_min >= 0)) {
      throw new RangeError(`idle gc options out of range: ${JSON.stringify(opts)}`);
    }
    this.baseline_bytes = start_heap_bytes;
    this.baseline_rss_bytes = start_rss_bytes;
  }

  /** Whether to collect now. After a collection, call collected() with the heap it left. */
  observe(s: IdleSample): boolean {
    if (!(s.elu >= 0 && s.elu <= 1) || !(s.heap_bytes >= 0) || (s.rss_bytes !== undefined && !(s.rss_bytes >= 0))) {
      throw new RangeError(`idle gc sample out of range: ${JSON.stringify(s)}`);
    }
    this.idle_run = s.elu <= this.opts.elu_idle_max ? this.idle_run + 1 : 0;
    // A heap that shrank on its own (V8 collected) lowers the bar for the next growth.
    if (s.heap_bytes < this.baseline_bytes) this.baseline_bytes = s.heap_bytes;
    if (s.rss_bytes !== undefined && s.rss_bytes < this.baseline_rss_bytes) this.baseline_rss_bytes = s.rss_bytes;
    if (this.idle_run < (s.leader ? this.opts.leader_idle_checks : this.opts.idle_checks)) return false;
    if (s.now_ms - this.last_collect_ms < this.opts.interval_ms_min) return false;
    if (s.heap_bytes - this.baseline_bytes >= this.opts.growth_bytes_min) return true;
    return s.rss_bytes !== undefined && s.rss_bytes - this.baseline_rss_bytes >= this.opts.rss_growth_bytes_min;
  }

  /** The heap (and resident size, when sampled) a collection left: the new baselines. */
  collected(now_ms: number, heap_bytes: number, rss_bytes?: number): void {
    this.last_collect_ms = now_ms;
    this.baseline_bytes = heap_bytes;
    if (rss_bytes !== undefined) this.baseline_rss_bytes = rss_bytes;
    this.idle_run = 0;
  }
}

export interface IdleGcHandle {
  readonly enabled: boolean;
  stop(): void;
}

let session: inspector.Session | null = null;

/** V8's memory-reducing full collection of this process's heap (HeapProfiler.collectGarbage
 * through an inspector session in this process; no port is opened). The session is made
 * once and kept: disconnecting from inside its own callback would hang the process. */
export function compactHeap(): Promise<void> {
  if (session === null) {
    session = new inspector.Session();
    session.connect();
  }
  const s = session;
  return new Promise<void>((resolve, reject) => s.post('HeapProfiler.collectGarbage', (err) => (err ? reject(err) : resolve())));
}

/** Samples this process every check_ms and collects when the policy says so; `collect`
 * undefined: off. `isLeader` tells the node's role at each sample. */
export function startIdleGc(
  opts: IdleGcOptions,
  collect: (() => Promise<void> | void) | undefined,
  isLeader: () => boolean,
  onCollect: (figures: { readonly before_bytes: number; readonly after_bytes: number; readonly took_ms: number }) => void,
): IdleGcHandle {
  if (collect === undefined) return { enabled: false, stop: () => undefined };
  const heapCommitted = (): number => v8.getHeapStatistics().total_heap_size;
  // Stagger the nodes of one cluster (see the top of this file).
  const stagger = Math.floor(Math.random() * 3);
  // The baseline starts at zero, not at the heap after start: loading a large ledger at
  // start leaves garbage and fragmented pages like a load does (a node restarted with 1M
  // positions settled at 447 MiB without a collection).
  // The resident size starts from what the process holds now, its runtime and the loaded
  // state: the heap rule above already covers the garbage of the start-up load.
  const policy = new IdleGcPolicy({ ...opts, idle_checks: opts.idle_checks + stagger, leader_idle_checks: opts.leader_idle_checks + stagger }, 0, process.memoryUsage.rss());
  let last_elu = performance.eventLoopUtilization();
  let collecting = false;
  const timer = setInterval(() => {
    if (collecting) return;
    const elu_now = performance.eventLoopUtilization();
    const elu = performance.eventLoopUtilization(elu_now, last_elu).utilization;
    last_elu = elu_now;
    const before = heapCommitted();
    if (!policy.observe({ now_ms: performance.now(), elu, heap_bytes: before, rss_bytes: process.memoryUsage.rss(), leader: isLeader() })) return;
    collecting = true;
    const t0 = performance.now();
    void Promise.resolve()
      .then(collect)
      .then(
        () => {
          const took_ms = performance.now() - t0;
          const after = heapCommitted();
          policy.collected(performance.now(), after, process.memoryUsage.rss());
          onCollect({ before_bytes: before, after_bytes: after, took_ms });
        },
        // A failed collection is not retried sooner than a successful one would be.
        () => policy.collected(performance.now(), heapCommitted(), process.memoryUsage.rss()),
      )
      .finally(() => {
        collecting = false;
        // The collection itself made this period busy: the next sample starts from here.
        last_elu = performance.eventLoopUtilization();
      });
  }, opts.check_ms);
  timer.unref();
  return { enabled: true, stop: () => clearInterval(timer) };
}
