// An in-process stand-in for the node, for testing the gRPC services and the SDK without
// raft or processes. Nodes of one FakeCluster share one real Ledger; only the node named
// leader accepts proposals (others answer NodeError 'not_leader'), so forwarding, error
// mapping and failover can be exercised. Errors can be injected per call.

import * as grpc from '@grpc/grpc-js';
import { Ledger } from '../../src/ledger/ledger.js';
import type { AdminEvent, Command, CommandResult, LedgerEvent, Position, ReservationView } from '../../src/ledger/types.js';
import { NodeError, type BackupInfo, type NodeErrorKind, type NodeStatus, type StockNode, type WatchHandle } from '../../src/node/node-api.js';
import { registerClientServices, type ClientServices } from '../../src/server/client-services.js';
import { Registry } from 'prom-client';
import type { PeerVersion } from '../../src/node/peer-version.js';

export const FAKE_VERSION: PeerVersion = { protocol_major: 1, protocol_minor: 1, rules_version_min: 1, rules_version_max: 2 };

export class FakeCluster {
  readonly ledger = new Ledger();
  readonly events: LedgerEvent[] = [];
  readonly admin_events: AdminEvent[] = [];
  readonly nodes: FakeNode[] = [];
  private leader_id: string | null = null;
  log_index = 0;
  /** What each node announces in status (absent: FAKE_VERSION; null: no stream open). */
  readonly versions = new Map<string, PeerVersion | null>();
  private readonly watchers = new Set<(e: LedgerEvent) => void>();

  apply(commands: readonly Command[]): readonly CommandResult[] {
    this.log_index++;
    const out = this.ledger.apply(this.log_index, { time_ms: Date.now(), commands });
    this.admin_events.push(...out.admin_events);
    for (const e of out.events) {
      this.events.push(e);
      for (const w of this.watchers) w(e);
    }
    this.ledger.checkInvariants();
    return out.results;
  }

  /** The node that accepts proposals; setting it tells every node whose view follows the
   * cluster's (see FakeNode.view) of the change. */
  get leader(): string | null {
    return this.leader_id;
  }
  set leader(id: string | null) {
    if (id === this.leader_id) return;
    this.leader_id = id;
    for (const n of this.nodes) if (n.view === undefined) n.leaderChanged();
  }

  subscribe(fn: (e: LedgerEvent) => void): () => void {
    this.watchers.add(fn);
    return () => this.watchers.delete(fn);
  }

  async close(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.stop()));
  }
}

export class FakeNode implements StockNode {
  address = '';
  /** The next propose/readBarrier fails with this kind (then clears)... */
  fail_next: NodeErrorKind | null = null;
  /** ...and so do the fail_count - 1 calls after it. */
  fail_count = 1;
  /** Hangs proposals (and addLearner) until released: in-flight bounds, a paused leader. */
  hold: Promise<void> | null = null;
  proposals = 0;
  barriers = 0;
  /** This node's own view of the leader when it lags the cluster's (undefined: follows
   * the cluster). Set it with setView to notify leader-change listeners. */
  view: string | null | undefined = undefined;
  private readonly leader_listeners = new Set<(leader_id: string | null) => void>();
  private server: grpc.Server | null = null;
  private services: ClientServices | null = null;
  readonly registry = new Registry();

  constructor(
    readonly id: string,
    private readonly cluster: FakeCluster,
  ) {
    cluster.nodes.push(this);
  }

  async start(calls_inflight_max?: number, streams_max?: number): Promise<string> {
    const server = new grpc.Server();
    this.services = registerClientServices(server, this, { calls_inflight_max, streams_max, registry: this.registry });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    this.server = server;
    this.address = `127.0.0.1:${port}`;
    return this.address;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    this.services?.close();
    if (s !== null) s.forceShutdown();
  }

  private injected(): void {
    const k = this.fail_next;
    if (k !== null) {
      if (--this.fail_count <= 0) {
        this.fail_next = null;
        this.fail_count = 1;
      }
      throw new NodeError(k, `injected ${k}`, this.cluster.leader, this.cluster.leader === null ? null : this.addressOf(this.cluster.leader));
    }
  }

  async propose(commands: readonly Command[], deadline_ms: number): Promise<readonly CommandResult[]> {
    if (!Number.isFinite(deadline_ms) || deadline_ms < Date.now() - 60_000) throw new Error(`propose: bad deadline ${deadline_ms}`);
    this.proposals++;
    this.injected();
    if (this.hold !== null) await this.hold;
    if (this.cluster.leader === null) throw new NodeError('no_leader', 'no leader');
    if (this.cluster.leader !== this.id) throw new NodeError('not_leader', 'not the leader', this.cluster.leader, this.addressOf(this.cluster.leader));
    return this.cluster.apply(commands);
  }

  async readBarrier(_deadline_ms: number): Promise<void> {
    this.barriers++;
    this.injected();
    if (this.cluster.leader === null) throw new NodeError('no_leader', 'no leader');
  }

  getPosition(sku: string, location: string): Position | null {
    return this.cluster.ledger.getPosition(sku, location);
  }
  getReservation(reservation_id: string): ReservationView | null {
    return this.cluster.ledger.getReservation(reservation_id);
  }
  async getOutcome(op_id: string): Promise<CommandResult | null> {
    return this.cluster.ledger.getOutcome(op_id);
  }
  async listEvents(sku: string, location: string, after_seq: number, limit: number): Promise<readonly LedgerEvent[]> {
    return this.cluster.events.filter((e) => e.sku === sku && e.location === location && e.seq > after_seq).slice(0, limit);
  }
  async listPositions(after: { sku: string; location: string } | null, limit: number): Promise<readonly Position[]> {
    const keys = [...new Set(this.cluster.events.map((e) => `${e.sku}!${e.location}`))].sort();
    const from = after === null ? '' : `${after.sku}!${after.location}`;
    return keys
      .filter((k) => k > from)
      .slice(0, limit)
      .map((k) => {
        const [sku, location] = k.split('!') as [string, string];
        return this.getPosition(sku, location) as Position;
      });
  }
  watch(from_index: number, onEvent: (event: LedgerEvent) => void, onEnd: (err: Error | null) => void): WatchHandle {
    let open = true;
    for (const e of this.cluster.events) if (e.log_index >= from_index) onEvent(e);
    const unsubscribe = this.cluster.subscribe((e) => {
      if (open && e.log_index >= from_index) onEvent(e);
    });
    void onEnd;
    return {
      close: () => {
        open = false;
        unsubscribe();
      },
    };
  }
  /** Sets this node's view of the leader (undefined: the cluster's) and notifies. */
  setView(view: string | null | undefined): void {
    const before = this.viewedLeader();
    this.view = view;
    if (this.viewedLeader() !== before) this.leaderChanged();
  }
  private viewedLeader(): string | null {
    return this.view === undefined ? this.cluster.leader : this.view;
  }
  leaderChanged(): void {
    const leader = this.viewedLeader();
    for (const fn of [...this.leader_listeners]) fn(leader);
  }
  onLeaderChange(fn: (leader_id: string | null) => void): () => void {
    this.leader_listeners.add(fn);
    return () => {
      this.leader_listeners.delete(fn);
    };
  }
  /** Leader-change listeners registered now (they must not pile up). */
  leaderListeners(): number {
    return this.leader_listeners.size;
  }
  /** What a fatal error would report (health then answers NOT_SERVING). */
  fatal_error: string | null = null;
  status(): NodeStatus {
    const leader = this.viewedLeader();
    return {
      id: this.id,
      cluster_id: 'fake',
      address: this.address,
      role: leader === this.id ? 'leader' : 'follower',
      term: 1,
      leader_id: leader,
      leader_address: leader === null ? null : this.addressOf(leader),
      commit_index: this.cluster.log_index,
      applied_index: this.cluster.log_index,
      snapshot_index: 0,
      members: this.cluster.nodes.map((n) => ({ id: n.id, address: n.address, role: 'voter' as const, match_index: null, lag_entries: null, version: this.cluster.versions.has(n.id) ? this.cluster.versions.get(n.id)! : FAKE_VERSION })),
      head_hash: this.cluster.ledger.headHash(),
      fatal_error: this.fatal_error,
      version: FAKE_VERSION,
      cluster_version: this.cluster.ledger.clusterVersion(),
    };
  }
  membership: string[] = [];
  async addLearner(id: string, address: string): Promise<void> {
    if (this.hold !== null) await this.hold;
    this.assertLeader();
    this.membership.push(`add ${id} ${address}`);
  }
  async promote(id: string): Promise<void> {
    this.assertLeader();
    this.membership.push(`promote ${id}`);
  }
  async remove(id: string): Promise<void> {
    this.assertLeader();
    this.membership.push(`remove ${id}`);
  }
  async transferLeadership(to: string, _deadline_ms: number): Promise<void> {
    this.assertLeader();
    this.cluster.leader = to;
  }
  async snapshot(): Promise<number> {
    return this.cluster.log_index;
  }
  addressOf(id: string): string | null {
    return this.cluster.nodes.find((n) => n.id === id)?.address ?? null;
  }
  /** What the last backup was asked with. */
  backup_info: BackupInfo | null = null;
  async *backupChunks(info: BackupInfo): AsyncIterable<Uint8Array> {
    this.backup_info = info;
    yield new TextEncoder().encode('chunk-1');
    yield new TextEncoder().encode('chunk-2');
  }
  private assertLeader(): void {
    if (this.cluster.leader !== this.id) throw new NodeError('not_leader', 'not the leader', this.cluster.leader, this.cluster.leader === null ? null : this.addressOf(this.cluster.leader));
  }
}

/** A started fake cluster of n nodes, the first one leading. */
export async function fakeCluster(n: number, calls_inflight_max?: number, streams_max?: number): Promise<FakeCluster> {
  const c = new FakeCluster();
  for (let i = 1; i <= n; i++) await new FakeNode(`n${i}`, c).start(calls_inflight_max, streams_max);
  c.leader = 'n1';
  return c;
}
