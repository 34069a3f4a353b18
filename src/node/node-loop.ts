// The node loop: the one place that calls into the raft core.
//
// Between two Ready cycles it feeds the core what arrived meanwhile (peer messages first,
// then ticks, queued operations such as read requests and membership changes, client
// proposals, read rounds), then handles each Ready in the contract's order:
//   1. a leader's appends and heartbeats of its current, durable term leave at once (they
//      do not depend on its own disk write: the core counts the leader's copy only after
//      advance()), so the followers' writes overlap the leader's;
//   2. install snapshot + persist entries and hard state (one synced batch: group commit;
//      a snapshot's install batch carries the entries and hard state of its Ready);
//   3. send everything else (votes, answers): nothing leaves before what it depends on
//      is durable;
//   4. queue the committed entries for apply (ledger writes + applied record in one
//      atomic batch, in log order, at most APPLIES_IN_FLIGHT_MAX runs queued; applier.ts);
//   5. release reads, advance, and compact if a bound is passed.
// The apply of one Ready overlaps the fsync of the next. While one Ready waits for its
// fsync, new proposals pile up and leave together in the next one: that is where many
// callers share one entry and one fsync. Every round's work is bounded (see the
// *_PER_ROUND_MAX limits in limits.ts) and so is a run of rounds
// (LOOP_ROUNDS_PER_RUN_MAX), so heartbeats keep flowing under load.

import type { Message, NodeId, Ready, SoftState } from '../raft/types.js';
import { NodeError } from './node-api.js';
import { RaftMessageError } from '../raft/invariant.js';
import { violationWhileStepping } from './fatal.js';
import type { NodeState } from './node-state.js';
import type { NodeLog, NodeSettings } from './node-settings.js';
import type { NodeMetrics } from './node-metrics.js';
import type { LevelStorage } from './storage-level.js';
import type { GrpcTransport } from './transport-grpc.js';
import type { ProposalTable } from './proposals.js';
import type { ReadRounds } from './read-rounds.js';
import type { RaftCore } from './raft-core.js';
import type { Refusals } from './refusals.js';
import type { PeerAddresses } from './peer-addresses.js';
import type { Applier } from './applier.js';
import type { Compaction } from './compaction.js';
import type { IncomingSnapshots } from './incoming-snapshots.js';
import type { Membership } from './membership.js';
import type { Proposer } from './proposer.js';
import type { ExpiryTicks } from './expiry-ticks.js';
import {
  INBOX_ENTRY_BYTES_PER_ROUND_MAX,
  INBOX_MESSAGES_MAX,
  INBOX_MESSAGES_PER_ROUND_MAX,
  LOOP_ROUNDS_PER_RUN_MAX,
  OPS_MAX,
  PENDING_TICKS_MAX,
  TICKS_PER_ROUND_MAX,
} from './limits.js';

export interface LoopParts {
  readonly settings: NodeSettings;
  readonly state: NodeState;
  readonly raft: RaftCore;
  readonly storage: LevelStorage;
  readonly transport: GrpcTransport;
  readonly proposals: ProposalTable;
  readonly reads: ReadRounds;
  readonly refusals: Refusals;
  readonly addresses: PeerAddresses;
  readonly applier: Applier;
  readonly compaction: Compaction;
  readonly snapshots: IncomingSnapshots;
  readonly membership: Membership;
  readonly proposer: Proposer;
  readonly expiry: ExpiryTicks;
  readonly log: NodeLog;
  readonly metrics: NodeMetrics | null;
  /** Told every time the known leader changes (the edge re-routes forwarded calls). */
  readonly onLeaderChanged: (leader_id: NodeId | null) => void;
}

export class NodeLoop {
  private inbox: Message[] = [];
  private ops: (() => void)[] = [];
  private async_ops: (() => Promise<void>)[] = [];
  private pending_ticks = 0;
  private loop_running = false;
  private tick_timer: NodeJS.Timeout | null = null;
  /** When the previous tick ran (performance.now() ms), to measure how late the next one is. */
  private last_tick_ms: number | null = null;
  /** Logs every Ready's timing at debug level (stockd --log-level trace). */
  trace = false;

  constructor(private readonly p: LoopParts) {}

  /** True while a run of rounds is going on (shutdown waits for it). */
  get running(): boolean {
    return this.loop_running;
  }

  /** Starts ticking; false if it already ticks. */
  startTicking(): boolean {
    if (this.tick_timer) return false;
    this.tick_timer = setInterval(() => this.onTick(), this.p.settings.tick_ms);
    return true;
  }

  stopTicking(): void {
    if (this.tick_timer) clearInterval(this.tick_timer);
    this.tick_timer = null;
    this.last_tick_ms = null;
  }

  /** Peer messages for the core; beyond INBOX_MESSAGES_MAX they are dropped (raft
   * retransmits). */
  deliver(messages: Message[]): void {
    if (this.p.state.stopped) return;
    for (const m of messages) {
      if (this.inbox.length >= INBOX_MESSAGES_MAX) break;
      this.inbox.push(m);
    }
    this.kick();
  }

  /** Runs `op` against the core at the next round; false when the queue is full. */
  queueOp(op: () => void): boolean {
    if (this.p.state.stopped || this.ops.length >= OPS_MAX) return false;
    this.ops.push(op);
    this.kick();
    return true;
  }

  /** Runs `op` inside the node loop (between Ready rounds, like compaction there) and
   * answers with its result; refused when the operation queue is full. */
  inLoop<T>(op: () => Promise<T>): Promise<T> {
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

  kick(): void {
    if (this.loop_running || this.p.state.stopped) return;
    this.loop_running = true;
    setImmediate(() => void this.runLoop());
  }

  private onTick(): void {
    if (this.p.state.stopped) return;
    const now_ms = performance.now();
    if (this.last_tick_ms !== null) this.p.metrics?.recordTickDelay(now_ms - this.last_tick_ms - this.p.settings.tick_ms);
    this.last_tick_ms = now_ms;
    this.pending_ticks = Math.min(this.pending_ticks + 1, PENDING_TICKS_MAX);
    this.p.expiry.onTick();
    this.kick();
  }

  private hasWork(): boolean {
    const p = this.p;
    return this.inbox.length > 0 || this.ops.length > 0 || this.async_ops.length > 0 || this.pending_ticks > 0 || (p.proposals.queued > 0 && p.state.role === 'leader') || p.reads.wantsRound();
  }

  private async runLoop(): Promise<void> {
    const { state, raft } = this.p;
    try {
      // Bounded so one call cannot spin forever; more work re-kicks the loop.
      for (let round = 0; round < LOOP_ROUNDS_PER_RUN_MAX && !state.stopped; round++) {
        this.feed();
        const aops = this.async_ops;
        this.async_ops = [];
        for (const op of aops) await op();
        if (!raft.hasReady()) break;
        const rd = raft.ready();
        await this.handleReady(rd);
        raft.advance();
        this.p.snapshots.unpinAll();
        await this.p.compaction.maybeCompact();
      }
    } catch (err) {
      this.loop_running = false;
      state.fail(err);
      return;
    }
    this.loop_running = false;
    if (!state.stopped && (this.hasWork() || raft.hasReady())) this.kick();
  }

  private feed(): void {
    const { raft, metrics } = this.p;
    // Messages first, then time: heartbeats and their answers that arrived while the
    // previous round ran count before the ticks of that same stretch, so a busy round
    // does not turn into an election (follower) or a check-quorum step-down (leader).
    this.stepInbox();
    const ticks = Math.min(this.pending_ticks, TICKS_PER_ROUND_MAX);
    if (this.pending_ticks > ticks) metrics?.ticks_dropped.inc(this.pending_ticks - ticks);
    this.pending_ticks = 0;
    for (let i = 0; i < ticks; i++) raft.tick();
    const ops = this.ops;
    this.ops = [];
    for (const op of ops) op();
    this.p.proposer.proposeQueued();
    this.p.reads.nextRound((context) => {
      const r = raft.readIndex(context);
      return r.ok ? { ok: true } : { ok: false, error: this.p.refusals.fromCore(r) };
    });
  }

  /** Steps a bounded prefix of the inbox (see INBOX_*_PER_ROUND_MAX); the rest stays, in
   * order, for the next round. A message the core's shape checks refuse is dropped with a
   * warning (nothing changed); anything else the core throws is a broken invariant (say an
   * append conflicting at or below the commit index: durable data was lost somewhere) and
   * stops the node, naming the message. */
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
        if (m.type === 'snapshot') this.p.snapshots.pin(m.snapshot.index);
        this.p.raft.step(m);
      } catch (err) {
        if (!(err instanceof RaftMessageError)) throw violationWhileStepping(m, this.p.settings.id, err);
        this.p.log.warn({ from: m.from, type: m.type, err: err.message }, 'core refused a malformed peer message');
      }
    }
  }

  /** One Ready, in the contract's order (see the head of this file). */
  private async handleReady(rd: Ready): Promise<void> {
    const { state, storage, transport, applier } = this.p;
    if (rd.soft_state) this.onSoftState(rd.soft_state);
    if (rd.hard_state) {
      state.term = rd.hard_state.term;
      state.commit = rd.hard_state.commit;
    }
    const later = this.sendEarly(rd);
    const t0 = performance.now();
    if (rd.snapshot) {
      // A snapshot replaces the ledger: every earlier run of entries lands first. The
      // entries the core keeps above it and the hard state go in the install's own batch:
      // a crash cannot separate them from the snapshot.
      await applier.drain();
      await this.p.snapshots.install(rd.snapshot, rd.hard_state, rd.entries);
    } else {
      await storage.persist(rd.entries, rd.hard_state);
    }
    const t1 = performance.now();
    if (rd.hard_state) state.persisted_term = rd.hard_state.term;
    if (later.length > 0) transport.send(later);
    if (rd.committed_entries.length > 0) {
      // Entries are committed (durable on a quorum): applying them need not finish before
      // the next Ready is taken. The core counts them as applied once handed out; the
      // node's own applied index (reads, compaction, status) moves when the apply lands.
      await applier.waitForRoom();
      applier.queueApply(rd.committed_entries);
    }
    if (this.trace) {
      this.p.log.debug(
        { entries: rd.entries.length, committed: rd.committed_entries.length, messages: rd.messages.length, persist_ms: +(t1 - t0).toFixed(2), apply_wait_ms: +(performance.now() - t1).toFixed(2), applies_in_flight: applier.applies_in_flight },
        'ready',
      );
    }
    for (const rs of rd.read_states) this.p.reads.onReadState(rs.context, rs.index);
    applier.releaseReads();
  }

  /** Sends a leader's appends and heartbeats of its current, durable term before the
   * fsync (they do not depend on its own disk write: the core counts the leader's own
   * copy only after advance()), so the followers' writes overlap the leader's. Returns
   * the messages that wait for the write (votes, answers), as the Ready contract requires. */
  private sendEarly(rd: Ready): readonly Message[] {
    const { state } = this.p;
    const term_durable = rd.hard_state === null || rd.hard_state.term === state.persisted_term;
    if (state.role !== 'leader' || rd.messages.length === 0 || rd.snapshot || !term_durable) return rd.messages;
    const isEarly = (m: Message): boolean => (m.type === 'append' || m.type === 'heartbeat') && m.term === state.term;
    const early = rd.messages.filter(isEarly);
    if (early.length === 0) return rd.messages;
    this.p.transport.send(early);
    return rd.messages.filter((m) => !isEarly(m));
  }

  private onSoftState(ss: SoftState): void {
    const { state, log } = this.p;
    const was_leader = state.role === 'leader';
    const leader_changed = ss.leader !== state.leader;
    state.role = ss.role;
    state.leader = ss.leader;
    if (leader_changed || ss.role !== 'leader') log.info({ role: ss.role, leader: ss.leader }, 'raft role');
    if (was_leader && ss.role !== 'leader') {
      const leader_address = ss.leader ? this.p.addresses.addressOf(ss.leader) : null;
      const unknown = new NodeError('outcome_unknown', `node ${this.p.settings.id} lost leadership before the entry applied`, ss.leader, leader_address);
      this.p.proposals.failAll(unknown, this.p.refusals.notLeader());
      this.p.membership.onLeadershipLost(unknown);
      this.p.expiry.reset();
    }
    if (leader_changed) {
      if (ss.leader !== null) this.p.metrics?.health.leader_changes.inc();
      // A read round out to a former leader may never be answered.
      this.p.reads.failRound(new NodeError('no_leader', 'leader changed while waiting for a read index: retry'));
      this.p.onLeaderChanged(ss.leader);
    }
    this.p.membership.onLeader(ss.leader);
    this.p.metrics?.setRole(ss.role);
  }
}
