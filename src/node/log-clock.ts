// Log time: the time a leader stamps on each ledger entry (reservation deadlines, outcome
// retention and event times are all in it). It must not jump when one machine's wall clock
// does (an NTP step, a VM resume): a +3 h step stamped as such would expire every pending
// reservation at once, permanently.
//
// Log time therefore advances by the monotonic clock, anchored to the log:
// - a node anchors on every entry it applies that it did not stamp itself as the current
//   leader: (log time T, monotonic instant it applied it). A follower follows the leader's
//   stamps; a new leader keeps its anchor, except that entries of earlier terms it applies
//   after its election still move it (it continues from the log's latest time);
// - its estimate is T + monotonic time elapsed since then;
// - a stamp is max(previous log time, clamp(wall, estimate - skew/2, estimate + skew/2)).
// The wall clock only corrects within a window of width skew (max_clock_skew_ms) around the
// estimate. The reference is the anchor, not the previous stamp, so corrections do not add
// up over entries: a wall clock creeping ahead in small steps gets no further than skew/2.
// The window is skew wide, not 2 x skew, because a wrong clock can swing both ways on one
// node: a reservation stamped at the window's low edge and expired by a stamp at its high
// edge loses the whole width, and that is the bound promised. Per entry, log time advances
// at most the monotonic time since one leader's previous stamp plus skew.
//
// The guarantee (also in src/ledger/README.md, "Time"), assuming at most one node's wall
// clock is wrong at a time and monotonic clocks run at the true rate: a reservation never
// expires before its deadline minus skew in true time, and a backward wall jump delays
// expiry by at most skew (plus the estimate's lag and the tick that notices the deadline).
// Across a leader change the new leader continues from the log's time plus what it measured
// itself since it applied it; the gap it cannot see (from the old leader's stamp to this
// node applying it: the replication and commit delay, about a tick) is not counted, which
// only ever makes reservations last longer, and which the wall correction absorbs as long
// as it stays under skew/2. A node whose latest applied entry is old (it restarted, or
// caught up on an idle cluster) lags by that age until it applies a newer entry; elected
// meanwhile, its log time lags: reservations last longer, and each later leader change
// recovers at most skew/2 of the lag (a reservation made during the lag can lose that).
// After a whole-cluster outage no node measured the outage, so log time resumes where it
// stopped and reservations last that much longer.
//
// A new cluster has no log time to anchor on (its ledger never applied an entry: log time
// 0): until the first entry is stamped or applied, the estimate is the wall clock itself.
// That is the only moment the wall clock is trusted as such.
//
// Pure: both clocks are injected; no globals.

/** Default of --max-clock-skew-ms: the half-window (125 ms) is above the estimate's usual
 * lag (a follower learns a commit with the next append or heartbeat, one 50 ms tick by
 * default, plus an fsync and a network hop) and NTP's usual offsets, so healthy clocks stamp
 * the wall time unchanged; and it is a quarter of the shortest TTL (1 s), so even the
 * shortest reservation keeps 3/4 of its life on a wrong clock. */
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
  /** Log time of the state the node starts from (the ledger's last time; 0: none yet). */
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
  /** null until the log has a time (a new cluster's first entry). */
  private anchor: Anchor | null;
  /** Highest log time seen or stamped: stamps never go below it. */
  private floor_ms: number;

  constructor(private readonly opts: LogClockOptions) {
    if (!Number.isSafeInteger(opts.max_clock_skew_ms) || opts.max_clock_skew_ms < 0 || opts.max_clock_skew_ms > MAX_CLOCK_SKEW_MS_MAX) {
      throw new RangeError(`log clock: max_clock_skew_ms must be an integer in 0..${MAX_CLOCK_SKEW_MS_MAX}, got ${String(opts.max_clock_skew_ms)}`);
    }
    this.floor_ms = checkTime('log_time_ms', opts.log_time_ms);
    this.anchor = this.floor_ms === 0 ? null : { log_time_ms: this.floor_ms, monotonic_ms: opts.monotonic_ms() };
  }

  /** The log time after an entry this node applied (or a snapshot it installed).
   * `stamped_here`: the entry is one this node stamped as the current leader; it raises
   * the floor but does not re-anchor, or wall corrections would add up entry by entry. */
  observe(log_time_ms: number, stamped_here: boolean): void {
    checkTime('observed log time', log_time_ms);
    if (log_time_ms === 0) return; // no time yet: nothing to anchor on
    if (log_time_ms > this.floor_ms) this.floor_ms = log_time_ms;
    if (!stamped_here || this.anchor === null) this.anchor = { log_time_ms, monotonic_ms: this.opts.monotonic_ms() };
  }

  /** Anchor time plus monotonic time elapsed since it was seen; the wall clock while the
   * log has no time yet. */
  estimateMs(): number {
    if (this.anchor === null) return Math.floor(this.opts.wall_ms());
    const elapsed_ms = Math.max(0, this.opts.monotonic_ms() - this.anchor.monotonic_ms);
    return this.anchor.log_time_ms + Math.floor(elapsed_ms);
  }

  /** This node's wall clock minus its log-time estimate: how far the wall clock is from
   * the time the log says it is (stockd_clock_skew_seconds). Beyond maxCorrectionMs the
   * wall clock no longer moves the stamps. */
  wallOffsetMs(): number {
    return Math.floor(this.opts.wall_ms()) - this.estimateMs();
  }

  /** Half the correction window: the most the wall clock may move a stamp off the estimate. */
  maxCorrectionMs(): number {
    return Math.floor(this.opts.max_clock_skew_ms / 2);
  }

  /** What a stamp taken now would read (the expiry tick's "due" check), recording nothing. */
  peekMs(): number {
    const wall_ms = Math.floor(this.opts.wall_ms());
    if (this.opts.mode === 'wall') return Math.max(this.floor_ms, wall_ms);
    const est_ms = this.estimateMs();
    const half_ms = Math.floor(this.opts.max_clock_skew_ms / 2);
    const corrected_ms = Math.min(est_ms + half_ms, Math.max(est_ms - half_ms, wall_ms));
    return Math.max(this.floor_ms, corrected_ms);
  }

  /** The time to stamp on the entry being proposed now; later stamps never go below it. */
  stamp(): number {
    const t = this.peekMs();
    this.floor_ms = t;
    // A new cluster's first stamp becomes its leader's anchor.
    if (this.anchor === null) this.anchor = { log_time_ms: t, monotonic_ms: this.opts.monotonic_ms() };
    return t;
  }
}
