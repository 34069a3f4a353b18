// CPU time of processes the harness started, from /proc (Linux). Throughput on a shared
// machine moves with everything else running on it; CPU time spent per operation by the
// servers moves much less, so the report gives both.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

let ticks_per_s: number | null = null;

function clockTicksPerSecond(): number {
  if (ticks_per_s === null) {
    try {
      const v = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
      ticks_per_s = Number.isInteger(v) && v > 0 ? v : 100;
    } catch {
      ticks_per_s = 100; // the Linux default
    }
  }
  return ticks_per_s;
}

/** User + system CPU seconds used so far by process `pid`, or null once it is gone. */
export function cpuSeconds(pid: number): number | null {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) may hold spaces: fields are counted after its ')'.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state): utime and stime are fields 14 and 15.
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`cpu: cannot parse /proc/${pid}/stat`);
  return (utime + stime) / clockTicksPerSecond();
}

/** Sum of cpuSeconds over `pids`; null if any of them is gone. */
export function totalCpuSeconds(pids: readonly number[]): number | null {
  let sum = 0;
  for (const pid of pids) {
    const s = cpuSeconds(pid);
    if (s === null) return null;
    sum += s;
  }
  return sum;
}
