// History retention on a node. Every round (HISTORY_PRUNE_INTERVAL_MS):
//   - the leader, when a retention policy is configured and no prune of its own is in
//     flight, scans positions from a cursor (history-scan.ts) and proposes one entry with
//     the prune list it found; every replica applies it from the log (ledger retention.ts);
//   - every node drops the Watch records (events sub-level) at or below the archived mark,
//     a bounded batch per round: Watch refuses to start there (StockNodeImpl.watch), and
//     the history they point at may be pruned;
//   - with a retention policy, every node drops the archived outcomes that answer only for
//     pruned history (outcome-trim.ts), a bounded read per round.
// A round runs off the loop (it reads LevelDB); the proposal goes through the loop.

import type { LevelStorage } from './storage-level.js';
import type { NodeState } from './node-state.js';
import type { RaftCore } from './raft-core.js';
import type { EntryClock } from './entry-clock.js';
import type { NodeLog } from './node-settings.js';
import type { LedgerEvent } from '../ledger/types.js';
import { historyKey, historyRangeEnd } from '../ledger/keys.js';
import { HISTORY_RETENTION_RULES_VERSION } from '../ledger/rules.js';
import { retentionEnabled, scanForPrune, type RetentionPolicy } from './history-scan.js';
import { OutcomeTrimmer } from './outcome-trim.js';
import { HISTORY_PRUNE_EVENTS_MAX, HISTORY_PRUNE_INTERVAL_MS, HISTORY_PRUNE_POSITIONS_SCANNED_MAX, WATCH_TRIM_RECORDS_MAX } from './limits.js';

export interface HistoryPrunerParts {
  readonly state: NodeState;
  readonly raft: RaftCore;
  readonly clock: EntryClock;
  readonly storage: LevelStorage;
  readonly log: NodeLog;
  readonly policy: RetentionPolicy;
  readonly queueOp: (op: () => void) => boolean;
}

export class HistoryPruner {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  /** Index of this leader's last prune entry; no other is proposed until it applied. */
  private prune_index = 0;
  /** Next position slot to scan. */
  private cursor = 0;
  /** Watch records are trimmed through this log index. */
  private trimmed_through = 0;
  private readonly outcomes: OutcomeTrimmer;

  constructor(private readonly p: HistoryPrunerParts) {
    this.outcomes = new OutcomeTrimmer({ storage: p.storage, ledger: () => p.state.ledger, now_ms: () => Date.now() });
  }

  start(): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => void this.round(), HISTORY_PRUNE_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** One round; exported for tests through round(). Never throws (logs). */
  async round(): Promise<void> {
    if (this.running || this.p.state.refusesWork()) return;
    this.running = true;
    try {
      await this.trimWatchRecords();
      await this.trimOutcomes();
      await this.proposePrune();
    } catch (err) {
      this.p.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'history retention round failed; retrying next round');
    } finally {
      this.running = false;
    }
  }

  private async trimWatchRecords(): Promise<void> {
    const mark = this.p.state.ledger.archivedThroughIndex();
    if (mark <= this.trimmed_through) return;
    const n = await this.p.storage.trimEvents(mark, WATCH_TRIM_RECORDS_MAX);
    if (n < WATCH_TRIM_RECORDS_MAX) this.trimmed_through = mark;
  }

  private async trimOutcomes(): Promise<void> {
    if (!retentionEnabled(this.p.policy)) return;
    const r = await this.outcomes.round();
    if (r.deleted > 0) this.p.log.debug({ scanned: r.scanned, deleted: r.deleted }, 'archived outcomes of pruned history dropped');
  }

  private async proposePrune(): Promise<void> {
    const s = this.p.state;
    // Prune lists exist from ledger rules version 3 on (rules.ts): below it, nothing.
    const rules_ok = s.ledger.clusterVersion() >= HISTORY_RETENTION_RULES_VERSION;
    if (!retentionEnabled(this.p.policy) || !rules_ok || s.role !== 'leader' || this.prune_index > s.applied.index) {
      if (s.role !== 'leader') this.prune_index = 0;
      return;
    }
    const read = async (sku: string, location: string, after_seq: number, limit: number): Promise<readonly LedgerEvent[]> =>
      (await this.p.storage.historyRange(historyKey(sku, location, after_seq + 1), historyRangeEnd(sku, location), limit)) as LedgerEvent[];
    const scan = await scanForPrune(s.ledger, this.p.policy, this.cursor, { positions_max: HISTORY_PRUNE_POSITIONS_SCANNED_MAX, events_max: HISTORY_PRUNE_EVENTS_MAX }, read);
    this.cursor = scan.next_slot;
    if (scan.prune.length === 0) return;
    this.p.queueOp(() => {
      if (s.role !== 'leader' || this.prune_index > s.applied.index) return;
      const r = this.p.raft.propose(this.p.clock.encodePrune(scan.prune));
      if (r.ok) {
        this.prune_index = r.index;
        this.p.log.debug({ index: r.index, positions: scan.prune.length, events: scan.events }, 'history prune proposed');
      }
    });
  }
}
