// report.html: the verdict, the anomalies, availability, and a timeline as inline SVG:
// nemesis intervals shaded (red when no majority was connected), each operation's latency
// plotted at its invoke time (green ok, blue fail, orange info), and throughput per second.

import { isClient, pairOperations, type HistoryRecord, type NemesisRecord } from './history.js';
import type { RunVerdict } from './checkers/check.js';

const POINTS_MAX = 30_000;
const W = 1200;
const PLOT_H = 320;
const TP_H = 140;
const LEFT = 60;

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

interface Interval {
  name: string;
  detail: string;
  from: number;
  to: number;
  majority: boolean;
}

export function nemesisIntervals(history: readonly HistoryRecord[], end_ms: number): Interval[] {
  const out: Interval[] = [];
  let open: Interval | null = null;
  for (const r of history) {
    if (r.process !== 'nemesis') continue;
    const n = r as NemesisRecord;
    if (n.args.phase === 'start') {
      if (open !== null) out.push({ ...open, to: n.time_ms });
      open = { name: n.args.name, detail: n.args.detail, from: n.time_ms, to: end_ms, majority: n.majority_connected };
    } else if (open !== null) {
      out.push({ ...open, to: n.time_ms });
      open = null;
    }
  }
  if (open !== null) out.push(open);
  return out;
}

function expirySection(verdict: RunVerdict): string {
  const e = verdict.expiry;
  if (e === null) return '';
  const rows: [string, string][] = [
    ['valid', String(e.valid)],
    ['reservations (made or maybe made)', String(e.reservations)],
    ['seen EXPIRED', String(e.observed_expired)],
    ['smallest margin: a sighting of EXPIRED minus the lowest possible deadline', `${e.min_margin_ms ?? '-'} ms (a violation below -${e.options.skew_bound_ms} ms)`],
    ['left alone with a known deadline (liveness checked)', String(e.liveness_checked)],
    ['latest first sighting after the highest possible deadline', `${e.max_seen_after_deadline_ms ?? '-'} ms (due within ${e.options.liveness_ms} ms of majority time)`],
    ['anomalies', JSON.stringify(e.anomaly_counts)],
  ];
  return `<h2>Expiry against real time</h2><table>${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>`;
}

export function renderReport(title: string, meta: Record<string, string | number>, history: readonly HistoryRecord[], verdict: RunVerdict): string {
  const ops = pairOperations(history).filter((o) => o.complete !== null);
  const clientTimes = history.filter(isClient).map((r) => r.time_ms);
  const end = clientTimes.length === 0 ? 1 : Math.max(1, clientTimes[clientTimes.length - 1]);
  const x = (t: number): number => LEFT + ((W - LEFT - 10) * t) / end;
  const lat = ops.map((o) => Math.max(0.1, o.complete!.time_ms - o.invoke.time_ms));
  const latMax = lat.reduce((m, v) => Math.max(m, v), 10);
  const logMax = Math.log10(latMax * 1.2);
  const logMin = -1;
  const y = (ms: number): number => 10 + (PLOT_H - 30) * (1 - (Math.log10(ms) - logMin) / (logMax - logMin));
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${PLOT_H + TP_H + 40}" font-family="sans-serif" font-size="11">`);
  for (const iv of nemesisIntervals(history, end)) {
    const fill = iv.majority ? '#d9d9f3' : '#f6c9c9';
    parts.push(`<rect x="${x(iv.from).toFixed(1)}" y="0" width="${Math.max(1, x(iv.to) - x(iv.from)).toFixed(1)}" height="${PLOT_H + TP_H + 20}" fill="${fill}" opacity="0.7"><title>${esc(`${iv.name}: ${iv.detail} (${(iv.from / 1000).toFixed(1)}s-${(iv.to / 1000).toFixed(1)}s)`)}</title></rect>`);
    parts.push(`<text x="${(x(iv.from) + 2).toFixed(1)}" y="${PLOT_H - 6}" fill="#555" font-size="9">${esc(iv.name)}</text>`);
  }
  // Latency axis (log scale).
  for (let e = 0; e <= Math.ceil(logMax); e++) {
    const ms = 10 ** e;
    if (ms > latMax * 1.2) break;
    parts.push(`<line x1="${LEFT}" x2="${W - 10}" y1="${y(ms).toFixed(1)}" y2="${y(ms).toFixed(1)}" stroke="#ddd"/><text x="4" y="${(y(ms) + 4).toFixed(1)}">${ms >= 1000 ? `${ms / 1000}s` : `${ms}ms`}</text>`);
  }
  const stride = Math.max(1, Math.ceil(ops.length / POINTS_MAX));
  const colour = { ok: '#2a9d3a', fail: '#3a6fd8', info: '#e08a00', invoke: '#000' } as const;
  ops.forEach((o, i) => {
    const t = o.complete!.type;
    if (t !== 'info' && i % stride !== 0) return;
    parts.push(`<circle cx="${x(o.invoke.time_ms).toFixed(1)}" cy="${y(lat[i]).toFixed(1)}" r="${t === 'info' ? 2.5 : 1.5}" fill="${colour[t]}" opacity="0.6"/>`);
  });
  // Throughput: ok completions per second.
  const buckets = new Array<number>(Math.ceil(end / 1000) + 1).fill(0);
  for (const o of ops) if (o.complete!.type === 'ok') buckets[Math.floor(o.complete!.time_ms / 1000)]++;
  const tpMax = Math.max(1, ...buckets);
  const ty = (v: number): number => PLOT_H + 10 + TP_H - (TP_H * v) / tpMax;
  const pts = buckets.map((v, s) => `${x(s * 1000 + 500).toFixed(1)},${ty(v).toFixed(1)}`).join(' ');
  parts.push(`<polyline points="${pts}" fill="none" stroke="#333" stroke-width="1.5"/>`);
  parts.push(`<text x="4" y="${ty(tpMax) + 4}">${tpMax}/s</text><text x="4" y="${ty(0)}">0/s</text>`);
  for (let s = 0; s <= end / 1000; s += Math.max(1, Math.round(end / 1000 / 12))) {
    parts.push(`<text x="${x(s * 1000).toFixed(1)}" y="${PLOT_H + TP_H + 32}" text-anchor="middle">${s}s</text>`);
  }
  parts.push('</svg>');

  const verdictText = verdict.valid === true ? 'VALID' : verdict.valid === false ? 'INVALID' : 'UNKNOWN';
  const verdictColour = verdict.valid === true ? '#2a9d3a' : verdict.valid === false ? '#c0392b' : '#e08a00';
  const rows = (o: Record<string, unknown>): string =>
    Object.entries(o)
      .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(typeof v === 'object' ? JSON.stringify(v) : String(v))}</td></tr>`)
      .join('');
  const anomalies = verdict.anomalies.length === 0
    ? '<p>None.</p>'
    : `<table><tr><th>kind</th><th>position</th><th>op</th><th>node</th><th>detail</th></tr>${verdict.anomalies
        .map((a) => `<tr><td>${esc(a.kind)}</td><td>${esc(a.position ?? '')}</td><td>${esc(a.op_id ?? '')}</td><td>${esc(a.node ?? '')}</td><td>${esc(a.detail)}</td></tr>`)
        .join('')}</table>`;
  const lin = verdict.linearizability.positions
    .map((p) => `<tr><td>${esc(p.position)}</td><td>${String(p.valid)}</td><td>${p.ops}</td><td>${p.steps}</td><td>${esc(p.reason ?? '')}</td></tr>`)
    .join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font-family:sans-serif;margin:20px;max-width:1250px}table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 6px;text-align:left;font-size:12px;vertical-align:top}h1 span{color:${verdictColour}}</style></head><body>
<h1>${esc(title)}: <span>${verdictText}</span></h1>
<table>${rows(meta)}</table>
<h2>Timeline</h2>
<p>Shaded: faults (red: no majority connected). Points: latency of each operation at its invoke time, log scale (green ok, blue fail, orange info${stride > 1 ? `; ok/fail sampled 1 in ${stride}` : ''}). Line: ok operations per second.</p>
${parts.join('\n')}
<h2>Operations</h2><table>${rows(verdict.stats)}</table>
<h2>Availability</h2><table>${rows(verdict.availability as unknown as Record<string, unknown>)}</table>
${expirySection(verdict)}
<h2>Anomalies (${verdict.anomalies.length})</h2>${anomalies}
<h2>Invariants</h2><table>${rows({ valid: verdict.invariants.valid, counts: verdict.invariants.anomaly_counts, skipped: verdict.invariants.skipped.join('; ') })}</table>
<h2>Linearizability per position</h2>${verdict.linearizability.skipped !== undefined ? `<p>Skipped: ${esc(verdict.linearizability.skipped)}</p>` : ''}<table><tr><th>position</th><th>valid</th><th>ops</th><th>search steps</th><th>detail</th></tr>${lin}</table>
</body></html>
`;
}
