// Compaction of the raft log: automatic (every snapshot_entries applied entries, or when
// the log's bytes pass log_bytes_max) and on request (snapshot, trimLog). The log is only
// ever compacted below the durably applied index, so a crash replays nothing that is lost.

import type { LevelStorage } from './storage-level.js';
import type { NodeSettings, NodeLog } from './node-settings.js';
import type { NodeMetrics } from './node-metrics.js';
import type { RaftCore } from './raft-core.js';
import { shuttingDownError, type NodeState } from './node-state.js';

export class Compaction {
  constructor(
    private readonly settings: NodeSettings,
    private readonly state: NodeState,
    private readonly raft: RaftCore,
    private readonly storage: LevelStorage,
    private readonly log: NodeLog,
    private readonly metrics: NodeMetrics | null,
    /** Runs an operation in the node loop, between Ready rounds. */
    private readonly inLoop: <T>(op: () => Promise<T>) => Promise<T>,
  ) {}

  /** Called by the loop after every Ready: compacts when a bound is passed. */
  async maybeCompact(): Promise<void> {
    const s = this.settings;
    const by_entries = this.durableApplied() - this.storage.snapshotIndex >= s.snapshot_entries + s.trailing_entries;
    // Large entries (many commands each) would make an entry-count bound hold gigabytes
    // in memory: the log is also compacted when its bytes pass log_bytes_max, keeping at
    // most a quarter of that as trailing entries.
    const by_bytes = this.storage.logBytes > s.log_bytes_max;
    if (!by_entries && !by_bytes) return;
    await this.compactToTrailing(by_bytes ? this.trailingBytes() : Number.MAX_SAFE_INTEGER);
  }

  /** Takes a state-machine snapshot now and compacts the log; resolves with its index. */
  async snapshot(): Promise<number> {
    if (this.state.refusesWork()) throw shuttingDownError();
    // Make the applied index durable first: compaction may only go that far.
    await this.storage.sync();
    return this.inLoop(async () => {
      await this.compactTo(this.durableApplied());
      return this.storage.snapshotIndex;
    });
  }

  /** Compacts the log down to its trailing share (a quarter of log_bytes_max), as the
   * byte bound would at its next crossing; for an idle node, whose entries above that
   * share only take memory (src/server/idle-gc.ts). Followers further behind than the
   * trailing share get a snapshot, the same promise the byte bound gives. */
  async trimLog(): Promise<void> {
    if (this.state.refusesWork()) return;
    if (this.storage.logBytes <= this.trailingBytes()) return;
    await this.storage.sync();
    await this.inLoop(() => this.compactToTrailing(this.trailingBytes()));
  }

  /** The highest index compaction may reach: applied, and durably so. */
  private durableApplied(): number {
    return Math.min(this.storage.durable_applied, this.state.applied.index);
  }

  /** The byte share of the log kept as trailing entries when the byte bound compacts. */
  private trailingBytes(): number {
    return Math.floor(this.settings.log_bytes_max / 4);
  }

  /** Compacts up to the durable applied index, keeping trailing entries within
   * --trailing-entries and `bytes_max`. */
  private async compactToTrailing(bytes_max: number): Promise<void> {
    await this.compactTo(this.storage.trailingStart(this.durableApplied(), this.settings.trailing_entries, bytes_max));
  }

  private async compactTo(index: number): Promise<void> {
    if (index <= this.storage.snapshotIndex) return;
    const meta = this.raft.compact(index);
    if (meta.index !== index) throw new Error(`core compacted to ${meta.index}, asked for ${index}`);
    await this.storage.compact(meta);
    this.metrics?.snapshot_index.set(meta.index);
    this.log.debug({ index }, 'log compacted');
  }
}
