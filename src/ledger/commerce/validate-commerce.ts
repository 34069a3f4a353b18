// Field checks of the commerce commands and reserve fields (rules version 4), against the
// limits in limits.ts. Called by validateCommand (validate.ts) like every other check: at
// the gRPC edge before proposing, and again at apply.

import {
  ALLOCATION_LOCATIONS_MAX,
  ALLOCATION_LOCATIONS_MIN,
  BALANCE_MAX,
  CUSTOMER_WINDOW_MS_MAX,
  CUSTOMER_WINDOW_MS_MIN,
  ID_BYTES_MAX,
  ID_BYTES_MIN,
  LINES_MAX,
  POLICY_QUANTITY_MAX,
  QUANTITY_MAX,
  WAIT_MS_MAX,
  WAIT_MS_MIN,
} from '../limits.js';
import { ALLOCATION_STRATEGIES } from '../types.js';
import { fail, isValidId, isValidLocation, isValidQuantity, isValidSku, isValidText, LIMIT_ID, LIMIT_LOCATION, LIMIT_QUANTITY, LIMIT_SKU, LIMIT_TEXT, OK, type Validation } from '../validate.js';

export const LIMIT_POLICY_QUANTITY = `integer 0..${POLICY_QUANTITY_MAX} (0: off)`;
export const LIMIT_CUSTOMER_WINDOW = `0 (for ever), or integer ${CUSTOMER_WINDOW_MS_MIN}..${CUSTOMER_WINDOW_MS_MAX} (milliseconds)`;
export const LIMIT_COUNTED = `integer 0..${BALANCE_MAX}`;
export const LIMIT_RECEIVED = `integer 0..${QUANTITY_MAX}, at most the shipped quantity`;
export const LIMIT_WAIT_MS = `absent, or integer ${WAIT_MS_MIN}..${WAIT_MS_MAX} (milliseconds)`;
export const LIMIT_ALLOCATIONS = `absent, or array of allocation lines; lines + allocations: 1..${LINES_MAX}`;
export const LIMIT_ALLOCATION_LOCATIONS = `array of ${ALLOCATION_LOCATIONS_MIN}..${ALLOCATION_LOCATIONS_MAX} distinct locations`;
export const LIMIT_STRATEGY = `one of ${ALLOCATION_STRATEGIES.join(', ')}`;
// validate.ts imports this module: its constants are read at call time only (a cycle).
export const LIMIT_CUSTOMER_ID = `absent, or string of ${ID_BYTES_MIN}..${ID_BYTES_MAX} bytes of printable ASCII (0x21..0x7e)`;
export const LIMIT_BACKORDER = 'absent, or a boolean';
export const LIMIT_WAIT_LINES = 'a waiting reserve (wait_ms set) has exactly one line';
export const LIMIT_WAIT_ALLOCATIONS = 'a waiting reserve (wait_ms set) has no allocations';
export const LIMIT_WAIT_BACKORDER = 'a waiting reserve (wait_ms set) does not backorder';

const STRATEGY_SET: ReadonlySet<unknown> = new Set(ALLOCATION_STRATEGIES);

function isPolicyQuantity(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= POLICY_QUANTITY_MAX;
}

function isSet(v: unknown): boolean {
  return v !== undefined && v !== null;
}

/** Number of allocation lines a reserve carries (0 when absent), or -1 when malformed. */
export function allocationCount(v: unknown): number {
  if (!isSet(v)) return 0;
  return Array.isArray(v) ? v.length : -1;
}

function validateAllocation(a: unknown, field: string): Validation {
  if (typeof a !== 'object' || a === null || Array.isArray(a)) return fail(field, 'object with sku, locations, quantity, strategy, split', a);
  const r = a as Record<string, unknown>;
  if (!isValidSku(r.sku)) return fail(`${field}.sku`, LIMIT_SKU, r.sku);
  const locs = r.locations;
  if (!Array.isArray(locs) || locs.length < ALLOCATION_LOCATIONS_MIN || locs.length > ALLOCATION_LOCATIONS_MAX) return fail(`${field}.locations`, LIMIT_ALLOCATION_LOCATIONS, locs);
  for (let j = 0; j < locs.length; j++) {
    const loc: unknown = locs[j];
    if (!isValidLocation(loc)) return fail(`${field}.locations[${j}]`, LIMIT_LOCATION, loc);
    if (locs.indexOf(loc) !== j) return fail(`${field}.locations[${j}]`, `${LIMIT_ALLOCATION_LOCATIONS}; ${loc} appears twice`, loc);
  }
  if (!isValidQuantity(r.quantity)) return fail(`${field}.quantity`, LIMIT_QUANTITY, r.quantity);
  if (!STRATEGY_SET.has(r.strategy)) return fail(`${field}.strategy`, LIMIT_STRATEGY, r.strategy);
  if (typeof r.split !== 'boolean') return fail(`${field}.split`, 'a boolean', r.split);
  return OK;
}

/** The commerce fields of a reserve (its lines were checked, 0 of them allowed when it
 * has allocations). `lines_count`: how many explicit lines it has. */
export function validateReserveCommerce(cmd: Record<string, unknown>, lines_count: number): Validation {
  const n = allocationCount(cmd.allocations);
  if (n < 0 || lines_count + n < 1 || lines_count + n > LINES_MAX) return fail('allocations', LIMIT_ALLOCATIONS, cmd.allocations);
  for (let i = 0; i < n; i++) {
    const v = validateAllocation((cmd.allocations as unknown[])[i], `allocations[${i}]`);
    if (!v.ok) return v;
  }
  if (isSet(cmd.customer_id) && !isValidId(cmd.customer_id)) return fail('customer_id', LIMIT_CUSTOMER_ID, cmd.customer_id);
  if (isSet(cmd.backorder) && typeof cmd.backorder !== 'boolean') return fail('backorder', LIMIT_BACKORDER, cmd.backorder);
  if (isSet(cmd.wait_ms)) {
    const w = cmd.wait_ms;
    if (typeof w !== 'number' || !Number.isInteger(w) || w < WAIT_MS_MIN || w > WAIT_MS_MAX) return fail('wait_ms', LIMIT_WAIT_MS, w);
    if (lines_count !== 1) return fail('lines', LIMIT_WAIT_LINES, cmd.lines);
    if (n > 0) return fail('allocations', LIMIT_WAIT_ALLOCATIONS, cmd.allocations);
    if (cmd.backorder === true) return fail('backorder', LIMIT_WAIT_BACKORDER, cmd.backorder);
  }
  return OK;
}

/** The commerce command kinds; null for any other kind. */
export function validateCommerceKind(cmd: Record<string, unknown>): Validation | null {
  switch (cmd.kind) {
    case 'set_position_policy':
      if (!isValidId(cmd.op_id)) return fail('op_id', LIMIT_ID, cmd.op_id);
      if (!isValidSku(cmd.sku)) return fail('sku', LIMIT_SKU, cmd.sku);
      if (!isValidLocation(cmd.location)) return fail('location', LIMIT_LOCATION, cmd.location);
      if (!isPolicyQuantity(cmd.backorder_limit)) return fail('backorder_limit', LIMIT_POLICY_QUANTITY, cmd.backorder_limit);
      if (!isPolicyQuantity(cmd.low_stock_threshold)) return fail('low_stock_threshold', LIMIT_POLICY_QUANTITY, cmd.low_stock_threshold);
      return OK;
    case 'set_sku_policy': {
      if (!isValidId(cmd.op_id)) return fail('op_id', LIMIT_ID, cmd.op_id);
      if (!isValidSku(cmd.sku)) return fail('sku', LIMIT_SKU, cmd.sku);
      if (!isPolicyQuantity(cmd.customer_limit)) return fail('customer_limit', LIMIT_POLICY_QUANTITY, cmd.customer_limit);
      const w = cmd.customer_window_ms;
      if (typeof w !== 'number' || !Number.isInteger(w) || (w !== 0 && (w < CUSTOMER_WINDOW_MS_MIN || w > CUSTOMER_WINDOW_MS_MAX))) {
        return fail('customer_window_ms', LIMIT_CUSTOMER_WINDOW, w);
      }
      return OK;
    }
    case 'transfer':
      if (!isValidId(cmd.op_id)) return fail('op_id', LIMIT_ID, cmd.op_id);
      if (!isValidSku(cmd.sku)) return fail('sku', LIMIT_SKU, cmd.sku);
      if (!isValidLocation(cmd.from_location)) return fail('from_location', LIMIT_LOCATION, cmd.from_location);
      if (!isValidLocation(cmd.to_location)) return fail('to_location', LIMIT_LOCATION, cmd.to_location);
      if (cmd.to_location === cmd.from_location) return fail('to_location', `${LIMIT_LOCATION}, not from_location`, cmd.to_location);
      if (!isValidQuantity(cmd.quantity)) return fail('quantity', LIMIT_QUANTITY, cmd.quantity);
      if (!isValidText(cmd.reference)) return fail('reference', LIMIT_TEXT, cmd.reference);
      return OK;
    case 'receive_transfer': {
      if (!isValidId(cmd.op_id)) return fail('op_id', LIMIT_ID, cmd.op_id);
      if (!isValidId(cmd.transfer_id)) return fail('transfer_id', LIMIT_ID, cmd.transfer_id);
      const r = cmd.received;
      if (typeof r !== 'number' || !Number.isInteger(r) || r < 0 || r > QUANTITY_MAX) return fail('received', LIMIT_RECEIVED, r);
      return OK;
    }
    case 'count': {
      if (!isValidId(cmd.op_id)) return fail('op_id', LIMIT_ID, cmd.op_id);
      if (!isValidSku(cmd.sku)) return fail('sku', LIMIT_SKU, cmd.sku);
      if (!isValidLocation(cmd.location)) return fail('location', LIMIT_LOCATION, cmd.location);
      const c = cmd.counted;
      if (typeof c !== 'number' || !Number.isInteger(c) || c < 0 || c > BALANCE_MAX) return fail('counted', LIMIT_COUNTED, c);
      if (!isValidText(cmd.reference)) return fail('reference', LIMIT_TEXT, cmd.reference);
      return OK;
    }
    default:
      return null;
  }
}
