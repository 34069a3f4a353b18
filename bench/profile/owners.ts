// Busy time of a V8 .cpuprofile attributed to the nearest project frame (dist/src/...) on
// each sample's stack: library and runtime time lands on the project function that called
// into it (a gRPC reply on edge.js's answer, a LevelDB batch on storage-level.js's
// writeOps), which is how the per-layer breakdowns in BENCHMARKS.md were made. Optionally
// only the last TAIL seconds (the measured point, not start-up and preload).
// Run: node dist/bench/profile/owners.js FILE.cpuprofile [tail_s] [top] [skip_end_s]
// skip_end_s leaves out the profile's last seconds too (the shutdown of an idle-cpu run):
// the window is then the tail_s seconds before them.
import { loadProfile, type CpuProfile } from './cpuprofile.js';

export interface Owner {
  readonly name: string;
  readonly busy_ms: number;
  readonly busy_share: number;
}

const PROJECT = /dist\/src\//;

export function profileOwners(p: CpuProfile, tail_ms: number, top: number, skip_end_ms = 0): { busy_ms: number; owners: Owner[] } {
  const nodes = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const owner_of = new Map<number, string>();
  const ownerOf = (id: number): string => {
    const known = owner_of.get(id);
    if (known !== undefined) return known;
    let name = `(library/runtime) ${nodes.get(id)!.callFrame.functionName || '(anonymous)'}`;
    // Bounded by the stack depth: every step goes to a parent.
    for (let x: number | undefined = id; x !== undefined; x = parent.get(x)) {
      const cf = nodes.get(x)!.callFrame;
      if (PROJECT.test(cf.url)) {
        name = `${cf.url.replace(/.*dist\/src\//, '')}:${cf.functionName || '(anonymous)'}`;
        break;
      }
    }
    owner_of.set(id, name);
    return name;
  };
  let total_us = 0;
  for (const d of p.timeDeltas) total_us += d;
  const to_us = total_us - skip_end_ms * 1000;
  const from_us = to_us - tail_ms * 1000;
  const by = new Map<string, number>();
  let t_us = 0;
  let busy_us = 0;
  for (let i = 0; i < p.samples.length; i++) {
    // A sample counts for the delta before it, as in summarizeProfile.
    const d = p.timeDeltas[i] ?? 0;
    t_us += d;
    if (t_us <= from_us || t_us > to_us) continue;
    const id = p.samples[i]!;
    if (nodes.get(id)!.callFrame.functionName === '(idle)') continue;
    busy_us += d;
    const k = ownerOf(id);
    by.set(k, (by.get(k) ?? 0) + d);
  }
  const owners = [...by]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, us]) => ({ name, busy_ms: us / 1000, busy_share: busy_us > 0 ? us / busy_us : 0 }));
  return { busy_ms: busy_us / 1000, owners };
}

if (process.argv[1]?.endsWith('owners.js')) {
  const [file, tail, top, skip_end] = process.argv.slice(2);
  if (file === undefined) throw new Error('usage: owners.js FILE.cpuprofile [tail_s] [top] [skip_end_s]');
  const skip_end_s = skip_end === undefined ? 0 : Number(skip_end);
  if (!Number.isFinite(skip_end_s) || skip_end_s < 0) throw new Error(`skip_end_s: must be a number >= 0, got ${skip_end}`);
  const tail_s = tail === undefined ? Number.POSITIVE_INFINITY : Number(tail);
  const r = profileOwners(loadProfile(file), tail_s * 1000, top === undefined ? 25 : Number(top), skip_end_s * 1000);
  console.log(`busy ${r.busy_ms.toFixed(0)} ms${Number.isFinite(tail_s) ? ` in the last ${tail_s} s` : ''}${skip_end_s > 0 ? ` before the last ${skip_end_s} s` : ''}; by nearest project frame:`);
  for (const o of r.owners) console.log(`${(o.busy_share * 100).toFixed(1).padStart(5)}% ${o.busy_ms.toFixed(0).padStart(6)} ms  ${o.name}`);
}
