// The one place a log entry gets its time: every ledger entry this node proposes (client
// commands, and the empty tick entries that let reservations expire) is stamped here, by
// the log clock (log-clock.ts: monotonic time anchored to the log, corrected by the wall
// clock only within --max-clock-skew-ms). The applier and snapshot installs report the
// log times they apply, which anchor it. Each entry also names the ledger rules version
// it is proposed under: the cluster version the ledger has applied, never above
// (src/ledger/rules.ts).

import type { Command, HistoryHorizon } from '../ledger/types.js';
import { encodeEntry } from '../ledger/codec.js';
import { LogClock, type LogClockMode } from './log-clock.js';

export interface EntryClockSettings {
  readonly max_clock_skew_ms: number;
  readonly log_clock_mode: LogClockMode;
}

export class EntryClock {
  /** Test hook: shifts this node's wall clock as the log clock reads it. */
  offset_ms = 0;
  private readonly log_clock: LogClock;

  /** `log_time_ms`: the ledger's log time at start (0 for a new cluster);
   * `rules_version`: the cluster version as applied here when an entry is stamped. */
  constructor(
    settings: EntryClockSettings,
    log_time_ms: number,
    private readonly rules_version: () => number,
  ) {
    this.log_clock = new LogClock({
      max_clock_skew_ms: settings.max_clock_skew_ms,
      wall_ms: () => Date.now() + this.offset_ms,
      monotonic_ms: () => performance.now(),
      log_time_ms,
      mode: settings.log_clock_mode,
    });
  }

  /** What an entry stamped now would read (the expiry tick's "due" check). */
  now(): number {
    return this.log_clock.peekMs();
  }

  /** The log time after an applied entry or an installed snapshot; `stamped_here`: an
   * entry of this leader's own term (see LogClock.observe). */
  observe(log_time_ms: number, stamped_here: boolean): void {
    this.log_clock.observe(log_time_ms, stamped_here);
  }

  /** The wall clock's offset from the log time, and the most the log clock corrects by. */
  skew(): { readonly wall_offset_ms: number; readonly max_correction_ms: number } {
    return { wall_offset_ms: this.log_clock.wallOffsetMs(), max_correction_ms: this.log_clock.maxCorrectionMs() };
  }

  /** The encoded ledger entry for `commands`, stamped with the log clock and the cluster
   * version. Throws
   * (RangeError) when the entry exceeds the ledger's bounds. */
  encode(commands: readonly Command[]): Uint8Array {
    return encodeEntry({ time_ms: this.log_clock.stamp(), commands, rules_version: this.rules_version() });
  }

  /** An entry without commands that prunes history (retention.ts), stamped likewise. */
  encodePrune(prune: readonly HistoryHorizon[]): Uint8Array {
    return encodeEntry({ time_ms: this.log_clock.stamp(), commands: [], prune, rules_version: this.rules_version() });
  }
}
