import t from 'tap';
import { fmtMs, fmtRate, markdownTable, textTable } from '../../bench/lib/table.js';
import { encodeHistogram, mergeEncoded, newHistogram, recordUs, summarize } from '../../bench/lib/hist.js';
import { spreadClients } from '../../bench/load/driver.js';
import type { PointResult } from '../../bench/load/driver.js';
import { evaluateTargets, rssText } from '../../bench/report/targets.js';
import { plotSvg, seriesOf } from '../../bench/report/plot.js';

function point(p: Partial<PointResult> & Pick<PointResult, 'system' | 'workload' | 'clients'>): PointResult {
  const ops_s = p.ops_s ?? 1000;
  return {
    dist: 'uniform',
    workers: 2,
    duration_s: 10,
    ops: ops_s * 10,
    units: (p.units_s ?? ops_s) * 10,
    ops_s,
    units_s: p.units_s ?? ops_s,
    errors: 0,
    refusals: 0,
    error_samples: [],
    latency: { count: ops_s * 10, p50_ms: 1, p99_ms: 5, p999_ms: 9, max_ms: 12 },
    generator_cpu_max: 0.5,
    ...p,
  };
}

t.test('text and markdown tables align and escape', (t) => {
  const rows = [{ a: 'x', b: 1 }, { a: 'long|name', b: 12345 }];
  const cols = [
    { title: 'name', value: (r: (typeof rows)[0]) => r.a, align: 'left' as const },
    { title: 'n', value: (r: (typeof rows)[0]) => fmtRate(r.b) },
  ];
  const txt = textTable(cols, rows).split('\n');
  t.equal(txt.length, 4);
  t.equal(txt[0], 'name            n');
  t.equal(txt[3], 'long|name  12,345');
  const md = markdownTable(cols, rows).split('\n');
  t.equal(md[1], '| --- | ---: |');
  t.equal(md[3], '| long\\|name | 12,345 |');
  t.end();
});

t.test('number formats', (t) => {
  t.equal(fmtRate(1234.6), '1,235');
  t.equal(fmtRate(NaN), '-');
  t.equal(fmtMs(1.234), '1.23');
  t.equal(fmtMs(12.34), '12.3');
  t.equal(fmtMs(1234.5), '1235');
  t.end();
});

t.test('histograms merge exactly across workers', (t) => {
  const a = newHistogram();
  const b = newHistogram();
  for (let i = 1; i <= 990; i++) recordUs(a, 1000); // 1 ms
  for (let i = 1; i <= 10; i++) recordUs(b, 100_000); // 100 ms
  const s = summarize(mergeEncoded([encodeHistogram(a), encodeHistogram(b)]));
  t.equal(s.count, 1000);
  t.ok(Math.abs(s.p50_ms - 1) < 0.01, `p50 ${s.p50_ms}`);
  t.ok(Math.abs(s.p99_ms - 1) < 0.01, `p99 ${s.p99_ms} is still the 1 ms bucket`);
  t.ok(Math.abs(s.p999_ms - 100) < 0.2, `p99.9 ${s.p999_ms}`);
  t.ok(Number.isNaN(summarize(newHistogram()).p50_ms), 'empty histogram has no percentiles');
  t.end();
});

t.test('clients spread evenly over workers', (t) => {
  t.same(spreadClients(1, 4), [1]);
  t.same(spreadClients(10, 4), [3, 3, 2, 2]);
  t.same(spreadClients(256, 2), [128, 128]);
  t.throws(() => spreadClients(0, 2), /clients: must be a positive integer, got 0/);
  t.throws(() => spreadClients(4, 0), /workers: must be an integer in 1\.\.\d+, got 0/);
  t.end();
});

t.test('targets: met, not met, and missing figures', (t) => {
  const good = [
    point({ system: 'echo', workload: 'unary', clients: 64, ops_s: 10_000 }),
    point({ system: 'etcd', workload: 'reserve', clients: 64, ops_s: 1_000 }),
    point({ system: 'stockraft', workload: 'reserve', clients: 64, ops_s: 7_000 }),
    point({ system: 'stockraft', workload: 'submit100', clients: 64, ops_s: 1_500, units_s: 150_000 }),
    point({ system: 'stockraft', workload: 'sdk-batch', clients: 256, ops_s: 40_000 }),
    point({ system: 'stockraft', workload: 'get', clients: 64, ops_s: 6_500 }),
  ];
  const ok = evaluateTargets(good, { ok: true, value: { trials: 10, recovery_ms: [], p50_ms: 800, max_ms: 1400 } }, { ok: true, value: { positions: 1, open_reservations: 1, rss_mib_per_node: [300, 310, 320] } });
  t.same(ok.map((x) => x.pass), [true, true, true, true, true, true, true]);

  // Known-bad: every target missed.
  const bad = good.map((p) => (p.system === 'stockraft' ? { ...p, ops_s: p.ops_s / 10, units_s: p.units_s / 10 } : p));
  bad[2] = { ...bad[2], latency: { ...bad[2].latency, p99_ms: 45 } };
  const no = evaluateTargets(bad, { ok: true, value: { trials: 10, recovery_ms: [], p50_ms: 1200, max_ms: 3000 } }, { ok: true, value: { positions: 1, open_reservations: 1, rss_mib_per_node: [600, 300, 300] } });
  t.same(no.map((x) => x.pass), [false, false, false, true, false, false, false], 'sdk ratio 4000/700 still >= 5; all else missed');

  // p99 alone breaks target 2.
  const slow = [...good];
  slow[2] = { ...slow[2], latency: { ...slow[2].latency, p99_ms: 31 } };
  t.equal(evaluateTargets(slow, null, null)[1].pass, false);

  const none = evaluateTargets([], null, { ok: false, reason: 'stockd not built' });
  t.same(none.map((x) => x.pass), [null, null, null, null, null, null, null]);
  t.match(none[6].measured, /stockd not built/);
  t.end();
});

t.test('plot has one series per system/workload/distribution and skips empty points', (t) => {
  const pts = [
    point({ system: 'echo', workload: 'unary', clients: 1 }),
    point({ system: 'echo', workload: 'unary', clients: 64, ops_s: 9000 }),
    point({ system: 'stockraft', workload: 'reserve', clients: 64, dist: 'zipf' }),
    point({ system: 'etcd', workload: 'reserve', clients: 64, ops_s: 0 }),
  ];
  const s = seriesOf(pts);
  t.same(s.map((x) => x.label), ['echo unary', 'stockraft reserve zipf']);
  t.same(s[0].points.map((p) => p.clients), [1, 64]);
  const svg = plotSvg(pts);
  t.match(svg, /^<svg/);
  t.equal((svg.match(/<polyline/g) ?? []).length, 2);
  t.match(plotSvg([]), /no points to plot/);
  t.end();
});

t.test('the RSS figure names the idle wait and the figure right after the load', async (t) => {
  t.equal(rssText({ positions: 1, open_reservations: 1, rss_mib_per_node: [519.4, 555, 550] }), '519 / 555 / 550 MiB');
  t.equal(
    rssText({ positions: 1, open_reservations: 1, rss_mib_per_node: [519, 555, 550], rss_mib_per_node_after_load: [839, 708, 701], idle_s: 30 }),
    '519 / 555 / 550 MiB after 30 s idle (839 / 708 / 701 MiB right after the load)',
  );
});
