// Records operators' actions in the replicated admin history: one `admin` ledger command
// proposed through the leader after the action, naming the principal who made it. Best
// effort by design: the action itself already happened (or is about to), so a failed
// record is reported as a process warning and the caller's answer is not changed; the
// node's local audit file (security/audit.ts) keeps its own record either way.

import { randomUUID } from 'node:crypto';
import { ADMIN_DETAIL_BYTES_MAX, ADMIN_PRINCIPAL_BYTES_MAX, ADMIN_TARGET_BYTES_MAX } from '../ledger/limits.js';
import type { AdminAction, Command } from '../ledger/types.js';
import type { StockNode } from '../node/node-api.js';
import { ADMIN_RECORD_TIMEOUT_MS_MIN } from './limits.js';

/** Cuts text to at most bytes_max UTF-8 bytes (never inside a character) and replaces
 * control characters, so any principal or detail fits the ledger's limits. */
export function fitText(text: string, bytes_max: number): string {
  const s = text
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f]/g, ' ')
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '?');
  if (Buffer.byteLength(s, 'utf8') <= bytes_max) return s;
  const marker = '...';
  let out = '';
  let bytes = 0;
  for (const ch of s) {
    const b = Buffer.byteLength(ch, 'utf8');
    if (bytes + b + marker.length > bytes_max) break;
    out += ch;
    bytes += b;
  }
  return out + marker;
}

export function adminCommand(action: AdminAction, principal: string, target: string, detail: string): Command {
  return {
    kind: 'admin',
    op_id: `adm-${randomUUID()}`,
    // A fresh id, issued now: the ledger's window covers it without the leader's check.
    id_time_ms: Date.now(),
    action,
    principal: fitText(principal === '' ? 'unknown' : principal, ADMIN_PRINCIPAL_BYTES_MAX),
    target: fitText(target, ADMIN_TARGET_BYTES_MAX),
    detail: fitText(detail, ADMIN_DETAIL_BYTES_MAX),
  };
}

/** Proposes one admin event through this node (which must lead; a follower's attempt is
 * refused as not_leader and reported). Resolves true once applied here, false when it
 * could not be recorded (warned). Never rejects. */
export async function recordAdminEvent(
  node: StockNode,
  action: AdminAction,
  principal: string,
  target: string,
  detail: string,
  deadline_at_ms: number,
): Promise<boolean> {
  const cmd = adminCommand(action, principal, target, detail);
  try {
    const deadline = Math.max(deadline_at_ms, Date.now() + ADMIN_RECORD_TIMEOUT_MS_MIN);
    const [result] = await node.propose([cmd], deadline);
    if (result?.code === 'OK') return true;
    throw new Error(`ledger answered ${result?.code ?? 'nothing'}`);
  } catch (err) {
    process.emitWarning(`admin history: ${action} by ${cmd.kind === 'admin' ? cmd.principal : principal} on '${target}' not recorded (${err instanceof Error ? err.message : String(err)}); the node's audit file keeps it`, 'StockraftAdminHistory');
    return false;
  }
}
