// The admin audit trail of one node: membership changes, leadership transfers, snapshots,
// backups (who asked, what, and how it ended) and role changes picked up on SIGHUP. Each
// record is a JSON line carrying the SHA-256 of the previous line, so a deleted or edited
// line breaks the chain (verifyAuditLines). The trail is per node and also keeps refusals
// and Backup calls; the replicated record of admin actions is the ledger's admin history
// (docs/security.md "Admin history", src/server/admin-history.ts).

import { appendFileSync, closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, renameSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';

export const AUDIT_DETAIL_CHARS_MAX = 1024;
/** A trail file larger than this is renamed to `<file>.<n>` (n = 1, 2, ...) and a new file
 * started; the chain continues across (the new file's first record follows the last
 * record of the previous one). 64 MiB keeps a file quick to read and verify. */
export const AUDIT_FILE_BYTES_MAX = 64 * 1024 * 1024;
/** Bound on the number of rotated files (stockd never deletes them: operators archive). */
export const AUDIT_ROTATED_FILES_MAX = 100_000;
/** How much of the file's end is read at start to find the last record: far more than
 * one record (detail, principal and action are bounded, a line stays under ~16 KiB). */
export const AUDIT_TAIL_BYTES_MAX = 256 * 1024;

export interface AuditEvent {
  readonly principal: string;
  /** e.g. '/stockraft.v1.Cluster/AddLearner', or 'roles.reload'. */
  readonly action: string;
  /** What was asked (request fields), cut to AUDIT_DETAIL_CHARS_MAX characters. */
  readonly detail: string;
  /** gRPC status name of the outcome ('OK', 'PERMISSION_DENIED', ...). */
  readonly outcome: string;
}

export interface AuditRecord extends AuditEvent {
  readonly seq: number;
  readonly time_ms: number;
  readonly node_id: string;
  readonly prev_hash: string;
  readonly hash: string;
}

function hashOf(r: Omit<AuditRecord, 'hash'>): string {
  const canonical = JSON.stringify([r.seq, r.time_ms, r.node_id, r.principal, r.action, r.detail, r.outcome, r.prev_hash]);
  return createHash('sha256').update('stockraft-audit-v1\n' + canonical).digest('hex');
}

export function auditDetail(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value, (_k, v: unknown) => (v instanceof Uint8Array ? `<${v.length} bytes>` : v)) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > AUDIT_DETAIL_CHARS_MAX ? text.slice(0, AUDIT_DETAIL_CHARS_MAX) + '...' : text;
}

export interface AuditLogOptions {
  /** Rotation threshold of the trail file (default AUDIT_FILE_BYTES_MAX). */
  readonly file_bytes_max?: number;
  /** Start-up repairs are reported here (a torn last line). */
  readonly warn?: (msg: string) => void;
}

export class AuditLog {
  private seq = 0;
  private prev_hash = '';
  private file_bytes = 0;
  private rotated = 0;
  private readonly file_bytes_max: number;
  readonly records: AuditRecord[] = [];
  private static readonly MEMORY_RECORDS_MAX = 1000;

  constructor(
    private readonly node_id: string,
    private readonly file: string | null,
    private readonly sink: (line: string) => void = () => {},
    private readonly now: () => number = Date.now,
    options: AuditLogOptions = {},
  ) {
    this.file_bytes_max = options.file_bytes_max ?? AUDIT_FILE_BYTES_MAX;
    if (!Number.isSafeInteger(this.file_bytes_max) || this.file_bytes_max < 1024) throw new Error(`audit file_bytes_max must be an integer >= 1024, got ${this.file_bytes_max}`);
    if (file === null) return;
    const series = auditSeriesFiles(file);
    this.rotated = series.length - (existsSync(file) ? 1 : 0);
    // The chain resumes from the newest file that holds a record: the current one, or the
    // last rotated one when the process stopped between a rotation and the next record.
    for (let i = series.length - 1; i >= 0; i--) {
      const f = series[i] as string;
      const last = f === file ? repairAuditTail(f, options.warn ?? (() => {})) : lastAuditRecord(f);
      if (f === file) this.file_bytes = statSync(f).size;
      if (last !== null) {
        this.seq = last.seq;
        this.prev_hash = last.hash;
        break;
      }
    }
  }

  private rotate(file: string): void {
    if (this.rotated >= AUDIT_ROTATED_FILES_MAX) throw new Error(`audit: ${AUDIT_ROTATED_FILES_MAX} rotated files beside ${file}: archive them`);
    renameSync(file, `${file}.${this.rotated + 1}`);
    this.rotated++;
    this.file_bytes = 0;
  }

  record(e: AuditEvent): AuditRecord {
    const base = { seq: this.seq + 1, time_ms: this.now(), node_id: this.node_id, ...e, detail: e.detail.slice(0, AUDIT_DETAIL_CHARS_MAX + 3), prev_hash: this.prev_hash };
    const rec: AuditRecord = { ...base, hash: hashOf(base) };
    const line = JSON.stringify(rec);
    // Written synchronously: admin actions are rare, and an audit record that may be lost
    // in a crash right after the action is worth less than the few microseconds saved.
    if (this.file !== null) {
      const bytes = Buffer.byteLength(line, 'utf8') + 1;
      if (this.file_bytes > 0 && this.file_bytes + bytes > this.file_bytes_max) this.rotate(this.file);
      appendFileSync(this.file, line + '\n', { mode: 0o600 });
      this.file_bytes += bytes;
    }
    this.seq = rec.seq;
    this.prev_hash = rec.hash;
    this.records.push(rec);
    if (this.records.length > AuditLog.MEMORY_RECORDS_MAX) this.records.shift();
    this.sink(line);
    return rec;
  }
}

interface ChainEnd {
  readonly seq: number;
  readonly hash: string;
}

type ChainCheck = { readonly ok: true; readonly end: ChainEnd | null } | { readonly ok: false; readonly line: number; readonly reason: string };

/** Checks the chain of one file's text; `from` is the end of the file before it in a
 * rotated series (null: the first record is not tied to anything before). */
function checkChain(text: string, from: ChainEnd | null): ChainCheck {
  let prev = from;
  const lines = text.split('\n').filter((l) => l !== '');
  for (let i = 0; i < lines.length; i++) {
    let r: AuditRecord;
    try {
      r = JSON.parse(lines[i] ?? '') as AuditRecord;
    } catch {
      return { ok: false, line: i + 1, reason: 'not JSON' };
    }
    if (prev !== null && r.seq !== prev.seq + 1) return { ok: false, line: i + 1, reason: `seq ${r.seq} follows ${prev.seq}` };
    if (prev !== null && r.prev_hash !== prev.hash) return { ok: false, line: i + 1, reason: i === 0 ? 'prev_hash does not match the last record of the previous file' : 'prev_hash does not match the line before' };
    const { hash, ...rest } = r;
    if (hashOf(rest) !== hash) return { ok: false, line: i + 1, reason: 'hash does not match the record' };
    prev = { seq: r.seq, hash };
  }
  return { ok: true, end: prev };
}

/** Checks a trail's chain; returns null when whole, else the 1-based line that breaks it. */
export function verifyAuditLines(text: string): { line: number; reason: string } | null {
  const c = checkChain(text, null);
  return c.ok ? null : { line: c.line, reason: c.reason };
}

/** The files of a trail, oldest first: `<file>.1`, `<file>.2`, ..., then `<file>` itself
 * (those that exist). */
export function auditSeriesFiles(file: string): string[] {
  const dir = path.dirname(file);
  const base = path.basename(file);
  const numbered: number[] = [];
  const names = existsSync(dir) ? readdirSync(dir) : [];
  for (const name of names) {
    const m = name.startsWith(base + '.') ? /^(\d{1,9})$/.exec(name.slice(base.length + 1)) : null;
    if (m !== null) numbered.push(Number(m[1]));
  }
  numbered.sort((a, b) => a - b);
  const out = numbered.map((n) => `${file}.${n}`);
  if (existsSync(file)) out.push(file);
  return out;
}

/** Checks a rotated series (auditSeriesFiles order): each file's chain, and that each
 * file's first record follows the last record of the file before it. Null when whole. */
export function verifyAuditSeries(files: readonly string[]): { file: string; line: number; reason: string } | null {
  let end: ChainEnd | null = null;
  let prev_number: number | null = null;
  for (let i = 0; i < files.length; i++) {
    const file = files[i] as string;
    const m = /\.(\d{1,9})$/.exec(file);
    if (m !== null) {
      // A missing number (say .3 deleted) breaks the series as surely as a deleted line.
      const n = Number(m[1]);
      if (prev_number !== null && n !== prev_number + 1) return { file, line: 0, reason: `follows rotated file .${prev_number}: file .${prev_number + 1} is missing` };
      prev_number = n;
    }
    const c = checkChain(readFileSync(file, 'utf8'), end);
    if (!c.ok) return { file, line: c.line, reason: c.reason };
    end = c.end ?? end;
  }
  return null;
}

/** The last record of a trail file, reading only its end; null when it holds none. */
function lastAuditRecord(file: string): AuditRecord | null {
  const { text } = readTail(file);
  const lines = text.split('\n').filter((l) => l !== '');
  const last = lines.at(-1);
  return last === undefined ? null : parseRecordLine(last, file, statSync(file).size);
}

function readTail(file: string): { text: string; start: number; size: number } {
  const size = statSync(file).size;
  const start = Math.max(0, size - AUDIT_TAIL_BYTES_MAX);
  const buf = Buffer.alloc(size - start);
  const fd = openSync(file, 'r');
  try {
    let got = 0;
    // Bounded: each round reads at least one byte or stops.
    while (got < buf.length) {
      const n = readSync(fd, buf, got, buf.length - got, start + got);
      if (n === 0) break;
      got += n;
    }
  } finally {
    closeSync(fd);
  }
  return { text: buf.toString('latin1'), start, size };
}

function parseRecordLine(line: string, file: string, end_offset: number): AuditRecord {
  let r: unknown;
  try {
    r = JSON.parse(Buffer.from(line, 'latin1').toString('utf8'));
  } catch {
    r = null;
  }
  const rec = r as Partial<AuditRecord> | null;
  if (rec === null || typeof rec !== 'object' || typeof rec.seq !== 'number' || typeof rec.hash !== 'string') {
    throw new Error(
      `admin audit file ${file}: the complete line ending at byte ${end_offset} is not an audit record (edited or damaged): ` +
        'the chain cannot be continued from it; move the file aside (verify it with verifyAuditSeries) and start again',
    );
  }
  return rec as AuditRecord;
}

/** Start-up repair of the current trail file: bytes after the last newline are a record
 * whose write was cut short (crash or power loss). They are copied to
 * `<file>.torn-<offset>`, cut off, and reported with the byte offset; the chain then
 * resumes from the last whole record, which is returned (null: no record). */
export function repairAuditTail(file: string, warn: (msg: string) => void): AuditRecord | null {
  const { text, start, size } = readTail(file);
  if (size === 0) return null;
  const nl = text.lastIndexOf('\n');
  if (nl < 0 && start > 0) throw new Error(`admin audit file ${file}: no line end in its last ${AUDIT_TAIL_BYTES_MAX} bytes: not an audit trail`);
  const cut = start + nl + 1;
  if (cut < size) {
    const torn = Buffer.from(text.slice(nl + 1), 'latin1');
    const copy = `${file}.torn-${cut}`;
    writeFileSync(copy, torn, { mode: 0o600 });
    truncateSync(file, cut);
    warn(`admin audit file ${file}: removed a torn last line of ${torn.length} bytes at byte offset ${cut} (copy kept in ${copy}); the chain continues from the last whole record`);
  }
  const lines = text.slice(0, nl + 1).split('\n').filter((l) => l !== '');
  const last = lines.at(-1);
  return last === undefined ? null : parseRecordLine(last, file, cut);
}
