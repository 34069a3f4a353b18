// Every bound the ledger enforces, in one place. The gRPC edge checks the same constants
// before it proposes, and apply checks them again, so a command that slips past the edge
// still cannot change anything.

/** Op ids and reservation ids: 1..64 bytes of printable ASCII without space (0x21..0x7e).
 * Ids become LevelDB keys and log fields, so control and non-ASCII characters are refused. */
export const ID_BYTES_MIN = 1;
export const ID_BYTES_MAX = 64;
export const ID_PATTERN = /^[\x21-\x7e]+$/;

/** SKU 1..128 bytes and location 1..64 bytes of [A-Za-z0-9._:/-]. The character set never
 * contains '!' (0x21), which the ledger uses as the key separator: it sorts below every
 * allowed character, so keys order by (sku, location) as a tuple. */
export const SKU_BYTES_MIN = 1;
export const SKU_BYTES_MAX = 128;
export const LOCATION_BYTES_MIN = 1;
export const LOCATION_BYTES_MAX = 64;
export const POSITION_NAME_PATTERN = /^[A-Za-z0-9._:/-]+$/;

/** Free-text fields (Adjust reason and reference, Reserve order_ref, Release reason):
 * 0..256 bytes of well-formed UTF-8 (no lone surrogates, no control characters). */
export const TEXT_BYTES_MAX = 256;

/** Lines per Reserve or partial Commit, each on a distinct position. */
export const LINES_MIN = 1;
export const LINES_MAX = 100;

/** Every quantity and |delta| is an integer in 1..10^12. */
export const QUANTITY_MIN = 1;
export const QUANTITY_MAX = 1_000_000_000_000;

/** on_hand (and so reserved) stays below 2^53: at most 2^53 - 1, the largest integer a
 * double holds exactly. An Adjust that would pass it returns BALANCE_LIMIT. */
export const BALANCE_MAX = Number.MAX_SAFE_INTEGER;

/** Reservation time to live, and the time an Extend grants: 1 s .. 7 days. */
export const TTL_MS_MIN = 1_000;
export const TTL_MS_MAX = 7 * 24 * 60 * 60 * 1_000;

/** Ops in one Submit call at the edge. */
export const SUBMIT_OPS_MAX = 1_000;

/** Commands in one raft entry. An entry normally carries one proposal (at most
 * SUBMIT_OPS_MAX commands); the bound leaves room for a node that coalesces proposals.
 * encodeEntry refuses more, decodeEntry and apply throw on more. */
export const ENTRY_COMMANDS_MAX = 10_000;

/** Reservations one entry expires at most. A burst of reservations made with the same
 * deadline (say 100,000 from one bulk load) would otherwise all expire in one entry and
 * stall every replica's loop for seconds, past the election timeout. The rest expire in
 * the following entries (the leader keeps proposing time ticks while any are due), and a
 * command that touches a reservation already past its deadline expires it first, so no
 * commit, release or extend ever succeeds late. Part of the replicated state machine. */
export const EXPIRIES_PER_ENTRY_MAX = 1_000;

/** Encoded size of one raft entry's ledger payload (under the 4 MiB gRPC message limit). */
export const ENTRY_BYTES_MAX = 3 * 1024 * 1024;

/** The dedup window (stockd --dedup-window-ms), in log time: a command whose id time is
 * this much or more older than the entry's log time is refused (OP_ID_TOO_OLD), and an
 * outcome leaves memory for the disk once the window (plus ID_TIME_AHEAD_MS_MAX) has
 * passed since it was applied. Part of the replicated state machine: every node of a
 * cluster must use the same value. */
export const DEDUP_WINDOW_MS_DEFAULT = 24 * 60 * 60 * 1_000;
/** 1 s (tests) .. 30 days. */
export const DEDUP_WINDOW_MS_MIN = 1_000;
export const DEDUP_WINDOW_MS_MAX = 30 * 24 * 60 * 60 * 1_000;
/** How far an id time may be ahead of the entry's log time: clocks of callers and leader
 * differ by seconds, not minutes. The bound is min(this, the window), so a small test
 * window keeps outcomes in memory for at most twice the window. Beyond it the command is
 * refused as INVALID_ARGUMENT (field id_time_ms). */
export const ID_TIME_AHEAD_MS_MAX = 60 * 1_000;

/** Log time (entry time_ms) is a non-negative safe integer of milliseconds. */
export const TIME_MS_MAX = Number.MAX_SAFE_INTEGER - TTL_MS_MAX - DEDUP_WINDOW_MS_MAX - ID_TIME_AHEAD_MS_MAX;

/** Snapshot chunk size bounds (the node uses ~1 MiB, well under the 4 MiB message limit). */
export const SNAPSHOT_CHUNK_BYTES_MIN = 1_024;
export const SNAPSHOT_CHUNK_BYTES_MAX = 4 * 1024 * 1024 - 64 * 1024;

/** Admin command fields: principal 1..256 bytes, target 0..256 bytes, detail 0..1024 bytes,
 * each well-formed UTF-8 without control characters. */
export const ADMIN_PRINCIPAL_BYTES_MAX = 256;
export const ADMIN_TARGET_BYTES_MAX = 256;
export const ADMIN_DETAIL_BYTES_MAX = 1024;

/** History retention (see README "History retention"): one entry prunes at most this many
 * events in all (each is a delete in the entry's write batch, like an expiry is a few
 * writes), over at most HISTORY_PRUNE_POSITIONS_PER_ENTRY_MAX positions. A prune list that
 * asks more is refused whole. Part of the replicated state machine. */
export const HISTORY_PRUNE_EVENTS_PER_ENTRY_MAX = 10_000;
export const HISTORY_PRUNE_POSITIONS_PER_ENTRY_MAX = 1_000;

// ---------------------------------------------------------------- commerce (rules version 4)

/** Candidate locations of one allocation line, distinct. */
export const ALLOCATION_LOCATIONS_MIN = 1;
export const ALLOCATION_LOCATIONS_MAX = 16;

/** Customer ids follow the id rules (ID_BYTES_MIN..ID_BYTES_MAX printable ASCII). */

/** How long a reserve may wait in a wait-list: the TTL bounds (1 s .. 7 days). */
export const WAIT_MS_MIN = TTL_MS_MIN;
export const WAIT_MS_MAX = TTL_MS_MAX;

/** Waiting reservations per position. Beyond it a short reserve with wait_ms is refused
 * INSUFFICIENT_STOCK as without wait_ms: the queue, and the work of a read of a queue
 * position, stay bounded. */
export const WAIT_QUEUE_MAX = 100_000;

/** A SKU's customer window: 0 (for ever) or 1 s .. 366 days. */
export const CUSTOMER_WINDOW_MS_MIN = 1_000;
export const CUSTOMER_WINDOW_MS_MAX = 366 * 24 * 60 * 60 * 1_000;

/** Backorder limit, low-stock threshold and customer limit: 0 (off) .. QUANTITY_MAX. */
export const POLICY_QUANTITY_MAX = QUANTITY_MAX;

/** Backorder fills one apply makes per position change at most is bounded by the
 * reservations on the position; grants per change by WAIT_QUEUE_MAX. Nothing more. */
