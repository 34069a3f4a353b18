// stockd's fixed limits and tuning constants (the process layer: services, config, boot,
// test hooks), in one place, each with its unit and why. Knobs an operator may change are
// flags instead (stockd-flags.ts); the node's, the wire's and the ledger's limits live in
// src/node, src/wire/limits.ts and src/ledger/limits.ts.

const KiB = 1024;
const MiB = 1024 * KiB;

// --- configuration

/** Largest --config file read: a settings file is a few hundred bytes; anything near this
 * is a wrong file, refused before parsing. */
export const CONFIG_FILE_BYTES_MAX = MiB;

/** Members in --initial-cluster and --peer-address-override: far above any real cluster,
 * and it bounds the membership a typo can bootstrap. */
export const MEMBERS_MAX = 64;

// --- Inventory.Watch

/** Events a watcher may fall behind by before its stream is ended (it resumes with the
 * cursor of the last event it received): bounds each stream's queue in memory. */
export const WATCH_BUFFER_EVENTS_MAX = 10_000;

/** Events of one log index a resuming watcher may skip: an entry holds at most 1,000
 * commands of up to 100 lines each, and this is twice that. */
export const WATCH_SKIP_EVENTS_MAX = 200_000;

// --- grpc.health.v1.Health

/** How often the health service re-reads the node's status for Watch streams: a change (a
 * leader found or lost) reaches watchers within a second without a listener on the raft
 * loop. Check always reads the status of the moment. */
export const HEALTH_WATCH_POLL_MS = 1000;

// --- backups and admin history

/** Largest chunk the Backup stream passes on: under the 4 MiB gRPC message limit with
 * room for framing (the node's chunks are about 1 MiB). */
export const BACKUP_STREAM_CHUNK_BYTES_MAX = 3 * MiB;

/** Longest wait for the read barrier a backup takes before it starts (a backup stream
 * itself may run far longer than any unary deadline). */
export const BACKUP_BARRIER_TIMEOUT_MS = 10_000;

/** Largest chunk read from a backup file by --restore: the format bounds chunks far below
 * it, so a larger length is a corrupt file, refused before allocating it. */
export const BACKUP_FILE_CHUNK_BYTES_MAX = 16 * MiB;

/** How long `--force-new-cluster` tries each member it is about to remove before taking it
 * as gone: a stopped process refuses at once and grpc-js retries within this, while a live
 * member on a loaded machine still answers well inside it. Paid once, at that start. */
export const FORCE_NEW_CLUSTER_PROBE_MS = 2_000;

/** Shortest time given to an admin record's proposal, even when the call's deadline is
 * closer: the action is done, and its record should not be lost to a tight client
 * deadline. */
export const ADMIN_RECORD_TIMEOUT_MS_MIN = 2_000;

// --- process lifecycle

/** Wait after the idle heap compaction before malloc_trim: V8 unmaps and frees what the
 * collection released over the next moments (see malloc-trim.ts). */
export const MALLOC_TRIM_DELAY_MS = 1000;

/** After draining, how long the gRPC server may take to finish open calls before it is
 * forced down: the drain already waited for proposals, so only stragglers remain. */
export const SERVER_SHUTDOWN_GRACE_MS = 2000;

// --- test hooks (--test-hooks only)

/** Body of a test-hook HTTP request: they carry none, so a few bytes are plenty. */
export const HOOK_BODY_BYTES_MAX = KiB;

/** Largest clock offset or fsync delay a test hook sets: one day, beyond any lease or
 * expiry a test needs to cross. */
export const HOOK_MS_MAX = 86_400_000;

/** One StockTest request's JSON text: room for a proposal of many commands. */
export const TEST_REQUEST_CHARS_MAX = 4 * MiB;

/** Deadline of a StockTest proposal, barrier or transfer when the request names none. */
export const TEST_CALL_TIMEOUT_MS = 5000;

/** Outcomes one StockTest request may ask for, and events it collects by default. */
export const TEST_ITEMS_MAX = 100_000;

/** How long a StockTest `events` request collects when the request names no wait. */
export const TEST_EVENTS_WAIT_MS = 200;

// --- the edge: every client call (edge.ts), forwarding to the leader (leader-route.ts,
// forward-pool.ts)

/** Deadline given to calls that arrive without one, and the longest one honoured. */
export const DEFAULT_CALL_TIMEOUT_MS = 10_000;
export const CALL_TIMEOUT_MS_MAX = 120_000;
export const DEFAULT_CALLS_INFLIGHT_MAX = 1024;
/** Server streams (Watch, Backup) open at once; counted apart from unary calls so that
 * long-lived watchers cannot starve short calls. */
export const DEFAULT_STREAMS_MAX = 256;
/** Time kept back from the caller's deadline for the answer to travel back: a call is
 * answered by (deadline - margin), so an answer at the deadline is the edge's own, with
 * its metadata, and not a bare DEADLINE_EXCEEDED from the gRPC library or the caller's
 * timer. A twentieth of the call's budget, within these bounds. */
export const REPLY_MARGIN_MS_MIN = 10;
export const REPLY_MARGIN_MS_MAX = 200;

/** Leader addresses a follower keeps a channel open to (least recently used closed first):
 * leaders change rarely, so a handful covers every recent leader. */
export const FORWARD_CHANNELS_MAX = 8;

/** Attempts (here or forwarded) one call gets. Leadership rarely moves twice within one
 * call's deadline; six attempts cover a move, a refusal by a node that learned late and
 * a few lost connections. */
export const FORWARD_ATTEMPTS_MAX = 6;
/** Wait after a failed attempt when no other leader is known yet, doubling up to the
 * maximum; a leader change ends the wait at once. The maximum stays under the election
 * timeout (500 ms by default) so a leader that is back is not waited for long. */
export const FORWARD_BACKOFF_MS_MIN = 25;
export const FORWARD_BACKOFF_MS_MAX = 400;
/** Passes through the loop (attempts and waits for a leader) one call may make: a bound
 * for leadership that flaps faster than attempts fail. */
export const FORWARD_PASSES_PER_ATTEMPT_MAX = 4;
