// Resident set size of a process we started, from /proc (Linux).
import fs from 'node:fs';

export function rssMib(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!m) throw new Error(`rss: no VmRSS in /proc/${pid}/status`);
  return Number(m[1]) / 1024;
}
