// Snapshots received from the leader, between their last chunk and their install. A
// staged snapshot's ledger is loaded and checked here before the core hears of it: a
// snapshot whose ledger does not load is refused to its sender (which retries later)
// instead of failing the node after the core has moved to it. Install is one synced batch
// (LevelStorage.installStaged) that also rewrites the log above the snapshot and the hard
// state; then the ledger loaded beforehand takes over.
//
// The core may name a snapshot in a Ready only after its message was stepped: a snapshot
// whose message is being stepped is pinned (not evicted by newer ones) until the round
// ends, so the one the core asks for is always here.

import type { Entry, HardState, Message, NodeId, SnapshotMeta } from '../raft/types.js';
import { Ledger } from '../ledger/ledger.js';
import { RulesVersionError } from '../ledger/rules.js';
import type { AppliedRecord, LevelStorage, LoadPause } from './storage-level.js';
import type { StagedSnapshot } from './storage-snapshot.js';
import type { SnapshotAck, SnapshotTestHook } from './snapshot-receive.js';
import { NodeError } from './node-api.js';
import type { NodeState } from './node-state.js';
import type { MemoryReclaim, NodeLog } from './node-settings.js';
import type { NodeMetrics } from './node-metrics.js';
import type { ProposalTable } from './proposals.js';
import type { Refusals } from './refusals.js';
import type { WatchHub } from './watchers.js';
import type { EntryClock } from './entry-clock.js';
import { STAGED_SNAPSHOTS_MAX } from './limits.js';

/** State records loaded between two collections during a staged snapshot's load. */
const LOAD_COLLECT_EVERY_RECORDS = 250_000;
/** Snapshot bytes below which staging leaves too little to be worth the reclaim's pause
 * and its wait for the C heap (about a second before the load starts). */
export const RECLAIM_STAGED_BYTES_MIN = 64 * 1024 * 1024;

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
  readonly hook: SnapshotTestHook | null;
  /** See NodeSettings.reclaim_memory. */
  readonly reclaim_memory: MemoryReclaim | null;
  /** RECLAIM_STAGED_BYTES_MIN unless given (tests). */
  readonly reclaim_staged_bytes_min?: number;
  /** Hands peer messages to the node loop. */
  readonly deliver: (messages: Message[]) => void;
}

interface Held {
  readonly staged: StagedSnapshot;
  readonly ledger: Ledger;
}

export class IncomingSnapshots {
  private readonly held = new Map<number, Held>();
  private readonly pinned = new Set<number>();

  constructor(private readonly p: IncomingSnapshotParts) {}

  private readonly onDiscardError = (err: unknown): void => this.p.log.warn({ err: String(err) }, 'could not delete a discarded snapshot generation');

  /** A snapshot fully received and staged: its ledger is loaded and checked, then it is
   * kept (superseding the oldest beyond the bound) and announced to the core. A refusal
   * discards the staging; the sender tries again later. */
  async onReceived(from: NodeId, term: number, staged: StagedSnapshot): Promise<SnapshotAck> {
    const p = this.p;
    if (p.state.stopped) {
      staged.discard(this.onDiscardError);
      return { accepted: false, detail: 'node is stopping' };
    }
    const t0 = Date.now();
    await this.reclaimMemory(staged.bytes);
    const reclaim_ms = Date.now() - t0;
    let ledger: Ledger;
    try {
      // Made like the ledger it replaces (dedup window, supported rules versions).
      const loader = Ledger.loader(p.state.ledger.options());
      await p.storage.forEachStagedState(staged.generation, loader.add, this.loadPause());
      ledger = loader.finish();
      if (ledger.lastLogIndex() > staged.meta.index) throw new Error(`its ledger is at ${ledger.lastLogIndex()}, beyond the snapshot index ${staged.meta.index}`);
    } catch (err) {
      staged.discard(this.onDiscardError);
      p.metrics?.snapshot_failures.inc({ stage: 'check' });
      const detail = `snapshot at ${staged.meta.index} refused: ${err instanceof Error ? err.message : String(err)}`;
      p.log.warn({ from, index: staged.meta.index }, detail);
      // A snapshot at a cluster version beyond this node's rules versions is no bad
      // snapshot: every later one will be too, and the log above it holds entries this
      // node must not apply. It stops, naming the versions, and waits for an upgrade.
      if (err instanceof RulesVersionError) p.state.fail(new RulesVersionError(`snapshot at ${staged.meta.index} from ${from}: ${err.message}`));
      return { accepted: false, detail };
    }
    if (p.state.stopped) {
      staged.discard(this.onDiscardError);
      return { accepted: false, detail: 'node is stopping' };
    }
    this.held.get(staged.meta.index)?.staged.discard(this.onDiscardError);
    this.held.set(staged.meta.index, { staged, ledger });
    this.evict();
    p.log.info({ from, index: staged.meta.index, positions: ledger.positionCount(), reclaim_ms, load_ms: Date.now() - t0 - reclaim_ms }, 'staged snapshot checked');
    p.deliver([{ type: 'snapshot', from, to: p.self_id, term, snapshot: staged.meta }]);
    return { accepted: true, detail: `staged snapshot at ${staged.meta.index}` };
  }

  /** Staging a large snapshot leaves garbage in the heap (decoded chunks, write batches)
   * and free pages in the C heap that V8 and glibc keep while the node stays busy: 20M
   * events staged took a learner from 147 to 319 MiB anonymous before its ledger was
   * loaded on top (peak 526 MiB). Giving them back first keeps the peak near that of a
   * restart. A failure here costs memory, not correctness. */
  private async reclaimMemory(staged_bytes: number): Promise<void> {
    if (this.p.reclaim_memory === null || staged_bytes < (this.p.reclaim_staged_bytes_min ?? RECLAIM_STAGED_BYTES_MIN)) return;
    try {
      await this.p.reclaim_memory.all();
    } catch (err) {
      this.p.log.warn({ err: String(err) }, 'could not reclaim memory before loading a staged snapshot');
    }
  }

  /** The load's own garbage piles up beside the growing ledger until V8 collects it; a
   * collection every LOAD_COLLECT_EVERY_RECORDS keeps it down (1M positions in one
   * process: peak during the load 343 -> 309 MiB, heap committed after it 143 -> 79 MiB),
   * at a pause of a few hundred ms each on a node that is not serving yet. */
  private loadPause(): LoadPause | null {
    const reclaim = this.p.reclaim_memory;
    if (reclaim === null) return null;
    return {
      every_records: LOAD_COLLECT_EVERY_RECORDS,
      run: () => reclaim.heap().catch((err: unknown) => this.p.log.warn({ err: String(err) }, 'could not collect during a staged snapshot load')),
    };
  }

  /** Drops the lowest unpinned snapshots beyond STAGED_SNAPSHOTS_MAX. */
  private evict(): void {
    // Bounded by the snapshots held.
    while (this.held.size > STAGED_SNAPSHOTS_MAX) {
      const free = [...this.held.keys()].filter((i) => !this.pinned.has(i));
      if (free.length === 0) return;
      const lowest = Math.min(...free);
      this.held.get(lowest)!.staged.discard(this.onDiscardError);
      this.held.delete(lowest);
    }
  }

  /** The core is about to step the snapshot message at `index`. */
  pin(index: number): void {
    this.pinned.add(index);
  }

  /** The loop round ended: the core has named what it installs. */
  unpinAll(): void {
    this.pinned.clear();
    this.evict();
  }

  /** Installs the staged snapshot the core's Ready names, with the log entries the core
   * keeps above it and the hard state, in one synced batch; every earlier apply must have
   * landed (the caller drains them first). */
  async install(meta: SnapshotMeta, hard_state: HardState | null, entries: readonly Entry[]): Promise<void> {
    const p = this.p;
    const held = this.held.get(meta.index);
    if (!held || held.staged.meta.term !== meta.term) throw new Error(`core asked to install snapshot ${meta.index}/${meta.term} but no such snapshot was received`);
    this.held.delete(meta.index);
    const t0 = Date.now();
    const { staged, ledger } = held;
    const applied: AppliedRecord = { index: meta.index, term: meta.term, conf_state: meta.conf_state, addresses: { ...staged.applied.addresses } };
    if (p.hook) await p.hook('install-before', 1);
    await p.storage.installStaged(staged.generation, meta, applied, hard_state, entries, this.onDiscardError);
    if (p.hook) await p.hook('install-after', 1);
    p.state.ledger = ledger;
    p.clock.observe(ledger.lastTimeMs(), false);
    p.state.applied = applied;
    p.state.mem_applied = applied;
    p.proposals.failAll(new NodeError('outcome_unknown', 'node installed a snapshot'), p.refusals.notLeader());
    this.discardUpTo(meta.index);
    p.watch_hub.resync();
    const ms = Date.now() - t0;
    p.metrics?.snapshots_installed.inc();
    p.metrics?.snapshot_install_seconds.observe(ms / 1000);
    p.log.info({ index: meta.index, term: meta.term, records: staged.progress.records, bytes: staged.bytes, entries_kept: entries.length, ms, generation: staged.generation }, 'snapshot installed');
  }

  /** Shutdown: staged generations are dropped (what is left is deleted at the next start). */
  discardAll(): void {
    for (const h of this.held.values()) h.staged.discard(this.onDiscardError);
    this.held.clear();
  }

  private discardUpTo(index: number): void {
    for (const [idx, h] of this.held) {
      if (idx <= index) {
        h.staged.discard(this.onDiscardError);
        this.held.delete(idx);
      }
    }
  }
}
