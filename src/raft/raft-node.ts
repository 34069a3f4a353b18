// The Raft consensus core: a pure, deterministic state machine. It performs no I/O, reads
// no clock and draws randomness only from config.rng. The host feeds it ticks, messages and
// requests, and carries out each Ready (persist, send, apply) before calling advance().
//
// Decisions the host relies on:
// - Membership changes are one at a time (one server added, promoted or removed per
//   change) and take effect on a replica as soon as the 'conf_change' entry is in its log,
//   committed or not: every replica counts votes and replicas with the latest membership
//   in its own log, and falls back to the previous one if that entry is overwritten. A
//   leader accepts a new change only once the previous one is committed and it has
//   committed the entry it appended on election, so the memberships in use anywhere
//   differ by at most one server and their majorities always overlap. (Switching on
//   commit instead is not safe: replicas learn the commit index late, and a replica still
//   on the membership before one change could elect a leader beside one using the
//   membership after the next change.) The host learns of a change when the entry shows
//   up in committed_entries; status().conf_state is the core's current view, which may
//   include a change not committed yet.
// - On restart the membership is InitialState.conf_state (the membership at the snapshot,
//   or the bootstrap membership) with every conf_change entry in the log replayed on top.
// - A node that is not a voter in its own view (a learner, a node that joins with an empty
//   configuration, a removed node) never campaigns. Any node grants votes, because a
//   learner may have been promoted by a change it has not learned of yet.
// - A leader whose own removal commits tells its followers the new commit index, hands
//   leadership to an up-to-date voter (TimeoutNow) if there is one, and steps down.
// - A snapshot from the leader is accepted whenever its index is above the local commit
//   index. The local entries above it are kept only when the log holds the snapshot's own
//   (index, term); in every case they are handed out again in Ready.entries, because the
//   host replaces its whole stored log when it installs a Ready.snapshot. The answer is
//   an append_resp naming the snapshot index.
// - A node that joins with an empty configuration takes no entries before a snapshot: it
//   refuses appends, and the leader then sends a snapshot even if it never compacted (the
//   core's meta then names index 0 and the membership the log starts from; a host that
//   streams its applied state sends that instead, as usual).
// - reportUnreachable(to) says the host's link to `to` broke (connection refused or reset,
//   stream closed, queue overflow). A follower whose leader that is forgets the leader
//   (ending its check-quorum lease) and, with pre-vote on, campaigns within a few ticks
//   instead of a full election timeout: a killed leader's connections reset at once, so
//   this is what makes failover fast. Safe whatever the cause; a false alarm costs one
//   ignored pre-vote.
// - ready() may not be called again before advance(): one Ready is outstanding at a time.
//   status().applied is the highest index handed out in committed_entries so far.
// - Requests that cannot complete are dropped, not failed: a proposal forwarded to a leader
//   that refuses it, a read the leader cannot confirm (it stepped down), a read forwarded
//   to a node that is no longer leader. The host keeps its own deadline for each.
// - Reads are batched per Ready: the leader sends one heartbeat round for all reads that
//   arrived since the last Ready, and a follower forwards them as one read_index; so a
//   read's read state comes out of a later Ready than the readIndex() call, never the
//   same call. Committed entries per Ready are bounded by count and by data bytes
//   (COMMITTED_*_PER_READY_MAX): a host applies each Ready's batch in bounded time.

import type {
  ConfChange,
  Entry,
  HardState,
  InitialState,
  Message,
  NodeId,
  ProposeResult,
  RaftConfig,
  RaftStatus,
  Ready,
  ReadState,
  RequestResult,
  Role,
  SnapshotMeta,
  SoftState,
  FollowerProgress,
  RefusalReason,
} from './types.js';
import { RaftLog } from './raft-log.js';
import { Progress } from './progress.js';
import { PENDING_READS_MAX, ReadIndexQueue } from './read-index.js';
import { confChangeRefusal, encodeConfChange } from './conf-change.js';
import { Membership } from './membership.js';
import { validateRaftConfig } from './config.js';
import { invariant } from './invariant.js';
import { checkMessage } from './message-check.js';


/** Bound on committed entries handed out in one Ready; the rest follow in the next. */
export const COMMITTED_ENTRIES_PER_READY_MAX = 4096;
/** Bound on the data bytes of the committed entries in one Ready (at least one entry is
 * always handed out). The host applies a Ready's entries in one go on one thread; large
 * entries (a thousand commands each) would otherwise make one apply long enough to hold
 * up heartbeats past an election timeout. 128 KiB is about 1,300 single-line reserves:
 * with 512 KiB, Submit x100 from 64 callers held a node's loop for up to 360-420 ms
 * (event loop delay, 300,000 reservations already open); with 128 KiB for 140-170 ms, at
 * the same throughput. */
export const COMMITTED_BYTES_PER_READY_MAX = 128 * 1024;
/** Ticks after a follower lost its link to the leader before the first-ranked remaining
 * voter campaigns (see leaderLost); 0: at once. */
export const LEADER_LOST_FIRST_TICKS = 0;
/** Extra ticks per rank: the gap between two followers campaigning after losing the
 * leader, long enough for the first one's pre-vote and vote round (one fsync) to reach
 * the next one. */
export const LEADER_LOST_RANK_TICKS = 2;
/** Bound on the length of a read context. */
export const READ_CONTEXT_CHARS_MAX = 256;

const EMPTY = new Uint8Array(0);

interface Outstanding {
  readonly last_index: number;
  readonly last_term: number;
  readonly snapshot: boolean;
  readonly restore_epoch: number;
}

interface WaitingRead {
  readonly context: string;
  readonly from: NodeId;
}

export class RaftNode {
  private readonly cfg: RaftConfig;
  private readonly id: NodeId;
  private term: number;
  private vote: NodeId | null;
  private leader: NodeId | null = null;
  private role: Role = 'follower';
  private readonly log: RaftLog;
  private readonly membership: Membership;
  private readonly progress = new Map<NodeId, Progress>();
  private readonly votes = new Map<NodeId, boolean>();
  private election_elapsed = 0;
  private heartbeat_elapsed = 0;
  private randomized_election_ticks = 0;
  private msgs: Message[] = [];
  private read_states: ReadState[] = [];
  private readonly reads = new ReadIndexQueue();
  /** Reads that reached a new leader before it committed an entry of its own term. */
  private reads_waiting: WaitingRead[] = [];
  /** Contexts this follower forwarded to the leader and not yet released, oldest first;
   * duplicated or late answers to anything else are ignored. Bounded by PENDING_READS_MAX:
   * the oldest is forgotten first (its answer was most likely lost). */
  private readonly reads_forwarded = new Map<string, string[]>();
  /** Reads this follower accepted since the last Ready. They travel to the leader as one
   * read_index message when the next Ready is built (carried by the newest context); the
   * answer releases them all at its index, which is safe because every one of them
   * arrived before the leader was asked. Bounded by PENDING_READS_MAX. */
  private reads_to_forward: string[] = [];
  private transferee: NodeId | null = null;
  /** Pre-votes ignored under the leader lease since the leader was last heard, the latest
   * per candidate (so at most one per member). If this node then loses its link to the
   * leader, it answers them (see leaderLost): the candidate lost the same leader a moment
   * earlier and waits. A message from the leader drops them: the leader is alive, and the
   * candidate's alarm was false. */
  private readonly ignored_pre_votes = new Map<NodeId, Extract<Message, { type: 'vote' | 'pre_vote' }>>();
  private pending_conf_index = 0;
  /** Appends are flushed to followers when the next Ready is built, so that proposals
   * made between two Readys travel together in one append. */
  private bcast_pending = false;
  /** A read joined the ReadIndex queue since the last heartbeat round: one round, sent
   * when the next Ready is built, confirms every read pending at that moment (the newest
   * sequence number confirms all earlier ones), instead of one round per read. */
  private read_bcast_pending = false;
  private prev_soft: SoftState;
  private prev_hard: HardState;
  private outstanding: Outstanding | null = null;
  private restore_epoch = 0;

  constructor(config: RaftConfig, initial: InitialState) {
    validateRaftConfig(config);
    this.cfg = config;
    this.id = config.id;
    const hs = initial.hard_state;
    invariant(Number.isInteger(hs.term) && hs.term >= 0, () => `initial term must be a non-negative integer, got ${hs.term}`);
    const snap: SnapshotMeta = initial.snapshot ?? { index: 0, term: 0, conf_state: initial.conf_state };
    invariant(snap.term <= hs.term, () => `snapshot term ${snap.term} above hard state term ${hs.term}`);
    this.term = hs.term;
    this.vote = hs.vote;
    this.log = new RaftLog({ ...snap, conf_state: initial.conf_state }, initial.entries, hs.commit, initial.applied);
    invariant(this.log.lastTerm() <= hs.term, () => `last entry term ${this.log.lastTerm()} above hard state term ${hs.term}`);
    this.membership = new Membership(this.log);
    this.prev_hard = hs;
    this.prev_soft = { leader: null, role: 'follower' };
    this.resetRandomizedElectionTicks();
  }

  // ---------------------------------------------------------------- inputs

  tick(): void {
    if (this.role === 'leader') {
      this.tickLeader();
    } else {
      this.election_elapsed++;
      if (this.promotable() && this.election_elapsed >= this.randomized_election_ticks) {
        this.election_elapsed = 0;
        this.campaign(this.cfg.pre_vote ? 'pre' : 'real');
      }
    }
  }

  step(msg: Message): void {
    checkMessage(msg, this.id);

    if (msg.term > this.term) {
      if (msg.type === 'vote' || msg.type === 'pre_vote') {
        // Leader lease: while a leader is heard from, ignore candidates (a node that was
        // cut off and comes back must not depose a healthy leader), unless the leader
        // itself asked for the election.
        const in_lease = this.cfg.check_quorum && this.leader !== null && this.election_elapsed < this.cfg.election_ticks;
        if (in_lease && !msg.transfer) {
          if (msg.type === 'pre_vote') this.keepIgnoredPreVote(msg);
          return;
        }
      }
      if (msg.type === 'pre_vote') {
        // A pre-vote does not change our term.
      } else if (msg.type === 'pre_vote_resp' && !msg.reject) {
        // Granted pre-votes carry the term we would campaign at.
      } else {
        const from_leader = msg.type === 'append' || msg.type === 'heartbeat' || msg.type === 'snapshot';
        // A refused candidate must not hold back our own election: only a leader's
        // message (or a granted vote, below) restarts the election timer.
        const elapsed = this.election_elapsed;
        this.becomeFollower(msg.term, from_leader ? msg.from : null);
        if (!from_leader && this.role === 'follower') this.election_elapsed = elapsed;
      }
    } else if (msg.term < this.term) {
      if ((this.cfg.check_quorum || this.cfg.pre_vote) && (msg.type === 'append' || msg.type === 'heartbeat')) {
        // A deposed leader that was cut off learns the newer term and steps down.
        this.send({ type: 'append_resp', from: this.id, to: msg.from, term: this.term, reject: true, index: 0, reject_hint_index: 0, reject_hint_term: 0 });
      } else if (msg.type === 'pre_vote') {
        this.send({ type: 'pre_vote_resp', from: this.id, to: msg.from, term: this.term, reject: true });
      }
      return;
    }

    switch (msg.type) {
      case 'vote':
      case 'pre_vote':
        this.handleVoteRequest(msg);
        return;
      default:
        break;
    }
    switch (this.role) {
      case 'leader':
        this.stepLeader(msg);
        return;
      case 'candidate':
      case 'pre_candidate':
        this.stepCandidate(msg);
        return;
      case 'follower':
        this.stepFollower(msg);
        return;
    }
  }

  propose(data: Uint8Array): ProposeResult {
    if (data.length > this.cfg.append_bytes_max) {
      return refuse('invalid', this.leader, `proposal is ${data.length} bytes, limit append_bytes_max ${this.cfg.append_bytes_max}`);
    }
    if (this.role !== 'leader') {
      if (this.leader === null) return refuse('no_leader', null, 'no leader is known');
      if (!this.cfg.forward_proposals) return refuse('not_leader', this.leader, `leader is ${this.leader}`);
      this.send({
        type: 'propose', from: this.id, to: this.leader, term: this.term,
        entries: [{ index: 0, term: 0, type: 'normal', data }],
      });
      // Forwarded: the index is not known here (0); the host learns the outcome by applying.
      return { ok: true, index: 0, term: 0 };
    }
    const refusal = this.leaderAppendRefusal(1);
    if (refusal !== null) return refusal;
    const e = this.appendEntry('normal', data);
    return { ok: true, index: e.index, term: e.term };
  }

  proposeConfChange(cc: ConfChange): ProposeResult {
    if (this.role !== 'leader') {
      return this.leader === null
        ? refuse('no_leader', null, 'no leader is known')
        : refuse('not_leader', this.leader, `leader is ${this.leader}`);
    }
    const refusal = this.leaderAppendRefusal(1);
    if (refusal !== null) return refusal;
    if (this.pending_conf_index > this.log.commit) {
      return refuse('conf_change_pending', this.id, `membership change at index ${this.pending_conf_index} not committed yet (commit ${this.log.commit})`);
    }
    let data: Uint8Array;
    try {
      data = encodeConfChange(cc);
    } catch (err) {
      return refuse('invalid', this.id, (err as Error).message);
    }
    const why = confChangeRefusal(this.membership.conf, cc);
    if (why !== null) return refuse('invalid', this.id, why);
    const e = this.appendEntry('conf_change', data);
    this.pending_conf_index = e.index;
    if (this.membership.appended(e.index, cc)) this.leaderConfChanged();
    return { ok: true, index: e.index, term: e.term };
  }

  readIndex(context: string): RequestResult {
    if (typeof context !== 'string' || context.length === 0 || context.length > READ_CONTEXT_CHARS_MAX) {
      return refuse('invalid', this.leader, `read context must be 1..${READ_CONTEXT_CHARS_MAX} characters, got length ${String(context).length}`);
    }
    if (this.role === 'leader') return this.leaderRead(context, this.id);
    if (this.leader === null) return refuse('no_leader', null, 'no leader is known');
    if (this.reads_to_forward.length >= PENDING_READS_MAX) {
      return refuse('too_many_uncommitted', this.leader, `${this.reads_to_forward.length} reads wait to be forwarded, limit ${PENDING_READS_MAX}`);
    }
    this.reads_to_forward.push(context);
    return { ok: true };
  }

  /** Sends the reads accepted since the last Ready to the leader as one request (or, if
   * this node leads by now, queues them as its own). Without a known leader they wait. */
  private flushForwardReads(): void {
    if (this.reads_to_forward.length === 0) return;
    if (this.role === 'leader') {
      const own = this.reads_to_forward;
      this.reads_to_forward = [];
      // A refusal leaves the host's read to its deadline, as a lost request would.
      for (const context of own) this.leaderRead(context, this.id);
      return;
    }
    if (this.leader === null) return;
    const group = this.reads_to_forward;
    this.reads_to_forward = [];
    const carrier = group[group.length - 1];
    if (this.reads_forwarded.size >= PENDING_READS_MAX) {
      const oldest = this.reads_forwarded.keys().next();
      if (oldest.done !== true) this.reads_forwarded.delete(oldest.value);
    }
    this.reads_forwarded.set(carrier, group);
    this.send({ type: 'read_index', from: this.id, to: this.leader, term: this.term, context: carrier });
  }

  transferLeadership(to: NodeId): RequestResult {
    if (this.role !== 'leader') {
      return this.leader === null
        ? refuse('no_leader', null, 'no leader is known')
        : refuse('not_leader', this.leader, `leader is ${this.leader}`);
    }
    if (to === this.id) return { ok: true };
    if (!this.membership.voters.has(to)) return refuse('invalid', this.id, `transfer target ${to} is not a voter`);
    if (this.transferee !== null && this.transferee !== to) {
      return refuse('transferring', this.id, `already transferring to ${this.transferee}`);
    }
    this.transferee = to;
    // The transfer is abandoned when an election timeout passes without success.
    this.election_elapsed = 0;
    const pr = this.progress.get(to);
    invariant(pr !== undefined, () => `voter ${to} has no progress on leader ${this.id}`);
    if (pr.match === this.log.lastIndex()) this.sendTimeoutNow(to);
    else this.sendAppend(to, pr, true);
    return { ok: true };
  }

  compact(index: number): SnapshotMeta {
    invariant(Number.isInteger(index), () => `compact index must be an integer, got ${index}`);
    if (index === this.log.snapshot_index) return this.log.snapshotMeta();
    invariant(index <= this.log.commit, () => `compact(${index}) beyond commit ${this.log.commit}`);
    this.log.compact(index, this.membership.at(index));
    this.membership.compacted(index);
    return this.log.snapshotMeta();
  }

  reportSnapshot(to: NodeId, ok: boolean): void {
    if (this.role !== 'leader') return;
    const pr = this.progress.get(to);
    if (pr === undefined || pr.state !== 'snapshot') return;
    if (!ok) pr.pending_snapshot = 0;
    pr.becomeProbe();
    // Wait for the follower's answer (or the next heartbeat answer) before probing.
    pr.probe_sent = true;
  }

  /** The host lost its link to `to`: a stream broke, a connection was refused or reset,
   * or its queue to `to` overflowed. On a leader, replication to that follower falls back
   * to probing. On a follower whose leader `to` is, the leader most likely died (a killed
   * process resets its connections at once, long before an election timeout passes), so
   * the follower forgets it and campaigns early (see leaderLost). */
  reportUnreachable(to: NodeId): void {
    if (this.role === 'leader') {
      const pr = this.progress.get(to);
      if (pr !== undefined && pr.state === 'replicate') pr.becomeProbe();
      return;
    }
    if (this.role === 'follower' && this.leader === to) this.leaderLost(to);
  }

  /** A follower's link to its leader broke. Two things follow, both safe for Raft (any
   * node may campaign at any time; only liveness is at stake):
   * - It forgets the leader. That ends its check-quorum lease, so it now grants the
   *   pre-votes and votes of the other followers, which lost the same leader; with the
   *   lease still on they would ignore each other until a full election timeout passed.
   *   Calls that need the leader are refused at once (no leader known) instead of being
   *   passed on to a dead node.
   * - It campaigns early. The followers of a dead leader all notice at about the same
   *   moment; if they campaigned together they would split the vote and all wait another
   *   full timeout. So each waits a number of ticks set by its rank among the remaining
   *   voters (ordered by id): LEADER_LOST_FIRST_TICKS for the first (0: at once),
   *   LEADER_LOST_RANK_TICKS more per rank, by bringing its election timer forward. The
   *   first one's pre-vote and vote normally finish before the next one's timer fires;
   *   granting that vote restarts the next one's timer as usual. A first-ranked node that
   *   cannot win (its log is behind) is refused and the next rank wins instead.
   * If the link broke while the leader is alive (a transient error), the pre-vote finds
   * the other followers still inside their lease and is ignored (their next heartbeat
   * drops it), and the next heartbeat makes this node a follower of the same leader
   * again. */
  private leaderLost(gone: NodeId): void {
    this.leader = null;
    // Another follower may have noticed first and asked for a pre-vote while this node
    // still counted its lease; it is waiting for an answer it would otherwise never get.
    // If this node grants one, that candidate is on its way and this node does not
    // campaign against it (two candidates at once would split the vote).
    if (this.answerIgnoredPreVotes() > 0) return;
    // Without pre-vote an early campaign after a transient break would depose a live
    // leader (a real vote raises everyone's term), so only the lease ends then.
    if (!this.promotable() || !this.cfg.pre_vote) return;
    const others = [...this.membership.voters].filter((v) => v !== gone).sort();
    const rank = Math.max(0, others.indexOf(this.id));
    const wait = LEADER_LOST_FIRST_TICKS + LEADER_LOST_RANK_TICKS * rank;
    if (wait === 0) {
      this.campaign('pre');
      return;
    }
    // Only ever earlier than the regular timeout, never later.
    this.election_elapsed = Math.max(this.election_elapsed, this.randomized_election_ticks - wait);
  }

  /** Keeps a pre-vote ignored under the lease; bounded by the membership (one per
   * sender, the latest wins). */
  private keepIgnoredPreVote(msg: Extract<Message, { type: 'vote' | 'pre_vote' }>): void {
    if (!this.membership.voters.has(msg.from)) return;
    this.ignored_pre_votes.set(msg.from, msg);
  }

  /** Answers the kept pre-votes now that the lease is over; returns how many were granted. */
  private answerIgnoredPreVotes(): number {
    if (this.ignored_pre_votes.size === 0) return 0;
    const kept = [...this.ignored_pre_votes.values()];
    this.ignored_pre_votes.clear();
    const before = this.msgs.length;
    for (const m of kept) {
      // A pre-vote for a term this node reached meanwhile is stale: that campaign is over.
      if (m.term > this.term) this.handleVoteRequest(m);
    }
    let granted = 0;
    for (let k = before; k < this.msgs.length; k++) {
      const m = this.msgs[k];
      if (m.type === 'pre_vote_resp' && !m.reject) granted++;
    }
    return granted;
  }

  // ---------------------------------------------------------------- output

  hasReady(): boolean {
    if (this.bcast_pending && this.role === 'leader') return true;
    if (this.msgs.length > 0 || this.read_states.length > 0) return true;
    if (this.reads_to_forward.length > 0 && (this.role === 'leader' || this.leader !== null)) return true;
    if (this.read_bcast_pending && this.role === 'leader' && this.reads.size > 0) return true;
    if (this.log.unstable_snapshot !== null || this.log.stabled < this.log.lastIndex()) return true;
    if (this.log.commit > this.log.applied) return true;
    if (this.prev_soft.leader !== this.leader || this.prev_soft.role !== this.role) return true;
    const h = this.prev_hard;
    return h.term !== this.term || h.vote !== this.vote || h.commit !== this.log.commit;
  }

  ready(): Ready {
    invariant(this.outstanding === null, () => 'ready() called again before advance()');
    this.flushForwardReads();
    if (this.bcast_pending && this.role === 'leader') this.bcastAppend();
    this.bcast_pending = false;
    if (this.read_bcast_pending && this.role === 'leader' && this.reads.size > 0) this.bcastHeartbeat(this.reads.heartbeatContext());
    this.read_bcast_pending = false;
    const log = this.log;

    let soft_state: SoftState | null = null;
    if (this.prev_soft.leader !== this.leader || this.prev_soft.role !== this.role) {
      soft_state = { leader: this.leader, role: this.role };
      this.prev_soft = soft_state;
    }
    let hard_state: HardState | null = null;
    const h = this.prev_hard;
    if (h.term !== this.term || h.vote !== this.vote || h.commit !== log.commit) {
      invariant(this.term >= h.term, () => `term went back from ${h.term} to ${this.term}`);
      invariant(log.commit >= h.commit, () => `commit went back from ${h.commit} to ${log.commit}`);
      hard_state = { term: this.term, vote: this.vote, commit: log.commit };
      this.prev_hard = hard_state;
    }
    const entries = log.unstableEntries();
    const snapshot = log.unstable_snapshot;
    let committed_entries: Entry[] = [];
    if (log.commit > log.applied) {
      let hi = Math.min(log.commit, log.applied + COMMITTED_ENTRIES_PER_READY_MAX);
      committed_entries = log.entries.slice(log.applied - log.snapshot_index, hi - log.snapshot_index);
      let bytes = 0;
      for (let k = 0; k < committed_entries.length; k++) {
        bytes += committed_entries[k].data.byteLength;
        if (bytes > COMMITTED_BYTES_PER_READY_MAX && k > 0) {
          committed_entries = committed_entries.slice(0, k);
          hi = committed_entries[k - 1].index;
          break;
        }
      }
      log.applied = hi;
    }
    const messages = this.msgs;
    const read_states = this.read_states;
    this.msgs = [];
    this.read_states = [];
    const last = entries.length > 0 ? entries[entries.length - 1] : null;
    this.outstanding = {
      last_index: last === null ? 0 : last.index,
      last_term: last === null ? 0 : last.term,
      snapshot: snapshot !== null,
      restore_epoch: this.restore_epoch,
    };
    return { soft_state, hard_state, snapshot, entries, messages, committed_entries, read_states };
  }

  advance(): void {
    const o = this.outstanding;
    invariant(o !== null, () => 'advance() called without an outstanding ready()');
    this.outstanding = null;
    // A snapshot received after that Ready made the host drop its stored log; what the
    // Ready carried is handed out again.
    if (o.restore_epoch !== this.restore_epoch) return;
    if (o.snapshot) this.log.unstable_snapshot = null;
    if (o.last_index > 0) this.log.stableTo(o.last_index, o.last_term);
    if (this.role === 'leader') {
      const self = this.progress.get(this.id);
      if (self !== undefined && self.maybeUpdate(this.log.stabled)) this.leaderMaybeCommit();
    }
  }

  status(): RaftStatus {
    let progress: Record<NodeId, FollowerProgress> | null = null;
    if (this.role === 'leader') {
      progress = {};
      for (const [id, pr] of this.progress) progress[id] = pr.view();
    }
    return {
      id: this.id,
      role: this.role,
      term: this.term,
      vote: this.vote,
      leader: this.leader,
      commit: this.log.commit,
      applied: this.log.applied,
      last_index: this.log.lastIndex(),
      snapshot_index: this.log.snapshot_index,
      conf_state: this.membership.conf,
      transferee: this.transferee,
      progress,
    };
  }

  // ---------------------------------------------------------------- roles

  private promotable(): boolean {
    return this.membership.voters.has(this.id);
  }

  private resetRandomizedElectionTicks(): void {
    const r = this.cfg.rng();
    invariant(r >= 0 && r < 1, () => `rng returned ${r}, outside [0, 1)`);
    this.randomized_election_ticks = this.cfg.election_ticks + Math.floor(r * this.cfg.election_ticks);
  }

  private resetTimers(): void {
    // A new role or term: pre-votes kept from the previous lease are stale.
    this.ignored_pre_votes.clear();
    this.election_elapsed = 0;
    this.heartbeat_elapsed = 0;
    this.resetRandomizedElectionTicks();
  }

  private becomeFollower(term: number, leader: NodeId | null): void {
    invariant(term >= this.term, () => `term would go back from ${this.term} to ${term}`);
    if (term > this.term) {
      this.term = term;
      this.vote = null;
    }
    this.role = 'follower';
    this.leader = leader;
    this.leaveLeadership();
    this.resetTimers();
  }

  private leaveLeadership(): void {
    this.progress.clear();
    this.votes.clear();
    this.transferee = null;
    this.reads.clear();
    this.reads_waiting = [];
    this.bcast_pending = false;
  }

  private campaign(kind: 'pre' | 'real' | 'transfer'): void {
    if (!this.promotable()) return;
    this.leaveLeadership();
    this.leader = null;
    this.resetTimers();
    let vote_term: number;
    if (kind === 'pre') {
      this.role = 'pre_candidate';
      vote_term = this.term + 1;
    } else {
      this.term += 1;
      this.vote = this.id;
      this.role = 'candidate';
      vote_term = this.term;
    }
    this.votes.set(this.id, true);
    if (this.tally() === 'won') {
      if (kind === 'pre') this.campaign('real');
      else this.becomeLeader();
      return;
    }
    const type = kind === 'pre' ? 'pre_vote' : 'vote';
    const last_index = this.log.lastIndex();
    const last_term = this.log.lastTerm();
    for (const v of this.membership.voters) {
      if (v === this.id) continue;
      this.send({ type, from: this.id, to: v, term: vote_term, last_index, last_term, transfer: kind === 'transfer' });
    }
  }

  private tally(): 'won' | 'lost' | 'pending' {
    let granted = 0;
    let rejected = 0;
    for (const v of this.membership.voters) {
      const g = this.votes.get(v);
      if (g === true) granted++;
      else if (g === false) rejected++;
    }
    const q = this.membership.quorum();
    if (granted >= q) return 'won';
    if (rejected > this.membership.voters.size - q) return 'lost';
    return 'pending';
  }

  private becomeLeader(): void {
    invariant(this.role === 'candidate', () => `only a candidate becomes leader, ${this.id} is ${this.role}`);
    this.role = 'leader';
    this.leader = this.id;
    this.leaveLeadership();
    this.resetTimers();
    const next = this.log.lastIndex() + 1;
    for (const id of this.membership.memberIds()) {
      const pr = new Progress(next, this.cfg.inflight_appends_max);
      pr.recent_active = true;
      this.progress.set(id, pr);
    }
    const self = this.progress.get(this.id);
    invariant(self !== undefined, () => `leader ${this.id} is not in its own configuration`);
    self.becomeReplicate();
    self.match = this.log.stabled;
    self.next = this.log.lastIndex() + 1;
    // The no-op entry of the new term: committing it commits everything before it, and
    // until then no read is served and no membership change accepted.
    const noop = this.appendEntry('normal', EMPTY);
    this.pending_conf_index = noop.index;
  }

  // ---------------------------------------------------------------- votes

  private handleVoteRequest(msg: Extract<Message, { type: 'vote' | 'pre_vote' }>): void {
    const can_vote =
      this.vote === msg.from ||
      (this.vote === null && this.leader === null) ||
      (msg.type === 'pre_vote' && msg.term > this.term);
    const grant = can_vote && this.log.isUpToDate(msg.last_index, msg.last_term);
    const resp_type = msg.type === 'vote' ? 'vote_resp' : 'pre_vote_resp';
    if (grant) {
      // A granted pre-vote answers at the term the candidate would use; it changes nothing here.
      this.send({ type: resp_type, from: this.id, to: msg.from, term: msg.term, reject: false });
      if (msg.type === 'vote') {
        this.election_elapsed = 0;
        this.vote = msg.from;
      }
    } else {
      this.send({ type: resp_type, from: this.id, to: msg.from, term: this.term, reject: true });
    }
  }

  private stepCandidate(msg: Message): void {
    switch (msg.type) {
      case 'append':
      case 'heartbeat':
      case 'snapshot':
        // Someone won this term.
        this.becomeFollower(msg.term, msg.from);
        this.stepFollower(msg);
        return;
      case 'vote_resp':
      case 'pre_vote_resp': {
        const expected = this.role === 'candidate' ? 'vote_resp' : 'pre_vote_resp';
        if (msg.type !== expected) return;
        if (!this.votes.has(msg.from)) this.votes.set(msg.from, !msg.reject);
        const result = this.tally();
        if (result === 'won') {
          if (this.role === 'pre_candidate') this.campaign('real');
          else this.becomeLeader();
        } else if (result === 'lost') {
          this.becomeFollower(this.term, null);
        }
        return;
      }
      case 'read_index':
        this.send({ type: 'read_index_resp', from: this.id, to: msg.from, term: this.term, context: msg.context, index: 0, reject: true });
        return;
      default:
        return;
    }
  }

  // ---------------------------------------------------------------- follower

  private stepFollower(msg: Message): void {
    switch (msg.type) {
      case 'append':
        this.election_elapsed = 0;
        this.leader = msg.from;
        this.ignored_pre_votes.clear();
        this.handleAppend(msg);
        return;
      case 'heartbeat':
        this.election_elapsed = 0;
        this.leader = msg.from;
        this.ignored_pre_votes.clear();
        // The leader sends min(match, commit): our log agrees with it up to there.
        this.log.commitTo(Math.min(msg.commit, this.log.lastIndex()));
        this.send({ type: 'heartbeat_resp', from: this.id, to: msg.from, term: this.term, context: msg.context });
        return;
      case 'snapshot':
        this.election_elapsed = 0;
        this.leader = msg.from;
        this.ignored_pre_votes.clear();
        this.handleSnapshot(msg.from, msg.snapshot);
        return;
      case 'timeout_now':
        // The leader hands over: campaign at once, skipping the pre-vote and the lease.
        this.campaign('transfer');
        return;
      case 'read_index_resp': {
        const group = this.reads_forwarded.get(msg.context);
        if (group === undefined) return;
        this.reads_forwarded.delete(msg.context);
        if (!msg.reject) for (const context of group) this.read_states.push({ context, index: msg.index });
        return;
      }
      case 'read_index':
        this.send({ type: 'read_index_resp', from: this.id, to: msg.from, term: this.term, context: msg.context, index: 0, reject: true });
        return;
      case 'propose':
        if (this.leader !== null && this.cfg.forward_proposals) {
          this.send({ type: 'propose', from: this.id, to: this.leader, term: this.term, entries: msg.entries });
        }
        return;
      default:
        return;
    }
  }

  /** A node that joined with an empty configuration and has not received a snapshot yet:
   * it does not know the membership the log starts from, so it takes no entries until a
   * snapshot tells it. */
  private uninitialized(): boolean {
    return this.membership.isEmpty() && this.log.snapshot_index === 0 && this.log.lastIndex() === 0;
  }

  private handleAppend(msg: Extract<Message, { type: 'append' }>): void {
    const log = this.log;
    if (this.uninitialized()) {
      // Refusing even prev_index 0 tells the leader to send a snapshot.
      this.send({ type: 'append_resp', from: this.id, to: msg.from, term: this.term, reject: true, index: msg.prev_index, reject_hint_index: 0, reject_hint_term: 0 });
      return;
    }
    if (msg.prev_index < log.commit) {
      this.send({ type: 'append_resp', from: this.id, to: msg.from, term: this.term, reject: false, index: log.commit, reject_hint_index: 0, reject_hint_term: 0 });
      return;
    }
    log.written_from = 0;
    const last_new = log.maybeAppend(msg.prev_index, msg.prev_term, msg.entries);
    if (log.written_from > 0 && this.membership.afterWrite(log.written_from)) this.leaderConfChanged();
    if (last_new >= 0) {
      log.commitTo(Math.min(msg.commit, last_new));
      this.send({ type: 'append_resp', from: this.id, to: msg.from, term: this.term, reject: false, index: last_new, reject_hint_index: 0, reject_hint_term: 0 });
      return;
    }
    const hint = log.findConflictByTerm(Math.min(msg.prev_index, log.lastIndex()), msg.prev_term);
    this.send({
      type: 'append_resp', from: this.id, to: msg.from, term: this.term, reject: true,
      index: msg.prev_index, reject_hint_index: hint.index, reject_hint_term: hint.term,
    });
  }

  private handleSnapshot(from: NodeId, meta: SnapshotMeta): void {
    invariant(Number.isInteger(meta.index) && meta.index >= 0 && meta.term <= this.term, () =>
      `snapshot meta index ${meta.index} term ${meta.term} invalid at term ${this.term}`);
    const first_membership = this.uninitialized() && meta.conf_state.voters.length > 0;
    if (meta.index > this.log.commit || first_membership) {
      this.log.restore(meta);
      this.restore_epoch++;
      this.membership.rebuild();
    }
    this.send({ type: 'append_resp', from: this.id, to: from, term: this.term, reject: false, index: this.log.commit, reject_hint_index: 0, reject_hint_term: 0 });
  }

  // ---------------------------------------------------------------- leader

  private tickLeader(): void {
    this.heartbeat_elapsed++;
    this.election_elapsed++;
    if (this.election_elapsed >= this.cfg.election_ticks) {
      this.election_elapsed = 0;
      if (this.cfg.check_quorum) {
        if (!this.quorumActive()) {
          this.becomeFollower(this.term, null);
          return;
        }
        for (const [id, pr] of this.progress) pr.recent_active = id === this.id;
      }
      // A transfer that did not finish within an election timeout is abandoned.
      this.transferee = null;
    }
    if (this.heartbeat_elapsed >= this.cfg.heartbeat_ticks) {
      this.heartbeat_elapsed = 0;
      this.bcastHeartbeat(this.reads.heartbeatContext());
      // That round carries the newest pending read: it confirms the batch as well.
      this.read_bcast_pending = false;
    }
  }

  private quorumActive(): boolean {
    let active = 0;
    for (const v of this.membership.voters) {
      if (v === this.id || this.progress.get(v)?.recent_active === true) active++;
    }
    return active >= this.membership.quorum();
  }

  private stepLeader(msg: Message): void {
    switch (msg.type) {
      case 'append_resp':
        this.handleAppendResp(msg);
        return;
      case 'heartbeat_resp':
        this.handleHeartbeatResp(msg);
        return;
      case 'read_index': {
        const r = this.leaderRead(msg.context, msg.from);
        if (!r.ok) this.send({ type: 'read_index_resp', from: this.id, to: msg.from, term: this.term, context: msg.context, index: 0, reject: true });
        return;
      }
      case 'propose': {
        if (msg.entries.length === 0 || this.leaderAppendRefusal(msg.entries.length) !== null) return;
        for (const e of msg.entries) {
          // Only normal entries are forwarded; membership changes go through proposeConfChange.
          if (e.type === 'normal' && e.data.length <= this.cfg.append_bytes_max) this.appendEntry('normal', e.data);
        }
        return;
      }
      default:
        return;
    }
  }

  private leaderAppendRefusal(count: number): ProposeResult | null {
    if (this.transferee !== null) return refuse('transferring', this.id, `leadership is being transferred to ${this.transferee}`);
    const uncommitted = this.log.lastIndex() - this.log.commit;
    if (uncommitted + count > this.cfg.uncommitted_entries_max) {
      return refuse('too_many_uncommitted', this.id, `${uncommitted} entries uncommitted, limit uncommitted_entries_max ${this.cfg.uncommitted_entries_max}`);
    }
    return null;
  }

  private appendEntry(type: Entry['type'], data: Uint8Array): Entry {
    const e: Entry = { index: this.log.lastIndex() + 1, term: this.term, type, data };
    this.log.entries.push(e);
    this.bcast_pending = true;
    return e;
  }

  private handleAppendResp(msg: Extract<Message, { type: 'append_resp' }>): void {
    const pr = this.progress.get(msg.from);
    if (pr === undefined) return;
    pr.recent_active = true;
    if (msg.reject) {
      let match_hint = msg.reject_hint_index;
      if (msg.reject_hint_term > 0) match_hint = this.log.findConflictByTerm(msg.reject_hint_index, msg.reject_hint_term).index;
      if (msg.index === 0 && pr.state === 'probe' && pr.next === 1) {
        // Only a node that joined empty refuses the empty prefix: it needs a snapshot,
        // even if this leader never compacted (the snapshot then names index 0 and the
        // membership the log starts from, unless the host sends a later one).
        this.sendSnapshot(msg.from, pr);
        return;
      }
      if (pr.maybeDecrTo(msg.index, match_hint)) {
        if (pr.state === 'replicate') pr.becomeProbe();
        this.sendAppend(msg.from, pr, false);
      }
      return;
    }
    invariant(msg.index <= this.log.lastIndex(), () =>
      `follower ${msg.from} acknowledged index ${msg.index} beyond leader ${this.id} last index ${this.log.lastIndex()}`);
    const old_paused = pr.isPaused();
    if (!pr.maybeUpdate(msg.index)) {
      return;
    }
    if (pr.state === 'probe') pr.becomeReplicate();
    else if (pr.state === 'snapshot' && pr.match >= pr.pending_snapshot) pr.becomeReplicate();
    else if (pr.state === 'replicate') pr.freeInflightsTo(msg.index);
    if (this.leaderMaybeCommit()) {
      // bcast_pending carries the new commit index to everyone.
    } else if (old_paused || pr.next <= this.log.lastIndex()) {
      this.sendAppend(msg.from, pr, false);
    }
    if (this.role === 'leader' && msg.from === this.transferee && pr.match === this.log.lastIndex()) {
      this.sendTimeoutNow(msg.from);
    }
  }

  private handleHeartbeatResp(msg: Extract<Message, { type: 'heartbeat_resp' }>): void {
    const pr = this.progress.get(msg.from);
    if (pr === undefined) return;
    pr.recent_active = true;
    pr.probe_sent = false;
    if (pr.state === 'replicate' && pr.isPaused()) pr.freeFirstInflight();
    // Even with nothing new to send: an append lost in flight leaves a gap the follower
    // only reports when it sees the next append.
    if (pr.match < this.log.lastIndex()) this.sendAppend(msg.from, pr, true);
    const read = this.reads.ack(msg.context, msg.from);
    if (read === undefined || this.membership.countVoters(read.acks) < this.membership.quorum()) return;
    for (const r of this.reads.releaseThrough(read)) this.releaseRead(r.context, r.index, r.from);
  }

  private leaderRead(context: string, from: NodeId): RequestResult {
    if (this.log.term(this.log.commit) !== this.term) {
      // A new leader does not know the commit index until it committed an entry of its
      // own term; the request waits for that.
      if (this.reads_waiting.length >= PENDING_READS_MAX) {
        return refuse('too_many_uncommitted', this.id, `${this.reads_waiting.length} reads wait for the first commit, limit ${PENDING_READS_MAX}`);
      }
      this.reads_waiting.push({ context, from });
      return { ok: true };
    }
    if (this.membership.voters.size === 1 && this.membership.voters.has(this.id)) {
      this.releaseRead(context, this.log.commit, from);
      return { ok: true };
    }
    if (this.reads.size >= PENDING_READS_MAX) {
      return refuse('too_many_uncommitted', this.id, `${this.reads.size} reads await confirmation, limit ${PENDING_READS_MAX}`);
    }
    this.reads.add(context, this.log.commit, from, this.id);
    this.read_bcast_pending = true;
    return { ok: true };
  }

  private releaseRead(context: string, index: number, from: NodeId): void {
    if (from === this.id) this.read_states.push({ context, index });
    else this.send({ type: 'read_index_resp', from: this.id, to: from, term: this.term, context, index, reject: false });
  }

  /** Commits the highest index a quorum of voters holds, if it is of the current term. */
  private leaderMaybeCommit(): boolean {
    const matches: number[] = [];
    for (const v of this.membership.voters) matches.push(this.progress.get(v)?.match ?? 0);
    matches.sort((a, b) => b - a);
    const q = this.membership.quorum();
    if (q === 0 || matches.length < q) return false;
    const candidate = matches[q - 1];
    if (candidate <= this.log.commit) return false;
    // Raft's rule: only an entry of the current term is committed by counting replicas;
    // earlier ones are committed by it.
    if (this.log.term(candidate) !== this.term && this.cfg.unsafe_commit_any_term !== true) return false;
    const had_own_term_commit = this.log.term(this.log.commit) === this.term;
    this.log.commitTo(candidate);
    this.bcast_pending = true;
    if (!had_own_term_commit) this.serveWaitingReads();
    if (!this.membership.voters.has(this.id) && this.log.commit >= this.membership.lastChangeIndex()) this.stepDownRemoved();
    return true;
  }

  private serveWaitingReads(): void {
    const waiting = this.reads_waiting;
    this.reads_waiting = [];
    for (const w of waiting) {
      const r = this.leaderRead(w.context, w.from);
      if (!r.ok && w.from !== this.id) {
        this.send({ type: 'read_index_resp', from: this.id, to: w.from, term: this.term, context: w.context, index: 0, reject: true });
      }
    }
  }

  private sendAppend(to: NodeId, pr: Progress, send_if_empty: boolean): void {
    if (pr.isPaused()) return;
    const prev_index = pr.next - 1;
    const prev_term = this.log.term(prev_index);
    if (prev_term === -1) {
      // The follower needs entries compacted away: the host streams a snapshot.
      invariant(prev_index < this.log.snapshot_index, () => `leader ${this.id} has no term for ${prev_index} (last ${this.log.lastIndex()})`);
      this.sendSnapshot(to, pr);
      return;
    }
    const entries = this.log.slice(pr.next, this.log.lastIndex(), this.cfg.append_entries_max, this.cfg.append_bytes_max);
    if (entries.length === 0 && !send_if_empty) return;
    this.send({ type: 'append', from: this.id, to, term: this.term, prev_index, prev_term, entries, commit: this.log.commit });
    if (entries.length > 0) pr.sentEntries(entries[entries.length - 1].index);
    else if (pr.state === 'probe') pr.probe_sent = true;
  }

  private sendSnapshot(to: NodeId, pr: Progress): void {
    pr.becomeSnapshot(this.log.snapshot_index);
    this.send({ type: 'snapshot', from: this.id, to, term: this.term, snapshot: this.log.snapshotMeta() });
  }

  private bcastAppend(): void {
    for (const [id, pr] of this.progress) {
      if (id !== this.id) this.sendAppend(id, pr, true);
    }
  }

  private bcastHeartbeat(context: string): void {
    for (const [id, pr] of this.progress) {
      if (id === this.id) continue;
      this.send({ type: 'heartbeat', from: this.id, to: id, term: this.term, commit: Math.min(pr.match, this.log.commit), context });
    }
  }

  private sendTimeoutNow(to: NodeId): void {
    this.send({ type: 'timeout_now', from: this.id, to, term: this.term });
  }

  // ---------------------------------------------------------------- membership

  private leaderConfChanged(): void {
    const members = new Set(this.membership.memberIds());
    for (const id of [...this.progress.keys()]) {
      if (!members.has(id)) this.progress.delete(id);
    }
    for (const id of members) {
      if (!this.progress.has(id)) {
        const pr = new Progress(this.log.lastIndex() + 1, this.cfg.inflight_appends_max);
        pr.recent_active = true;
        this.progress.set(id, pr);
      }
    }
    if (this.transferee !== null && !this.membership.voters.has(this.transferee)) this.transferee = null;
  }

  /** The change removing this leader committed: tell everyone the commit index, hand
   * over to an up-to-date voter, step down. Until then it led without counting itself. */
  private stepDownRemoved(): void {
    this.bcastAppend();
    for (const v of this.membership.voters) {
      if (this.progress.get(v)?.match === this.log.lastIndex()) {
        this.sendTimeoutNow(v);
        break;
      }
    }
    this.becomeFollower(this.term, null);
  }

  private send(m: Message): void {
    this.msgs.push(m);
  }
}

function refuse(reason: RefusalReason, leader: NodeId | null, detail: string): { ok: false; reason: RefusalReason; leader: NodeId | null; detail: string } {
  return { ok: false, reason, leader, detail };
}
