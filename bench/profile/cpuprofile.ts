// Reads a V8 .cpuprofile (written by `node --cpu-prof`) and ranks where the time went:
// self time per function (file:line) and per file, as a share of all sampled time.
import fs from 'node:fs';
import path from 'node:path';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}
interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}
export interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface HotSpot {
  readonly name: string;
  readonly self_ms: number;
  /** Of all sampled time. */
  readonly share: number;
  /** Of the time the thread was busy (everything but the idle node). */
  readonly busy_share: number;
}

export interface ProfileSummary {
  readonly total_ms: number;
  readonly idle_ms: number;
  readonly functions: readonly HotSpot[];
  readonly files: readonly HotSpot[];
}

/** Profiles above this are refused: a benchmark profile is a few MB. */
export const PROFILE_BYTES_MAX = 512 * 1024 * 1024;

export function loadProfile(file: string): CpuProfile {
  const size = fs.statSync(file).size;
  if (size > PROFILE_BYTES_MAX) throw new Error(`profile ${file}: ${size} bytes, limit ${PROFILE_BYTES_MAX}`);
  const p = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  if (!Array.isArray(p.nodes) || !Array.isArray(p.samples) || !Array.isArray(p.timeDeltas)) throw new Error(`profile ${file}: not a V8 cpuprofile`);
  if (p.samples.length !== p.timeDeltas.length) throw new Error(`profile ${file}: ${p.samples.length} samples but ${p.timeDeltas.length} time deltas`);
  return p;
}

function shortUrl(url: string, root: string): string {
  if (url === '') return '(native)';
  const u = url.startsWith('file://') ? url.slice('file://'.length) : url;
  const rel = path.isAbsolute(u) ? path.relative(root, u) : u;
  return rel.startsWith('..') ? u : rel;
}

function rank(m: Map<string, number>, total: number, busy: number, top: number): HotSpot[] {
  return [...m.entries()]
    .map(([name, self_ms]) => ({ name, self_ms, share: total > 0 ? self_ms / total : 0, busy_share: busy > 0 && !name.startsWith('(idle)') ? self_ms / busy : 0 }))
    .sort((a, b) => b.self_ms - a.self_ms)
    .slice(0, top);
}

export function summarizeProfile(p: CpuProfile, root: string, top = 25): ProfileSummary {
  const byId = new Map<number, ProfileNode>();
  for (const n of p.nodes) byId.set(n.id, n);
  const selfUs = new Map<number, number>();
  let totalUs = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const dt = Math.max(0, p.timeDeltas[i]);
    selfUs.set(p.samples[i], (selfUs.get(p.samples[i]) ?? 0) + dt);
    totalUs += dt;
  }
  const fn = new Map<string, number>();
  const file = new Map<string, number>();
  let idleUs = 0;
  for (const [id, us] of selfUs) {
    const n = byId.get(id);
    if (n === undefined) continue;
    if (n.callFrame.functionName === '(idle)') {
      idleUs += us;
      continue; // waiting for I/O or timers: not a hot spot
    }
    const f = shortUrl(n.callFrame.url, root);
    const name = `${n.callFrame.functionName || '(anonymous)'} ${f}${n.callFrame.url ? `:${n.callFrame.lineNumber + 1}` : ''}`;
    fn.set(name, (fn.get(name) ?? 0) + us / 1000);
    file.set(f, (file.get(f) ?? 0) + us / 1000);
  }
  const total_ms = totalUs / 1000;
  const idle_ms = idleUs / 1000;
  const busy = total_ms - idle_ms;
  return { total_ms, idle_ms, functions: rank(fn, total_ms, busy, top), files: rank(file, total_ms, busy, top) };
}

export function profileText(s: ProfileSummary): string {
  const line = (h: HotSpot): string => `${(h.busy_share * 100).toFixed(1).padStart(5)}%  ${h.self_ms.toFixed(0).padStart(7)} ms  ${h.name}`;
  return [
    `sampled ${s.total_ms.toFixed(0)} ms, idle ${s.idle_ms.toFixed(0)} ms (${((s.idle_ms / Math.max(1e-9, s.total_ms)) * 100).toFixed(0)}%); shares below are of the busy time`,
    'self time by function:',
    ...s.functions.map(line),
    'self time by file:',
    ...s.files.map(line),
  ].join('\n');
}
