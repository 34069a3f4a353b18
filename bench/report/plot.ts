// An HTML page with an inline SVG: throughput (x, log) against p99 latency (y, log), one
// line per system/workload/key distribution through its client counts.
import type { PointResult } from '../load/driver.js';
import type { RunReport } from './model.js';
import { fmtMs, fmtRate } from '../lib/table.js';

const W = 960;
const H = 560;
const M = { left: 70, right: 260, top: 30, bottom: 50 };
/** Series drawn at most; beyond this the legend would be unreadable. */
export const SERIES_MAX = 40;

const PALETTE = ['#1f77b4', '#2ca02c', '#9467bd', '#17becf', '#bcbd22', '#8c564b', '#e377c2', '#7f7f7f', '#aec7e8', '#98df8a'];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export interface Series {
  readonly label: string;
  readonly system: string;
  readonly points: readonly PointResult[];
}

export function seriesOf(points: readonly PointResult[]): Series[] {
  const map = new Map<string, PointResult[]>();
  for (const p of points) {
    if (!(p.units_s > 0) || !Number.isFinite(p.latency.p99_ms)) continue;
    const key = p.system === 'echo' ? 'echo unary' : `${p.system} ${p.workload} ${p.dist}`;
    const list = map.get(key) ?? [];
    list.push(p);
    map.set(key, list);
  }
  const out = [...map.entries()].map(([label, pts]) => ({ label, system: pts[0].system, points: [...pts].sort((a, b) => a.clients - b.clients) }));
  if (out.length > SERIES_MAX) throw new Error(`plot: at most ${SERIES_MAX} series, got ${out.length}`);
  return out;
}

function logScale(min: number, max: number, a: number, b: number): (v: number) => number {
  const lmin = Math.log10(min);
  const lmax = Math.log10(max);
  const span = lmax - lmin || 1;
  return (v: number) => a + ((Math.log10(v) - lmin) / span) * (b - a);
}

function decades(min: number, max: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) out.push(10 ** e);
  return out;
}

export function plotSvg(points: readonly PointResult[]): string {
  const series = seriesOf(points);
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="80"><text x="10" y="40">no points to plot</text></svg>`;
  const xs = all.map((p) => p.units_s);
  const ys = all.map((p) => Math.max(0.01, p.latency.p99_ms));
  const xmin = 10 ** Math.floor(Math.log10(Math.min(...xs)));
  const xmax = 10 ** Math.ceil(Math.log10(Math.max(...xs)));
  const ymin = 10 ** Math.floor(Math.log10(Math.min(...ys)));
  const ymax = 10 ** Math.ceil(Math.log10(Math.max(...ys)));
  const x = logScale(xmin, xmax, M.left, W - M.right);
  const y = logScale(ymin, ymax, H - M.bottom, M.top);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`);
  for (const v of decades(xmin, xmax)) {
    parts.push(`<line x1="${x(v)}" y1="${M.top}" x2="${x(v)}" y2="${H - M.bottom}" stroke="#ddd"/>`);
    parts.push(`<text x="${x(v)}" y="${H - M.bottom + 16}" text-anchor="middle">${fmtRate(v)}</text>`);
  }
  for (const v of decades(ymin, ymax)) {
    parts.push(`<line x1="${M.left}" y1="${y(v)}" x2="${W - M.right}" y2="${y(v)}" stroke="#ddd"/>`);
    parts.push(`<text x="${M.left - 6}" y="${y(v) + 4}" text-anchor="end">${fmtMs(v)}</text>`);
  }
  parts.push(`<text x="${(M.left + W - M.right) / 2}" y="${H - 10}" text-anchor="middle">throughput (ledger ops/s, log)</text>`);
  parts.push(`<text transform="translate(16 ${(M.top + H - M.bottom) / 2}) rotate(-90)" text-anchor="middle">p99 latency (ms, log)</text>`);
  let pi = 0;
  series.forEach((s, i) => {
    const color = s.system === 'echo' ? '#000' : s.system === 'etcd' ? ['#d62728', '#ff7f0e', '#ff9896'][i % 3] : PALETTE[pi++ % PALETTE.length];
    const dash = s.label.endsWith('zipf') ? ' stroke-dasharray="5 3"' : '';
    const pts = s.points.map((p) => `${x(p.units_s).toFixed(1)},${y(Math.max(0.01, p.latency.p99_ms)).toFixed(1)}`);
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2"${dash} points="${pts.join(' ')}"/>`);
    for (const p of s.points) {
      parts.push(
        `<circle cx="${x(p.units_s).toFixed(1)}" cy="${y(Math.max(0.01, p.latency.p99_ms)).toFixed(1)}" r="3" fill="${color}"><title>${esc(s.label)}, ${p.clients} clients: ${fmtRate(p.units_s)} ops/s, p99 ${fmtMs(p.latency.p99_ms)} ms</title></circle>`,
      );
    }
    const ly = M.top + i * 16;
    parts.push(`<line x1="${W - M.right + 15}" y1="${ly}" x2="${W - M.right + 40}" y2="${ly}" stroke="${color}" stroke-width="2"${dash}/>`);
    parts.push(`<text x="${W - M.right + 45}" y="${ly + 4}">${esc(s.label)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

export function reportHtml(r: RunReport): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Stockraft benchmarks ${esc(r.date)}</title></head>
<body style="font-family:sans-serif">
<h1>Stockraft benchmarks, ${esc(r.date)}</h1>
<p>${esc(r.machine.cpu_model)}, ${r.machine.nproc} CPUs, ${r.machine.memory_mib} MiB, Node ${esc(r.machine.node)}.
Command: <code>${esc(r.command)}</code></p>
<p>Each line runs through the client counts ${esc(r.config.clients.join(', '))} (more clients: further right and up).
Solid: uniform keys, dashed: Zipf(0.99). Hover a point for its figures.</p>
${plotSvg(r.points)}
</body></html>
`;
}
