// The node: drives the raft core, persists through LevelStorage, talks to peers through
// GrpcTransport, applies committed entries to the ledger and serves StockNode.
//
// All calls into the core happen in one place, the loop (runLoop): between two Ready
// cycles it feeds the core what arrived meanwhile (ticks, peer messages, proposals, read
// requests, membership changes), then handles each Ready in the contract's order:
// install snapshot + persist entries and hard state (one synced batch: group commit),
// send, queue the committed entries for apply (ledger writes + applied record in one
// atomic batch, in log order, at most APPLIES_IN_FLIGHT_MAX runs queued), release reads,
// advance. The apply of one Ready overlaps the fsync of the next. While one Ready waits
// for its fsync, new proposals pile up and leave together in the next one: that is where
// many callers share one entry and one fsync. Every round's work is bounded (see the
// *_PER_ROUND_MAX limits) so heartbeats keep flowing under load.

import type { ConfState, Entry, HardState, Message, NodeId, ProposeResult, RaftStatus, Ready, RequestResult, Role, SnapshotMeta, SoftState } from '../raft/types.js';
import type { AdminEvent, Command, CommandResult, KvWrite, LedgerEvent, Position, ReservationView } from '../ledger/types.js';
import { Ledger } from '../ledger/ledger.js';
import { decodeEntry, encodeEntry } from '../ledger/codec.js';
import { adminHistoryKey, adminHistoryRangeEnd, historyKey, historyRangeEnd, POSITION_PREFIX } from '../ledger/keys.js';
import { applyConfChange, confChangeRefusal, decodeConfChange } from '../raft/conf-change.js';
import { eventKey, unpack, type AppliedRecord, type LevelStorage, type SnapshotView } from './storage-level.js';
import type { StagedSnapshot } from './storage-snapshot.js';
import { snapshotChunksAsync } from '../ledger/snapshot.js';
import { GrpcTransport, type TransportHost, type TransportLimits } from './transport-grpc.js';
import { NodeError, type MemberStatus, type NodeStatus, type StockNode, type WatchHandle } from './node-api.js';
import { ReadRounds } from './read-rounds.js';
import { addressProblem } from '../wire/names.js';
import { ProposalTable, type ProposalLimits } from './proposals.js';
import { WatchHub, type KeyedEvent } from './watchers.js';
import type { RaftCore } from './raft-core.js';
import type { NodeMetrics } from './node-metrics.js';
import type { ChannelCredentials } from '@grpc/grpc-js';

export interface NodeLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export interface NodeSettings {
  readonly id: NodeId;
  readonly cluster_id: string;
  /** The address peers and clients reach this node at. */
  readonly advertise: string;
  /** Addresses from --initial-cluster (bootstrap members, or the cluster a joiner joins). */
  readonly initial_addresses: Readonly<Record<NodeId, string>>;
  /** Addresses that win over everything else (fault-injection proxies). */
  readonly peer_address_overrides: Readonly<Record<NodeId, string>>;
  readonly tick_ms: number;
  /** Every `snapshot_entries` applied entries the log is compacted... */
  readonly snapshot_entries: number;
  /** ...keeping this many entries below the durable applied index for slow followers. */
  readonly trailing_entries: number;
  /** Entry bytes above the compaction point beyond which the log is compacted too. */
  readonly log_bytes_max: number;
  readonly proposal_limits: ProposalLimits;
  readonly transport_limits: TransportLimits;
  readonly snapshot_dir: string;
  readonly channel_credentials?: (id: NodeId) => ChannelCredentials;
}

/** Incoming peer messages held between two loop rounds; beyond it they are dropped
 * (raft retransmits). */
export const INBOX_MESSAGES_MAX = 20_000;
/** Core operations (read requests, membership changes...) queued between two rounds. */
export const OPS_MAX = 20_000;
/** Linearizable read barriers waiting at once. */
export const READS_MAX = 20_000;
/** Work taken into the core per loop round. A round ends in one Ready whose persist,
 * encode and apply run on this one thread; while it runs nothing else does (no peer
 * message is stepped, no heartbeat leaves). These bounds keep a round short even when
 * thousands of callers or a long backlog of appends are waiting, so heartbeats keep
 * flowing under load; what is left waits for the next round. */
export const INBOX_MESSAGES_PER_ROUND_MAX = 4096;
/** Entry bytes of peer appends stepped per round (at least one message always is). A
 * follower persists and encodes what it stepped before its next round; 1 MiB keeps that
 * in step with the apply bound (COMMITTED_BYTES_PER_READY_MAX). */
export const INBOX_ENTRY_BYTES_PER_ROUND_MAX = 1024 * 1024;
/** Client entries proposed per round, and their bytes (at least one entry always is). */
export const PROPOSED_ENTRIES_PER_ROUND_MAX = 16;
export const PROPOSED_BYTES_PER_ROUND_MAX = 2 * 1024 * 1024;
/** Ticks fed per round. A loop stalled for longer (a slow disk, a busy CPU) does not make
 * the core see many election timeouts at once before it saw the messages that arrived
 * meanwhile: the rest of the ticks are dropped, i.e. the node's clock runs slower while
 * it is stalled. Safety never depends on ticks (reads are confirmed by heartbeat rounds,
 * not leases), only liveness does, and a stalled node is not live anyway. */
export const TICKS_PER_ROUND_MAX = 2;
/** Runs of committed entries being applied while the loop goes on with the next Ready
 * (see handleReady). Beyond it the loop waits for the oldest before handing out more. */
export const APPLIES_IN_FLIGHT_MAX = 2;
/** Upper bound of any wait a caller can ask for. */
export const WAIT_MS_MAX = 600_000;
/** Chunk size of backups (ledger snapshot format). */
const BACKUP_CHUNK_BYTES = 1024 * 1024;
/** Staged incoming snapshots kept at once. */
const STAGED_MAX = 2;

/** A read-index round unanswered for this many ticks is given up and re-issued (a lost
 * message or a leader change; see read-rounds.ts). Rounds normally answer within one
 * round trip, well under a tick. */
const READ_ROUND_RETRY_TICKS = 4;

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

interface Waiter {
  readonly term: number;
  readonly resolve: () => void;
  readonly reject: (e: Error) => void;
}

function waitMs(deadline_at_ms: number): number {
  return Math.max(1, Math.min(WAIT_MS_MAX, Math.floor(deadline_at_ms - Date.now())));
}

export class StockNodeImpl implements StockNode {
  readonly id: NodeId;
  readonly transport: GrpcTransport;
  private ledger: Ledger;
  /** What LevelDB holds applied (moves when a run's write lands). */
  private applied: AppliedRecord;
  /** What the in-memory ledger reflects: at or ahead of `applied` (see queueApply). */
  private mem_applied: AppliedRecord;
  private role: Role = 'follower';
  private leader: NodeId | null = null;
  private term = 0;
  /** The term last written durably (appends may leave before the fsync only in it). */
  private persisted_term = 0;
  private commit = 0;
  private readonly proposals: ProposalTable;
  private inbox: Message[] = [];
  private ops: (() => void)[] = [];
  private async_ops: (() => Promise<void>)[] = [];
  private pending_ticks = 0;
  private loop_running = false;
  private stopped = false;
  private closing = false;
  private fatal_error: Error | null = null;
  private readonly reads: ReadRounds;
  private readonly conf_waiters = new Map<number, Waiter>();
  private readonly transfer_waiters = new Set<{ to: NodeId; resolve: () => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private readonly staged = new Map<number, StagedSnapshot>();
  private readonly learned = new Map<NodeId, string>();
  private readonly watch_hub: WatchHub;
  private readonly leader_listeners = new Set<(leader_id: NodeId | null) => void>();
  private tick_timer: NodeJS.Timeout | null = null;
  /** The last queued apply; each run starts when the one before it finished, so
   * entries are applied in log order. */
  private apply_tail: Promise<void> = Promise.resolve();
  private applies_in_flight = 0;
  private time_tick_index = 0;
  /** Logs every Ready's timing at debug level (stockd --log-level trace). */
  trace = false;
  /** Test hook: shifts this node's clock as used to stamp entries. */
  clock_offset_ms = 0;
  onFatal: (err: Error) => void;

  constructor(
    private readonly settings: NodeSettings,
    private readonly raft: RaftCore,
    ledger: Ledger,
    applied: AppliedRecord,
    private readonly storage: LevelStorage,
    private readonly log: NodeLog,
    private readonly metrics: NodeMetrics | null,
  ) {
    this.id = settings.id;
    this.ledger = ledger;
    this.applied = applied;
    this.mem_applied = applied;
    this.proposals = new ProposalTable(settings.proposal_limits);
    this.reads = new ReadRounds(this.id, {
      waiters_max: READS_MAX,
      retry_after_ms: READ_ROUND_RETRY_TICKS * settings.tick_ms,
      now_ms: () => performance.now(),
      timeoutError: (wait_ms) => new NodeError('no_leader', `no read index within the deadline (${wait_ms} ms): retry`),
      overloadedError: (max) => new NodeError('overloaded', `read barriers waiting: limit ${max} reached`),
    });
    this.watch_hub = new WatchHub({ readEvents: (from, after, limit) => this.storage.eventsFrom(from, after, limit) });
    this.transport = new GrpcTransport(this.transportHost(), settings.transport_limits, settings.channel_credentials);
    this.onFatal = (err) => {
      this.log.error({ err: err.stack ?? String(err) }, 'fatal: stopping the node');
      process.exit(1);
    };
    const st = raft.status();
    this.term = st.term;
    this.persisted_term = st.term;
    this.commit = st.commit;
    this.role = st.role;
    this.leader = st.leader;
    if (metrics) {
      storage.onSync = (ms) => metrics.fsync_seconds.observe(ms / 1000);
      metrics.refreshWith(() => this.updateMetrics());
      metrics.peerMessagesFrom(() => this.transport.sent_by_type);
    }
  }

  /** Starts ticking. */
  start(): void {
    if (this.tick_timer) return;
    this.tick_timer = setInterval(() => this.onTick(), this.settings.tick_ms);
    this.updateMetrics();
    this.kick();
  }

  // ------------------------------------------------------------------ transport host

  private transportHost(): TransportHost {
    return {
      cluster_id: this.settings.cluster_id,
      self_id: this.settings.id,
      self_address: this.settings.advertise,
      snapshot_dir: this.settings.snapshot_dir,
      log: this.log,
      addressOf: (id) => this.addressOf(id),
      isKnownSender: (id) => this.isKnownSender(id),
      learnAddress: (id, address) => {
        if (!this.learned.has(id) && this.learned.size < 1024) this.learned.set(id, address);
      },
      onMessages: (messages) => this.deliver(messages),
      onUnreachable: (to) => this.queueOp(() => this.raft.reportUnreachable(to)),
      onSnapshot: (from, term, staged) => this.onSnapshotReceived(from, term, staged),
      onSnapshotSent: (to, ok) => this.queueOp(() => this.raft.reportSnapshot(to, ok)),
      openSnapshot: (): Promise<SnapshotView> => this.storage.openSnapshot(),
    };
  }

  private members(): ConfState {
    return this.applied.conf_state;
  }

  private isKnownSender(id: NodeId): boolean {
    const conf = this.members();
    if (conf.voters.length + conf.learners.length === 0) return true; // joining: membership still to learn
    if (conf.voters.includes(id) || conf.learners.includes(id)) return true;
    if (id in this.settings.peer_address_overrides || id in this.settings.initial_addresses || id in this.applied.addresses) return true;
    const st = this.raft.status();
    return st.conf_state.voters.includes(id) || st.conf_state.learners.includes(id);
  }

  addressOf(id: NodeId): string | null {
    const o = this.settings.peer_address_overrides[id];
    if (o) return o;
    if (id === this.id) return this.settings.advertise;
    return this.applied.addresses[id] ?? this.learned.get(id) ?? this.settings.initial_addresses[id] ?? null;
  }

  private deliver(messages: Message[]): void {
    if (this.stopped) return;
    for (const m of messages) {
      if (this.inbox.length >= INBOX_MESSAGES_MAX) break;
      this.inbox.push(m);
    }
    this.kick();
  }

  private queueOp(op: () => void): boolean {
    if (this.stopped || this.ops.length >= OPS_MAX) return false;
    this.ops.push(op);
    this.kick();
    return true;
  }

  private onSnapshotReceived(from: NodeId, term: number, staged: StagedSnapshot): { accepted: boolean; detail: string } {
    if (this.stopped) return { accepted: false, detail: 'node is stopping' };
    const prev = this.staged.get(staged.meta.index);
    if (prev) prev.discard();
    this.staged.set(staged.meta.index, staged);
    while (this.staged.size > STAGED_MAX) {
      const lowest = Math.min(...this.staged.keys());
      this.staged.get(lowest)!.discard();
      this.staged.delete(lowest);
    }
    this.deliver([{ type: 'snapshot', from, to: this.id, term, snapshot: staged.meta }]);
    return { accepted: true, detail: `staged snapshot at ${staged.meta.index}` };
  }

  // ------------------------------------------------------------------ the loop

  private onTick(): void {
    if (this.stopped) return;
    this.pending_ticks = Math.min(this.pending_ticks + 1, 100);
    if (this.role === 'leader' && this.time_tick_index <= this.applied.index) {
      const due = this.ledger.nextExpiryMs();
      if (due !== null && due <= this.now()) {
        this.queueOp(() => {
          if (this.role !== 'leader' || this.time_tick_index > this.applied.index) return;
          const r = this.raft.propose(encodeEntry({ time_ms: this.now(), commands: [] }));
          if (r.ok) this.time_tick_index = r.index;
        });
      }
    }
    this.kick();
  }

  /** Test hook: delay every synced write by `ms`. */
  setFsyncDelay(ms: number): void {
    this.storage.fsync_delay_ms = ms;
  }

  now(): number {
    return Date.now() + this.clock_offset_ms;
  }

  private kick(): void {
    if (this.loop_running || this.stopped) return;
    this.loop_running = true;
    setImmediate(() => void this.runLoop());
  }

  private hasWork(): boolean {
    return this.inbox.length > 0 || this.ops.length > 0 || this.async_ops.length > 0 || this.pending_ticks > 0 || (this.proposals.queued > 0 && this.role === 'leader') || this.reads.wantsRound();
  }

  private async runLoop(): Promise<void> {
    try {
      // Bounded so one call cannot spin forever; more work re-kicks the loop.
      for (let round = 0; round < 10_000 && !this.stopped; round++) {
        this.feed();
        const aops = this.async_ops;
        this.async_ops = [];
        for (const op of aops) await op();
        if (!this.raft.hasReady()) break;
        const rd = this.raft.ready();
        await this.handleReady(rd);
        this.raft.advance();
        await this.maybeCompact();
      }
    } catch (err) {
      this.loop_running = false;
      this.fail(err);
      return;
    }
    this.loop_running = false;
    if (!this.stopped && (this.hasWork() || this.raft.hasReady())) this.kick();
  }

  private fail(err: unknown): void {
    if (this.fatal_error) return;
    this.fatal_error = err instanceof Error ? err : new Error(String(err));
    this.stopped = true;
    this.onFatal(this.fatal_error);
  }

  /** Applies a run of committed entries to the in-memory ledger at once and answers their
   * callers, then queues the run's LevelDB writes behind every run queued before it,
   * without holding up the loop: the next Ready's fsync overlaps this write. Answering
   * before the state write lands is safe: the entries are committed (durable in a quorum's
   * logs) and the log is compacted only below a durably applied index, so a node that
   * crashes before the write replays them to the same results. Reads that need the stored
   * state (events, Watch) and the read barriers wait for `applied`, which moves only when
   * the write has landed. Bounded by APPLIES_IN_FLIGHT_MAX (the caller waits before
   * queueing more). */
  private queueApply(entries: readonly Entry[]): void {
    const run = this.applyInMemory(entries);
    if (run === null) return;
    this.applies_in_flight += 1;
    this.apply_tail = this.apply_tail.then(async () => {
      try {
        if (!this.fatal_error) await this.writeApplied(run);
      } catch (err) {
        this.fail(err);
      } finally {
        this.applies_in_flight -= 1;
      }
      if (this.fatal_error) return;
      this.releaseReads();
      // Applied entries may make a tick entry due or a compaction possible.
      this.kick();
    });
  }

  /** Resolves once every apply queued so far has finished. */
  private async drainApplies(): Promise<void> {
    // Bounded: each await finishes at least the apply that was the tail.
    for (let i = 0; i < 1000 && this.applies_in_flight > 0; i++) await this.apply_tail;
  }

  private feed(): void {
    // Messages first, then time: heartbeats and their answers that arrived while the
    // previous round ran count before the ticks of that same stretch, so a busy round
    // does not turn into an election (follower) or a check-quorum step-down (leader).
    this.stepInbox();
    const ticks = Math.min(this.pending_ticks, TICKS_PER_ROUND_MAX);
    if (this.pending_ticks > ticks) this.metrics?.ticks_dropped.inc(this.pending_ticks - ticks);
    this.pending_ticks = 0;
    for (let i = 0; i < ticks; i++) this.raft.tick();
    const ops = this.ops;
    this.ops = [];
    for (const op of ops) op();
    this.proposeQueued();
    this.reads.nextRound((context) => {
      const r = this.raft.readIndex(context);
      return r.ok ? { ok: true } : { ok: false, error: this.refusalError(r) };
    });
  }

  /** Steps a bounded prefix of the inbox (see INBOX_*_PER_ROUND_MAX); the rest stays, in
   * order, for the next round. */
  private stepInbox(): void {
    let n = 0;
    let bytes = 0;
    while (n < this.inbox.length && n < INBOX_MESSAGES_PER_ROUND_MAX && (n === 0 || bytes < INBOX_ENTRY_BYTES_PER_ROUND_MAX)) {
      const m = this.inbox[n]!;
      if (m.type === 'append') for (const e of m.entries) bytes += e.data.byteLength;
      n++;
    }
    const batch = n === this.inbox.length ? this.inbox : this.inbox.slice(0, n);
    this.inbox = n === this.inbox.length ? [] : this.inbox.slice(n);
    for (const m of batch) {
      try {
        this.raft.step(m);
      } catch (err) {
        this.log.warn({ from: m.from, type: m.type, err: String(err) }, 'core refused a peer message');
      }
    }
  }

  private proposeQueued(): void {
    if (this.proposals.queued === 0) return;
    if (this.role !== 'leader' || this.closing) {
      this.proposals.failQueued(this.closing ? new NodeError('shutting_down', 'node is shutting down') : this.notLeader());
      return;
    }
    // Bounded per round (PROPOSED_*_PER_ROUND_MAX); callers left queued go in the next
    // round, whose Ready is again of bounded size.
    let entries = 0;
    let bytes = 0;
    while (entries < PROPOSED_ENTRIES_PER_ROUND_MAX && bytes < PROPOSED_BYTES_PER_ROUND_MAX) {
      const b = this.proposals.takeBatch();
      if (!b) return;
      let data: Uint8Array;
      try {
        data = encodeEntry({ time_ms: this.now(), commands: b.commands });
      } catch (err) {
        if (b.parts.length > 1) {
          // Too many bytes for one entry: put the second half back and try again smaller.
          const half = Math.ceil(b.parts.length / 2);
          this.proposals.requeueFront(b.parts.slice(half));
          this.proposals.requeueFront(b.parts.slice(0, half));
          this.proposals.halveNextBatch();
          continue;
        }
        this.proposals.refused(b.parts, new NodeError('invalid', `commands: ${err instanceof Error ? err.message : String(err)}`));
        continue;
      }
      entries += 1;
      bytes += data.byteLength;
      const r = this.raft.propose(data);
      if (r.ok) this.proposals.proposed(r.index, r.term, b.parts);
      else {
        this.metrics?.proposals.inc({ outcome: 'refused' }, b.parts.length);
        this.proposals.refused(b.parts, this.refusalError(r));
      }
    }
  }

  private refusalError(r: Extract<ProposeResult | RequestResult, { ok: false }>): NodeError {
    const addr = r.leader ? this.addressOf(r.leader) : null;
    switch (r.reason) {
      case 'not_leader':
        return new NodeError('not_leader', r.detail, r.leader, addr);
      case 'no_leader':
      case 'transferring':
        return new NodeError('no_leader', r.detail, r.leader, addr);
      case 'too_many_uncommitted':
        return new NodeError('overloaded', r.detail, r.leader, addr);
      case 'conf_change_pending':
      case 'invalid':
        return new NodeError('invalid', r.detail, r.leader, addr);
    }
  }

  private notLeader(): NodeError {
    if (this.leader === null) return new NodeError('no_leader', 'no leader is known yet: retry');
    return new NodeError('not_leader', `node ${this.id} is not the leader; ${this.leader} is`, this.leader, this.addressOf(this.leader));
  }

  private async handleReady(rd: Ready): Promise<void> {
    if (rd.soft_state) this.onSoftState(rd.soft_state);
    if (rd.hard_state) {
      this.term = rd.hard_state.term;
      this.commit = rd.hard_state.commit;
    }
    // A leader's appends and heartbeats do not depend on its own disk write (the core
    // counts the leader's own copy only after advance()), so they leave before the fsync
    // and the followers' writes overlap the leader's. Everything else (votes, answers)
    // waits for the write, as the Ready contract requires.
    let later: readonly Message[] = rd.messages;
    const term_durable = rd.hard_state === null || rd.hard_state.term === this.persisted_term;
    if (this.role === 'leader' && rd.messages.length > 0 && !rd.snapshot && term_durable) {
      const early = rd.messages.filter((m) => (m.type === 'append' || m.type === 'heartbeat') && m.term === this.term);
      if (early.length > 0) {
        this.transport.send(early);
        later = rd.messages.filter((m) => !((m.type === 'append' || m.type === 'heartbeat') && m.term === this.term));
      }
    }
    const t0 = performance.now();
    if (rd.snapshot) {
      // A snapshot replaces the ledger: every earlier run of entries lands first.
      await this.drainApplies();
      await this.installSnapshot(rd.snapshot, rd.hard_state);
    }
    await this.storage.persist(rd.entries, rd.hard_state);
    const t1 = performance.now();
    if (rd.hard_state) this.persisted_term = rd.hard_state.term;
    if (later.length > 0) this.transport.send(later);
    if (rd.committed_entries.length > 0) {
      // Entries are committed (durable on a quorum): applying them need not finish before
      // the next Ready is taken. The core counts them as applied once handed out; the
      // node's own applied index (reads, compaction, status) moves when the apply lands.
      while (this.applies_in_flight >= APPLIES_IN_FLIGHT_MAX && !this.fatal_error) await this.apply_tail;
      this.queueApply(rd.committed_entries);
    }
    if (this.trace) {
      this.log.debug(
        { entries: rd.entries.length, committed: rd.committed_entries.length, messages: rd.messages.length, persist_ms: +(t1 - t0).toFixed(2), apply_wait_ms: +(performance.now() - t1).toFixed(2), applies_in_flight: this.applies_in_flight },
        'ready',
      );
    }
    for (const rs of rd.read_states) this.reads.onReadState(rs.context, rs.index);
    this.releaseReads();
  }

  private onSoftState(ss: SoftState): void {
    const was_leader = this.role === 'leader';
    const leader_changed = ss.leader !== this.leader;
    this.role = ss.role;
    this.leader = ss.leader;
    if (leader_changed || ss.role !== 'leader') this.log.info({ role: ss.role, leader: ss.leader }, 'raft role');
    if (was_leader && ss.role !== 'leader') {
      const unknown = new NodeError('outcome_unknown', `node ${this.id} lost leadership before the entry applied`, ss.leader, ss.leader ? this.addressOf(ss.leader) : null);
      this.proposals.failAll(unknown, this.notLeader());
      for (const [index, w] of this.conf_waiters) {
        this.conf_waiters.delete(index);
        w.reject(unknown);
      }
      this.time_tick_index = 0;
    }
    if (leader_changed) {
      // A read round out to a former leader may never be answered.
      this.reads.failRound(new NodeError('no_leader', 'leader changed while waiting for a read index: retry'));
      for (const fn of this.leader_listeners) fn(ss.leader);
    }
    for (const t of this.transfer_waiters) {
      if (ss.leader === t.to) {
        this.transfer_waiters.delete(t);
        clearTimeout(t.timer);
        t.resolve();
      }
    }
    this.metrics?.setRole(ss.role);
  }

  private async installSnapshot(meta: SnapshotMeta, hard_state: HardState | null): Promise<void> {
    const staged = this.staged.get(meta.index);
    if (!staged || staged.meta.term !== meta.term) {
      throw new Error(`core asked to install snapshot ${meta.index}/${meta.term} but no such snapshot was received`);
    }
    const t0 = Date.now();
    const { applied: sender, records } = staged.read();
    if (sender.index !== meta.index) throw new Error(`staged snapshot claims applied index ${sender.index}, its meta says ${meta.index}`);
    const applied: AppliedRecord = { index: meta.index, term: meta.term, conf_state: meta.conf_state, addresses: { ...sender.addresses } };
    const t_read = Date.now();
    await this.storage.installSnapshot(meta, records, applied, hard_state);
    const t_write = Date.now();
    // The ledger is rebuilt from the records just written (already in memory).
    const dec = new TextDecoder();
    const state: [string, unknown][] = [];
    for (const [name, k, v] of records) if (name === 'state') state.push([dec.decode(k), unpack(v)]);
    const ledger = Ledger.load(state);
    if (ledger.lastLogIndex() > meta.index) throw new Error(`snapshot ledger is at ${ledger.lastLogIndex()}, beyond the snapshot index ${meta.index}`);
    this.ledger = ledger;
    this.applied = applied;
    this.mem_applied = applied;
    this.proposals.failAll(new NodeError('outcome_unknown', 'node installed a snapshot'), this.notLeader());
    for (const [idx, s] of this.staged) {
      if (idx <= meta.index) {
        s.discard();
        this.staged.delete(idx);
      }
    }
    this.watch_hub.resync();
    this.metrics?.snapshots_installed.inc();
    this.log.info(
      { index: meta.index, term: meta.term, records: records.length, bytes: staged.bytes, ms: Date.now() - t0, read_ms: t_read - t0, write_ms: t_write - t_read, load_ms: Date.now() - t_write },
      'snapshot installed',
    );
  }

  /** The in-memory half of applying a run (see queueApply): null if every entry was
   * applied already. Ledger results are handed to their callers here. */
  private applyInMemory(entries: readonly Entry[]): AppliedRun | null {
    const t0 = performance.now();
    const writes: KvWrite[] = [];
    const keyed: KeyedEvent[] = [];
    const after: (() => void)[] = [];
    let applied = this.mem_applied;
    const answers: (() => void)[] = [];
    let conf_changed = false;
    for (const e of entries) {
      if (e.index <= applied.index) continue; // applied before a restart, or covered by a snapshot
      if (e.index !== applied.index + 1) throw new Error(`committed entry ${e.index} does not follow applied index ${applied.index}`);
      let conf_state = applied.conf_state;
      let addresses = applied.addresses;
      if (e.type === 'conf_change') {
        const cc = decodeConfChange(e.data);
        conf_state = applyConfChange(conf_state, cc);
        const addr = new TextDecoder().decode(cc.context);
        if (cc.type === 'remove') {
          const next = { ...addresses };
          delete next[cc.node_id];
          addresses = next;
          if (cc.node_id !== this.id) after.push(() => this.transport.forget(cc.node_id));
        } else if (addr.length > 0) addresses = { ...addresses, [cc.node_id]: addr };
        conf_changed = true;
        const index = e.index;
        const term = e.term;
        after.push(() => {
          this.proposals.appliedOther(index);
          const w = this.conf_waiters.get(index);
          if (w) {
            this.conf_waiters.delete(index);
            if (w.term === term) w.resolve();
            else w.reject(new NodeError('outcome_unknown', `membership change at ${index} was replaced by term ${term}`));
          }
        });
      } else if (e.data.byteLength === 0) {
        const index = e.index;
        after.push(() => this.proposals.appliedOther(index));
      } else {
        const entry = decodeEntry(e.data);
        const out = this.ledger.apply(e.index, entry);
        for (const w of out.writes) writes.push(w);
        out.events.forEach((event, i) => keyed.push({ key: eventKey(e.index, i), event }));
        const index = e.index;
        const term = e.term;
        if (entry.commands.length === 0) after.push(() => this.proposals.appliedOther(index));
        else answers.push(() => this.proposals.applied(index, term, out.results));
      }
      applied = { index: e.index, term: e.term, conf_state, addresses };
    }
    if (applied === this.mem_applied) return null;
    this.mem_applied = applied;
    for (const f of answers) f();
    return { writes, keyed, applied, after, conf_changed, started_ms: t0, entries: entries.length };
  }

  /** The stored half of applying a run: its ledger writes, events and applied record in
   * one batch; then `applied` moves and what waited for it (membership, Watch) follows. */
  private async writeApplied(run: AppliedRun): Promise<void> {
    await this.storage.apply(run.writes, run.keyed, run.applied);
    this.applied = run.applied;
    if (run.conf_changed) this.log.info({ index: run.applied.index, conf_state: run.applied.conf_state }, 'membership applied');
    for (const f of run.after) f();
    this.watch_hub.publish(run.keyed);
    this.metrics?.apply_seconds.observe((performance.now() - run.started_ms) / 1000);
    this.metrics?.entries_applied.inc(run.entries);
  }

  private releaseReads(): void {
    this.reads.release(this.applied.index);
  }

  private async maybeCompact(): Promise<void> {
    const s = this.settings;
    const by_entries = this.durableApplied() - this.storage.snapshotIndex >= s.snapshot_entries + s.trailing_entries;
    // Large entries (many commands each) would make an entry-count bound hold gigabytes
    // in memory: the log is also compacted when its bytes pass log_bytes_max, keeping at
    // most a quarter of that as trailing entries.
    const by_bytes = this.storage.logBytes > s.log_bytes_max;
    if (!by_entries && !by_bytes) return;
    await this.compactToTrailing(by_bytes ? this.trailingBytes() : Number.MAX_SAFE_INTEGER);
  }

  /** The highest index compaction may reach: applied, and durably so. */
  private durableApplied(): number {
    return Math.min(this.storage.durable_applied, this.applied.index);
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

  /** Runs `op` inside the node loop (between Ready rounds, like compaction there) and
   * answers with its result; refused when the operation queue is full. */
  private inLoop<T>(op: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.async_ops.length >= OPS_MAX) return reject(new NodeError('overloaded', 'node operation queue is full'));
      this.async_ops.push(async () => {
        try {
          resolve(await op());
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
          throw err;
        }
      });
      this.kick();
    });
  }

  private async compactTo(index: number): Promise<void> {
    if (index <= this.storage.snapshotIndex) return;
    const meta = this.raft.compact(index);
    if (meta.index !== index) throw new Error(`core compacted to ${meta.index}, asked for ${index}`);
    await this.storage.compact(meta);
    this.metrics?.snapshot_index.set(meta.index);
    this.log.debug({ index }, 'log compacted');
  }

  /** The gauges' figures; NodeMetrics calls this at every scrape. */
  private updateMetrics(): void {
    const m = this.metrics;
    if (!m) return;
    m.setRole(this.role);
    m.term.set(this.term);
    m.commit.set(this.commit);
    m.applied.set(this.applied.index);
    m.snapshot_index.set(this.storage.snapshotIndex);
    m.open_reservations.set(this.ledger.openReservations());
    m.proposals_pending.set(this.proposals.size);
  }

  // ------------------------------------------------------------------ StockNode

  async propose(commands: readonly Command[], deadline_ms: number): Promise<readonly CommandResult[]> {
    if (this.closing || this.stopped) throw new NodeError('shutting_down', 'node is shutting down');
    if (this.role !== 'leader') {
      this.metrics?.proposals.inc({ outcome: 'not_leader' });
      throw this.notLeader();
    }
    const p = this.proposals.enqueue(commands, deadline_ms);
    this.kick();
    try {
      const r = await p;
      this.metrics?.proposals.inc({ outcome: 'applied' });
      return r;
    } catch (err) {
      const kind = err instanceof NodeError ? err.kind : 'refused';
      this.metrics?.proposals.inc({ outcome: kind === 'outcome_unknown' || kind === 'overloaded' || kind === 'not_leader' || kind === 'shutting_down' ? kind : 'refused' });
      throw err;
    }
  }

  readBarrier(deadline_ms: number): Promise<void> {
    if (this.closing || this.stopped) return Promise.reject(new NodeError('shutting_down', 'node is shutting down'));
    const p = this.reads.add(waitMs(deadline_ms));
    this.kick();
    return p;
  }


  getPosition(sku: string, location: string): Position | null {
    return this.ledger.getPosition(sku, location);
  }

  getReservation(reservation_id: string): ReservationView | null {
    return this.ledger.getReservation(reservation_id);
  }

  getOutcome(op_id: string): CommandResult | null {
    return this.ledger.getOutcome(op_id);
  }

  headHash(): string {
    return this.ledger.headHash();
  }

  async listEvents(sku: string, location: string, after_seq: number, limit: number): Promise<readonly LedgerEvent[]> {
    if (!Number.isSafeInteger(after_seq) || after_seq < 0) throw new NodeError('invalid', `after_seq must be a non-negative integer, got ${after_seq}`);
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new NodeError('invalid', `limit must be 1..10000, got ${limit}`);
    const values = await this.storage.historyRange(historyKey(sku, location, after_seq + 1), historyRangeEnd(sku, location), limit);
    return values as LedgerEvent[];
  }

  async listAdminEvents(after_seq: number, limit: number): Promise<{ readonly events: readonly AdminEvent[]; readonly head: { readonly seq: number; readonly head: string } }> {
    if (!Number.isSafeInteger(after_seq) || after_seq < 0) throw new NodeError('invalid', `after_seq must be a non-negative integer, got ${after_seq}`);
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new NodeError('invalid', `limit must be 1..10000, got ${limit}`);
    // The head is read first: events listed after it may be newer, never fewer.
    const head = this.ledger.adminHead();
    const values = await this.storage.historyRange(adminHistoryKey(after_seq + 1), adminHistoryRangeEnd(), limit);
    return { events: values as AdminEvent[], head };
  }

  async listPositions(after: { readonly sku: string; readonly location: string } | null, limit: number): Promise<readonly Position[]> {
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new NodeError('invalid', `limit must be 1..10000, got ${limit}`);
    const gt = after ? `${POSITION_PREFIX}${after.sku}!${after.location}` : POSITION_PREFIX;
    // 'p"' is the first key past every 'p!...' key.
    const rows = await this.storage.stateRange(gt, 'p"', limit);
    return rows.map(([, v]) => {
      const p = v as Position;
      return { sku: p.sku, location: p.location, on_hand: p.on_hand, reserved: p.reserved, available: p.available, seq: p.seq };
    });
  }

  watch(from_index: number, onEvent: (event: LedgerEvent) => void, onEnd: (err: Error | null) => void): WatchHandle {
    if (this.closing || this.stopped) throw new NodeError('shutting_down', 'node is shutting down');
    try {
      return this.watch_hub.watch(from_index, onEvent, onEnd);
    } catch (err) {
      throw new NodeError('overloaded', err instanceof Error ? err.message : String(err));
    }
  }

  raftStatus(): RaftStatus {
    return this.raft.status();
  }

  onLeaderChange(fn: (leader_id: NodeId | null) => void): () => void {
    this.leader_listeners.add(fn);
    return () => {
      this.leader_listeners.delete(fn);
    };
  }

  status(): NodeStatus {
    const s = this.raft.status();
    const members: MemberStatus[] = [];
    const add = (id: NodeId, role: 'voter' | 'learner'): void => {
      const p = s.progress?.[id];
      const match = id === this.id && s.role === 'leader' ? s.last_index : p ? p.match : null;
      members.push({ id, address: this.addressOf(id) ?? '', role, match_index: match, lag_entries: match === null ? null : Math.max(0, s.last_index - match) });
    };
    for (const id of s.conf_state.voters) add(id, 'voter');
    for (const id of s.conf_state.learners) add(id, 'learner');
    return {
      id: this.id,
      cluster_id: this.settings.cluster_id,
      address: this.settings.advertise,
      role: s.role,
      term: s.term,
      leader_id: s.leader,
      leader_address: s.leader ? this.addressOf(s.leader) : null,
      commit_index: s.commit,
      applied_index: this.applied.index,
      snapshot_index: this.storage.snapshotIndex,
      members,
      head_hash: this.ledger.headHash(),
    };
  }

  private changeMembership(cc: Parameters<RaftCore['proposeConfChange']>[0], deadline_ms: number): Promise<void> {
    if (this.closing || this.stopped) return Promise.reject(new NodeError('shutting_down', 'node is shutting down'));
    if (this.role !== 'leader') return Promise.reject(this.notLeader());
    const refusal = confChangeRefusal(this.raft.status().conf_state, cc);
    if (refusal) return Promise.reject(new NodeError('invalid', refusal));
    return new Promise<void>((resolve, reject) => {
      let index = 0;
      const timer = setTimeout(() => {
        if (index) this.conf_waiters.delete(index);
        reject(new NodeError('outcome_unknown', `membership change ${cc.type} ${cc.node_id} not applied within the deadline`));
      }, waitMs(deadline_ms));
      const ok = this.queueOp(() => {
        const r = this.raft.proposeConfChange(cc);
        if (!r.ok) {
          clearTimeout(timer);
          reject(this.refusalError(r));
          return;
        }
        index = r.index;
        if (cc.type !== 'remove' && cc.context.byteLength > 0) this.learned.set(cc.node_id, new TextDecoder().decode(cc.context));
        this.conf_waiters.set(r.index, {
          term: r.term,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        });
      });
      if (!ok) {
        clearTimeout(timer);
        reject(new NodeError('overloaded', 'node operation queue is full'));
      }
    });
  }

  addLearner(id: NodeId, address: string): Promise<void> {
    const problem = addressProblem(address);
    if (problem !== null) return Promise.reject(new NodeError('invalid', `address ${problem}`));
    return this.changeMembership({ type: 'add_learner', node_id: id, context: new TextEncoder().encode(address) }, Date.now() + 10_000);
  }

  promote(id: NodeId): Promise<void> {
    const address = this.addressOf(id) ?? '';
    return this.changeMembership({ type: 'promote', node_id: id, context: new TextEncoder().encode(address) }, Date.now() + 10_000);
  }

  remove(id: NodeId): Promise<void> {
    return this.changeMembership({ type: 'remove', node_id: id, context: new Uint8Array(0) }, Date.now() + 10_000);
  }

  transferLeadership(to: NodeId, deadline_ms: number): Promise<void> {
    if (this.closing || this.stopped) return Promise.reject(new NodeError('shutting_down', 'node is shutting down'));
    if (this.leader === to) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        to,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.transfer_waiters.delete(waiter);
          reject(new NodeError('outcome_unknown', `leadership did not move to ${to} within the deadline`));
        }, waitMs(deadline_ms)),
      };
      this.transfer_waiters.add(waiter);
      const ok = this.queueOp(() => {
        const r = this.raft.transferLeadership(to);
        if (!r.ok) {
          this.transfer_waiters.delete(waiter);
          clearTimeout(waiter.timer);
          reject(this.refusalError(r));
        }
      });
      if (!ok) {
        this.transfer_waiters.delete(waiter);
        clearTimeout(waiter.timer);
        reject(new NodeError('overloaded', 'node operation queue is full'));
      }
    });
  }

  async snapshot(): Promise<number> {
    if (this.closing || this.stopped) throw new NodeError('shutting_down', 'node is shutting down');
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
    if (this.closing || this.stopped) return;
    if (this.storage.logBytes <= this.trailingBytes()) return;
    await this.storage.sync();
    await this.inLoop(() => this.compactToTrailing(this.trailingBytes()));
  }

  /** The ledger's state and history from one consistent LevelDB view, in the ledger
   * snapshot format (self-checking chunks); see restore.ts for the file around them. */
  async *backupChunks(): AsyncIterable<Uint8Array> {
    const view = await this.storage.openSnapshot();
    const dec = new TextDecoder();
    async function* records(): AsyncGenerator<readonly ['state' | 'history', string, unknown]> {
      for await (const [name, k, v] of view.records) {
        if (name === 'state' || name === 'history') yield [name, dec.decode(k), unpack(v)] as const;
      }
    }
    try {
      yield* snapshotChunksAsync(records(), BACKUP_CHUNK_BYTES);
    } finally {
      await view.close();
    }
  }

  /** Drains: refuses new work, waits (bounded) for proposals in flight, then stops. */
  async close(drain_ms = 3000): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    const until = Date.now() + drain_ms;
    while (this.proposals.size > 0 && Date.now() < until && !this.stopped) await new Promise((r) => setTimeout(r, 10));
    if (this.tick_timer) clearInterval(this.tick_timer);
    this.tick_timer = null;
    const closing = new NodeError('shutting_down', 'node is shutting down');
    this.proposals.failAll(new NodeError('outcome_unknown', 'node shut down before the entry applied'), closing);
    this.reads.failAll(closing);
    for (const [index, w] of this.conf_waiters) {
      this.conf_waiters.delete(index);
      w.reject(closing);
    }
    for (const t of this.transfer_waiters) {
      clearTimeout(t.timer);
      t.reject(closing);
    }
    this.transfer_waiters.clear();
    // Let a Ready in progress finish its writes (bounded wait), then the applies it queued.
    const loop_until = Date.now() + 5000;
    while (this.loop_running && Date.now() < loop_until) await new Promise((r) => setTimeout(r, 5));
    this.stopped = true;
    await this.drainApplies();
    this.watch_hub.closeAll(closing);
    this.transport.close();
    for (const s of this.staged.values()) s.discard();
    this.staged.clear();
    if (!this.fatal_error) await this.storage.sync();
    await this.storage.close();
  }
}
