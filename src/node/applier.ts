// Applies committed entries: first to the in-memory ledger (callers are answered there),
// then, queued in log order behind the runs before it, to LevelDB in one atomic batch
// with the run's events and applied record. The node loop hands out runs; this part keeps
// the queue of their writes and the two applied records (NodeState.mem_applied, .applied).

import type { Entry, NodeId } from '../raft/types.js';
import type { KvWrite } from '../ledger/types.js';
import { decodeEntry } from '../ledger/codec.js';
import { applyConfChange, decodeConfChange } from '../raft/conf-change.js';
import { eventKey, type AppliedRecord, type LevelStorage } from './storage-level.js';
import type { NodeState } from './node-state.js';
import type { NodeLog } from './node-settings.js';
import type { NodeMetrics } from './node-metrics.js';
import type { ProposalTable } from './proposals.js';
import type { Membership } from './membership.js';
import type { ReadRounds } from './read-rounds.js';
import type { WatchHub, KeyedEvent } from './watchers.js';
import type { EntryClock } from './entry-clock.js';
import { APPLY_DRAIN_WAITS_MAX, APPLIES_IN_FLIGHT_MAX } from './limits.js';
import { NodeError } from './node-api.js';

/** A run of committed entries applied in memory whose LevelDB writes are still to come. */
interface AppliedRun {
  readonly writes: readonly KvWrite[];
  readonly keyed: readonly KeyedEvent[];
  readonly applied: AppliedRecord;
  /** What waits for the write: membership changes, no-op entries. */
  readonly after: readonly (() => void)[];
  readonly conf_changed: boolean;
  readonly started_ms: number;
  readonly entries: number;
}

/** What a run collects while its entries are applied in memory. */
interface RunParts {
  readonly writes: KvWrite[];
  readonly keyed: KeyedEvent[];
  readonly after: (() => void)[];
  /** Callers' results, handed out once the whole run applied in memory. */
  readonly answers: (() => void)[];
}

export interface ApplierParts {
  readonly self_id: NodeId;
  readonly state: NodeState;
  readonly storage: LevelStorage;
  readonly proposals: ProposalTable;
  readonly membership: Membership;
  readonly reads: ReadRounds;
  readonly watch_hub: WatchHub;
  /** Anchored by the log times applied here. */
  readonly clock: EntryClock;
  readonly log: NodeLog;
  readonly metrics: NodeMetrics | null;
  /** Drops the transport's link to a removed member. */
  readonly forgetPeer: (id: NodeId) => void;
  /** Wakes the node loop. */
  readonly kick: () => void;
}

export class Applier {
  /** The last queued apply; each run starts when the one before it finished, so
   * entries are applied in log order. */
  private apply_tail: Promise<void> = Promise.resolve();
  private in_flight = 0;

  constructor(private readonly p: ApplierParts) {}

  get applies_in_flight(): number {
    return this.in_flight;
  }

  /** Waits until fewer than APPLIES_IN_FLIGHT_MAX runs are queued (or the node failed). */
  async waitForRoom(): Promise<void> {
    while (this.in_flight >= APPLIES_IN_FLIGHT_MAX && !this.p.state.fatal_error) await this.apply_tail;
  }

  /** Applies a run of committed entries to the in-memory ledger at once and answers their
   * callers, then queues the run's LevelDB writes behind every run queued before it,
   * without holding up the loop: the next Ready's fsync overlaps this write. Answering
   * before the state write lands is safe: the entries are committed (durable in a quorum's
   * logs) and the log is compacted only below a durably applied index, so a node that
   * crashes before the write replays them to the same results. Reads that need the stored
   * state (events, Watch) and the read barriers wait for `applied`, which moves only when
   * the write has landed. Bounded by APPLIES_IN_FLIGHT_MAX (the caller waits for room,
   * waitForRoom, before queueing more). */
  queueApply(entries: readonly Entry[]): void {
    const run = this.applyInMemory(entries);
    if (run === null) return;
    const s = this.p.state;
    this.in_flight += 1;
    this.apply_tail = this.apply_tail.then(async () => {
      try {
        if (!s.fatal_error) await this.writeApplied(run);
      } catch (err) {
        s.fail(err);
      } finally {
        this.in_flight -= 1;
      }
      if (s.fatal_error) return;
      this.releaseReads();
      // Applied entries may make a tick entry due or a compaction possible.
      this.p.kick();
    });
  }

  /** Resolves once every apply queued so far has finished. */
  async drain(): Promise<void> {
    // Bounded: each await finishes at least the apply that was the tail.
    for (let i = 0; i < APPLY_DRAIN_WAITS_MAX && this.in_flight > 0; i++) await this.apply_tail;
  }

  /** Resolves once LevelDB holds every run applied in memory up to `index` (the leader's
   * id check and GetOutcome read the archived outcomes only then: dedup-check.ts). */
  async storedThrough(index: number): Promise<void> {
    const s = this.p.state;
    // Bounded: each await lands at least the run that was the tail.
    for (let i = 0; i < APPLY_DRAIN_WAITS_MAX && s.applied.index < index && !s.fatal_error; i++) await this.apply_tail;
    if (s.applied.index < index) throw new NodeError('outcome_unknown', `applied state not stored through ${index}: retry with the same id`);
  }

  /** Answers the read barriers whose index the stored state has reached. */
  releaseReads(): void {
    this.p.reads.release(this.p.state.applied.index);
  }

  /** The in-memory half of applying a run (see queueApply): null if every entry was
   * applied already. Ledger results are handed to their callers here. */
  private applyInMemory(entries: readonly Entry[]): AppliedRun | null {
    const t0 = performance.now();
    const s = this.p.state;
    const run: RunParts = { writes: [], keyed: [], after: [], answers: [] };
    let applied = s.mem_applied;
    let conf_changed = false;
    for (const e of entries) {
      if (e.index <= applied.index) continue; // applied before a restart, or covered by a snapshot
      if (e.index !== applied.index + 1) throw new Error(`committed entry ${e.index} does not follow applied index ${applied.index}`);
      if (e.type === 'conf_change') {
        applied = this.applyConfEntry(e, applied, run.after);
        conf_changed = true;
        continue;
      }
      if (e.data.byteLength > 0) this.applyLedgerEntry(e, run);
      else run.after.push(() => this.p.proposals.appliedOther(e.index));
      applied = { index: e.index, term: e.term, conf_state: applied.conf_state, addresses: applied.addresses };
    }
    if (applied === s.mem_applied) return null;
    s.mem_applied = applied;
    for (const f of run.answers) f();
    return { writes: run.writes, keyed: run.keyed, applied, after: run.after, conf_changed, started_ms: t0, entries: entries.length };
  }

  /** A membership entry: the next applied record, and what waits for its write. */
  private applyConfEntry(e: Entry, applied: AppliedRecord, after: (() => void)[]): AppliedRecord {
    const cc = decodeConfChange(e.data);
    const conf_state = applyConfChange(applied.conf_state, cc);
    const addr = new TextDecoder().decode(cc.context);
    let addresses = applied.addresses;
    if (cc.type === 'remove') {
      const next = { ...addresses };
      delete next[cc.node_id];
      addresses = next;
      if (cc.node_id !== this.p.self_id) after.push(() => this.p.forgetPeer(cc.node_id));
    } else if (addr.length > 0) addresses = { ...addresses, [cc.node_id]: addr };
    after.push(() => {
      this.p.proposals.appliedOther(e.index);
      this.p.membership.onApplied(e.index, e.term);
    });
    return { index: e.index, term: e.term, conf_state, addresses };
  }

  /** A ledger entry: applied to the in-memory ledger; its writes, events and callers'
   * answers join the run. */
  private applyLedgerEntry(e: Entry, run: RunParts): void {
    const entry = decodeEntry(e.data);
    const out = this.p.state.ledger.apply(e.index, entry);
    // An entry of this leader's own term is its own stamp (one leader per term): it does
    // not re-anchor the log clock; every other entry with a time does.
    const s = this.p.state;
    this.p.clock.observe(s.ledger.lastTimeMs(), s.role === 'leader' && e.term === s.term);
    for (const w of out.writes) run.writes.push(w);
    if (out.prune !== undefined && !out.prune.ok) this.p.log.warn({ index: e.index, reason: out.prune.reason }, 'history prune refused: nothing pruned');
    else if (out.prune !== undefined) this.p.log.debug({ index: e.index, ...out.prune }, 'history pruned');
    out.events.forEach((event, i) => run.keyed.push({ key: eventKey(e.index, i), event }));
    if (entry.commands.length === 0) run.after.push(() => this.p.proposals.appliedOther(e.index));
    else run.answers.push(() => this.p.proposals.applied(e.index, e.term, out.results));
  }

  /** The stored half of applying a run: its ledger writes, events and applied record in
   * one batch; then `applied` moves and what waited for it (membership, Watch) follows. */
  private async writeApplied(run: AppliedRun): Promise<void> {
    const p = this.p;
    await p.storage.apply(run.writes, run.keyed, run.applied);
    p.state.applied = run.applied;
    if (run.conf_changed) p.log.info({ index: run.applied.index, conf_state: run.applied.conf_state }, 'membership applied');
    for (const f of run.after) f();
    p.watch_hub.publish(run.keyed);
    p.metrics?.apply_seconds.observe((performance.now() - run.started_ms) / 1000);
    p.metrics?.entries_applied.inc(run.entries);
  }
}
