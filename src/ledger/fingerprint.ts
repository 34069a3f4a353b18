// The canonical content of a command, used for idempotency: a command applied again under
// an id that already has an outcome is a replay when its fingerprint is identical, and
// ALREADY_EXISTS_DIFFERENT otherwise. JSON of an array of strings and safe integers has
// one form; an absent optional field and null are the same content, as are an absent and
// an empty commit line list (gRPC cannot tell them apart).

import { hash as nodeHash } from 'node:crypto';
import type { Command, Line } from './types.js';

function flatLines(lines: readonly Line[] | undefined | null): (string | number)[] | null {
  if (lines === undefined || lines === null || lines.length === 0) return null;
  const out: (string | number)[] = [];
  for (const l of lines) out.push(l.sku, l.location, l.quantity);
  return out;
}

type ReserveCmd = Extract<Command, { kind: 'reserve' }>;

/** Whether a reserve sets any commerce field (rules version 4); false is the old shape. An
 * absent field, null, false and an empty allocation list are the same content. */
export function hasCommerceFields(cmd: ReserveCmd): boolean {
  return (
    (cmd.allocations !== undefined && cmd.allocations !== null && cmd.allocations.length > 0) ||
    (cmd.customer_id !== undefined && cmd.customer_id !== null) ||
    cmd.backorder === true ||
    (cmd.wait_ms !== undefined && cmd.wait_ms !== null)
  );
}

function commerceReserveContent(cmd: ReserveCmd): (string | number | boolean | null | (string | number | boolean)[])[] {
  const allocations: (string | number | boolean)[] = [];
  for (const a of cmd.allocations ?? []) allocations.push(a.sku, a.locations.join(','), a.quantity, a.strategy, a.split);
  return [allocations, cmd.customer_id ?? null, cmd.backorder === true, cmd.wait_ms ?? null];
}

export function fingerprint(cmd: Command): string {
  switch (cmd.kind) {
    case 'adjust':
      return JSON.stringify(['adjust', cmd.sku, cmd.location, cmd.delta, cmd.reason, cmd.reference, cmd.expected_on_hand ?? null]);
    case 'reserve':
      // Commerce fields join the text only when set, so older outcomes keep their digests.
      return hasCommerceFields(cmd)
        ? JSON.stringify(['reserve', cmd.ttl_ms, cmd.order_ref, flatLines(cmd.lines), commerceReserveContent(cmd)])
        : JSON.stringify(['reserve', cmd.ttl_ms, cmd.order_ref, flatLines(cmd.lines)]);
    case 'set_position_policy':
      return JSON.stringify(['set_position_policy', cmd.sku, cmd.location, cmd.backorder_limit, cmd.low_stock_threshold]);
    case 'set_sku_policy':
      return JSON.stringify(['set_sku_policy', cmd.sku, cmd.customer_limit, cmd.customer_window_ms]);
    case 'transfer':
      return JSON.stringify(['transfer', cmd.sku, cmd.from_location, cmd.to_location, cmd.quantity, cmd.reference]);
    case 'receive_transfer':
      return JSON.stringify(['receive_transfer', cmd.transfer_id, cmd.received]);
    case 'count':
      return JSON.stringify(['count', cmd.sku, cmd.location, cmd.counted, cmd.reference]);
    case 'commit':
      return JSON.stringify(['commit', cmd.reservation_id, flatLines(cmd.lines)]);
    case 'release':
      return JSON.stringify(['release', cmd.reservation_id, cmd.reason]);
    case 'extend':
      return JSON.stringify(['extend', cmd.reservation_id, cmd.ttl_ms]);
    case 'admin':
      return JSON.stringify(['admin', cmd.action, cmd.principal, cmd.target, cmd.detail]);
  }
}

// An outcome keeps a digest of its fingerprint, not the text: the first 16 bytes of
// SHA-256 of the canonical text. Two different commands under one id then pass for a
// replay only if their texts collide in 128 bits of SHA-256. The digest's text form,
// FP_KEY_PREFIX + 32 hex digits, is what a stored outcome record holds in `fp`; the loader
// also accepts the full text that records held before (a fingerprint text is a JSON array
// or the reserve marker, so it never starts with '#').

export const FP_DIGEST_BYTES = 16;
export const FP_KEY_PREFIX = '#';
const FP_KEY = /^#[0-9a-f]{32}$/;

/** 16-byte digest of a fingerprint given as its text or as its key form. */
export function fingerprintDigest(fp: string): Buffer {
  if (fp.startsWith(FP_KEY_PREFIX)) {
    if (!FP_KEY.test(fp)) throw new Error(`fingerprint key must be '#' and 32 hex digits, got ${JSON.stringify(fp)}`);
    return Buffer.from(fp.slice(1), 'hex');
  }
  return nodeHash('sha256', fp, 'buffer').subarray(0, FP_DIGEST_BYTES);
}

/** The key form of a fingerprint (itself when already a key). */
export function fingerprintKey(fp: string): string {
  return FP_KEY_PREFIX + fingerprintDigest(fp).toString('hex');
}
