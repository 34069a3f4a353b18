// A deterministic, seeded simulation of one Raft cluster on simulated time. Hosts keep an
// in-memory "durable" store (hard state, snapshot, log) and a toy state machine (applied
// index, digest, membership); the network delivers, drops, duplicates, delays and
// partitions messages; nodes crash (losing whatever was not yet persisted) and restart
// from their store. Every step is one event (a message delivery, one node's tick, a
// client operation or a fault) followed by the affected nodes' Ready processing, during
// which the checkers are fed. A seed determines the whole run.

import { RaftNode } from '../../src/raft/raft-node.js';
import { applyConfChange, decodeConfChange } from '../../src/raft/conf-change.js';
import { copySm, entryId, payloadBytes, type Host, type SmState, type SnapshotPayload, type Store } from './model.js';
import { defaultRaftConfig } from '../../src/raft/config.js';
import { seededRng, randomInt } from '../../src/raft/rng.js';
import type { ConfState, Message, NodeId, RaftConfig, Ready, SnapshotMeta } from '../../src/raft/types.js';
import { Checkers, type LogView, type Violation } from './checkers.js';
import { EventHeap } from './heap.js';

export const FAULT_KINDS = [
  'drop',
  'duplicate',
  'delay',
  'isolate_one',
  'isolate_leader',
  'split',
  'bridge',
  'heal',
  'crash',
  'crash_unpersisted',
  'restart',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface SimOptions {
  readonly seed: number;
  readonly nodes: 3 | 5;
  readonly steps: number;
  /** Adjusts every core's config (known-bad runs switch on unsafe options here). */
  readonly tweak?: (c: RaftConfig) => RaftConfig;
  /** Known-bad host: answers reads at once from its own commit index, skipping ReadIndex. */
  readonly unsafe_local_reads?: boolean;
  /** Known-bad host: sends a Ready's messages before its write is durable, so a crash can
   * lose a vote or an entry that others were already told about. */
  readonly unsafe_send_before_persist?: boolean;
  /** Ticks after a heal within which a proposal must commit. */
  readonly liveness_bound_ticks?: number;
  /** Receives a line per notable event (for replaying a failing seed by hand). */
  readonly trace?: (line: string) => void;
  /** No random operations, faults or ticks: a test drives the cluster through the
   * scripting methods (tickNode, deliverAll, crashNode, ...). */
  readonly scripted?: boolean;
}

export interface SimStats {
  steps: number;
  ticks: number;
  faults: Record<FaultKind, number>;
  elections: number;
  committed: number;
  proposals: number;
  reads: number;
  membership_changes: number;
  transfers: number;
  compactions: number;
  snapshots_sent: number;
  snapshots_installed: number;
  calm_periods: number;
  calm_ticks_max: number;
}

export interface SimResult {
  readonly seed: number;
  readonly nodes: number;
  readonly stats: SimStats;
  readonly violations: readonly Violation[];
  /** An exception thrown by a core (a broken invariant), if any. */
  readonly error: string | null;
  readonly failed_at_step: number | null;
}

/** Simulated time units per tick. */
const TICK = 10;
export const DEFAULT_LIVENESS_BOUND_TICKS = 100;
const PROBE_RETRY_TICKS = 20;
/** Hosts alive at once beyond the initial members (joiners not yet removed). */
const HOSTS_MAX_EXTRA = 3;
const VOTERS_MIN_FOR_REMOVAL = 4;
/** Bound on Ready rounds drained after one event for one node. */
const READY_ROUNDS_MAX = 100;

type SimEvent =
  | { time: number; seq: number; kind: 'deliver'; msg: Message; payload: SnapshotPayload | null; sender_incarnation: number }
  | { time: number; seq: number; kind: 'node_tick'; host: NodeId }
  | { time: number; seq: number; kind: 'world_tick' }
  | { time: number; seq: number; kind: 'op' };

function emptyFaults(): Record<FaultKind, number> {
  const f = {} as Record<FaultKind, number>;
  for (const k of FAULT_KINDS) f[k] = 0;
  return f;
}

export class Simulation {
  readonly checkers = new Checkers();
  readonly stats: SimStats;
  private readonly rng: () => number;
  private readonly hosts = new Map<NodeId, Host>();
  private readonly host_list: Host[] = [];
  private readonly events = new EventHeap<SimEvent>();
  private seq = 0;
  private now = 0;
  private tick_no = 0;
  private next_payload = 1;
  private next_read = 1;
  private next_host = 1;
  // network faults in force
  private p_drop = 0;
  private p_dup = 0;
  private p_delay = 0;
  private chaos_until = 0;
  private probe_id = 0;
  private probe_tick = 0;
  /** Log index of the committed probe; the calm period ends once every member applied it. */
  private probe_index = 0;
  private readonly p_report_unreachable: number;
  private readonly liveness_bound: number;
  private readonly base_config: Omit<RaftConfig, 'id' | 'rng'>;
  private readonly applied_conf = new Set<number>();
  private error: string | null = null;
  private failed_at: number | null = null;

  constructor(private readonly opts: SimOptions) {
    this.rng = seededRng(opts.seed);
    this.liveness_bound = opts.liveness_bound_ticks ?? DEFAULT_LIVENESS_BOUND_TICKS;
    this.stats = {
      steps: 0, ticks: 0, faults: emptyFaults(), elections: 0, committed: 0, proposals: 0, reads: 0,
      membership_changes: 0, transfers: 0, compactions: 0, snapshots_sent: 0, snapshots_installed: 0,
      calm_periods: 0, calm_ticks_max: 0,
    };
    // Vary the tuning per seed so batching limits, pipelining and the optional
    // protections are all exercised.
    const pick = <T>(xs: readonly T[]): T => xs[randomInt(this.rng, xs.length)];
    const d = defaultRaftConfig('x', this.rng);
    this.base_config = {
      election_ticks: d.election_ticks,
      heartbeat_ticks: pick([1, 1, 3]),
      pre_vote: this.rng() < 0.85,
      check_quorum: this.rng() < 0.85,
      append_entries_max: pick([1, 4, 64, 512]),
      append_bytes_max: pick([16, 1024 * 1024]),
      inflight_appends_max: pick([1, 2, 8, 64]),
      uncommitted_entries_max: pick([16, 10_000]),
      forward_proposals: this.rng() < 0.5,
    };
    this.p_report_unreachable = this.rng() < 0.5 ? 0 : 0.3;
    const ids: NodeId[] = [];
    for (let i = 0; i < opts.nodes; i++) ids.push(`n${this.next_host++}`);
    for (const id of ids) this.addHost(id, { voters: ids, learners: [] });
    if (opts.scripted !== true) {
      this.schedule({ time: TICK, seq: 0, kind: 'world_tick' });
      this.schedule({ time: 1, seq: 0, kind: 'op' });
      this.startChaos();
    }
  }

  // ---------------------------------------------------------------- scripting

  private must(id: NodeId): Host {
    const h = this.hosts.get(id);
    if (h === undefined) throw new Error(`no host ${id}`);
    return h;
  }

  status(id: NodeId): ReturnType<RaftNode['status']> | null {
    return this.must(id).core?.status() ?? null;
  }

  tickNode(id: NodeId): void {
    const h = this.must(id);
    if (h.core === null) return;
    h.core.tick();
    this.drain(h);
  }

  proposeAt(id: NodeId): ReturnType<RaftNode['propose']> {
    const h = this.must(id);
    if (h.core === null) throw new Error(`${id} is down`);
    const r = h.core.propose(payloadBytes(this.next_payload++));
    this.drain(h);
    return r;
  }

  crashNode(id: NodeId): void {
    this.crash(this.must(id), false);
  }

  /** The node crashes while handling its next Ready; `keeps_write` says whether that
   * Ready's write reached the disk. */
  crashInNextReady(id: NodeId, keeps_write: boolean): void {
    const h = this.must(id);
    h.crash_in_ready = true;
    h.crash_keeps_write = keeps_write;
  }

  restartNode(id: NodeId): void {
    this.restart(this.must(id));
  }

  /** Delivers queued messages (and those they cause) that `allow` lets through, dropping
   * the rest; bounded by events_max. */
  deliverAll(allow: (m: Message) => boolean, events_max = 100_000): void {
    for (let k = 0; k < events_max; k++) {
      const e = this.events.pop();
      if (e === undefined) return;
      this.now = e.time;
      if (e.kind === 'deliver' && allow(e.msg)) this.deliver(e.msg, e.payload, e.sender_incarnation);
    }
    throw new Error(`deliverAll: still busy after ${events_max} events`);
  }

  private trace(f: () => string): void {
    if (this.opts.trace !== undefined) this.opts.trace(`t${this.now} ${f()}`);
  }

  // ---------------------------------------------------------------- setup

  private schedule(e: SimEvent): void {
    e.seq = this.seq++;
    this.events.push(e);
  }

  private coreConfig(id: NodeId): RaftConfig {
    const c: RaftConfig = { ...this.base_config, id, rng: seededRng(Math.floor(this.rng() * 4294967296)) };
    return this.opts.tweak === undefined ? c : this.opts.tweak(c);
  }

  private addHost(id: NodeId, conf: ConfState): Host {
    const sm: SmState = { applied: 0, applied_term: 0, digest: 0, conf };
    const host: Host = {
      id, core: null, incarnation: 0, removed: false,
      store: { hard: { term: 0, vote: null, commit: 0 }, snap: null, snap_sm: null, conf, entries: [] },
      sm, staged: null, mask: 1, commit_seen: 0, crash_in_ready: false, crash_keeps_write: null,
    };
    this.hosts.set(id, host);
    this.host_list.push(host);
    this.boot(host);
    if (this.opts.scripted !== true) this.schedule({ time: this.now + 1 + randomInt(this.rng, TICK), seq: 0, kind: 'node_tick', host: id });
    return host;
  }

  private boot(h: Host): void {
    const s = h.store;
    h.core = new RaftNode(this.coreConfig(h.id), {
      hard_state: s.hard,
      conf_state: s.conf,
      snapshot: s.snap,
      entries: s.entries,
      applied: h.sm.applied,
    });
    h.incarnation++;
    h.commit_seen = Math.max(h.commit_seen, s.hard.commit);
  }

  // ---------------------------------------------------------------- run

  run(): SimResult {
    const steps = this.opts.steps;
    while (this.stats.steps < steps) {
      const e = this.events.pop();
      if (e === undefined) break;
      this.now = e.time;
      this.stats.steps++;
      try {
        this.handle(e);
      } catch (err) {
        this.error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      }
      if (this.error !== null || this.checkers.violations.length > 0) {
        this.failed_at = this.stats.steps;
        break;
      }
    }
    this.stats.elections = this.checkers.elections;
    this.stats.committed = this.checkers.maxCommit;
    return {
      seed: this.opts.seed,
      nodes: this.opts.nodes,
      stats: this.stats,
      violations: this.checkers.violations,
      error: this.error,
      failed_at_step: this.failed_at,
    };
  }

  private handle(e: SimEvent): void {
    switch (e.kind) {
      case 'deliver':
        this.deliver(e.msg, e.payload, e.sender_incarnation);
        return;
      case 'node_tick': {
        const h = this.hosts.get(e.host);
        if (h === undefined || h.removed) return;
        if (h.core !== null) {
          h.core.tick();
          this.drain(h);
        }
        this.schedule({ time: this.now + TICK, seq: 0, kind: 'node_tick', host: e.host });
        return;
      }
      case 'world_tick':
        this.worldTick();
        this.schedule({ time: this.now + TICK, seq: 0, kind: 'world_tick' });
        return;
      case 'op':
        this.randomOp();
        this.schedule({ time: this.now + 1 + randomInt(this.rng, 8), seq: 0, kind: 'op' });
        return;
    }
  }

  // ---------------------------------------------------------------- ready processing

  private drain(h: Host): void {
    for (let round = 0; round < READY_ROUNDS_MAX; round++) {
      const core = h.core;
      if (core === null || !core.hasReady()) return;
      if (h.crash_in_ready) {
        this.crash(h, true);
        return;
      }
      this.handleReady(h, core, core.ready());
      if (h.core === core) core.advance();
    }
    throw new Error(`${h.id}: Ready still pending after ${READY_ROUNDS_MAX} rounds`);
  }

  private storeBase(s: Store): number {
    return s.snap === null ? 0 : s.snap.index;
  }

  private storedTerm(s: Store, index: number): number {
    const base = this.storeBase(s);
    if (index === base) return s.snap === null ? 0 : s.snap.term;
    return s.entries[index - base - 1].term;
  }

  /** Carries out step 1 of a Ready (install snapshot, persist entries and hard state). */
  private persist(h: Host, rd: Ready): void {
    const s = h.store;
    if (rd.snapshot !== null) {
      const staged = h.staged;
      if (staged === null || staged.meta.index !== rd.snapshot.index || staged.meta.term !== rd.snapshot.term) {
        throw new Error(`${h.id}: Ready names snapshot ${rd.snapshot.index} but no such snapshot was received`);
      }
      s.snap = rd.snapshot;
      s.snap_sm = copySm(staged.sm);
      s.conf = rd.snapshot.conf_state;
      s.entries = [];
      h.sm = copySm(staged.sm);
      h.staged = null;
      this.stats.snapshots_installed++;
      this.checkers.onSnapshotInstalled(h.id, rd.snapshot.index, rd.snapshot.term, h.sm.digest);
      this.checkers.onCommitIndex(rd.snapshot.index);
      if (h.commit_seen < rd.snapshot.index) h.commit_seen = rd.snapshot.index;
    }
    if (rd.entries.length > 0) {
      const base = this.storeBase(s);
      const first = rd.entries[0].index;
      const k = first - base - 1;
      if (k < 0 || k > s.entries.length) throw new Error(`${h.id}: Ready entries start at ${first}, store holds (${base}, ${base + s.entries.length}]`);
      s.entries.length = k;
      let prev_term = this.storedTerm(s, first - 1);
      for (const e of rd.entries) {
        s.entries.push(e);
        this.checkers.onStored(h.id, e.index, e.term, entryId(e), prev_term);
        prev_term = e.term;
      }
    }
    if (rd.hard_state !== null) {
      s.hard = rd.hard_state;
      const base = this.storeBase(s);
      for (let i = h.commit_seen + 1; i <= rd.hard_state.commit; i++) {
        if (i <= base) continue;
        const e = s.entries[i - base - 1];
        this.checkers.onCommitted(h.id, i, e.term, entryId(e));
      }
      if (rd.hard_state.commit > h.commit_seen) h.commit_seen = rd.hard_state.commit;
    }
  }

  private handleReady(h: Host, core: RaftNode, rd: Ready): void {
    if (this.opts.trace !== undefined) this.traceReady(h, rd);
    this.persist(h, rd);
    if (rd.soft_state !== null && rd.soft_state.role === 'leader') {
      const term = core.status().term;
      this.checkers.onLeader(h.id, term);
      this.checkers.onNewLeaderLog(h.id, term, this.logView(h.store));
    }
    for (const m of rd.messages) this.send(h, m);
    const removed: NodeId[] = [];
    for (const e of rd.committed_entries) {
      const id = entryId(e);
      const sm = h.sm;
      const digest = (Math.imul(sm.digest ^ id, 0x01000193) + e.term) >>> 0;
      this.checkers.onApplied(h.id, sm.applied + 1, e.index, e.term, id, digest);
      sm.applied = e.index;
      sm.applied_term = e.term;
      sm.digest = digest;
      if (e.type === 'conf_change') {
        const cc = decodeConfChange(e.data);
        sm.conf = applyConfChange(sm.conf, cc);
        if (!this.applied_conf.has(id)) {
          this.applied_conf.add(id);
          this.stats.membership_changes++;
          if (cc.type === 'remove') removed.push(cc.node_id);
        }
      }
      if (id === this.probe_id && id !== 0 && this.probe_index === 0) this.probe_index = e.index;
    }
    for (const r of rd.read_states) {
      this.stats.reads++;
      this.checkers.onReadState(h.id, r.context, r.index);
    }
    for (const id of removed) {
      // The operator shuts a removed member down once its removal commits.
      const gone = this.hosts.get(id);
      if (gone !== undefined) {
        gone.removed = true;
        gone.core = null;
      }
    }
  }

  private traceReady(h: Host, rd: Ready): void {
    const parts: string[] = [];
    if (rd.soft_state !== null) parts.push(`soft=${rd.soft_state.role}/${rd.soft_state.leader}`);
    if (rd.hard_state !== null) parts.push(`hard=t${rd.hard_state.term},v${rd.hard_state.vote},c${rd.hard_state.commit}`);
    if (rd.snapshot !== null) parts.push(`snapshot=${rd.snapshot.index}/t${rd.snapshot.term}`);
    if (rd.entries.length > 0) parts.push(`entries=${rd.entries.map((e) => `${e.index}/t${e.term}/${entryId(e)}`).join(',')}`);
    for (const m of rd.messages) {
      let d = `${m.type}->${m.to} t${m.term}`;
      if (m.type === 'append') d += ` prev=${m.prev_index}/t${m.prev_term} n=${m.entries.length} c=${m.commit}`;
      if (m.type === 'append_resp') d += ` ${m.reject ? 'REJ' : 'ok'} i=${m.index} hint=${m.reject_hint_index}/t${m.reject_hint_term}`;
      if (m.type === 'vote' || m.type === 'pre_vote') d += ` last=${m.last_index}/t${m.last_term}`;
      if (m.type === 'vote_resp' || m.type === 'pre_vote_resp') d += m.reject ? ' REJ' : ' ok';
      if (m.type === 'snapshot') d += ` ${m.snapshot.index}/t${m.snapshot.term}`;
      parts.push(d);
    }
    if (rd.committed_entries.length > 0) parts.push(`apply=${rd.committed_entries[0].index}..${rd.committed_entries[rd.committed_entries.length - 1].index}`);
    if (parts.length > 0) this.trace(() => `${h.id}: ${parts.join(' | ')}`);
  }

  private logView(s: Store): LogView {
    const base = this.storeBase(s);
    return {
      snapshot_index: base,
      snapshot_term: s.snap === null ? 0 : s.snap.term,
      last_index: base + s.entries.length,
      entryAt: (i: number) => {
        const e = s.entries[i - base - 1];
        return { term: e.term, id: entryId(e) };
      },
    };
  }

  // ---------------------------------------------------------------- network

  private canTalk(a: Host, b: Host): boolean {
    return (a.mask & b.mask) !== 0;
  }

  private send(from: Host, m: Message): void {
    const to = this.hosts.get(m.to);
    if (to === undefined || to.removed) return;
    let payload: SnapshotPayload | null = null;
    let msg = m;
    if (m.type === 'snapshot') {
      payload = this.snapshotPayload(from, m.snapshot);
      msg = { ...m, snapshot: payload.meta };
      this.stats.snapshots_sent++;
    }
    if (!this.canTalk(from, to)) {
      if (this.rng() < this.p_report_unreachable) from.core?.reportUnreachable(m.to);
      if (m.type === 'snapshot') from.core?.reportSnapshot(m.to, false);
      return;
    }
    if (this.p_drop > 0 && this.rng() < this.p_drop) {
      this.stats.faults.drop++;
      if (m.type === 'snapshot') from.core?.reportSnapshot(m.to, false);
      return;
    }
    this.schedule({ time: this.now + this.latency(), seq: 0, kind: 'deliver', msg, payload, sender_incarnation: from.incarnation });
    if (this.p_dup > 0 && this.rng() < this.p_dup) {
      this.stats.faults.duplicate++;
      this.schedule({ time: this.now + this.latency(), seq: 0, kind: 'deliver', msg, payload, sender_incarnation: from.incarnation });
    }
  }

  private latency(): number {
    let d = 1 + randomInt(this.rng, 4);
    if (this.p_delay > 0 && this.rng() < this.p_delay) {
      this.stats.faults.delay++;
      d += 10 + randomInt(this.rng, 60);
    }
    return d;
  }

  /** The data a leader's host streams beside a snapshot message. Like the real host, it
   * may send a later snapshot than the core named: its state at the current applied index. */
  private snapshotPayload(from: Host, meta: SnapshotMeta): SnapshotPayload {
    const s = from.store;
    const stored = s.snap !== null && s.snap_sm !== null && s.snap.index === meta.index && s.snap.term === meta.term;
    if (stored && this.rng() < 0.5) return { meta, sm: copySm(s.snap_sm as SmState) };
    const sm = copySm(from.sm);
    if (sm.applied < meta.index) throw new Error(`${from.id}: applied ${sm.applied} below its snapshot ${meta.index}`);
    return { meta: { index: sm.applied, term: sm.applied_term, conf_state: sm.conf }, sm };
  }

  private deliver(m: Message, payload: SnapshotPayload | null, sender_incarnation: number): void {
    const to = this.hosts.get(m.to);
    const from = this.hosts.get(m.from);
    if (to === undefined || from === undefined) return;
    const reachable = to.core !== null && !to.removed && this.canTalk(from, to);
    if (!reachable) {
      if (m.type === 'snapshot' && from.core !== null && from.incarnation === sender_incarnation) {
        from.core.reportSnapshot(m.to, false);
        this.drain(from);
      }
      return;
    }
    const core = to.core as RaftNode;
    this.trace(() => `deliver ${m.type} ${m.from}->${m.to} t${m.term}`);
    to.staged = payload;
    core.step(m);
    this.drain(to);
    to.staged = null;
    if (m.type === 'snapshot' && from.core !== null && from.incarnation === sender_incarnation) {
      from.core.reportSnapshot(m.to, true);
      this.drain(from);
    }
  }

  // ---------------------------------------------------------------- world

  private upHosts(): Host[] {
    return this.host_list.filter((h) => h.core !== null && !h.removed);
  }

  private leaderHost(): Host | null {
    let best: Host | null = null;
    let best_term = -1;
    for (const h of this.host_list) {
      if (h.core === null || h.removed) continue;
      const st = h.core.status();
      if (st.role === 'leader' && st.term > best_term) {
        best = h;
        best_term = st.term;
      }
    }
    return best;
  }

  private worldTick(): void {
    this.tick_no++;
    this.stats.ticks = this.tick_no;
    this.checkers.onTick(this.tick_no);
    if (this.checkers.calm) {
      if (this.probe_index > 0) {
        if (this.allMembersApplied(this.probe_index)) this.calmDone();
        return;
      }
      if (this.probe_id === 0 || this.tick_no - this.probe_tick >= PROBE_RETRY_TICKS) {
        const l = this.leaderHost();
        if (l !== null && l.core !== null) {
          const id = this.next_payload++;
          const r = l.core.propose(payloadBytes(id));
          if (r.ok) {
            this.probe_id = id;
            this.probe_tick = this.tick_no;
            this.drain(l);
          }
        }
      }
    } else if (this.tick_no >= this.chaos_until) {
      this.startCalm();
    }
  }

  private startChaos(): void {
    const pick = <T>(xs: readonly T[]): T => xs[randomInt(this.rng, xs.length)];
    this.p_drop = pick([0, 0.01, 0.05, 0.2]);
    this.p_dup = pick([0, 0.02, 0.1]);
    this.p_delay = pick([0, 0.05, 0.2]);
    this.chaos_until = this.tick_no + 20 + randomInt(this.rng, 60);
  }

  private startCalm(): void {
    this.heal();
    for (const h of this.host_list) {
      h.crash_in_ready = false;
      if (h.core === null && !h.removed) this.restart(h);
    }
    this.p_drop = 0;
    this.p_dup = 0;
    this.p_delay = 0;
    this.probe_id = 0;
    this.probe_index = 0;
    this.stats.calm_periods++;
    this.checkers.onCalmStart(this.tick_no, this.liveness_bound);
  }

  /** Every member in the leader's configuration has applied `index`. */
  private allMembersApplied(index: number): boolean {
    const l = this.leaderHost();
    if (l === null || l.core === null) return false;
    const conf = l.core.status().conf_state;
    for (const id of [...conf.voters, ...conf.learners]) {
      const h = this.hosts.get(id);
      if (h !== undefined && !h.removed && h.sm.applied < index) return false;
    }
    return true;
  }

  private calmDone(): void {
    const took = this.checkers.onCalmProgress(this.tick_no);
    if (took > this.stats.calm_ticks_max) this.stats.calm_ticks_max = took;
    this.probe_id = 0;
    this.probe_index = 0;
    this.startChaos();
  }

  private heal(): void {
    let cut = false;
    for (const h of this.host_list) {
      if (h.mask !== 1) cut = true;
      h.mask = 1;
    }
    if (cut) this.stats.faults.heal++;
  }

  private restart(h: Host): void {
    this.trace(() => `RESTART ${h.id} term ${h.store.hard.term} commit ${h.store.hard.commit} applied ${h.sm.applied}`);
    this.boot(h);
    this.stats.faults.restart++;
    this.drain(h);
  }

  private randomOp(): void {
    const chaos = !this.checkers.calm;
    const r = this.rng();
    if (chaos && r < 0.06) {
      this.randomFault();
      return;
    }
    const c = this.rng();
    if (c < 0.55) this.opPropose();
    else if (c < 0.8) this.opRead();
    else if (c < 0.9) this.opCompact();
    else if (chaos && c < 0.94) this.opTransfer();
    else if (chaos && c < 0.98) this.opMembership();
  }

  private randomUp(): Host | null {
    const up = this.upHosts();
    return up.length === 0 ? null : up[randomInt(this.rng, up.length)];
  }

  private opPropose(): void {
    const target = this.rng() < 0.7 ? this.leaderHost() : this.randomUp();
    if (target === null || target.core === null) return;
    const r = target.core.propose(payloadBytes(this.next_payload++));
    if (r.ok) this.stats.proposals++;
    this.drain(target);
  }

  private opRead(): void {
    const h = this.randomUp();
    if (h === null || h.core === null) return;
    const ctx = `r${this.next_read++}`;
    this.checkers.onReadStart(ctx);
    if (this.opts.unsafe_local_reads === true) {
      this.stats.reads++;
      this.checkers.onReadState(h.id, ctx, h.store.hard.commit);
      return;
    }
    const res = h.core.readIndex(ctx);
    if (!res.ok) this.checkers.onReadAbandoned(ctx);
    this.drain(h);
  }

  private opCompact(): void {
    const h = this.randomUp();
    if (h === null || h.core === null) return;
    const s = h.store;
    const idx = h.sm.applied;
    if (idx <= this.storeBase(s)) return;
    const meta = h.core.compact(idx);
    if (meta.index !== idx || meta.term !== h.sm.applied_term) {
      throw new Error(`${h.id}: compact(${idx}) returned (${meta.index}, ${meta.term}), applied term ${h.sm.applied_term}`);
    }
    if (!sameConf(meta.conf_state, h.sm.conf)) {
      throw new Error(`${h.id}: compact(${idx}) membership ${JSON.stringify(meta.conf_state)} differs from applied ${JSON.stringify(h.sm.conf)}`);
    }
    const base = this.storeBase(s);
    s.entries = s.entries.slice(idx - base);
    s.snap = meta;
    s.snap_sm = copySm(h.sm);
    s.conf = meta.conf_state;
    this.stats.compactions++;
  }

  private opTransfer(): void {
    const l = this.leaderHost();
    if (l === null || l.core === null) return;
    const voters = l.core.status().conf_state.voters.filter((v) => v !== l.id);
    if (voters.length === 0) return;
    if (l.core.transferLeadership(voters[randomInt(this.rng, voters.length)]).ok) this.stats.transfers++;
    this.drain(l);
  }

  private opMembership(): void {
    const l = this.leaderHost();
    if (l === null || l.core === null) return;
    const st = l.core.status();
    const conf = st.conf_state;
    const k = this.rng();
    const change_id = this.next_payload++;
    const context = payloadBytes(change_id);
    if (k < 0.4) {
      if (this.host_list.filter((h) => !h.removed).length >= this.opts.nodes + HOSTS_MAX_EXTRA) return;
      const id = `n${this.next_host++}`;
      const r = l.core.proposeConfChange({ type: 'add_learner', node_id: id, context });
      // The new member's process starts empty: it is nobody's voter yet.
      if (r.ok) this.addHost(id, { voters: [], learners: [] });
    } else if (k < 0.7) {
      const learners = conf.learners.filter((id) => (st.progress?.[id]?.match ?? 0) > 0);
      if (learners.length === 0) return;
      l.core.proposeConfChange({ type: 'promote', node_id: learners[randomInt(this.rng, learners.length)], context });
    } else {
      const members = conf.voters.length >= VOTERS_MIN_FOR_REMOVAL ? [...conf.voters, ...conf.learners] : [...conf.learners];
      if (members.length === 0) return;
      l.core.proposeConfChange({ type: 'remove', node_id: members[randomInt(this.rng, members.length)], context });
    }
    this.drain(l);
  }

  private randomFault(): void {
    const f = this.rng();
    const live = this.host_list.filter((h) => !h.removed);
    if (f < 0.4) {
      this.partition(live);
    } else if (f < 0.55) {
      this.heal();
    } else if (f < 0.8) {
      const up = live.filter((h) => h.core !== null);
      const down = live.length - up.length;
      if (down + 1 > Math.floor((live.length - 1) / 2) || up.length === 0) return;
      const victim = up[randomInt(this.rng, up.length)];
      // Half the crashes strike while the next Ready is being handled.
      if (this.rng() < 0.5) victim.crash_in_ready = true;
      else this.crash(victim, false);
    } else {
      const down = live.filter((h) => h.core === null);
      if (down.length > 0) this.restart(down[randomInt(this.rng, down.length)]);
    }
  }

  private partition(live: Host[]): void {
    if (live.length < 2) return;
    for (const h of live) h.mask = 1;
    const k = randomInt(this.rng, 4);
    if (k === 0) {
      live[randomInt(this.rng, live.length)].mask = 2;
      this.stats.faults.isolate_one++;
    } else if (k === 1) {
      const l = this.leaderHost();
      if (l === null) return;
      l.mask = 2;
      this.stats.faults.isolate_leader++;
    } else if (k === 2) {
      // Majority/minority: a random subset on the other side.
      for (const h of live) if (this.rng() < 0.5) h.mask = 2;
      this.stats.faults.split++;
    } else {
      // A bridge node sees both sides; the sides do not see each other.
      for (const h of live) h.mask = this.rng() < 0.5 ? 1 : 2;
      live[randomInt(this.rng, live.length)].mask = 3;
      this.stats.faults.bridge++;
    }
  }

  private crash(h: Host, in_ready: boolean): void {
    const core = h.core;
    if (core === null) return;
    this.trace(() => `CRASH ${h.id}${in_ready ? ' in ready' : ''}`);
    if (in_ready && core.hasReady()) {
      // The process dies while a Ready is being handled. Half the time the write made it
      // to disk (nothing sent or applied), half the time it did not: what was not
      // durable is lost.
      const rd = core.ready();
      if (this.opts.unsafe_send_before_persist === true) for (const m of rd.messages) this.send(h, m);
      if (h.crash_keeps_write ?? this.rng() < 0.5) this.persist(h, rd);
      this.stats.faults.crash_unpersisted++;
    } else {
      this.stats.faults.crash++;
    }
    h.core = null;
    h.staged = null;
    h.crash_in_ready = false;
    h.crash_keeps_write = null;
    this.connectionsReset(h);
  }

  /** A process that dies resets its connections: in seeds whose hosts report broken
   * links, every node still connected to it hears so at once (a follower of a crashed
   * leader then campaigns early). */
  private connectionsReset(dead: Host): void {
    // Scripted runs decide every input themselves.
    if (this.p_report_unreachable === 0 || this.opts.scripted === true) return;
    for (const h of this.upHosts()) {
      if (h === dead || h.core === null || !this.canTalk(h, dead)) continue;
      h.core.reportUnreachable(dead.id);
      this.drain(h);
    }
  }
}

function sameConf(a: ConfState, b: ConfState): boolean {
  const eq = (x: readonly string[], y: readonly string[]) => x.length === y.length && [...x].sort().join() === [...y].sort().join();
  return eq(a.voters, b.voters) && eq(a.learners, b.learners);
}

export function runSeed(opts: SimOptions): SimResult {
  return new Simulation(opts).run();
}
