// The node loop's tuning constants and limits, in one place. Each bound keeps a queue, a
// loop round or a wait finite; the comments say why the figure is what it is.

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
/** Ticks counted while the loop is busy; more are not remembered (at most
 * TICKS_PER_ROUND_MAX of them are fed per round anyway, the rest are dropped). */
export const PENDING_TICKS_MAX = 100;
/** Rounds one run of the loop goes through before it yields to the event loop: one call
 * cannot spin forever, and more work re-kicks the loop. */
export const LOOP_ROUNDS_PER_RUN_MAX = 10_000;
/** Runs of committed entries being applied while the loop goes on with the next Ready
 * (see node-loop.ts). Beyond it the loop waits for the oldest before handing out more. */
export const APPLIES_IN_FLIGHT_MAX = 2;
/** Waits for the apply tail when draining: each wait finishes at least the run that was
 * the tail, and at most APPLIES_IN_FLIGHT_MAX runs are queued, so this is ample. */
export const APPLY_DRAIN_WAITS_MAX = 1000;
/** Upper bound of any wait a caller can ask for. */
export const WAIT_MS_MAX = 600_000;
/** Chunk size of backups (ledger snapshot format); well under the backup stream's
 * message bound (cluster-service.ts BACKUP_CHUNK_BYTES_MAX). */
export const BACKUP_CHUNK_BYTES = 1024 * 1024;
/** Records read ahead of a backup's first chunk to find the ledger's meta record (at most
 * the third state record: listings.ts peekMeta). */
export const BACKUP_META_PEEK_MAX = 4;
/** Staged, checked incoming snapshots kept at once: the one being installed and a newer
 * one that arrived meanwhile; older ones are superseded. Each holds its loaded ledger in
 * memory until it is installed or superseded. */
export const STAGED_SNAPSHOTS_MAX = 2;
/** A read-index round unanswered for this many ticks is given up and re-issued (a lost
 * message or a leader change; see read-rounds.ts). Rounds normally answer within one
 * round trip, well under a tick. */
export const READ_ROUND_RETRY_TICKS = 4;
/** Rows one listing call (events, admin events, positions) returns at most: bounds the
 * memory and the reply size of one page; callers page with `after`. */
export const LISTING_ROWS_MAX = 10_000;
/** Peer addresses learned from incoming traffic (not from membership): a flood of
 * senders cannot grow the table without bound. */
export const LEARNED_ADDRESSES_MAX = 1024;
/** Deadline of a membership change (add learner, promote, remove): a change commits in
 * a few round trips; a change not applied by then is reported as of unknown outcome. */
export const MEMBERSHIP_CHANGE_DEADLINE_MS = 10_000;
/** How long close() waits for proposals in flight before failing them. */
export const CLOSE_DRAIN_MS_DEFAULT = 3000;
/** How long close() waits for a Ready in progress to finish its writes. */
export const CLOSE_LOOP_WAIT_MS_MAX = 5000;
/** Poll intervals of close() while it waits for proposals and for the loop. */
export const CLOSE_PROPOSALS_POLL_MS = 10;
export const CLOSE_LOOP_POLL_MS = 5;

/** The wait left until `deadline_at_ms`, at least 1 ms and at most WAIT_MS_MAX. */
export function waitMs(deadline_at_ms: number): number {
  return Math.max(1, Math.min(WAIT_MS_MAX, Math.floor(deadline_at_ms - Date.now())));
}

/** History retention (history-pruner.ts): a round every second. Each round the leader scans
 * at most HISTORY_PRUNE_POSITIONS_SCANNED_MAX positions (one small history read each when
 * nothing is due: a million positions are walked in about 8 minutes) and proposes at most
 * HISTORY_PRUNE_EVENTS_MAX events to drop in one entry (the ledger's per-entry bound), so
 * pruning a backlog costs one modest entry a second, never a stall. */
export const HISTORY_PRUNE_INTERVAL_MS = 1_000;
export const HISTORY_PRUNE_POSITIONS_SCANNED_MAX = 2_000;
export const HISTORY_PRUNE_EVENTS_MAX = 10_000;
/** Watch records dropped per round once the archived mark moves (one write batch). */
export const WATCH_TRIM_RECORDS_MAX = 10_000;
/** Archived outcomes looked at per round when history retention drops those of pruned
 * history (outcome-trim.ts): one read of at most this many records, so a pass over ten
 * million takes about 17 minutes of one-second rounds. */
export const OUTCOME_TRIM_SCANNED_MAX = 10_000;
/** A new pass over the archived outcomes starts this long after the last one ended (or at
 * once when the archived mark moves): horizons move with every prune entry after the mark,
 * and a pass that finds nothing costs a read of the sublevel (10,000 records a second, so
 * a large sublevel is never read faster than that however short this is). */
export const OUTCOME_TRIM_PASS_INTERVAL_MS = 10_000;

/** Between a fatal error and the process exit: one health Watch poll (1 s) sees
 * NOT_SERVING and the log line leaves. The node is stopped meanwhile: no raft rounds, no
 * writes, and every call is refused. */
export const FATAL_EXIT_DELAY_MS = 1000;
