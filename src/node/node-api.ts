// The seam between the node process (raft, storage, transport) and the services that
// order systems and operators call. The node implements StockNode; the gRPC Inventory and
// Cluster services are written against this interface only.

import type { NodeId, Role } from '../raft/types.js';
import type { AdminEvent, Command, CommandResult, HistoryHorizon, LedgerEvent, Position, ReservationView } from '../ledger/types.js';
import type { PeerVersion } from './peer-version.js';

/** Why a request could not be carried out on this node. The service layer maps these to
 * gRPC status codes (docs/ARCHITECTURE.md "Errors at the edge"). */
export type NodeErrorKind =
  | 'not_leader' // UNAVAILABLE after forwarding fails; carries the leader's address when known
  | 'no_leader' // UNAVAILABLE: retry
  | 'outcome_unknown' // DEADLINE_EXCEEDED or UNAVAILABLE: retry with the same id
  | 'overloaded' // RESOURCE_EXHAUSTED
  | 'invalid' // INVALID_ARGUMENT
  | 'shutting_down' // UNAVAILABLE
  | 'disk_full'; // RESOURCE_EXHAUSTED "disk full": the data dir is below its reserve (disk-guard.ts)

export class NodeError extends Error {
  constructor(
    readonly kind: NodeErrorKind,
    message: string,
    readonly leader_id: NodeId | null = null,
    readonly leader_address: string | null = null,
  ) {
    super(message);
    this.name = 'NodeError';
  }
}

/** A Watch needs events at log indexes whose history retention may have pruned (at or
 * below the archived mark): asked for at the start, or reached while catching up from
 * storage when the mark moved under the reader. The edge answers OUT_OF_RANGE with the
 * ErrorInfo reason COMPACTED and the first retained index, as etcd answers a watch below
 * its compact revision (ErrCompacted). */
export class HistoryCompactedError extends Error {
  constructor(
    /** The first log index the watcher still needed. */
    readonly needed_index: number,
    /** The archived mark: history at or below it may be gone. */
    readonly archived_through_index: number,
  ) {
    super(`events from log index ${needed_index} are compacted: history through log index ${archived_through_index} is archived and may be pruned; the first retained index is ${archived_through_index + 1} (watch from there, or read the archive for older events)`);
    this.name = 'HistoryCompactedError';
  }

  get first_retained_index(): number {
    return this.archived_through_index + 1;
  }
}

export interface MemberStatus {
  readonly id: NodeId;
  readonly address: string;
  readonly role: 'voter' | 'learner';
  /** Filled in from the leader's view where known. */
  readonly match_index: number | null;
  readonly lag_entries: number | null;
  /** What the member announced on its open peer stream to this node (this node's own for
   * itself); null when no stream from it is open. */
  readonly version: PeerVersion | null;
}

export interface NodeStatus {
  readonly id: NodeId;
  readonly cluster_id: string;
  readonly address: string;
  readonly role: Role;
  readonly term: number;
  readonly leader_id: NodeId | null;
  readonly leader_address: string | null;
  readonly commit_index: number;
  readonly applied_index: number;
  readonly snapshot_index: number;
  readonly members: readonly MemberStatus[];
  readonly head_hash: string;
  /** Set once the node has stopped on a fatal error (it exits right after): what broke.
   * Health then answers NOT_SERVING. */
  readonly fatal_error?: string | null;
  /** This node's protocol and rules versions (peer-version.ts). */
  readonly version: PeerVersion;
  /** The cluster version this node's ledger has applied (src/ledger/rules.ts). */
  readonly cluster_version: number;
}

/** How a backup was taken (the caller took a read barrier first, or not). */
export interface BackupInfo {
  readonly read_barrier: boolean;
}

export const BACKUP_HEADER_KIND = 'stockraft-backup';

/** What a backup states about itself, in its first chunk (ledger snapshot header). */
export type BackupHeader = {
  readonly kind: typeof BACKUP_HEADER_KIND;
  readonly node_id: string;
  readonly cluster_id: string;
  /** The raft index the copy holds everything up to (the view's applied record). */
  readonly applied_index: number;
  /** The last ledger entry in it (<= applied_index: no-op and membership entries change
   * no ledger state) and its log time. */
  readonly ledger_index: number;
  readonly log_time_ms: number;
  /** The commit index this node knew when the copy was taken. */
  readonly commit_index: number;
  /** 1 when the node took a read barrier first: the copy holds at least everything
   * committed when the call arrived. */
  readonly read_barrier: 0 | 1;
  /** The node's wall clock when the copy was taken. */
  readonly taken_at_ms: number;
};

export interface WatchHandle {
  close(): void;
}

export interface StockNode {
  readonly id: NodeId;
  /** Replicates the commands as one entry through the leader (this node must be the leader,
   * otherwise NodeError 'not_leader') and resolves with one result per command once the
   * entry is applied here. Rejects with NodeError on refusal or unknown outcome. */
  propose(commands: readonly Command[], deadline_ms: number): Promise<readonly CommandResult[]>;
  /** Linearizable barrier: resolves once this node has applied everything committed before
   * the call (ReadIndex through the leader). Reads made right after it are linearizable. */
  readBarrier(deadline_ms: number): Promise<void>;
  getPosition(sku: string, location: string): Position | null;
  getReservation(reservation_id: string): ReservationView | null;
  /** The recorded result of an applied op id or reservation id at any age (memory, then
   * the archived outcomes on disk), or null if unknown here (never applied, or dropped
   * with its archived history by retention). */
  getOutcome(op_id: string): Promise<CommandResult | null>;
  /** Events of one position with seq > after_seq, at most limit of them, from storage. */
  listEvents(sku: string, location: string, after_seq: number, limit: number): Promise<readonly LedgerEvent[]>;
  /** Calls onEvent for every event applied at log index >= from_index, first from storage,
   * then live, in order, without gaps or repeats. Throws HistoryCompactedError when
   * from_index is at or below the archived mark; onEnd is called if the node can no
   * longer serve the stream (shutdown; HistoryCompactedError when the mark moved past a
   * watcher still reading from storage). */
  watch(from_index: number, onEvent: (event: LedgerEvent) => void, onEnd: (err: Error | null) => void): WatchHandle;
  status(): NodeStatus;
  /** Calls fn each time this node's view of the leader changes (null: none known, e.g.
   * during an election); the returned function stops the calls. Lets the edge re-send a
   * forwarded call to a new leader without polling status(). */
  onLeaderChange(fn: (leader_id: NodeId | null) => void): () => void;
  addLearner(id: NodeId, address: string): Promise<void>;
  promote(id: NodeId): Promise<void>;
  remove(id: NodeId): Promise<void>;
  transferLeadership(to: NodeId, deadline_ms: number): Promise<void>;
  /** Takes a state-machine snapshot now and compacts the log; resolves with its index. */
  snapshot(): Promise<number>;
  /** Address at which this node reaches a member (its one gRPC port: peers, clients and
   * operators share it), for forwarding calls to the leader. */
  addressOf(id: NodeId): string | null;
  /** A consistent copy of the ledger (state and history) as self-checking chunks in the
   * ledger snapshot format, for `stockctl backup`; `stockd --restore FILE` reads it back. */
  backupChunks(info: BackupInfo): AsyncIterable<Uint8Array>;
  /** Positions in (sku, location) order strictly after `after` (null: from the start), at
   * most limit of them, from local state. Lets `stockctl verify` enumerate every history.
   * Optional: a node without it answers ListPositions with UNIMPLEMENTED. */
  listPositions?(after: { readonly sku: string; readonly location: string } | null, limit: number): Promise<readonly Position[]>;
  /** Admin history events with seq > after_seq, at most limit of them, from storage, and
   * the admin chain's applied end. Optional: without it ListAdminEvents is UNIMPLEMENTED. */
  listAdminEvents?(after_seq: number, limit: number): Promise<{ readonly events: readonly AdminEvent[]; readonly head: { readonly seq: number; readonly head: string } }>;
  /** A page of a position's events that names the history horizon when after_seq is below
   * it (history retention). Optional: without it ListEvents answers from listEvents. */
  listEventsPage?(sku: string, location: string, after_seq: number, limit: number): Promise<{ readonly events: readonly LedgerEvent[]; readonly horizon: HistoryHorizon | null }>;
  /** Records that history up to `through_index` is archived (the admin action
   * 'history_archived', through the leader); resolves with the mark after it. */
  markHistoryArchived?(through_index: number, principal: string, deadline_ms: number): Promise<number>;
}
