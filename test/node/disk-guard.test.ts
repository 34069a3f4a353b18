// The disk guard: below the reserve new writes get a 'disk_full' refusal naming the free
// space, the reserve and the flag; back above it they are accepted again; a failed reading
// changes nothing; the gauges follow.

import t from 'tap';
import { DiskGuard } from '../../src/node/disk-guard.js';
import { NodeMetrics } from '../../src/node/node-metrics.js';

const MiB = 1024 * 1024;

function guard(reserve_bytes: number, readings: (number | Error)[]): { g: DiskGuard; warns: string[]; metrics: NodeMetrics } {
  const warns: string[] = [];
  const log = { info: () => undefined, debug: () => undefined, error: () => undefined, warn: (_: object, msg: string) => void warns.push(msg) };
  const metrics = new NodeMetrics('a');
  const g = new DiskGuard('/data/a', reserve_bytes, log, metrics.faults, async () => {
    const r = readings.shift();
    if (r === undefined) throw new Error('no more readings');
    if (r instanceof Error) throw r;
    return r;
  });
  return { g, warns, metrics };
}

const gauge = async (m: NodeMetrics, name: 'disk_writes_refused'): Promise<number | undefined> => (await m.faults[name].get()).values[0]?.value;

t.test('below the reserve writes are refused disk_full; above it they pass again', async (t) => {
  const { g, warns, metrics } = guard(64 * MiB, [100 * MiB, 10 * MiB, new Error('EIO'), 200 * MiB]);
  await g.poll();
  t.equal(g.refusal(), null, 'plenty of space: no refusal');
  t.equal(await gauge(metrics, 'disk_writes_refused'), 0);
  await g.poll();
  const r = g.refusal();
  t.equal(r?.kind, 'disk_full');
  t.match(r?.message, /only 10\.0 MiB free on the data dir's file system \(\/data\/a\), below the reserve of 64\.0 MiB \(--disk-reserve-mib\): writes are refused until space is freed; nothing was proposed/);
  t.equal(await gauge(metrics, 'disk_writes_refused'), 1);
  await g.poll();
  t.equal(g.refusal()?.kind, 'disk_full', 'a failed reading keeps the last state');
  t.ok(warns.includes('cannot read the data dir\'s free space'));
  await g.poll();
  t.equal(g.refusal(), null, 'space back: writes pass');
  t.equal(await gauge(metrics, 'disk_writes_refused'), 0);
  t.ok(warns.includes('disk nearly full: refusing new writes until space is freed'));
});

t.test('a reserve of 0 never refuses', async (t) => {
  const { g } = guard(0, [0]);
  await g.poll();
  t.equal(g.refusal(), null);
});
