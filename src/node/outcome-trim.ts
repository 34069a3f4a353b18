// History retention for archived outcomes (the 'outcomes' sublevel: outcomes past the dedup
// window). Once the operator has archived history and retention has pruned a position's
// events, the outcomes of the commands that made only those events answer for nothing
// retained, so every node drops them (src/ledger/retention.ts archivedOutcomePrunable: at
// or below the archived mark, every event of the command pruned). Without retention and a
// mark nothing goes: full history keeps every outcome.
//
// Like the trimming of Watch records this is each node's own work, not a replicated entry:
// the decision reads only replicated state (the mark, the horizons, the stored record), so
// every replica drops the same records, each at its own pace. A pass walks the sublevel in
// id order, at most OUTCOME_TRIM_SCANNED_MAX records a round; a new pass starts when the
// mark moves, or OUTCOME_TRIM_PASS_INTERVAL_MS after the last one ended (horizons move
// with every prune entry).

import type { LevelStorage } from './storage-level.js';
import type { Ledger } from '../ledger/ledger.js';
import { archivedOutcomePrunable } from '../ledger/retention.js';
import { ARCHIVE_LOOKUP_IDS_MAX } from './storage-level.js';
import { OUTCOME_TRIM_PASS_INTERVAL_MS, OUTCOME_TRIM_SCANNED_MAX } from './limits.js';

export interface OutcomeTrimParts {
  readonly storage: Pick<LevelStorage, 'outcomesAfter' | 'deleteOutcomes'>;
  /** The ledger as applied now (a snapshot install may replace it). */
  readonly ledger: () => Pick<Ledger, 'archivedThroughIndex' | 'horizonSeq'>;
  readonly now_ms: () => number;
}

export interface TrimRound {
  readonly scanned: number;
  readonly deleted: number;
}

export class OutcomeTrimmer {
  /** Last id of this pass looked at (null: the pass starts at the first id). */
  private cursor: string | null = null;
  private in_pass = false;
  /** The mark the last pass ran under, and when it ended. */
  private pass_mark = 0;
  private pass_ended_ms = Number.NEGATIVE_INFINITY;

  constructor(private readonly p: OutcomeTrimParts) {}

  /** One bounded round; returns what it scanned and deleted. */
  async round(): Promise<TrimRound> {
    const mark = this.p.ledger().archivedThroughIndex();
    if (mark <= 0) return { scanned: 0, deleted: 0 };
    if (!this.in_pass) {
      if (mark === this.pass_mark && this.p.now_ms() - this.pass_ended_ms < OUTCOME_TRIM_PASS_INTERVAL_MS) return { scanned: 0, deleted: 0 };
      this.in_pass = true;
      this.cursor = null;
      this.pass_mark = mark;
    }
    const rows = await this.p.storage.outcomesAfter(this.cursor, OUTCOME_TRIM_SCANNED_MAX);
    const ledger = this.p.ledger();
    const current = ledger.archivedThroughIndex();
    const doomed = rows.filter(([, v]) => archivedOutcomePrunable(v, current, (sku, location) => ledger.horizonSeq(sku, location))).map(([id]) => id);
    // In batches of at most ARCHIVE_LOOKUP_IDS_MAX; bounded by the rows read.
    for (let i = 0; i < doomed.length; i += ARCHIVE_LOOKUP_IDS_MAX) await this.p.storage.deleteOutcomes(doomed.slice(i, i + ARCHIVE_LOOKUP_IDS_MAX));
    if (rows.length < OUTCOME_TRIM_SCANNED_MAX) {
      this.in_pass = false;
      this.pass_ended_ms = this.p.now_ms();
    } else this.cursor = rows[rows.length - 1]![0];
    return { scanned: rows.length, deleted: doomed.length };
  }
}
