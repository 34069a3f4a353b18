// The admin audit trail of one node: membership changes, leadership transfers, snapshots,
// backups (who asked, what, and how it ended) and role changes picked up on SIGHUP. Each
// record is a JSON line carrying the SHA-256 of the previous line, so a deleted or edited
// line breaks the chain (verifyAuditLines). The trail is per node and also keeps refusals
// and Backup calls; the replicated record of admin actions is the ledger's admin history
// (docs/security.md "Admin history", src/server/admin-history.ts).

import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';

export const AUDIT_DETAIL_CHARS_MAX = 1024;
/** The chain is resumed from the file's last line; larger files are not re-read at start. */
export const AUDIT_RESUME_BYTES_MAX = 64 * 1024 * 1024;

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

export class AuditLog {
  private seq = 0;
  private prev_hash = '';
  readonly records: AuditRecord[] = [];
  private static readonly MEMORY_RECORDS_MAX = 1000;

  constructor(
    private readonly node_id: string,
    private readonly file: string | null,
    private readonly sink: (line: string) => void = () => {},
    private readonly now: () => number = Date.now,
  ) {
    if (file !== null && existsSync(file)) {
      const text = readFileSync(file, 'utf8');
      if (text.length <= AUDIT_RESUME_BYTES_MAX) {
        const lines = text.split('\n').filter((l) => l !== '');
        const last = lines.at(-1);
        if (last !== undefined) {
          const r = JSON.parse(last) as AuditRecord;
          this.seq = r.seq;
          this.prev_hash = r.hash;
        }
      }
    }
  }

  record(e: AuditEvent): AuditRecord {
    const base = { seq: this.seq + 1, time_ms: this.now(), node_id: this.node_id, ...e, detail: e.detail.slice(0, AUDIT_DETAIL_CHARS_MAX + 3), prev_hash: this.prev_hash };
    const rec: AuditRecord = { ...base, hash: hashOf(base) };
    const line = JSON.stringify(rec);
    // Written synchronously: admin actions are rare, and an audit record that may be lost
    // in a crash right after the action is worth less than the few microseconds saved.
    if (this.file !== null) appendFileSync(this.file, line + '\n', { mode: 0o600 });
    this.seq = rec.seq;
    this.prev_hash = rec.hash;
    this.records.push(rec);
    if (this.records.length > AuditLog.MEMORY_RECORDS_MAX) this.records.shift();
    this.sink(line);
    return rec;
  }
}

/** Checks a trail's chain; returns null when whole, else the 1-based line that breaks it. */
export function verifyAuditLines(text: string): { line: number; reason: string } | null {
  let prev = '';
  let seq = 0;
  const lines = text.split('\n').filter((l) => l !== '');
  for (let i = 0; i < lines.length; i++) {
    let r: AuditRecord;
    try {
      r = JSON.parse(lines[i] ?? '') as AuditRecord;
    } catch {
      return { line: i + 1, reason: 'not JSON' };
    }
    if (i > 0 && r.seq !== seq + 1) return { line: i + 1, reason: `seq ${r.seq} follows ${seq}` };
    if (i > 0 && r.prev_hash !== prev) return { line: i + 1, reason: 'prev_hash does not match the line before' };
    const { hash, ...rest } = r;
    if (hashOf(rest) !== hash) return { line: i + 1, reason: 'hash does not match the record' };
    prev = hash;
    seq = r.seq;
  }
  return null;
}
