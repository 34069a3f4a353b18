// Prometheus metrics of one node. Each node owns its registry (not prom-client's global
// one) so several nodes can live in one process in tests.

import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { NodeHealthMetrics } from './node-health-metrics.js';
import { FaultMetrics } from './fault-metrics.js';

/** Sampling period of prom-client's own event-loop monitor (nodejs_eventloop_lag_*). */
const PROCESS_LOOP_SAMPLE_MS = 100;

export type ProposalOutcome = 'applied' | 'outcome_unknown' | 'overloaded' | 'not_leader' | 'refused' | 'shutting_down';

export class NodeMetrics {
  readonly registry = new Registry();
  readonly role: Gauge<'role'>;
  readonly term: Gauge;
  readonly commit: Gauge;
  readonly applied: Gauge;
  readonly snapshot_index: Gauge;
  readonly proposals: Counter<'outcome'>;
  readonly fsync_seconds: Histogram;
  readonly apply_seconds: Histogram;
  readonly entries_applied: Counter;
  readonly open_reservations: Gauge;
  readonly peer_refused: Counter;
  readonly snapshots_installed: Counter;
  readonly snapshot_install_seconds: Histogram;
  readonly snapshot_receive_bytes: Counter;
  readonly snapshot_receive_records: Counter;
  readonly snapshot_failures: Counter<'stage'>;
  readonly proposals_pending: Gauge;
  readonly ticks_dropped: Counter;
  readonly peer_messages_sent: Counter<'type'>;
  /** Leadership, follower lag, drops, snapshot transfers, disk, clock skew (alert rules). */
  readonly health: NodeHealthMetrics;
  /** Fatal errors by kind, free disk and refused writes (fault-metrics.ts). */
  readonly faults = new FaultMetrics(this.registry);
  /** Reads the node's figures into the gauges above; called at scrape time (not after
   * every Ready, which under read load is thousands of times a second). */
  private refresh: (() => void) | null = null;
  private peer_sent: (() => ReadonlyMap<string, number>) | null = null;
  private readonly peer_sent_reported = new Map<string, number>();
  /** Event-loop delay since the last scrape: how long ready work waited for the one
   * thread. Above the election timeout (500 ms by default), heartbeats are late. */
  readonly event_loop_delay: Gauge<'quantile'>;
  /** Filled by the node loop with how late each raft tick ran (recordTickDelay). */
  private readonly loop_delay: RecordableHistogram = createHistogram();

  /** `process_metrics`: also the process's own figures (resident memory, V8 heap by space,
   * external memory, GC pauses, open handles), which are per process, so only the node that
   * owns its process (stockd) asks for them, not nodes that share a test process.
   * `data_dir`: the node's data dir, whose file system's free space is exported. */
  constructor(node_id: string, opts: { process_metrics?: boolean; data_dir?: string } = {}) {
    this.registry.setDefaultLabels({ node: node_id });
    const r = [this.registry];
    // prom-client samples the event loop with a timer of its own for nodejs_eventloop_lag_*
    // (10 ms by default: 100 wake-ups a second of an otherwise idle process, ~0.35% of a
    // core). Every 100 ms is plenty for figures stockd_event_loop_delay_seconds already
    // gives; a stall still delays the next sample by its whole length, so max stays true.
    if (opts.process_metrics === true) collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: PROCESS_LOOP_SAMPLE_MS });
    // Collected first (registration order), so every gauge below is current at a scrape.
    const self = this;
    this.role = new Gauge({
      name: 'stockd_role',
      help: '1 for the role this node has now (follower, pre_candidate, candidate, leader)',
      labelNames: ['role'],
      registers: r,
      collect() {
        self.refresh?.();
      },
    });
    this.term = new Gauge({ name: 'stockd_raft_term', help: 'current raft term', registers: r });
    this.commit = new Gauge({ name: 'stockd_raft_commit_index', help: 'highest log index known committed', registers: r });
    this.applied = new Gauge({ name: 'stockd_raft_applied_index', help: 'highest log index applied to the ledger', registers: r });
    this.snapshot_index = new Gauge({ name: 'stockd_raft_snapshot_index', help: 'log compacted up to this index', registers: r });
    this.proposals = new Counter({ name: 'stockd_proposals_total', help: 'client proposals by outcome', labelNames: ['outcome'], registers: r });
    this.fsync_seconds = new Histogram({
      name: 'stockd_fsync_seconds',
      help: 'duration of synced LevelDB batches (one per Ready: group commit)',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1],
      registers: r,
    });
    this.apply_seconds = new Histogram({
      name: 'stockd_apply_seconds',
      help: 'duration of applying one run of committed entries and writing it',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1],
      registers: r,
    });
    this.entries_applied = new Counter({ name: 'stockd_entries_applied_total', help: 'raft entries applied', registers: r });
    this.open_reservations = new Gauge({ name: 'stockd_open_reservations', help: 'PENDING reservations in the ledger', registers: r });
    this.peer_refused = new Counter({ name: 'stockd_peer_refused_total', help: 'peer streams refused (wrong cluster or unknown sender)', registers: r });
    this.snapshots_installed = new Counter({ name: 'stockd_snapshots_installed_total', help: 'snapshots received and installed', registers: r });
    this.snapshot_install_seconds = new Histogram({
      name: 'stockd_snapshot_install_seconds',
      help: 'duration of installing a received, staged snapshot (the synced switch to its generation)',
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 30],
      registers: r,
    });
    this.snapshot_receive_bytes = new Counter({ name: 'stockd_snapshot_receive_bytes_total', help: 'snapshot chunk bytes received and staged', registers: r });
    this.snapshot_receive_records = new Counter({ name: 'stockd_snapshot_receive_records_total', help: 'snapshot records received and staged', registers: r });
    this.snapshot_failures = new Counter({
      name: 'stockd_snapshot_failures_total',
      help: 'received snapshots refused or broken, by stage: receive (stream, checksum, format, disk), check (its ledger does not load)',
      labelNames: ['stage'],
      registers: r,
    });
    this.proposals_pending = new Gauge({ name: 'stockd_proposals_pending', help: 'client proposals queued or in flight', registers: r });
    this.event_loop_delay = eventLoopDelayGauge(r, this.loop_delay);
    this.ticks_dropped = new Counter({
      name: 'stockd_ticks_dropped_total',
      help: 'ticks not fed to raft because the node loop was stalled for longer than a few ticks (a sign of an overloaded event loop)',
      registers: r,
    });
    this.peer_messages_sent = this.peerMessagesCounter(r);
    this.health = new NodeHealthMetrics(this.registry, { data_dir: opts.data_dir });
  }

  /** Counts peer messages by type from the transport's running counts, at every scrape. */
  private peerMessagesCounter(r: Registry[]): Counter<'type'> {
    const self = this;
    return new Counter({
      name: 'stockd_peer_messages_sent_total',
      help: 'raft messages sent to peers, by type (append, heartbeat, read_index, ...)',
      labelNames: ['type'],
      registers: r,
      collect() {
        const counts = self.peer_sent?.();
        if (counts === undefined) return;
        for (const [type, n] of counts) {
          const delta = n - (self.peer_sent_reported.get(type) ?? 0);
          if (delta > 0) this.inc({ type }, delta);
          self.peer_sent_reported.set(type, n);
        }
      },
    });
  }

  /** The node's figures for the gauges, read at every scrape. */
  refreshWith(fn: () => void): void {
    this.refresh = fn;
  }

  /** Running counts of peer messages sent by type, read at every scrape. */
  peerMessagesFrom(fn: () => ReadonlyMap<string, number>): void {
    this.peer_sent = fn;
  }

  /** How late a raft tick ran (ms past its interval). The ticks are the event-loop
   * samples: a timer of their own would wake an idle process for nothing, and a tick's
   * delay is the delay that matters here (heartbeats leave on ticks). */
  recordTickDelay(late_ms: number): void {
    // The histogram takes whole nanoseconds >= 1.
    this.loop_delay.record(Math.max(1, Math.round(late_ms * 1e6)));
  }

  setRole(role: string): void {
    for (const r of ['follower', 'pre_candidate', 'candidate', 'leader']) this.role.set({ role: r }, r === role ? 1 : 0);
  }
}

/** Event-loop delay quantiles since the previous scrape. */
function eventLoopDelayGauge(r: Registry[], loop_delay: RecordableHistogram): Gauge<'quantile'> {
  return new Gauge({
    name: 'stockd_event_loop_delay_seconds',
    help: 'event-loop delay since the previous scrape, as how late the raft ticks ran (quantile p50, p99, max)',
    labelNames: ['quantile'],
    registers: r,
    collect() {
      // Nanoseconds; NaN-free when nothing was sampled yet.
      const s = (ns: number): number => (Number.isFinite(ns) ? ns / 1e9 : 0);
      this.set({ quantile: 'p50' }, s(loop_delay.percentile(50)));
      this.set({ quantile: 'p99' }, s(loop_delay.percentile(99)));
      this.set({ quantile: 'max' }, s(loop_delay.max));
      loop_delay.reset();
    },
  });
}
