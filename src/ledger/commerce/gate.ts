// The rules-version gate of commerce (rules.ts, version 4): under versions 1..3 a commerce
// command is refused naming 'kind', and a reserve with a commerce field is refused naming
// that field, before anything else is judged, so every replica answers alike.

import { COMMERCE_RULES_VERSION, type LedgerRules } from '../rules.js';
import { COMMERCE_COMMAND_KINDS, type Command, type CommandResult } from '../types.js';
import { renderValue } from '../validate.js';
import { hasCommerceFields } from '../fingerprint.js';

const RESERVE_FIELDS = ['allocations', 'customer_id', 'backorder', 'wait_ms'] as const;
const KINDS: ReadonlySet<string> = new Set(COMMERCE_COMMAND_KINDS);

/** True for a commerce command kind. */
export function isCommerceKind(kind: unknown): boolean {
  return typeof kind === 'string' && KINDS.has(kind);
}

function refusal(rules: LedgerRules, field: string, value: unknown): CommandResult {
  const limit = `a field of ledger rules version ${COMMERCE_RULES_VERSION} (commerce); the entry is under version ${rules.version}`;
  return { code: 'INVALID_ARGUMENT', replay: false, field, limit, value: renderValue(value) };
}

/** The refusal of a command that uses commerce under rules without it, else null. Costs a
 * few field checks for a plain reserve. */
export function commerceGate(rules: LedgerRules, cmd: Command): CommandResult | null {
  if (rules.commerce) return null;
  if (typeof cmd !== 'object' || cmd === null) return null; // validation names it
  if (cmd.kind === 'reserve') {
    // backorder false and an empty allocation list are the absent values (proto3 sends
    // them for a plain reserve), so a plain reserve passes under every version.
    if (!hasCommerceFields(cmd)) return null;
    for (const f of RESERVE_FIELDS) {
      const v = cmd[f];
      if (v !== undefined && v !== null && v !== false && !(Array.isArray(v) && v.length === 0)) return refusal(rules, f, v);
    }
    return null;
  }
  return isCommerceKind(cmd.kind) ? refusal(rules, 'kind', cmd.kind) : null;
}
