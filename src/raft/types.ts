// The vocabulary of the consensus core: messages, entries, persisted state and the Ready
// batch the host acts on. Everything here is plain data so that the same values can be
// held by the simulator, written to LevelDB with msgpackr and carried over gRPC.

export type NodeId = string;

export type Role = 'follower' | 'pre_candidate' | 'candidate' | 'leader';

/** A 'normal' entry carries opaque application data (an empty payload is the leader's
 * no-op); a 'conf_change' entry carries an encoded ConfChange (see conf-change.ts). */
export type EntryType = 'normal' | 'conf_change';

export interface Entry {
  readonly index: number;
  readonly term: number;
  readonly type: EntryType;
  readonly data: Uint8Array;
}

/** What must survive a crash besides the log. */
export interface HardState {
  readonly term: number;
  readonly vote: NodeId | null;
  readonly commit: number;
}

export interface ConfState {
  readonly voters: readonly NodeId[];
  readonly learners: readonly NodeId[];
}

/** One membership change at a time. `context` is opaque to the core: the host puts the
 * new member's address there so every replica learns it from the log. */
export type ConfChange =
  | { readonly type: 'add_learner'; readonly node_id: NodeId; readonly context: Uint8Array }
  | { readonly type: 'promote'; readonly node_id: NodeId; readonly context: Uint8Array }
  | { readonly type: 'remove'; readonly node_id: NodeId; readonly context: Uint8Array };

/** Metadata of a state-machine snapshot. The snapshot's bytes never pass through the
 * core: the host streams them beside the 'snapshot' message and installs them when a
 * Ready names this metadata. */
export interface SnapshotMeta {
  readonly index: number;
  readonly term: number;
  readonly conf_state: ConfState;
}

export interface ReadState {
  /** The caller's context, echoed back so the host can match the request. */
  readonly context: string;
  /** Serve the read once the state machine has applied at least this index. */
  readonly index: number;
}

interface Envelope {
  readonly from: NodeId;
  readonly to: NodeId;
  readonly term: number;
}

export type Message =
  | (Envelope & {
      readonly type: 'append';
      readonly prev_index: number;
      readonly prev_term: number;
      readonly entries: readonly Entry[];
      readonly commit: number;
    })
  | (Envelope & {
      readonly type: 'append_resp';
      readonly reject: boolean;
      /** On success: the highest index now known to match the leader. On reject: the
       * index the leader probed (prev_index of the refused append). */
      readonly index: number;
      /** On reject: a hint for fast back-off — the follower's last index, or the first
       * index of the conflicting term, and that term (0 when unknown). */
      readonly reject_hint_index: number;
      readonly reject_hint_term: number;
    })
  | (Envelope & { readonly type: 'heartbeat'; readonly commit: number; readonly context: string })
  | (Envelope & { readonly type: 'heartbeat_resp'; readonly context: string })
  | (Envelope & {
      readonly type: 'vote' | 'pre_vote';
      readonly last_index: number;
      readonly last_term: number;
      /** Set when the election was started by TimeoutNow: voters skip the lease check. */
      readonly transfer: boolean;
    })
  | (Envelope & { readonly type: 'vote_resp' | 'pre_vote_resp'; readonly reject: boolean })
  | (Envelope & { readonly type: 'snapshot'; readonly snapshot: SnapshotMeta })
  | (Envelope & { readonly type: 'timeout_now' })
  | (Envelope & { readonly type: 'read_index'; readonly context: string })
  | (Envelope & { readonly type: 'read_index_resp'; readonly context: string; readonly index: number; readonly reject: boolean })
  | (Envelope & { readonly type: 'propose'; readonly entries: readonly Entry[] });

export type MessageType = Message['type'];

export interface SoftState {
  readonly leader: NodeId | null;
  readonly role: Role;
}

/**
 * What the host must do next, in this order:
 * 1. install `snapshot` (if any), then persist `entries` (replacing any stored entries at
 *    or above entries[0].index) and `hard_state` (if any) durably, in one synced batch;
 * 2. send `messages` (they may depend on step 1, so never before it);
 * 3. apply `committed_entries` in order and release `read_states` once applied;
 * 4. call advance().
 * Installing a snapshot replaces the whole stored log: delete every stored entry, record
 * the snapshot meta, then store `entries` (the core hands out again any entries it kept
 * above the snapshot). committed_entries then start above the snapshot index.
 */
export interface Ready {
  readonly soft_state: SoftState | null;
  readonly hard_state: HardState | null;
  readonly snapshot: SnapshotMeta | null;
  readonly entries: readonly Entry[];
  readonly messages: readonly Message[];
  readonly committed_entries: readonly Entry[];
  readonly read_states: readonly ReadState[];
}

/** Tuning and behaviour of one core. Times are in ticks: the host decides how long a tick is. */
export interface RaftConfig {
  readonly id: NodeId;
  /** Election timeout is drawn uniformly from [election_ticks, 2 * election_ticks). */
  readonly election_ticks: number;
  readonly heartbeat_ticks: number;
  /** Seeded source of randomness in [0, 1): the core never calls Math.random. */
  readonly rng: () => number;
  readonly pre_vote: boolean;
  readonly check_quorum: boolean;
  /** Bounds of one append message. */
  readonly append_entries_max: number;
  readonly append_bytes_max: number;
  /** Appends in flight to one follower before the leader waits for acknowledgements. */
  readonly inflight_appends_max: number;
  /** Proposed but not yet committed entries beyond which propose() refuses. */
  readonly uncommitted_entries_max: number;
  /** A follower forwards proposals to the leader (true) or refuses them naming the leader (false). */
  readonly forward_proposals: boolean;
  /** Test-only: commit entries of earlier terms by counting replicas (the unsafe rule
   * Raft forbids). Exists so the simulator's checkers can be shown to catch it. */
  readonly unsafe_commit_any_term?: boolean;
}

/** What the host loaded from durable storage at start. */
export interface InitialState {
  readonly hard_state: HardState;
  /** Membership at the snapshot (or the bootstrap membership when there is none). */
  readonly conf_state: ConfState;
  /** The latest state-machine snapshot the log was compacted to, or null. */
  readonly snapshot: SnapshotMeta | null;
  /** Every stored entry above the snapshot index, in order. */
  readonly entries: readonly Entry[];
  /** The highest index already applied to the state machine (durable with the ledger). */
  readonly applied: number;
}

export type RefusalReason =
  | 'not_leader'
  | 'no_leader'
  | 'transferring'
  | 'conf_change_pending'
  | 'too_many_uncommitted'
  | 'invalid';

export type ProposeResult =
  | { readonly ok: true; readonly index: number; readonly term: number }
  | { readonly ok: false; readonly reason: RefusalReason; readonly leader: NodeId | null; readonly detail: string };

export type RequestResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: RefusalReason; readonly leader: NodeId | null; readonly detail: string };

export interface FollowerProgress {
  readonly match: number;
  readonly next: number;
  readonly state: 'probe' | 'replicate' | 'snapshot';
  readonly inflight: number;
  readonly recent_active: boolean;
}

export interface RaftStatus {
  readonly id: NodeId;
  readonly role: Role;
  readonly term: number;
  readonly vote: NodeId | null;
  readonly leader: NodeId | null;
  readonly commit: number;
  readonly applied: number;
  readonly last_index: number;
  readonly snapshot_index: number;
  readonly conf_state: ConfState;
  readonly transferee: NodeId | null;
  /** Present on the leader only. */
  readonly progress: Readonly<Record<NodeId, FollowerProgress>> | null;
}
