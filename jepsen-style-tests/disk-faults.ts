// Damage to a stopped node's data dir and a small file system for one node, for the
// bitflip, truncate and disk-full faults (nemesis.ts). Only files of the node's own data
// dir are touched, only while its process is stopped; the tmpfs is mounted on that data dir
// at cluster creation and unmounted when the cluster stops.

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Rng } from './rng.js';

/** Where the faults act: the newest LevelDB write-ahead log (it holds the newest writes of
 * a killed node; LevelDB checks its records' CRCs at recovery). Table files (.ldb) are left
 * alone: classic-level reads them without LevelDB's block checksums (see
 * docs/operations.md), so damage there is caught only for raft entries and meta records. */
export function newestWriteAheadLog(dir: string): { file: string; bytes: number } | null {
  const logs = fs.readdirSync(dir).filter((f) => /^\d+\.log$/.test(f));
  let best: { file: string; bytes: number; mtime: number } | null = null;
  for (const f of logs) {
    const st = fs.statSync(path.join(dir, f));
    if (best === null || st.mtimeMs > best.mtime || (st.mtimeMs === best.mtime && f > path.basename(best.file))) best = { file: path.join(dir, f), bytes: st.size, mtime: st.mtimeMs };
  }
  return best === null ? null : { file: best.file, bytes: best.bytes };
}

/** Flips `count` random bytes (each XOR a random non-zero value) of the newest log's
 * second half; returns what was done. */
export function flipBytes(dir: string, rng: Rng, count: number): string {
  const target = newestWriteAheadLog(dir);
  if (target === null || target.bytes < 64) return `no write-ahead log to damage (${target?.bytes ?? 0} bytes)`;
  const b = fs.readFileSync(target.file);
  const at: number[] = [];
  for (let i = 0; i < count; i++) {
    const pos = Math.floor(b.byteLength / 2) + rng.int(Math.ceil(b.byteLength / 2));
    b[pos] = b[pos]! ^ (1 + rng.int(255));
    at.push(pos);
  }
  fs.writeFileSync(target.file, b);
  return `flipped ${count} bytes of ${path.basename(target.file)} (${target.bytes} bytes) at ${at.sort((x, y) => x - y).join(',')}`;
}

/** Cuts the newest log to 20..80% of its size. */
export function truncateNewest(dir: string, rng: Rng): string {
  const target = newestWriteAheadLog(dir);
  if (target === null || target.bytes < 64) return `no write-ahead log to cut (${target?.bytes ?? 0} bytes)`;
  const keep = Math.floor(target.bytes * (0.2 + 0.6 * rng.int(1000) / 1000));
  fs.truncateSync(target.file, keep);
  return `cut ${path.basename(target.file)} from ${target.bytes} to ${keep} bytes`;
}

export function mountTmpfs(dir: string, size_mib: number): void {
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size_mib}m`, 'tmpfs', dir]);
}

export function unmount(dir: string): void {
  try {
    execFileSync('umount', [dir]);
  } catch {
    // not mounted (any more)
  }
}

export function freeBytes(dir: string): number {
  const s = fs.statfsSync(dir);
  return s.bavail * s.bsize;
}

const MiB = 1024 * 1024;

/** Fills the file system of `dir` through `file` until `leave_bytes` are free (0: until
 * full); returns the bytes written. Bounded by the file system's size. */
export function fillFileSystem(dir: string, file: string, leave_bytes: number): number {
  const fd = fs.openSync(file, 'w');
  const chunk = Buffer.alloc(MiB, 7);
  let written = 0;
  try {
    for (;;) {
      const room = freeBytes(dir) - leave_bytes;
      if (room <= 0) break;
      try {
        written += fs.writeSync(fd, chunk, 0, Math.min(chunk.byteLength, room));
      } catch (err) {
        if ((err as { code?: string }).code === 'ENOSPC') break;
        throw err;
      }
    }
  } finally {
    fs.closeSync(fd);
  }
  return written;
}
