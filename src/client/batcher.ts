// Gathers concurrent writes into Submit batches: a batch leaves when it holds max_ops ops
// or about bytes_max bytes, or max_delay_ms after its first op, whichever comes first. At
// most batches_inflight_max batches are on the wire at once. When the delay ends while
// every slot is taken, the open batch stays open and keeps gathering until a slot frees:
// under load batches grow by themselves (the cluster answers them in one go anyway),
// instead of many small ones queueing behind each other. Full batches wait in order, and
// beyond queued_ops_max waiting ops new writes are refused (the caller is outrunning the
// cluster). One id never appears twice in a batch (the server refuses that).

import type { WireCommandResult, WireOp } from '../wire/types.js';

export interface BatchingOptions {
  readonly max_delay_ms: number;
  readonly max_ops: number;
  /** Approximate encoded size at which a batch leaves early (default 2 MiB, under the 4 MiB message limit). */
  readonly bytes_max?: number;
  readonly batches_inflight_max?: number;
  readonly queued_ops_max?: number;
}

export type SendBatch = (ops: WireOp[]) => Promise<WireCommandResult[]>;

interface Item {
  readonly id: string;
  readonly op: WireOp;
  readonly bytes: number;
  readonly resolve: (r: WireCommandResult) => void;
  readonly reject: (e: unknown) => void;
}

export class BatchQueueFull extends Error {
  constructor(queued: number, limit: number) {
    super(`batching queue holds ${queued} ops, limit queued_ops_max=${limit}: slow down`);
    this.name = 'BatchQueueFull';
  }
}

export class Batcher {
  private open: Item[] = [];
  private openIds = new Set<string>();
  private openBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  /** The open batch's delay has ended while every slot was taken: it leaves at the next free slot. */
  private due = false;
  private readonly waiting: Item[][] = [];
  private waitingOps = 0;
  private inflight = 0;
  readonly max_delay_ms: number;
  readonly max_ops: number;
  readonly bytes_max: number;
  readonly batches_inflight_max: number;
  readonly queued_ops_max: number;
  /** Batches sent so far, and ops in them (for tests and benchmarks). */
  batches_sent = 0;
  ops_sent = 0;

  constructor(
    private readonly send: SendBatch,
    options: BatchingOptions,
  ) {
    this.max_delay_ms = options.max_delay_ms;
    this.max_ops = options.max_ops;
    this.bytes_max = options.bytes_max ?? 2 * 1024 * 1024;
    this.batches_inflight_max = options.batches_inflight_max ?? 16;
    this.queued_ops_max = options.queued_ops_max ?? 100_000;
    const check = (name: string, v: number, min: number, max: number): void => {
      if (!Number.isInteger(v) || v < min || v > max) throw new Error(`batching.${name} must be an integer in ${min}..${max}, got ${v}`);
    };
    check('max_delay_ms', this.max_delay_ms, 0, 10_000);
    check('max_ops', this.max_ops, 1, 1000);
    check('bytes_max', this.bytes_max, 1024, 3 * 1024 * 1024);
    check('batches_inflight_max', this.batches_inflight_max, 1, 1024);
    check('queued_ops_max', this.queued_ops_max, 1, 10_000_000);
  }

  add(id: string, op: WireOp, bytes: number): Promise<WireCommandResult> {
    const queued = this.open.length + this.waitingOps;
    if (queued >= this.queued_ops_max) return Promise.reject(new BatchQueueFull(queued, this.queued_ops_max));
    return new Promise((resolve, reject) => {
      if (this.openIds.has(id) || this.openBytes + bytes > this.bytes_max) this.seal();
      this.open.push({ id, op, bytes, resolve, reject });
      this.openIds.add(id);
      this.openBytes += bytes;
      if (this.open.length >= this.max_ops) this.seal();
      else if (this.timer === null && !this.due) {
        this.timer = setTimeout(() => {
          this.timer = null;
          if (this.inflight < this.batches_inflight_max) this.seal();
          else this.due = true;
        }, this.max_delay_ms);
      }
    });
  }

  /** Sends whatever is open now. */
  flush(): void {
    this.seal();
  }

  private idleWaiters: (() => void)[] = [];

  /** Resolves once every op handed in so far has its answer (sends what is open first). */
  drained(): Promise<void> {
    this.seal();
    if (this.inflight === 0 && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private seal(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.due = false;
    if (this.open.length === 0) return;
    this.waiting.push(this.open);
    this.waitingOps += this.open.length;
    this.open = [];
    this.openIds = new Set();
    this.openBytes = 0;
    this.pump();
  }

  private pump(): void {
    while (this.inflight < this.batches_inflight_max && this.waiting.length > 0) {
      const batch = this.waiting.shift() as Item[];
      this.waitingOps -= batch.length;
      this.inflight++;
      this.batches_sent++;
      this.ops_sent += batch.length;
      this.send(batch.map((b) => b.op)).then(
        (results) => {
          if (results.length !== batch.length) {
            const err = new Error(`Submit answered ${results.length} results for ${batch.length} ops`);
            for (const b of batch) b.reject(err);
          } else batch.forEach((b, i) => b.resolve(results[i] as WireCommandResult));
        },
        (err: unknown) => {
          for (const b of batch) b.reject(err);
        },
      ).finally(() => {
        this.inflight--;
        if (this.due && this.waiting.length === 0) this.seal(); // seal() pumps
        else this.pump();
        if (this.inflight === 0 && this.waiting.length === 0 && this.open.length === 0) {
          const waiters = this.idleWaiters;
          this.idleWaiters = [];
          for (const w of waiters) w();
        }
      });
    }
  }
}
