// Field-by-field validation of a ledger command against the limits in limits.ts. Pure and
// cheap: the gRPC edge calls it to answer INVALID_ARGUMENT before proposing, and apply
// calls it again on every command before that command changes anything (a committed entry
// may come from a node with an older edge, so the state machine never trusts the edge).

import { ADMIN_ACTIONS } from './types.js';
import { allocationCount, validateCommerceKind, validateReserveCommerce } from './commerce/validate-commerce.js';
import {
  ADMIN_DETAIL_BYTES_MAX,
  ADMIN_PRINCIPAL_BYTES_MAX,
  ADMIN_TARGET_BYTES_MAX,
  BALANCE_MAX,
  ID_BYTES_MAX,
  ID_BYTES_MIN,
  ID_PATTERN,
  LINES_MAX,
  LINES_MIN,
  LOCATION_BYTES_MAX,
  LOCATION_BYTES_MIN,
  POSITION_NAME_PATTERN,
  QUANTITY_MAX,
  QUANTITY_MIN,
  SKU_BYTES_MAX,
  SKU_BYTES_MIN,
  TEXT_BYTES_MAX,
  TIME_MS_MAX,
  TTL_MS_MAX,
  TTL_MS_MIN,
} from './limits.js';

export type Validation =
  | { readonly ok: true }
  | { readonly ok: false; readonly field: string; readonly limit: string; readonly value: string };

export const OK: Validation = Object.freeze({ ok: true });

/** Longest rendering of an offending value in an error, so an error stays small. */
const VALUE_CHARS_MAX = 80;

export const LIMIT_ID = `string of ${ID_BYTES_MIN}..${ID_BYTES_MAX} bytes of printable ASCII (0x21..0x7e)`;
export const LIMIT_SKU = `string of ${SKU_BYTES_MIN}..${SKU_BYTES_MAX} bytes of [A-Za-z0-9._:/-]`;
export const LIMIT_LOCATION = `string of ${LOCATION_BYTES_MIN}..${LOCATION_BYTES_MAX} bytes of [A-Za-z0-9._:/-]`;
export const LIMIT_TEXT = `string of 0..${TEXT_BYTES_MAX} bytes of UTF-8 without control characters`;
export const LIMIT_QUANTITY = `integer ${QUANTITY_MIN}..${QUANTITY_MAX}`;
export const LIMIT_DELTA = `non-zero integer -${QUANTITY_MAX}..${QUANTITY_MAX}`;
export const LIMIT_EXPECTED_ON_HAND = `absent, or integer 0..${BALANCE_MAX}`;
export const LIMIT_TTL = `integer ${TTL_MS_MIN}..${TTL_MS_MAX} (milliseconds)`;
export const LIMIT_LINES = `array of ${LINES_MIN}..${LINES_MAX} lines on distinct (sku, location) positions`;
export const LIMIT_COMMIT_LINES = `absent or empty (commit all), or array of ${LINES_MIN}..${LINES_MAX} lines on distinct positions`;
export const LIMIT_KIND = `one of adjust, reserve, commit, release, extend, admin, set_position_policy, set_sku_policy, transfer, receive_transfer, count`;
export const LIMIT_ADMIN_ACTION = `one of ${ADMIN_ACTIONS.join(', ')}`;
export const LIMIT_ADMIN_PRINCIPAL = `string of 1..${ADMIN_PRINCIPAL_BYTES_MAX} bytes of UTF-8 without control characters`;
export const LIMIT_ADMIN_TARGET = `string of 0..${ADMIN_TARGET_BYTES_MAX} bytes of UTF-8 without control characters`;
export const LIMIT_ADMIN_DETAIL = `string of 0..${ADMIN_DETAIL_BYTES_MAX} bytes of UTF-8 without control characters`;
const ADMIN_ACTION_SET: ReadonlySet<string> = new Set(ADMIN_ACTIONS);
/** The target of 'history_archived': the log index history is archived through. */
export const LIMIT_ARCHIVED_TARGET = 'a log index in decimal, 1..2^53-1, without leading zeros';

function isLogIndexText(v: unknown): boolean {
  return typeof v === 'string' && /^[1-9][0-9]{0,15}$/.test(v) && Number.isSafeInteger(Number(v));
}

/** Renders a value for an error message: JSON where possible, cut to VALUE_CHARS_MAX. */
export function renderValue(value: unknown): string {
  let text: string;
  if (value === undefined) text = 'undefined';
  else if (typeof value === 'string') text = JSON.stringify(value);
  else if (typeof value === 'number' || typeof value === 'boolean' || value === null) text = String(value);
  else if (Array.isArray(value)) text = `array of length ${value.length}`;
  else if (typeof value === 'bigint') text = `${value.toString()}n`;
  else text = typeof value;
  return text.length > VALUE_CHARS_MAX ? `${text.slice(0, VALUE_CHARS_MAX)}...` : text;
}

export function fail(field: string, limit: string, value: unknown): Validation {
  return { ok: false, field, limit, value: renderValue(value) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isValidId(value: unknown): value is string {
  return typeof value === 'string' && value.length >= ID_BYTES_MIN && value.length <= ID_BYTES_MAX && ID_PATTERN.test(value);
}

function isPositionName(value: unknown, bytes_max: number): value is string {
  // The pattern is ASCII-only, so characters are bytes.
  return typeof value === 'string' && value.length >= 1 && value.length <= bytes_max && POSITION_NAME_PATTERN.test(value);
}

export function isValidSku(value: unknown): value is string {
  return isPositionName(value, SKU_BYTES_MAX);
}

export function isValidLocation(value: unknown): value is string {
  return isPositionName(value, LOCATION_BYTES_MAX);
}

// Control characters, and surrogates that are not part of a pair (they cannot be encoded as
// UTF-8 and would change in a round trip through msgpack).
const BAD_TEXT = /[\u0000-\u001f\u007f]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function isValidText(value: unknown, bytes_max: number = TEXT_BYTES_MAX): value is string {
  if (typeof value !== 'string') return false;
  if (value.length === 0) return true;
  // UTF-8 never uses fewer bytes than UTF-16 code units, so a long string fails fast.
  if (value.length > bytes_max) return false;
  if (BAD_TEXT.test(value)) return false;
  return value.length * 3 <= bytes_max || Buffer.byteLength(value, 'utf8') <= bytes_max;
}

export function isValidQuantity(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= QUANTITY_MIN && value <= QUANTITY_MAX;
}

function isValidTtl(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= TTL_MS_MIN && value <= TTL_MS_MAX;
}

/** Checks lines: 1..LINES_MAX well-formed lines on distinct positions. */
function validateLines(lines: unknown, field: string, limit: string): Validation {
  if (!Array.isArray(lines) || lines.length < LINES_MIN || lines.length > LINES_MAX) return fail(field, limit, lines);
  // Small reservations are the common case: compare pairwise below 8 lines, use a set above.
  const seen = lines.length >= 8 ? new Set<string>() : null;
  for (let i = 0; i < lines.length; i++) {
    const line: unknown = lines[i];
    if (!isRecord(line)) return fail(`${field}[${i}]`, 'object with sku, location, quantity', line);
    if (!isValidSku(line.sku)) return fail(`${field}[${i}].sku`, LIMIT_SKU, line.sku);
    if (!isValidLocation(line.location)) return fail(`${field}[${i}].location`, LIMIT_LOCATION, line.location);
    if (!isValidQuantity(line.quantity)) return fail(`${field}[${i}].quantity`, LIMIT_QUANTITY, line.quantity);
    let duplicate = false;
    if (seen !== null) {
      const key = `${line.sku}!${line.location}`;
      duplicate = seen.has(key);
      seen.add(key);
    } else {
      for (let j = 0; j < i; j++) {
        const other = lines[j] as { sku: string; location: string };
        if (other.sku === line.sku && other.location === line.location) duplicate = true;
      }
    }
    if (duplicate) return fail(`${field}[${i}]`, `${limit}; position ${line.sku}@${line.location} appears twice`, `${line.sku}@${line.location}`);
  }
  return OK;
}

export const LIMIT_ID_TIME = `absent, or integer 0..${TIME_MS_MAX} (milliseconds)`;
export const LIMIT_CHECKED_INDEX = 'absent, or a non-negative safe integer';

function isOptionalNat(value: unknown, max: number): boolean {
  return value === undefined || value === null || (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= max);
}

/** Validates one command of any origin (decoded bytes, gRPC request, test input). Returns
 * the first offending field with its limit and value. Fields not named by the command's
 * kind are ignored. The id time is checked here only for its range; how old or how far
 * ahead it may be depends on the log time (ledger.ts). */
export function validateCommand(cmd: unknown): Validation {
  const v = validateKind(cmd);
  if (!v.ok) return v;
  const c = cmd as Record<string, unknown>;
  if (!isOptionalNat(c.id_time_ms, TIME_MS_MAX)) return fail('id_time_ms', LIMIT_ID_TIME, c.id_time_ms);
  if (!isOptionalNat(c.checked_index, Number.MAX_SAFE_INTEGER)) return fail('checked_index', LIMIT_CHECKED_INDEX, c.checked_index);
  return OK;
}

function validateKind(cmd: unknown): Validation {
  if (!isRecord(cmd)) return fail('command', 'object with a kind', cmd);
  switch (cmd.kind) {
    case 'adjust': {
      if (!isValidId(cmd.op_id)) return fail('op_id', LIMIT_ID, cmd.op_id);
      if (!isValidSku(cmd.sku)) return fail('sku', LIMIT_SKU, cmd.sku);
      if (!isValidLocation(cmd.location)) return fail('location', LIMIT_LOCATION, cmd.location);
      const delta = cmd.delta;
      if (typeof delta !== 'number' || !Number.isInteger(delta) || delta === 0 || Math.abs(delta) > QUANTITY_MAX) {
        return fail('delta', LIMIT_DELTA, delta);
      }
      if (!isValidText(cmd.reason)) return fail('reason', LIMIT_TEXT, cmd.reason);
      if (!isValidText(cmd.reference)) return fail('reference', LIMIT_TEXT, cmd.reference);
      const expected = cmd.expected_on_hand;
      if (expected !== undefined && expected !== null) {
        if (typeof expected !== 'number' || !Number.isInteger(expected) || expected < 0 || expected > BALANCE_MAX) {
          return fail('expected_on_hand', LIMIT_EXPECTED_ON_HAND, expected);
        }
      }
      return OK;
    }
    case 'reserve': {
      if (!isValidId(cmd.reservation_id)) return fail('reservation_id', LIMIT_ID, cmd.reservation_id);
      // With allocations (rules version 4) the explicit lines may be none.
      const allocating = allocationCount(cmd.allocations) > 0 && Array.isArray(cmd.lines) && cmd.lines.length === 0;
      const lines = allocating ? OK : validateLines(cmd.lines, 'lines', LIMIT_LINES);
      if (!lines.ok) return lines;
      if (!isValidTtl(cmd.ttl_ms)) return fail('ttl_ms', LIMIT_TTL, cmd.ttl_ms);
      if (!isValidText(cmd.order_ref)) return fail('order_ref', LIMIT_TEXT, cmd.order_ref);
      if (cmd.allocations === undefined && cmd.customer_id === undefined && cmd.backorder === undefined && cmd.wait_ms === undefined) return OK;
      return validateReserveCommerce(cmd, (cmd.lines as unknown[]).length);
    }
    case 'commit': {
      if (!isValidId(cmd.op_id)) return fail('op_id', LIMIT_ID, cmd.op_id);
      if (!isValidId(cmd.reservation_id)) return fail('reservation_id', LIMIT_ID, cmd.reservation_id);
      if (cmd.lines !== undefined && cmd.lines !== null && !(Array.isArray(cmd.lines) && cmd.lines.length === 0)) {
        const lines = validateLines(cmd.lines, 'lines', LIMIT_COMMIT_LINES);
        if (!lines.ok) return lines;
      }
      return OK;
    }
    case 'release': {
      if (!isValidId(cmd.op_id)) return fail('op_id', LIMIT_ID, cmd.op_id);
      if (!isValidId(cmd.reservation_id)) return fail('reservation_id', LIMIT_ID, cmd.reservation_id);
      if (!isValidText(cmd.reason)) return fail('reason', LIMIT_TEXT, cmd.reason);
      return OK;
    }
    case 'extend': {
      if (!isValidId(cmd.op_id)) return fail('op_id', LIMIT_ID, cmd.op_id);
      if (!isValidId(cmd.reservation_id)) return fail('reservation_id', LIMIT_ID, cmd.reservation_id);
      if (!isValidTtl(cmd.ttl_ms)) return fail('ttl_ms', LIMIT_TTL, cmd.ttl_ms);
      return OK;
    }
    case 'admin': {
      if (!isValidId(cmd.op_id)) return fail('op_id', LIMIT_ID, cmd.op_id);
      if (typeof cmd.action !== 'string' || !ADMIN_ACTION_SET.has(cmd.action)) return fail('action', LIMIT_ADMIN_ACTION, cmd.action);
      if (cmd.principal === '' || !isValidText(cmd.principal, ADMIN_PRINCIPAL_BYTES_MAX)) return fail('principal', LIMIT_ADMIN_PRINCIPAL, cmd.principal);
      if (!isValidText(cmd.target, ADMIN_TARGET_BYTES_MAX)) return fail('target', LIMIT_ADMIN_TARGET, cmd.target);
      if (cmd.action === 'history_archived' && !isLogIndexText(cmd.target)) return fail('target', LIMIT_ARCHIVED_TARGET, cmd.target);
      if (!isValidText(cmd.detail, ADMIN_DETAIL_BYTES_MAX)) return fail('detail', LIMIT_ADMIN_DETAIL, cmd.detail);
      return OK;
    }
    default:
      return validateCommerceKind(cmd) ?? fail('kind', LIMIT_KIND, cmd.kind);
  }
}
