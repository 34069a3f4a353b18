// The node's health figures the alert rules read (ops/prometheus/stockraft-alerts.yml):
// leadership, follower lag, dropped peer messages, snapshots sent, free disk of the data
// dir, the wall clock's offset from the log clock. Part of NodeMetrics (same registry, same
// `node` label); most are read from the node at scrape time, so they cost nothing between
// scrapes. Received snapshots' failures are NodeMetrics.snapshot_failures.

import { statfs } from 'node:fs/promises';
import { Counter, Gauge, type Registry } from 'prom-client';

/** Running counts the transport keeps; the counters below follow them at each scrape. */
export interface TransportCounts {
  readonly dropped_by_peer: ReadonlyMap<string, number>;
  readonly snapshots_sent: number;
  readonly snapshot_send_failures: number;
}

/** The log clock's view (EntryClock.skew). */
export interface ClockSkew {
  readonly wall_offset_ms: number;
  readonly max_correction_ms: number;
}

export interface HealthMetricsOptions {
  /** The node's data dir: its file system's free and total bytes are exported. */
  readonly data_dir?: string;
}

/** Feeds counters from running counts read at scrape time. A count lower than the one
 * reported before means its source was made anew (a peer link re-created): it restarts. */
class RunningCountFeed {
  private readonly reported = new Map<string, number>();

  feed(key: string, n: number, inc: (delta: number) => void): void {
    const before = this.reported.get(key) ?? 0;
    inc(n >= before ? n - before : n);
    this.reported.set(key, n);
  }
}

export class NodeHealthMetrics {
  readonly has_leader: Gauge;
  readonly leader_changes: Counter;
  private readonly follower_lag: Gauge<'follower'>;
  private transport: (() => TransportCounts) | null = null;
  private clock_skew: (() => ClockSkew) | null = null;
  private readonly feed = new RunningCountFeed();

  constructor(registry: Registry, opts: HealthMetricsOptions = {}) {
    const r = [registry];
    const self = this;
    this.has_leader = new Gauge({ name: 'stockd_has_leader', help: '1 when this node knows a leader (itself included), else 0', registers: r });
    this.leader_changes = new Counter({ name: 'stockd_leader_changes_total', help: 'times this node saw a leader elected or changed (a new, non-empty leader)', registers: r });
    this.follower_lag = new Gauge({
      name: 'stockd_follower_lag_entries',
      help: 'leader only: entries each member is behind the leader\'s last log index (last index - match index)',
      labelNames: ['follower'],
      registers: r,
    });
    new Counter({
      name: 'stockd_peer_messages_dropped_total',
      help: 'raft messages to a peer dropped because its send queue was full or its link broke',
      labelNames: ['peer'],
      registers: r,
      collect() {
        const t = self.transport?.();
        if (t !== undefined) for (const [peer, n] of t.dropped_by_peer) self.feed.feed(`dropped/${peer}`, n, (d) => this.inc({ peer }, d));
      },
    });
    this.snapshotCounters(r);
    this.clockSkewGauge(r);
    if (opts.data_dir !== undefined) dataDirGauges(r, opts.data_dir);
  }

  private snapshotCounters(r: Registry[]): void {
    const self = this;
    new Counter({
      name: 'stockd_snapshots_sent_total',
      help: 'snapshots streamed to a follower and accepted by it',
      registers: r,
      collect() {
        const t = self.transport?.();
        if (t !== undefined) self.feed.feed('snapshots_sent', t.snapshots_sent, (d) => this.inc(d));
      },
    });
    new Counter({
      name: 'stockd_snapshot_send_failures_total',
      help: 'snapshots to a follower whose stream failed or that the follower refused',
      registers: r,
      collect() {
        const t = self.transport?.();
        if (t !== undefined) self.feed.feed('send_failures', t.snapshot_send_failures, (d) => this.inc(d));
      },
    });
  }

  private clockSkewGauge(r: Registry[]): void {
    const self = this;
    new Gauge({
      name: 'stockd_clock_skew_seconds',
      help: 'this node\'s wall clock minus its log-clock estimate (the time the log says it is, following the leader\'s stamps)',
      registers: r,
      collect() {
        const c = self.clock_skew?.();
        if (c !== undefined) this.set(c.wall_offset_ms / 1000);
      },
    });
    new Gauge({
      name: 'stockd_clock_skew_max_seconds',
      help: 'half of --max-clock-skew-ms: the most the wall clock may move a stamp off the log-clock estimate',
      registers: r,
      collect() {
        const c = self.clock_skew?.();
        if (c !== undefined) this.set(c.max_correction_ms / 1000);
      },
    });
  }

  /** Running counts of the transport, read at every scrape. */
  transportFrom(fn: () => TransportCounts): void {
    this.transport = fn;
  }

  /** The log clock's skew figures, read at every scrape. */
  clockSkewFrom(fn: () => ClockSkew): void {
    this.clock_skew = fn;
  }

  /** Lag per member as the leader sees it, or null when this node does not lead. */
  setFollowerLag(lag_entries: ReadonlyMap<string, number> | null): void {
    this.follower_lag.reset();
    if (lag_entries !== null) for (const [follower, n] of lag_entries) this.follower_lag.set({ follower }, n);
  }
}

/** Free and total bytes of the data dir's file system, read with statfs at scrape time;
 * NaN when statfs fails, so a ratio of the two never looks like a full disk. */
function dataDirGauges(r: Registry[], data_dir: string): void {
  const read = async (pick: (s: { bavail: number; blocks: number; bsize: number }) => number): Promise<number> => {
    try {
      return pick(await statfs(data_dir));
    } catch {
      return Number.NaN;
    }
  };
  new Gauge({
    name: 'stockd_data_dir_free_bytes',
    help: 'bytes available to stockd on the file system holding the data dir',
    registers: r,
    async collect() {
      this.set(await read((s) => s.bavail * s.bsize));
    },
  });
  new Gauge({
    name: 'stockd_data_dir_size_bytes',
    help: 'total bytes of the file system holding the data dir',
    registers: r,
    async collect() {
      this.set(await read((s) => s.blocks * s.bsize));
    },
  });
}
