// The one place a log entry gets its time: every ledger entry this node proposes (client
// commands, and the empty tick entries that let reservations expire) is stamped here.

import type { Command } from '../ledger/types.js';
import { encodeEntry } from '../ledger/codec.js';

export class EntryClock {
  /** Test hook: shifts this node's clock as used to stamp entries. */
  offset_ms = 0;

  now(): number {
    return Date.now() + this.offset_ms;
  }

  /** The encoded ledger entry for `commands`, stamped with this node's clock. Throws
   * (RangeError) when the entry exceeds the ledger's bounds. */
  encode(commands: readonly Command[]): Uint8Array {
    return encodeEntry({ time_ms: this.now(), commands });
  }
}
