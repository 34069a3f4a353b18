// Time-ordered op ids for calls that do not name their own: ids from one process sort in
// the order they were made (base-36 milliseconds, then a counter within the millisecond),
// and a random suffix keeps processes apart. 24 bytes, within the 64-byte id limit.

import { randomBytes } from 'node:crypto';

const TIME_CHARS = 9; // base-36 ms fits 9 chars until the year 5188
const COUNTER_CHARS = 4; // 36^4 ids per millisecond before the clock part is bumped
const COUNTER_MAX = 36 ** COUNTER_CHARS - 1;

export class OpIdGenerator {
  private last_ms = 0;
  private counter = 0;
  private readonly suffix: string;

  constructor(private readonly now: () => number = Date.now, suffix?: string) {
    this.suffix = suffix ?? randomBytes(6).toString('base64url').toLowerCase().replace(/[^a-z0-9]/g, '0').slice(0, 8);
  }

  next(): string {
    return this.nextStamped().id;
  }

  /** A new id and its issue time (the milliseconds it carries), which the SDK sends as
   * the command's id_time_ms on every attempt of the call. */
  nextStamped(): { id: string; time_ms: number } {
    let ms = this.now();
    if (ms <= this.last_ms) {
      ms = this.last_ms;
      this.counter++;
      if (this.counter > COUNTER_MAX) {
        // Borrow from the next millisecond rather than repeat an id.
        ms = this.last_ms + 1;
        this.counter = 0;
      }
    } else this.counter = 0;
    this.last_ms = ms;
    return { id: `${ms.toString(36).padStart(TIME_CHARS, '0')}-${this.counter.toString(36).padStart(COUNTER_CHARS, '0')}-${this.suffix}`, time_ms: ms };
  }
}
