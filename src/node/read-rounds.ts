// Linearizable read barriers of one node, gathered into read-index rounds with at most one
// round in flight. Every barrier that arrives while a round is out waits for the next one,
// which starts as soon as the previous answers: under load one heartbeat round of the
// leader (and, on a follower, one request to it and one answer) confirms hundreds of reads
// instead of a few, and the number of rounds per second is bounded by their round trip
// rather than by how often the node's loop turns.
//
// A barrier is released once the node has applied up to its round's read index. A round
// can be lost (the leader changed, a message was dropped): after `retry_after_ms` its
// barriers go out again in a new round, and a late answer to the old one is ignored.

export interface ReadRoundsOptions {
  /** Barriers waiting at once (queued, in a round, or waiting for the apply). */
  readonly waiters_max: number;
  /** A round unanswered for this long is given up and its barriers re-issued. */
  readonly retry_after_ms: number;
  readonly now_ms: () => number;
  /** Error for a barrier whose deadline passed. */
  readonly timeoutError: (wait_ms: number) => Error;
  /** Error for a barrier refused because waiters_max is reached. */
  readonly overloadedError: (waiters_max: number) => Error;
}

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (e: Error) => void;
  readonly timer: NodeJS.Timeout;
  settled: boolean;
}

interface Round {
  readonly context: string;
  readonly waiters: Waiter[];
  readonly started_ms: number;
}

interface IndexedGroup {
  readonly index: number;
  readonly waiters: Waiter[];
}

/** What issuing a round's read index gave: accepted, or refused with the error to give. */
export type IssueResult = { readonly ok: true } | { readonly ok: false; readonly error: Error };

export class ReadRounds {
  private queued: Waiter[] = [];
  private round: Round | null = null;
  private indexed: IndexedGroup[] = [];
  private live = 0;
  private round_seq = 0;

  constructor(
    private readonly context_prefix: string,
    private readonly options: ReadRoundsOptions,
  ) {
    if (!Number.isInteger(options.waiters_max) || options.waiters_max < 1) throw new Error(`waiters_max must be an integer >= 1, got ${options.waiters_max}`);
    if (!(options.retry_after_ms > 0)) throw new Error(`retry_after_ms must be > 0, got ${options.retry_after_ms}`);
  }

  /** Barriers not yet released or failed. */
  get size(): number {
    return this.live;
  }

  /** Whether a round should be issued now (see nextRound). */
  wantsRound(): boolean {
    if (this.queued.length === 0 && (this.round === null || this.round.waiters.length === 0)) return false;
    return this.round === null || this.options.now_ms() - this.round.started_ms >= this.options.retry_after_ms;
  }

  /** A barrier: resolves once a read index confirmed after this call is applied. */
  add(wait_ms: number): Promise<void> {
    if (this.live >= this.options.waiters_max) return Promise.reject(this.options.overloadedError(this.options.waiters_max));
    return new Promise<void>((resolve, reject) => {
      const w: Waiter = {
        resolve,
        reject,
        settled: false,
        timer: setTimeout(() => this.settle(w, this.options.timeoutError(wait_ms)), wait_ms),
      };
      this.live += 1;
      this.queued.push(w);
    });
  }

  /** Starts a round for every queued barrier (and those of a round given up on) if none is
   * in flight. `issue` asks the core for a read index under the given context. */
  nextRound(issue: (context: string) => IssueResult): void {
    if (!this.wantsRound()) return;
    const stale = this.round !== null ? this.round.waiters : [];
    const waiters = [...stale, ...this.queued].filter((w) => !w.settled);
    this.queued = [];
    this.round = null;
    if (waiters.length === 0) return;
    const context = `${this.context_prefix}/${++this.round_seq}`;
    const r = issue(context);
    if (!r.ok) {
      for (const w of waiters) this.settle(w, r.error);
      return;
    }
    this.round = { context, waiters, started_ms: this.options.now_ms() };
  }

  /** The core's answer for a round: its barriers wait for `index` to be applied. */
  onReadState(context: string, index: number): void {
    if (this.round === null || this.round.context !== context) return; // given up on, or not ours
    if (!Number.isSafeInteger(index) || index < 0) throw new Error(`read index for ${context} is not a log index: ${index}`);
    this.indexed.push({ index, waiters: this.round.waiters });
    this.round = null;
  }

  /** Releases every barrier whose read index is at or below `applied_index`. */
  release(applied_index: number): void {
    if (this.indexed.length === 0) return;
    const keep: IndexedGroup[] = [];
    for (const g of this.indexed) {
      if (g.index > applied_index) {
        keep.push(g);
        continue;
      }
      for (const w of g.waiters) this.settle(w, null);
    }
    this.indexed = keep;
  }

  /** The leader changed: a round out to the former one may never be answered. Its barriers
   * fail (the caller retries); queued ones go to the new leader in the next round. */
  failRound(error: Error): void {
    if (this.round === null) return;
    for (const w of this.round.waiters) this.settle(w, error);
    this.round = null;
  }

  /** Fails every barrier (the node is stopping). */
  failAll(error: Error): void {
    for (const w of this.queued) this.settle(w, error);
    if (this.round !== null) for (const w of this.round.waiters) this.settle(w, error);
    for (const g of this.indexed) for (const w of g.waiters) this.settle(w, error);
    this.queued = [];
    this.round = null;
    this.indexed = [];
  }

  private settle(w: Waiter, error: Error | null): void {
    if (w.settled) return;
    w.settled = true;
    this.live -= 1;
    clearTimeout(w.timer);
    if (error === null) w.resolve();
    else w.reject(error);
  }
}
