// What one load-generator process counts during the measured window of a point.
//
// A call is counted when it completes inside the window, whenever it started: the warm-up
// is the same load, so a call that began in it and ends in the window is a steady-state
// sample like any other. Counting only calls that both start and end inside the window
// (as this harness once did) drops the calls that straddle its edges; with latencies near
// the window's length (Submit x100 at 256 callers: ~4 s in a 5 s window, every caller in
// step) almost nothing qualifies: a point read 280 reserves/s where quick runs that count
// completions read ~10,000.
import { newHistogram, recordUs, type Histogram } from '../lib/hist.js';

/** Error messages kept for the report; the rest are only counted. */
export const ERROR_SAMPLES_MAX = 5;

export class MeasuredWindow {
  readonly hist: Histogram = newHistogram();
  private open = false;
  ops = 0;
  units = 0;
  errors = 0;
  refusals = 0;
  readonly error_samples: string[] = [];

  start(): void {
    this.open = true;
  }

  stop(): void {
    this.open = false;
  }

  get measuring(): boolean {
    return this.open;
  }

  /** A call answered after `latency_us` with `units` ledger operations done. */
  completed(latency_us: number, units: number): void {
    if (!this.open) return;
    recordUs(this.hist, latency_us);
    this.ops += 1;
    this.units += units;
  }

  /** A call refused for a business reason (counted apart from errors). */
  refused(): void {
    if (this.open) this.refusals += 1;
  }

  /** A call that failed; its message is kept while fewer than ERROR_SAMPLES_MAX are. */
  failed(message: string): void {
    if (!this.open) return;
    this.errors += 1;
    if (this.error_samples.length < ERROR_SAMPLES_MAX) this.error_samples.push(message);
  }
}
