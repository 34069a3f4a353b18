// Resident set size of a process we started, from /proc (Linux).
import fs from 'node:fs';

/** VmRSS and its two parts: anonymous memory (heaps) and mapped files (for stockd, mostly
 * LevelDB's open table files, which LevelDB maps into memory). */
export interface RssParts {
  readonly rss_mib: number;
  readonly anon_mib: number;
  readonly file_mib: number;
}

function statusKib(status: string, pid: number, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
  if (!m) throw new Error(`rss: no ${field} in /proc/${pid}/status`);
  return Number(m[1]);
}

export function rssParts(pid: number): RssParts {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const mib = (field: string): number => statusKib(status, pid, field) / 1024;
  return { rss_mib: mib('VmRSS'), anon_mib: mib('RssAnon'), file_mib: mib('RssFile') };
}

export function rssMib(pid: number): number {
  return rssParts(pid).rss_mib;
}

export function rssSplitText(pid: number): string {
  const p = rssParts(pid);
  return `anon ${p.anon_mib.toFixed(0)} MiB, file ${p.file_mib.toFixed(0)} MiB`;
}
