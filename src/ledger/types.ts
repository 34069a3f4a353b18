// The vocabulary of the ledger: commands that change stock, their results, and the
// events every change appends to a position's history. Plain data throughout, so that the
// same values travel inside raft entries (msgpackr), over gRPC and into LevelDB.

export interface Line {
  readonly sku: string;
  readonly location: string;
  readonly quantity: number;
}

/** How an allocation line orders its candidate locations (rules version 4):
 * PRIORITY = in the listed order; MOST_AVAILABLE = by available descending, ties by
 * location name ascending. */
export const ALLOCATION_STRATEGIES = ['PRIORITY', 'MOST_AVAILABLE'] as const;
export type AllocationStrategy = (typeof ALLOCATION_STRATEGIES)[number];

/** A reserve line whose location the ledger picks at apply time among `locations`
 * (1..ALLOCATION_LOCATIONS_MAX distinct). split=false: one location holds the whole
 * quantity (the first that fits in strategy order); split=true: greedily in strategy
 * order. The reservation's lines are the concrete picks. */
export interface AllocationLine {
  readonly sku: string;
  readonly locations: readonly string[];
  readonly quantity: number;
  readonly strategy: AllocationStrategy;
  readonly split: boolean;
}

export type Command =
  | {
      readonly kind: 'adjust';
      readonly op_id: string;
      readonly sku: string;
      readonly location: string;
      /** Positive receives, negative shrinks; never zero. */
      readonly delta: number;
      readonly reason: string;
      readonly reference: string;
      /** Compare-and-set: apply only when on_hand equals this. */
      readonly expected_on_hand?: number;
      /** Issue time of the id (ms, the caller's clock), the same on every use of the id:
       * the ledger refuses an id older than the dedup window (OP_ID_TOO_OLD). Absent: the
       * leader checks the id itself and stamps it (see README "Exactly once"). */
      readonly id_time_ms?: number;
      /** Set by the leader for a command it stamped: the applied index at which it found
       * the id in no outcome, in memory or on disk. */
      readonly checked_index?: number;
    }
  | {
      readonly kind: 'reserve';
      /** Doubles as the op id of the reserve. */
      readonly reservation_id: string;
      readonly lines: readonly Line[];
      readonly ttl_ms: number;
      readonly order_ref: string;
      /** Rules version 4 (commerce). Lines the ledger places at apply time; lines.length +
       * allocations.length is 1..LINES_MAX. */
      readonly allocations?: readonly AllocationLine[];
      /** Rules version 4. Whose reservation it is, for per-customer limits (id rules);
       * required when a line's SKU has a customer limit. */
      readonly customer_id?: string;
      /** Rules version 4. May take units beyond available, up to each position's backorder
       * room (backorder_limit - backordered). */
      readonly backorder?: boolean;
      /** Rules version 4. When short, wait in the position's queue (state WAITING) until
       * granted or created + wait_ms (TTL bounds). Exactly one explicit line, no
       * allocations, no backorder. */
      readonly wait_ms?: number;
      readonly id_time_ms?: number;
      readonly checked_index?: number;
    }
  | {
      /** Rules version 4: a position's backorder limit and low-stock threshold (0 = off).
       * Creates the position (on_hand 0) when absent. */
      readonly kind: 'set_position_policy';
      readonly op_id: string;
      readonly sku: string;
      readonly location: string;
      readonly backorder_limit: number;
      readonly low_stock_threshold: number;
      readonly id_time_ms?: number;
      readonly checked_index?: number;
    }
  | {
      /** Rules version 4: a SKU's per-customer limit (0 = none) over a window (0 = for
       * ever). */
      readonly kind: 'set_sku_policy';
      readonly op_id: string;
      readonly sku: string;
      readonly customer_limit: number;
      readonly customer_window_ms: number;
      readonly id_time_ms?: number;
      readonly checked_index?: number;
    }
  | {
      /** Rules version 4: ships `quantity` from one location to another; the op id is the
       * transfer id. from.on_hand -= quantity (at most from's available), to.in_transit +=
       * quantity until received. */
      readonly kind: 'transfer';
      readonly op_id: string;
      readonly sku: string;
      readonly from_location: string;
      readonly to_location: string;
      readonly quantity: number;
      readonly reference: string;
      readonly id_time_ms?: number;
      readonly checked_index?: number;
    }
  | {
      /** Rules version 4: receives a transfer once; received 0..shipped, the difference is
       * the variance. */
      readonly kind: 'receive_transfer';
      readonly op_id: string;
      readonly transfer_id: string;
      readonly received: number;
      readonly id_time_ms?: number;
      readonly checked_index?: number;
    }
  | {
      /** Rules version 4: a cycle count sets on_hand to `counted` and records the variance. */
      readonly kind: 'count';
      readonly op_id: string;
      readonly sku: string;
      readonly location: string;
      readonly counted: number;
      readonly reference: string;
      readonly id_time_ms?: number;
      readonly checked_index?: number;
    }
  | {
      readonly kind: 'commit';
      readonly op_id: string;
      readonly reservation_id: string;
      /** Partial commit: these quantities are sold, the rest returns to available.
       * Absent: everything reserved is sold. */
      readonly lines?: readonly Line[];
      readonly id_time_ms?: number;
      readonly checked_index?: number;
    }
  | { readonly kind: 'release'; readonly op_id: string; readonly reservation_id: string; readonly reason: string; readonly id_time_ms?: number; readonly checked_index?: number }
  | { readonly kind: 'extend'; readonly op_id: string; readonly reservation_id: string; readonly ttl_ms: number; readonly id_time_ms?: number; readonly checked_index?: number }
  | {
      /** An operator's action on the cluster (membership, leadership, snapshot, roles),
       * recorded in the replicated admin history with who made it. Changes no stock. */
      readonly kind: 'admin';
      readonly op_id: string;
      readonly action: AdminAction;
      /** The authenticated principal that made the change (e.g. a certificate subject or a
       * token name, 'x via node:n2' when a member forwarded the call). */
      readonly principal: string;
      /** What the action was applied to: a member id, a node id, '' when nothing. */
      readonly target: string;
      /** Free text: request fields, outcome. */
      readonly detail: string;
      readonly id_time_ms?: number;
      readonly checked_index?: number;
    };

/** The closed set of admin actions the admin history records. All but one only record:
 * 'cluster_version' (target: the new version in decimal) also raises the cluster version
 * (rules.ts), the gate for the rules version of later entries. */
export const ADMIN_ACTIONS = ['add_learner', 'promote', 'remove', 'transfer_leadership', 'snapshot', 'roles_reload', 'force_new_cluster', 'history_archived', 'cluster_version'] as const;
export type AdminAction = (typeof ADMIN_ACTIONS)[number];

export type CommandKind = Command['kind'];

/** The command kinds of rules version 4 (commerce): refused under 1..3. */
export const COMMERCE_COMMAND_KINDS = ['set_position_policy', 'set_sku_policy', 'transfer', 'receive_transfer', 'count'] as const;
export type CommerceCommandKind = (typeof COMMERCE_COMMAND_KINDS)[number];

/** One raft entry's worth of ledger work. `time_ms` is the leader's clock when it
 * proposed; apply makes it non-decreasing along the log. An entry with no commands is a
 * time tick that only expires due reservations. */
export interface LedgerEntry {
  readonly time_ms: number;
  readonly commands: readonly Command[];
  /** History to prune (retention): the new horizon of each position, as the leader read
   * it from its history. Applied after expiries, before the commands; all or nothing. */
  readonly prune?: readonly HistoryHorizon[];
  /** The ledger rules version the entry was proposed under (rules.ts); absent means 1
   * (entries written before entries carried it). */
  readonly rules_version?: number;
}

/** Where a position's retained history starts: the last pruned event's seq, hash and the
 * quantities and times after it. The next retained event's prev_hash is this hash, so the
 * chain (and `verify`) continues from here. Stored in the 'history' sublevel under the
 * position's seq-0 key (keys.ts), so it sorts before the position's events. */
export interface HistoryHorizon {
  readonly kind: 'HORIZON';
  readonly sku: string;
  readonly location: string;
  readonly seq: number;
  readonly log_index: number;
  readonly time_ms: number;
  readonly on_hand: number;
  readonly reserved: number;
  readonly hash: string;
}

/** What an entry's prune list did: everything, or nothing and why. */
export type PruneOutcome =
  | { readonly ok: true; readonly positions: number; readonly events: number }
  | { readonly ok: false; readonly reason: string };

/** The closed set of result codes. Business outcomes only: transport problems are gRPC
 * status codes, never these. */
export const RESULT_CODES = [
  'OK',
  'INVALID_ARGUMENT',
  'INSUFFICIENT_STOCK',
  'POSITION_NOT_FOUND',
  'RESERVATION_NOT_FOUND',
  'RESERVATION_COMMITTED',
  'RESERVATION_RELEASED',
  'RESERVATION_EXPIRED',
  'ALREADY_EXISTS_DIFFERENT',
  'ON_HAND_MISMATCH',
  'LINE_NOT_RESERVED',
  'QUANTITY_EXCEEDS_RESERVED',
  'BALANCE_LIMIT',
  'OP_ID_TOO_OLD',
  // Rules version 4 (commerce).
  'CUSTOMER_LIMIT',
  'COUNT_BELOW_HELD',
  'RESERVATION_BACKORDERED',
  'RESERVATION_WAITING',
  'TRANSFER_NOT_FOUND',
  'TRANSFER_RECEIVED',
  'BACKORDER_LIMIT_BELOW_BACKORDERED',
] as const;
export type ResultCode = (typeof RESULT_CODES)[number];

/** WAITING (rules version 4): in a position's wait-list, holding nothing yet. */
export type ReservationState = 'PENDING' | 'COMMITTED' | 'RELEASED' | 'EXPIRED' | 'WAITING';

export interface Position {
  readonly sku: string;
  readonly location: string;
  readonly on_hand: number;
  readonly reserved: number;
  readonly available: number;
  /** Sequence number of the position's latest event. */
  readonly seq: number;
  // Commerce (rules version 4). Each is present only when non-zero, so positions that
  // never used them read, store and hash exactly as before; absent means 0.
  /** Units reserved beyond on_hand: max(0, reserved - on_hand). reserved counts them. */
  readonly backordered?: number;
  /** Units shipped to this position by transfers not yet received. */
  readonly in_transit?: number;
  /** How many units reserves may take beyond on_hand (0: no backorders). */
  readonly backorder_limit?: number;
  /** LOW_STOCK is emitted when available drops from >= this to below it (0: off). */
  readonly low_stock_threshold?: number;
}

export interface ShortLine {
  readonly sku: string;
  readonly location: string;
  readonly requested: number;
  readonly available: number;
}

export interface ReservationView {
  readonly reservation_id: string;
  readonly state: ReservationState;
  readonly lines: readonly Line[];
  readonly order_ref: string;
  readonly created_ms: number;
  readonly deadline_ms: number;
  /** Units sold per line when COMMITTED (partial commits sell less than reserved). */
  readonly committed_lines: readonly Line[];
  // Commerce (rules version 4), each present only when set.
  /** The customer the reserve named. */
  readonly customer_id?: string;
  /** Units of each line not yet filled (backordered), PENDING only; absent when none. */
  readonly backordered_lines?: readonly Line[];
  /** 1-based place in the position's wait-list, WAITING only (computed on read). */
  readonly queue_position?: number;
  /** When a WAITING reservation gives up (created + wait_ms); kept after the grant. */
  readonly wait_deadline_ms?: number;
}

export type CommandResult =
  | { readonly code: 'OK'; readonly replay: boolean; readonly positions: readonly Position[]; readonly reservation: ReservationView | null }
  | { readonly code: 'INVALID_ARGUMENT'; readonly replay: false; readonly field: string; readonly limit: string; readonly value: string }
  | { readonly code: 'INSUFFICIENT_STOCK'; readonly replay: boolean; readonly short_lines: readonly ShortLine[] }
  | { readonly code: 'ON_HAND_MISMATCH'; readonly replay: boolean; readonly expected_on_hand: number; readonly on_hand: number }
  | {
      /** The id is older than the dedup window (log time - id time >= window_ms), or the
       * leader's check of it went stale (detail says which): refused, not recorded. */
      readonly code: 'OP_ID_TOO_OLD';
      readonly replay: false;
      readonly id_time_ms: number;
      readonly log_time_ms: number;
      readonly window_ms: number;
      readonly detail: string;
    }
  | {
      /** A reserve would take the customer's units of the SKU above its limit. */
      readonly code: 'CUSTOMER_LIMIT';
      readonly replay: boolean;
      readonly sku: string;
      readonly customer_id: string;
      readonly limit: number;
      /** Units counted against the customer (WAITING, PENDING, COMMITTED within the window). */
      readonly used: number;
      readonly requested: number;
      /** max(0, limit - used). */
      readonly remaining: number;
    }
  | {
      /** A count below the units reservations hold on the position (reserved -
       * backordered): release reservations first. */
      readonly code: 'COUNT_BELOW_HELD';
      readonly replay: boolean;
      readonly sku: string;
      readonly location: string;
      readonly counted: number;
      readonly held: number;
    }
  | {
      readonly code: Exclude<ResultCode, StructuredCode>;
      readonly replay: boolean;
      readonly detail: string;
    };

/** Result codes whose result has fields of its own (the rest carry a detail text). */
export type StructuredCode = 'OK' | 'INVALID_ARGUMENT' | 'INSUFFICIENT_STOCK' | 'ON_HAND_MISMATCH' | 'OP_ID_TOO_OLD' | 'CUSTOMER_LIMIT' | 'COUNT_BELOW_HELD';
/** Codes whose result is { code, replay, detail }. */
export type DetailCode = Exclude<ResultCode, StructuredCode>;

export type EventKind =
  | 'ADJUST'
  | 'RESERVE'
  | 'COMMIT'
  | 'RELEASE'
  | 'EXPIRE'
  | 'EXTEND'
  // Rules version 4 (commerce).
  | 'POLICY'
  | 'BACKORDER_FILL'
  | 'WAIT'
  | 'GRANT'
  | 'WAIT_EXPIRE'
  | 'TRANSFER_OUT'
  | 'TRANSFER_IN'
  | 'RECEIVE'
  | 'COUNT'
  | 'LOW_STOCK';

/** One entry of a position's append-only history. */
export interface LedgerEvent {
  readonly sku: string;
  readonly location: string;
  /** Per-position sequence, 1, 2, 3, ... */
  readonly seq: number;
  readonly log_index: number;
  readonly time_ms: number;
  readonly kind: EventKind;
  readonly op_id: string;
  readonly reservation_id: string;
  /** The change this event made (signed), and the quantities after it. */
  readonly delta_on_hand: number;
  readonly delta_reserved: number;
  readonly on_hand: number;
  readonly reserved: number;
  // Commerce (rules version 4): present only on events that carry them, and hashed only
  // when present (history.ts), so events without them keep their hashes.
  /** in_transit after the event. */
  readonly in_transit?: number;
  readonly delta_in_transit?: number;
  /** Count: counted - previous on_hand; receive: received - shipped. */
  readonly variance?: number;
  readonly customer_id?: string;
  readonly transfer_id?: string;
  /** backordered after the event (BACKORDER_FILL: units of the line still unfilled). */
  readonly backordered?: number;
  /** Hex SHA-256 of the previous event of this position ('' for the first). */
  readonly prev_hash: string;
  readonly hash: string;
}

/** One entry of the ledger-wide admin history: its own hash chain (see history.ts),
 * stored in the 'history' sublevel under keys that no position can have (keys.ts). */
export interface AdminEvent {
  readonly kind: 'ADMIN';
  /** Admin history sequence, 1, 2, 3, ... */
  readonly seq: number;
  readonly log_index: number;
  readonly time_ms: number;
  readonly op_id: string;
  readonly action: AdminAction;
  readonly principal: string;
  readonly target: string;
  readonly detail: string;
  /** Hex SHA-256 of the previous admin event ('' for the first). */
  readonly prev_hash: string;
  readonly hash: string;
}

/** A change to durable state that applying an entry produced. The node writes all of an
 * entry batch's writes and the applied index in one atomic LevelDB batch. */
export type KvWrite =
  | { readonly type: 'put'; readonly sublevel: LedgerSublevel; readonly key: string; readonly value: unknown }
  | { readonly type: 'del'; readonly sublevel: LedgerSublevel; readonly key: string };

/** 'state' is loaded into memory at start; 'history' and 'outcomes' (outcomes past the
 * dedup window, kept for the life of the history, which retention may shorten) stay on disk. */
export type LedgerSublevel = 'state' | 'history' | 'outcomes';

export interface ApplyOutput {
  /** One result per command, in order. */
  readonly results: readonly CommandResult[];
  /** Events appended, in order (expiries first, then per command). */
  readonly events: readonly LedgerEvent[];
  /** Admin events appended, in order (they are not position events: Watch and the
   * per-position histories never carry them). */
  readonly admin_events: readonly AdminEvent[];
  readonly writes: readonly KvWrite[];
  /** Present when the entry carried a prune list. */
  readonly prune?: PruneOutcome;
}
