// Snapshots received from the leader: staged on disk as they arrive (at most
// STAGED_SNAPSHOTS_MAX at once), handed to the core as a snapshot message, and installed
// when the core's Ready asks for one: storage is replaced and the ledger rebuilt from it.

import type { HardState, Message, NodeId, SnapshotMeta } from '../raft/types.js';
import { Ledger } from '../ledger/ledger.js';
import { unpack, type AppliedRecord, type LevelStorage } from './storage-level.js';
import type { SnapshotRecord, StagedSnapshot } from './storage-snapshot.js';
import { NodeError } from './node-api.js';
import type { NodeState } from './node-state.js';
import type { NodeLog } from './node-settings.js';
import type { NodeMetrics } from './node-metrics.js';
import type { ProposalTable } from './proposals.js';
import type { Refusals } from './refusals.js';
import type { WatchHub } from './watchers.js';
import type { EntryClock } from './entry-clock.js';
import { STAGED_SNAPSHOTS_MAX } from './limits.js';

export interface IncomingSnapshotParts {
  readonly self_id: NodeId;
  readonly state: NodeState;
  readonly storage: LevelStorage;
  readonly proposals: ProposalTable;
  readonly refusals: Refusals;
  readonly watch_hub: WatchHub;
  /** Anchored on the installed ledger's log time. */
  readonly clock: EntryClock;
  readonly log: NodeLog;
  readonly metrics: NodeMetrics | null;
  /** Hands peer messages to the node loop. */
  readonly deliver: (messages: Message[]) => void;
}

export class IncomingSnapshots {
  private readonly staged = new Map<number, StagedSnapshot>();

  constructor(private readonly p: IncomingSnapshotParts) {}

  /** A snapshot fully received from `from`: kept (superseding the oldest beyond the
   * bound) and announced to the core. */
  onReceived(from: NodeId, term: number, staged: StagedSnapshot): { accepted: boolean; detail: string } {
    if (this.p.state.stopped) return { accepted: false, detail: 'node is stopping' };
    const prev = this.staged.get(staged.meta.index);
    if (prev) prev.discard();
    this.staged.set(staged.meta.index, staged);
    while (this.staged.size > STAGED_SNAPSHOTS_MAX) {
      const lowest = Math.min(...this.staged.keys());
      this.staged.get(lowest)!.discard();
      this.staged.delete(lowest);
    }
    this.p.deliver([{ type: 'snapshot', from, to: this.p.self_id, term, snapshot: staged.meta }]);
    return { accepted: true, detail: `staged snapshot at ${staged.meta.index}` };
  }

  /** Installs the staged snapshot the core's Ready names; every earlier apply must have
   * landed (the caller drains them first). */
  async install(meta: SnapshotMeta, hard_state: HardState | null): Promise<void> {
    const p = this.p;
    const staged = this.staged.get(meta.index);
    if (!staged || staged.meta.term !== meta.term) {
      throw new Error(`core asked to install snapshot ${meta.index}/${meta.term} but no such snapshot was received`);
    }
    const t0 = Date.now();
    const { applied: sender, records } = staged.read();
    if (sender.index !== meta.index) throw new Error(`staged snapshot claims applied index ${sender.index}, its meta says ${meta.index}`);
    const applied: AppliedRecord = { index: meta.index, term: meta.term, conf_state: meta.conf_state, addresses: { ...sender.addresses } };
    const t_read = Date.now();
    await p.storage.installSnapshot(meta, records, applied, hard_state);
    const t_write = Date.now();
    const ledger = ledgerOf(records, meta.index);
    p.state.ledger = ledger;
    p.clock.observe(ledger.lastTimeMs(), false);
    p.state.applied = applied;
    p.state.mem_applied = applied;
    p.proposals.failAll(new NodeError('outcome_unknown', 'node installed a snapshot'), p.refusals.notLeader());
    this.discardUpTo(meta.index);
    p.watch_hub.resync();
    p.metrics?.snapshots_installed.inc();
    p.log.info(
      { index: meta.index, term: meta.term, records: records.length, bytes: staged.bytes, ms: Date.now() - t0, read_ms: t_read - t0, write_ms: t_write - t_read, load_ms: Date.now() - t_write },
      'snapshot installed',
    );
  }

  /** Shutdown: staged files are removed. */
  discardAll(): void {
    for (const s of this.staged.values()) s.discard();
    this.staged.clear();
  }

  private discardUpTo(index: number): void {
    for (const [idx, s] of this.staged) {
      if (idx <= index) {
        s.discard();
        this.staged.delete(idx);
      }
    }
  }
}

/** The ledger rebuilt from a snapshot's records just written (already in memory). */
function ledgerOf(records: readonly SnapshotRecord[], index: number): Ledger {
  const dec = new TextDecoder();
  const state: [string, unknown][] = [];
  for (const [name, k, v] of records) if (name === 'state') state.push([dec.decode(k), unpack(v)]);
  const ledger = Ledger.load(state);
  if (ledger.lastLogIndex() > index) throw new Error(`snapshot ledger is at ${ledger.lastLogIndex()}, beyond the snapshot index ${index}`);
  return ledger;
}
