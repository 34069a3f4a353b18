// The health metrics the alert rules read: counters fed from the transport's running
// counts, follower lag, the log clock's skew, data-dir free space.

import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Registry } from 'prom-client';
import { LogClock } from '../../src/node/log-clock.js';
import { NodeHealthMetrics, type TransportCounts } from '../../src/node/node-health-metrics.js';

/** name{labels} value lines of one metric in the exposition text. */
async function samples(reg: Registry, name: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const line of (await reg.metrics()).split('\n')) {
    const m = /^(\S+?)(\{[^}]*\})? (\S+)$/.exec(line);
    if (m && m[1] === name) out.set(m[2] ?? '', Number(m[3]));
  }
  return out;
}

t.test('counters follow the transport running counts, restarting when a count goes down', async (t) => {
  const reg = new Registry();
  const h = new NodeHealthMetrics(reg);
  const counts: { dropped: Map<string, number>; sent: number; send_failed: number } = { dropped: new Map([['n2', 0]]), sent: 0, send_failed: 0 };
  h.transportFrom((): TransportCounts => ({ dropped_by_peer: counts.dropped, snapshots_sent: counts.sent, snapshot_send_failures: counts.send_failed }));
  t.same(await samples(reg, 'stockd_snapshot_send_failures_total'), new Map([['', 0]]), 'exported from zero');
  counts.dropped.set('n2', 5);
  counts.dropped.set('n3', 2);
  counts.sent = 1;
  counts.send_failed = 3;
  t.same(await samples(reg, 'stockd_peer_messages_dropped_total'), new Map([['{peer="n2"}', 5], ['{peer="n3"}', 2]]));
  t.same(await samples(reg, 'stockd_snapshots_sent_total'), new Map([['', 1]]));
  t.same(await samples(reg, 'stockd_snapshot_send_failures_total'), new Map([['', 3]]));
  // The link to n2 was re-created: its count starts again from 0.
  counts.dropped.set('n2', 4);
  t.same(await samples(reg, 'stockd_peer_messages_dropped_total'), new Map([['{peer="n2"}', 9], ['{peer="n3"}', 2]]), 'a lower count is taken as a restart');
});

t.test('follower lag only while leading; has_leader and leader changes', async (t) => {
  const reg = new Registry();
  const h = new NodeHealthMetrics(reg);
  h.setFollowerLag(new Map([['n2', 0], ['n3', 1200]]));
  t.same(await samples(reg, 'stockd_follower_lag_entries'), new Map([['{follower="n2"}', 0], ['{follower="n3"}', 1200]]));
  h.setFollowerLag(null);
  t.same(await samples(reg, 'stockd_follower_lag_entries'), new Map(), 'a node that stopped leading exports none');
  h.has_leader.set(0);
  h.leader_changes.inc();
  t.same(await samples(reg, 'stockd_has_leader'), new Map([['', 0]]));
  t.same(await samples(reg, 'stockd_leader_changes_total'), new Map([['', 1]]));
});

t.test('clock skew: the wall clock against the log clock estimate', async (t) => {
  let wall = 1_000_000;
  let mono = 0;
  const clock = new LogClock({ max_clock_skew_ms: 250, wall_ms: () => wall, monotonic_ms: () => mono, log_time_ms: 0, mode: 'anchored' });
  const reg = new Registry();
  const h = new NodeHealthMetrics(reg);
  t.same(await samples(reg, 'stockd_clock_skew_seconds'), new Map([['', 0]]), 'before the clock is wired: 0');
  h.clockSkewFrom(() => ({ wall_offset_ms: clock.wallOffsetMs(), max_correction_ms: clock.maxCorrectionMs() }));
  t.same(await samples(reg, 'stockd_clock_skew_seconds'), new Map([['', 0]]), 'no log time yet: the wall clock is the estimate');
  clock.observe(1_000_000, false);
  mono += 10_000;
  wall += 10_000 + 2_500; // the wall clock stepped 2.5 s ahead meanwhile
  t.same(await samples(reg, 'stockd_clock_skew_seconds'), new Map([['', 2.5]]), 'a wall clock 2.5 s ahead of the log');
  t.same(await samples(reg, 'stockd_clock_skew_max_seconds'), new Map([['', 0.125]]), 'half of max_clock_skew_ms');
  wall -= 4_000;
  t.same(await samples(reg, 'stockd_clock_skew_seconds'), new Map([['', -1.5]]), 'and 1.5 s behind');
});

t.test('data dir gauges: free and size of its file system; NaN when statfs fails', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stockraft-statfs-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const reg = new Registry();
  new NodeHealthMetrics(reg, { data_dir: dir });
  const free = (await samples(reg, 'stockd_data_dir_free_bytes')).get('')!;
  const size = (await samples(reg, 'stockd_data_dir_size_bytes')).get('')!;
  t.ok(free > 0 && size >= free, `free ${free} <= size ${size}`);
  const gone = new Registry();
  new NodeHealthMetrics(gone, { data_dir: path.join(dir, 'no-such-dir') });
  t.ok(Number.isNaN((await samples(gone, 'stockd_data_dir_free_bytes')).get('')), 'NaN, not 0 (which would read as a full disk)');
});
