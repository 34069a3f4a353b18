// Damage LevelDB itself finds, and keeps quiet about, when it opens a data dir.
//
// classic-level opens LevelDB without paranoid checks (it exposes no such option: see
// docs/operations.md), so recovery of a write-ahead log record that fails its checksum is
// not an error: LevelDB drops the rest of that log block (up to 32 KiB of the newest
// writes), notes "dropping N bytes; Corruption: ..." in the dir's LOG file, writes what it
// kept to a table and deletes the log. The only trace is that LOG line, so it is read
// right after every open. Since the next open would no longer show it (LevelDB renames
// LOG to LOG.old and starts a new one), a finding is written into the data dir
// (DAMAGE_FILE) and every later open refuses with it until the dir is wiped.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { StorageError } from './storage-records.js';

export const DAMAGE_FILE = 'STOCKRAFT-DAMAGED';
/** Bytes of LevelDB's LOG read after an open: recovery lines come first. */
const INFO_LOG_BYTES_MAX = 256 * 1024;
/** Lines of evidence quoted in the refusal. */
const EVIDENCE_LINES_MAX = 5;

/** Lines of a LevelDB info log that report dropped or corrupt data during recovery. */
export function damageLines(info_log: string): string[] {
  return info_log.split('\n').filter((l) => /dropping \d+ bytes|Corruption:|corrupted/i.test(l)).slice(0, EVIDENCE_LINES_MAX);
}

function refusal(dir: string, evidence: string): StorageError {
  return new StorageError(
    `corrupt data dir ${dir}: LevelDB dropped damaged records while opening it (${evidence.trim()}); ` +
      'acknowledged writes may be missing, so this node will not start on it: wipe the data dir and re-add the node (docs/operations.md "A node with a corrupt data dir")',
  );
}

/** Refuses a data dir an earlier open found damaged. */
export function refuseIfMarkedDamaged(dir: string): void {
  const marker = path.join(dir, DAMAGE_FILE);
  if (existsSync(marker)) throw refusal(dir, readFileSync(marker, 'utf8'));
}

/** Reads LevelDB's LOG after an open; on damage, marks the dir and refuses it. */
export function checkOpenedForDamage(dir: string): void {
  const log_file = path.join(dir, 'LOG');
  if (!existsSync(log_file)) return;
  const text = readFileSync(log_file).subarray(0, INFO_LOG_BYTES_MAX).toString('utf8');
  const lines = damageLines(text);
  if (lines.length === 0) return;
  const evidence = lines.join(' | ');
  writeFileSync(path.join(dir, DAMAGE_FILE), `${evidence}\n`, { flush: true });
  throw refusal(dir, evidence);
}
