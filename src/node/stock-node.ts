// The node: drives the raft core, persists through LevelStorage, talks to peers through
// GrpcTransport, applies committed entries to the ledger and serves StockNode. This class
// is the facade: it builds the node's parts, each with one job, and wires them together:
//   node-state.ts        the state the parts share (ledger, applied records, role...)
//   node-loop.ts         the loop and Ready handling (the only caller of the core)
//   proposer.ts          client proposals into entries; entry-clock.ts stamps them
//   expiry-ticks.ts      empty entries that let reservations expire
//   history-pruner.ts    history retention: prune entries (leader), Watch record trimming
//   applier.ts           committed entries into the ledger and LevelDB
//   compaction.ts        log compaction, snapshot(), trimLog()
//   incoming-snapshots.ts snapshots received from the leader, and their install
//   membership.ts        membership changes and leadership transfers
//   peer-addresses.ts    where members are reached; refusals.ts the errors callers get
//   listings.ts          paged listings and backups; node-status.ts status and gauges
//   shutdown.ts          close()
// Limits and tuning constants are in limits.ts.

import { randomUUID } from 'node:crypto';
import type { NodeId, RaftStatus } from '../raft/types.js';
import type { AdminEvent, Command, CommandResult, HistoryHorizon, LedgerEvent, Position, ReservationView } from '../ledger/types.js';
import type { Ledger } from '../ledger/ledger.js';
import type { AppliedRecord, LevelStorage, SnapshotView } from './storage-level.js';
import { GrpcTransport, type TransportHost } from './transport-grpc.js';
import { HistoryCompactedError, NodeError, type BackupInfo, type NodeStatus, type StockNode, type WatchHandle } from './node-api.js';
import { ReadRounds } from './read-rounds.js';
import { ProposalTable } from './proposals.js';
import { WatchHub } from './watchers.js';
import type { RaftCore } from './raft-core.js';
import type { NodeMetrics } from './node-metrics.js';
import type { NodeLog, NodeSettings } from './node-settings.js';
import { NodeState, shuttingDownError } from './node-state.js';
import { EntryClock } from './entry-clock.js';
import { PEER_PROTOCOL_MAJOR, PEER_PROTOCOL_MINOR, type PeerVersion } from './peer-version.js';
import { PeerAddresses } from './peer-addresses.js';
import { Refusals } from './refusals.js';
import { Membership } from './membership.js';
import { Applier } from './applier.js';
import { Compaction } from './compaction.js';
import { IncomingSnapshots } from './incoming-snapshots.js';
import { Listings } from './listings.js';
import { NodeReport } from './node-status.js';
import { Proposer } from './proposer.js';
import { DiskGuard } from './disk-guard.js';
import { ExpiryTicks } from './expiry-ticks.js';
import { HistoryPruner } from './history-pruner.js';
import { HISTORY_RETENTION_RULES_VERSION } from '../ledger/rules.js';
import { NodeLoop } from './node-loop.js';
import { Shutdown } from './shutdown.js';
import { outcomeOf, proposeChecked, type DedupHost } from './dedup-check.js';
import { CLOSE_DRAIN_MS_DEFAULT, FATAL_EXIT_DELAY_MS, READ_ROUND_RETRY_TICKS, READS_MAX, waitMs } from './limits.js';

/** The default onFatal: logs and prints what broke, then exits with code 1 after
 * FATAL_EXIT_DELAY_MS (the node is stopped meanwhile and health answers NOT_SERVING). */
function exitOnFatal(err: Error, state: NodeState, log: NodeLog): void {
  const kind = state.fatal_kind ?? 'other';
  const hint = kind === 'disk_full' ? ' (free space on the data dir\'s file system, then start it again)' : kind === 'safety' || kind === 'corruption' ? ' (see docs/operations.md "A node with a corrupt data dir")' : '';
  log.error({ kind, err: err.stack ?? String(err) }, 'fatal: stopping the node');
  process.stderr.write(`stockd: fatal (${kind}): ${err.message}${hint}\n`);
  setTimeout(() => process.exit(1), FATAL_EXIT_DELAY_MS);
}

export class StockNodeImpl implements StockNode {
  readonly id: NodeId;
  readonly transport: GrpcTransport;
  private readonly state: NodeState;
  private readonly clock: EntryClock;
  private readonly addresses: PeerAddresses;
  private readonly refusals: Refusals;
  private readonly proposals: ProposalTable;
  private readonly reads: ReadRounds;
  private readonly watch_hub: WatchHub;
  private readonly membership: Membership;
  private readonly applier: Applier;
  private readonly compaction: Compaction;
  private readonly snapshots: IncomingSnapshots;
  private readonly listings: Listings;
  private readonly report: NodeReport;
  private readonly proposer: Proposer;
  private readonly disk_guard: DiskGuard;
  private readonly expiry: ExpiryTicks;
  private readonly pruner: HistoryPruner;
  private readonly loop: NodeLoop;
  private readonly shutdown: Shutdown;
  private readonly leader_listeners = new Set<(leader_id: NodeId | null) => void>();

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
    this.clock = new EntryClock(settings, ledger.lastTimeMs(), () => this.state.ledger.clusterVersion());
    const state = new NodeState(ledger, applied, raft.status());
    this.state = state;
    state.countFatal = (kind) => metrics?.faults.countFatal(kind);
    state.onFatal = (err) => exitOnFatal(err, state, this.log);
    this.addresses = new PeerAddresses(settings, state, raft);
    this.refusals = new Refusals(this.id, state, this.addresses);
    this.proposals = new ProposalTable(settings.proposal_limits);
    this.reads = new ReadRounds(this.id, {
      waiters_max: READS_MAX,
      retry_after_ms: READ_ROUND_RETRY_TICKS * settings.tick_ms,
      now_ms: () => performance.now(),
      timeoutError: (wait_ms) => new NodeError('no_leader', `no read index within the deadline (${wait_ms} ms): retry`),
      overloadedError: (max) => new NodeError('overloaded', `read barriers waiting: limit ${max} reached`),
    });
    this.watch_hub = new WatchHub({ readEvents: (from, after, limit) => this.storage.eventsFrom(from, after, limit), archivedThroughIndex: () => this.state.ledger.archivedThroughIndex() });
    this.transport = new GrpcTransport(this.transportHost(), settings.transport_limits, settings.channel_credentials);
    const kick = (): void => this.loop.kick();
    const queueOp = (op: () => void): boolean => this.loop.queueOp(op);
    this.membership = new Membership(state, raft, this.addresses, this.refusals, queueOp);
    const { proposals, reads, watch_hub, membership } = this;
    this.applier = new Applier({ self_id: this.id, state, storage, proposals, membership, reads, watch_hub, clock: this.clock, log, metrics, forgetPeer: (id) => this.transport.forget(id), kick });
    this.compaction = new Compaction(settings, state, raft, storage, log, metrics, (op) => this.loop.inLoop(op));
    const hook = settings.snapshot_hook ?? null;
    this.snapshots = new IncomingSnapshots({ self_id: this.id, state, storage, proposals, refusals: this.refusals, watch_hub, clock: this.clock, log, metrics, hook, reclaim_memory: settings.reclaim_memory ?? null, deliver: (m) => this.loop.deliver(m) });
    this.listings = new Listings(state, storage, { node_id: settings.id, cluster_id: settings.cluster_id });
    this.report = new NodeReport(settings, state, raft, storage, this.addresses, proposals, metrics, { self: this.selfVersion(), peer: (id) => this.transport.peer_versions.get(id) });
    this.disk_guard = new DiskGuard(storage.dir, settings.disk_reserve_bytes ?? 0, log, metrics?.faults ?? null);
    this.proposer = new Proposer(state, raft, proposals, this.clock, this.refusals, metrics, kick, () => this.disk_guard.refusal());
    this.expiry = new ExpiryTicks(state, raft, this.clock, queueOp);
    const policy = settings.history_retention ?? { retain_ms: null, retain_events: null };
    this.pruner = new HistoryPruner({ state, raft, clock: this.clock, storage, log, policy, queueOp });
    const { transport, refusals, addresses, applier, compaction, snapshots, proposer, expiry } = this;
    this.loop = new NodeLoop({ settings, state, raft, storage, transport, proposals, reads, refusals, addresses, applier, compaction, snapshots, membership, proposer, expiry, log, metrics, onLeaderChanged: (leader_id) => this.notifyLeader(leader_id) });
    this.shutdown = new Shutdown({ state, loop: this.loop, storage, transport, proposals, reads, watch_hub, applier, snapshots, membership });
    if (metrics) {
      storage.onSync = (ms) => metrics.fsync_seconds.observe(ms / 1000);
      metrics.refreshWith(() => this.report.updateMetrics());
      metrics.peerMessagesFrom(() => this.transport.sent_by_type);
      metrics.health.transportFrom(() => this.transport.counts());
      metrics.health.clockSkewFrom(() => this.clock.skew());
    }
  }

  /** What this node announces to peers: its protocol and the rules versions its ledger
   * applies (a snapshot's ledger is made with the same options, so this holds). */
  private selfVersion(): PeerVersion {
    const { min, max } = this.state.ledger.rules_range;
    return { protocol_major: PEER_PROTOCOL_MAJOR, protocol_minor: PEER_PROTOCOL_MINOR, rules_version_min: min, rules_version_max: max };
  }

  private transportHost(): TransportHost {
    return {
      cluster_id: this.settings.cluster_id,
      self_id: this.settings.id,
      self_address: this.settings.advertise,
      staging: this.storage,
      snapshot_hook: this.settings.snapshot_hook ?? null,
      self_version: this.selfVersion(),
      log: this.log,
      addressOf: (id) => this.addressOf(id),
      isKnownSender: (id) => this.addresses.isKnownSender(id),
      learnAddress: (id, address) => this.addresses.learnFromTraffic(id, address),
      onMessages: (messages) => this.loop.deliver(messages),
      onUnreachable: (to) => this.loop.queueOp(() => this.raft.reportUnreachable(to)),
      onSnapshot: (from, term, staged) => this.snapshots.onReceived(from, term, staged),
      onSnapshotSent: (to, ok) => this.loop.queueOp(() => this.raft.reportSnapshot(to, ok)),
      onSnapshotReceived: (bytes, records) => {
        this.metrics?.snapshot_receive_bytes.inc(bytes);
        this.metrics?.snapshot_receive_records.inc(records);
      },
      onSnapshotFailed: () => this.metrics?.snapshot_failures.inc({ stage: 'receive' }),
      openSnapshot: (form): Promise<SnapshotView> => this.storage.openSnapshot(form),
    };
  }

  /** Starts ticking. */
  start(): void {
    if (!this.loop.startTicking()) return;
    this.pruner.start();
    this.disk_guard.start();
    this.report.updateMetrics();
    this.loop.kick();
  }

  /** Logs every Ready's timing at debug level (stockd --log-level trace). */
  get trace(): boolean {
    return this.loop.trace;
  }
  set trace(on: boolean) {
    this.loop.trace = on;
  }

  /** Test hook: shifts this node's clock as used to stamp entries. */
  get clock_offset_ms(): number {
    return this.clock.offset_ms;
  }
  set clock_offset_ms(ms: number) {
    this.clock.offset_ms = ms;
  }

  /** Called once on a fatal error (a failed write, a broken invariant); exits by default. */
  get onFatal(): (err: Error) => void {
    return this.state.onFatal;
  }
  set onFatal(f: (err: Error) => void) {
    this.state.onFatal = f;
  }

  /** Test hook: delay every synced write by `ms`. */
  setFsyncDelay(ms: number): void {
    this.storage.fsync_delay_ms = ms;
  }

  now(): number {
    return this.clock.now();
  }

  addressOf(id: NodeId): string | null {
    return this.addresses.addressOf(id);
  }

  // ------------------------------------------------------------------ StockNode

  /** Commands without an id time are checked against every outcome (memory and disk)
   * first: see dedup-check.ts. */
  propose(commands: readonly Command[], deadline_ms: number): Promise<readonly CommandResult[]> {
    // Not leading (or stopping): refused by the proposer, as before the check existed.
    if (this.state.role !== 'leader' || this.state.refusesWork()) return this.proposer.submit(commands, deadline_ms);
    return proposeChecked(this.dedupHost(), commands, deadline_ms);
  }

  private dedupHost(): DedupHost {
    return {
      readBarrier: (deadline_ms) => this.readBarrier(deadline_ms),
      ledger: () => this.state.ledger,
      memIndex: () => this.state.mem_applied.index,
      storedThrough: (index) => this.applier.storedThrough(index),
      archived: (ids) => this.storage.archivedOutcomes(ids),
      now: () => this.now(),
      proposeStamped: (commands, deadline_ms) => this.proposer.submit(commands, deadline_ms),
    };
  }

  readBarrier(deadline_ms: number): Promise<void> {
    if (this.state.refusesWork()) return Promise.reject(shuttingDownError());
    const p = this.reads.add(waitMs(deadline_ms));
    this.loop.kick();
    return p;
  }

  // Local reads stop with the node: after a fatal error the ledger may be what broke.

  getPosition(sku: string, location: string): Position | null {
    this.refuseIfFailed();
    return this.state.ledger.getPosition(sku, location);
  }

  getReservation(reservation_id: string): ReservationView | null {
    this.refuseIfFailed();
    return this.state.ledger.getReservation(reservation_id);
  }

  getOutcome(op_id: string): Promise<CommandResult | null> {
    this.refuseIfFailed();
    return outcomeOf(this.dedupHost(), op_id);
  }

  private refuseIfFailed(): void {
    const err = this.state.fatal_error;
    if (err) throw new NodeError('shutting_down', `node ${this.id} stopped on a fatal error: ${err.message}`);
  }

  headHash(): string {
    return this.state.ledger.headHash();
  }

  listEvents(sku: string, location: string, after_seq: number, limit: number): Promise<readonly LedgerEvent[]> {
    return this.listings.listEvents(sku, location, after_seq, limit);
  }

  listEventsPage(sku: string, location: string, after_seq: number, limit: number): Promise<{ readonly events: readonly LedgerEvent[]; readonly horizon: HistoryHorizon | null }> {
    return this.listings.listEventsPage(sku, location, after_seq, limit);
  }

  /** Proposes the admin action 'history_archived' (this node must lead) and resolves with
   * the mark once applied. */
  async markHistoryArchived(through_index: number, principal: string, deadline_ms: number): Promise<number> {
    if (!Number.isSafeInteger(through_index) || through_index < 1) throw new NodeError('invalid', `through_index must be an integer >= 1, got ${through_index}`);
    const version = this.state.ledger.clusterVersion();
    if (version < HISTORY_RETENTION_RULES_VERSION) throw new NodeError('invalid', `history retention needs cluster version ${HISTORY_RETENTION_RULES_VERSION} (ledger rules), the cluster is at ${version}: raise it with stockctl cluster-version set ${HISTORY_RETENTION_RULES_VERSION} once every member supports it`);
    const applied = this.state.applied.index;
    if (through_index > applied) throw new NodeError('invalid', `through_index ${through_index} is above the applied log index ${applied}`);
    const cmd: Command = { kind: 'admin', op_id: `adm-${randomUUID()}`, action: 'history_archived', principal, target: String(through_index), detail: `history archived through log index ${through_index}` };
    const [r] = await this.proposer.submit([cmd], deadline_ms);
    if (r?.code !== 'OK') throw new NodeError('invalid', `the ledger refused the mark: ${r?.code ?? 'no result'}${r?.code === 'INVALID_ARGUMENT' ? ` (${r.field}: ${r.limit})` : ''}`);
    return this.state.ledger.archivedThroughIndex();
  }

  listAdminEvents(after_seq: number, limit: number): Promise<{ readonly events: readonly AdminEvent[]; readonly head: { readonly seq: number; readonly head: string } }> {
    return this.listings.listAdminEvents(after_seq, limit);
  }

  listPositions(after: { readonly sku: string; readonly location: string } | null, limit: number): Promise<readonly Position[]> {
    return this.listings.listPositions(after, limit);
  }

  backupChunks(info: BackupInfo): AsyncIterable<Uint8Array> {
    return this.listings.backupChunks(info);
  }

  watch(from_index: number, onEvent: (event: LedgerEvent) => void, onEnd: (err: Error | null) => void): WatchHandle {
    if (this.state.refusesWork()) throw shuttingDownError();
    try {
      // Refuses (HistoryCompactedError) a start at or below the archived mark: that
      // history may be pruned and its Watch records are dropped.
      return this.watch_hub.watch(from_index, onEvent, onEnd);
    } catch (err) {
      if (err instanceof HistoryCompactedError) throw err;
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

  private notifyLeader(leader_id: NodeId | null): void {
    for (const fn of this.leader_listeners) fn(leader_id);
  }

  status(): NodeStatus {
    return this.report.status();
  }

  addLearner(id: NodeId, address: string): Promise<void> {
    return this.membership.addLearner(id, address);
  }

  promote(id: NodeId): Promise<void> {
    return this.membership.promote(id);
  }

  remove(id: NodeId): Promise<void> {
    return this.membership.remove(id);
  }

  transferLeadership(to: NodeId, deadline_ms: number): Promise<void> {
    return this.membership.transferLeadership(to, deadline_ms);
  }

  snapshot(): Promise<number> {
    return this.compaction.snapshot();
  }

  /** See Compaction.trimLog: for an idle node (src/server/idle-gc.ts). */
  trimLog(): Promise<void> {
    return this.compaction.trimLog();
  }

  /** Drains: refuses new work, waits (bounded) for proposals in flight, then stops. */
  close(drain_ms = CLOSE_DRAIN_MS_DEFAULT): Promise<void> {
    this.pruner.stop();
    this.disk_guard.stop();
    return this.shutdown.close(drain_ms);
  }
}
