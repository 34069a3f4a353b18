// Log time: the time a leader stamps on each ledger entry (reservation deadlines, outcome
// retention and event times are all in it). It must not jump when one machine's wall clock
// does (an NTP step, a VM resume): a +3 h step stamped as such would expire every pending
// reservation at once, permanently.
//
// Log time therefore advances by the monotonic clock, anchored to the log:
// - a follower anchors on every entry it applies: (log time T, monotonic instant it saw T);
// - a leader keeps the anchor it had when elected and never re-anchors on its own stamps,
//   so its estimate is T + monotonic time elapsed since it saw T;
// - a stamp is max(previous log time, clamp(wall, estimate - skew, estimate + skew)).
// The wall clock only corrects the estimate within +-skew (max_clock_skew_ms). The
// reference is the anchor, not the previous stamp, so corrections do not add up over
// entries: a wall clock running away in many small steps still gets no further than skew.
// Between two stamps of one leader log time advances at most the monotonic time between
// them plus 2 x skew (each stamp lies within +-skew of the same monotonic line), which is
// the per-entry bound.
//
// The guarantee (also in src/ledger/README.md, "Time"), assuming at most one node's wall
// clock is wrong at a time and monotonic clocks run at the true rate: a reservation never
// expires before its deadline minus skew in true time, and a backward wall jump delays
// expiry by at most skew (plus the estimate's lag and the tick that notices the deadline).
// A new leader continues from the log's time plus what it measured itself since it saw
// it; the gap it cannot see (from the old leader's last stamp to the moment this node
// applied it: the replication and commit delay) is not counted, which only ever makes
// reservations last longer. After a whole-cluster outage no node measured the outage, so
// log time resumes where it stopped and reservations last that much longer.
//
// Pure: both clocks are injected; no globals.

/** Default of --max-clock-skew-ms: above the estimate's usual lag (a follower learns a
 * commit with the next append or heartbeat, one 50 ms tick by default, plus an fsync and a
 * network hop) and NTP's usual offsets, so healthy clocks stamp the wall time unchanged;
 * a quarter of the shortest TTL (1 s), so even the shortest reservation keeps 3/4 of it. */
export const MAX_CLOCK_SKEW_MS_DEFAULT = 250;
/** Upper bound of --max-clock-skew-ms: half the shortest TTL (TTL_MS_MIN, 1 s). A larger
 * bound would let the shortest reservations expire at once on a wrong clock. */
export const MAX_CLOCK_SKEW_MS_MAX = 500;

/** `anchored`: the design above. `wall`: known-bad, for fault-injection tests only: stamps
 * max(previous, wall), so a wall jump is a log-time jump. */
export type LogClockMode = 'anchored' | 'wall';

export interface LogClockOptions {
  readonly max_clock_skew_ms: number;
  /** This node's wall clock, ms since the epoch (test offsets included). */
  readonly wall_ms: () => number;
  /** This node's monotonic clock, ms from any origin (performance.now). */
  readonly monotonic_ms: () => number;
  /** Log time of the state the node starts from (the ledger's last time). */
  readonly log_time_ms: number;
  readonly mode: LogClockMode;
}

interface Anchor {
  readonly log_time_ms: number;
  readonly monotonic_ms: number;
}

function checkTime(field: string, v: number): number {
  if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`log clock: ${field} must be a non-negative integer, got ${String(v)}`);
  return v;
}

export class LogClock {
  private anchor: Anchor;
  /** Highest log time seen or stamped: stamps never go below it. */
  private floor_ms: number;
  private leader = false;

  constructor(private readonly opts: LogClockOptions) {
    if (!Number.isSafeInteger(opts.max_clock_skew_ms) || opts.max_clock_skew_ms < 0 || opts.max_clock_skew_ms > MAX_CLOCK_SKEW_MS_MAX) {
      throw new RangeError(`log clock: max_clock_skew_ms must be an integer in 0..${MAX_CLOCK_SKEW_MS_MAX}, got ${String(opts.max_clock_skew_ms)}`);
    }
    this.floor_ms = checkTime('log_time_ms', opts.log_time_ms);
    this.anchor = { log_time_ms: this.floor_ms, monotonic_ms: opts.monotonic_ms() };
  }

  /** A log time this node applied (or installed with a snapshot). A follower anchors on
   * it; a leader only raises its floor (its own anchor stays: see the file comment). */
  observe(log_time_ms: number): void {
    checkTime('observed log time', log_time_ms);
    if (log_time_ms > this.floor_ms) this.floor_ms = log_time_ms;
    if (!this.leader) this.anchor = { log_time_ms, monotonic_ms: this.opts.monotonic_ms() };
  }

  /** Role changes: becoming leader freezes the anchor; a follower re-anchors on its next
   * applied entry. */
  setLeader(is_leader: boolean): void {
    this.leader = is_leader;
  }

  /** Anchor time plus monotonic time elapsed since it was seen. */
  estimateMs(): number {
    const elapsed_ms = Math.max(0, this.opts.monotonic_ms() - this.anchor.monotonic_ms);
    return this.anchor.log_time_ms + Math.floor(elapsed_ms);
  }

  /** What a stamp taken now would read (the expiry tick's "due" check), recording nothing. */
  peekMs(): number {
    const wall_ms = Math.floor(this.opts.wall_ms());
    if (this.opts.mode === 'wall') return Math.max(this.floor_ms, wall_ms);
    const est_ms = this.estimateMs();
    const skew_ms = this.opts.max_clock_skew_ms;
    const corrected_ms = Math.min(est_ms + skew_ms, Math.max(est_ms - skew_ms, wall_ms));
    return Math.max(this.floor_ms, corrected_ms);
  }

  /** The time to stamp on the entry being proposed now; later stamps never go below it. */
  stamp(): number {
    const t = this.peekMs();
    this.floor_ms = t;
    return t;
  }
}
