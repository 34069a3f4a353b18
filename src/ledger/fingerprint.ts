// The canonical content of a command, used for idempotency: a command applied again under
// an id that already has an outcome is a replay when its fingerprint is identical, and
// ALREADY_EXISTS_DIFFERENT otherwise. JSON of an array of strings and safe integers has
// one form; an absent optional field and null are the same content, as are an absent and
// an empty commit line list (gRPC cannot tell them apart).

import type { Command, Line } from './types.js';

function flatLines(lines: readonly Line[] | undefined | null): (string | number)[] | null {
  if (lines === undefined || lines === null || lines.length === 0) return null;
  const out: (string | number)[] = [];
  for (const l of lines) out.push(l.sku, l.location, l.quantity);
  return out;
}

export function fingerprint(cmd: Command): string {
  switch (cmd.kind) {
    case 'adjust':
      return JSON.stringify(['adjust', cmd.sku, cmd.location, cmd.delta, cmd.reason, cmd.reference, cmd.expected_on_hand ?? null]);
    case 'reserve':
      return JSON.stringify(['reserve', cmd.ttl_ms, cmd.order_ref, flatLines(cmd.lines)]);
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
