// Edge validation of the commerce requests (ledger rules version 4, docs/commerce.md):
// the new reserve fields and the five new commands. Like validate.ts, anything outside the
// limits is refused with an EdgeError naming the field, the limit and the value, before
// the node sees it. Absent wire values (empty string, false, 0, []) leave the command's
// field out, so a reserve without them is the same command (and fingerprint) as before.

import type { AllocationLine, AllocationStrategy, Command } from '../ledger/types.js';
import {
  ALLOCATION_LOCATIONS_MAX,
  ALLOCATION_LOCATIONS_MIN,
  BALANCE_MAX,
  CUSTOMER_WINDOW_MS_MAX,
  CUSTOMER_WINDOW_MS_MIN,
  LINES_MAX,
  POLICY_QUANTITY_MAX,
  TIME_MS_MAX,
  WAIT_MS_MAX,
  WAIT_MS_MIN,
} from '../ledger/limits.js';
import type { WireAllocationLine, WireCount, WireReceiveTransfer, WireReserve, WireSetPositionPolicy, WireSetSkuPolicy, WireStockTransfer } from './types.js';
import { EdgeError, checkId, checkInt, checkLocation, checkQuantity, checkSku, checkText, shown } from './validate.js';

export const ALLOCATION_STRATEGY_PREFIX = 'ALLOCATION_STRATEGY_';

function checkStrategy(field: string, value: unknown): AllocationStrategy {
  if (value === 'ALLOCATION_STRATEGY_PRIORITY' || value === 1) return 'PRIORITY';
  if (value === 'ALLOCATION_STRATEGY_MOST_AVAILABLE' || value === 2) return 'MOST_AVAILABLE';
  throw new EdgeError(field, 'must be ALLOCATION_STRATEGY_PRIORITY or ALLOCATION_STRATEGY_MOST_AVAILABLE', shown(value));
}

function checkAllocation(field: string, value: unknown): AllocationLine {
  if (value === null || typeof value !== 'object') throw new EdgeError(field, 'is required', shown(value));
  const a = value as WireAllocationLine;
  if (!Array.isArray(a.locations) || a.locations.length < ALLOCATION_LOCATIONS_MIN || a.locations.length > ALLOCATION_LOCATIONS_MAX) {
    throw new EdgeError(`${field}.locations`, `must hold ${ALLOCATION_LOCATIONS_MIN}..${ALLOCATION_LOCATIONS_MAX} locations`, Array.isArray(a.locations) ? `${a.locations.length} items` : shown(a.locations));
  }
  const locations = a.locations.map((l, i) => checkLocation(`${field}.locations[${i}]`, l));
  const dup = locations.find((l, i) => locations.indexOf(l) !== i);
  if (dup !== undefined) throw new EdgeError(`${field}.locations`, 'must be distinct', shown(dup));
  if (typeof a.split !== 'boolean') throw new EdgeError(`${field}.split`, 'must be a boolean', shown(a.split));
  return { sku: checkSku(`${field}.sku`, a.sku), locations, quantity: checkQuantity(`${field}.quantity`, a.quantity), strategy: checkStrategy(`${field}.strategy`, a.strategy), split: a.split };
}

type ReserveCommand = Extract<Command, { kind: 'reserve' }>;
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Adds the commerce fields of a wire reserve to its command (lines already checked). */
export function withReserveCommerce(field: string, w: WireReserve, base: ReserveCommand): ReserveCommand {
  const out: Mutable<ReserveCommand> = { ...base };
  const raw = w.allocations ?? [];
  if (!Array.isArray(raw)) throw new EdgeError(`${field}allocations`, 'must be a list', shown(raw));
  if (raw.length > 0) {
    if (base.lines.length + raw.length > LINES_MAX) throw new EdgeError(`${field}allocations`, `lines + allocations must hold 1..${LINES_MAX} items`, `${base.lines.length + raw.length} items`);
    out.allocations = raw.map((a, i) => checkAllocation(`${field}allocations[${i}]`, a));
  }
  if (w.customer_id !== undefined && w.customer_id !== null && w.customer_id !== '') out.customer_id = checkId(`${field}customer_id`, w.customer_id);
  if (w.backorder === true) out.backorder = true;
  else if (w.backorder !== undefined && w.backorder !== null && w.backorder !== false) throw new EdgeError(`${field}backorder`, 'must be a boolean', shown(w.backorder));
  // The server's loader hands int64 over as decimal text ("0" when absent): parse first.
  const wait_ms = w.wait_ms === undefined || w.wait_ms === null ? 0 : checkInt(`${field}wait_ms`, w.wait_ms, 0, WAIT_MS_MAX);
  if (wait_ms !== 0) {
    // Shown as the caller's number, like checkInt does.
    if (wait_ms < WAIT_MS_MIN) throw new EdgeError(`${field}wait_ms`, `must be 0 (no waiting) or an integer in ${WAIT_MS_MIN}..${WAIT_MS_MAX}`, String(wait_ms));
    out.wait_ms = wait_ms;
    if (base.lines.length !== 1) throw new EdgeError(`${field}wait_ms`, 'a waiting reserve has exactly one line', `${base.lines.length} lines`);
    if (out.allocations !== undefined) throw new EdgeError(`${field}allocations`, 'a waiting reserve has no allocations', `${out.allocations.length} items`);
    if (out.backorder === true) throw new EdgeError(`${field}backorder`, 'a waiting reserve does not backorder', 'true');
  }
  return out;
}

/** The explicit lines of a reserve may be empty when it allocates. */
export function reserveLinesMin(w: WireReserve): number {
  return Array.isArray(w.allocations) && w.allocations.length > 0 ? 0 : 1;
}

function withIdTime<C extends Command>(field: string, command: C, id_time_ms: unknown): C {
  if (id_time_ms === undefined || id_time_ms === null) return command;
  return { ...command, id_time_ms: checkInt(`${field}id_time_ms`, id_time_ms, 0, TIME_MS_MAX) };
}

export function setPositionPolicyCommand(field: string, w: WireSetPositionPolicy): Command {
  const command: Command = {
    kind: 'set_position_policy',
    op_id: checkId(`${field}op_id`, w.op_id),
    sku: checkSku(`${field}sku`, w.sku),
    location: checkLocation(`${field}location`, w.location),
    backorder_limit: checkInt(`${field}backorder_limit`, w.backorder_limit, 0, POLICY_QUANTITY_MAX),
    low_stock_threshold: checkInt(`${field}low_stock_threshold`, w.low_stock_threshold, 0, POLICY_QUANTITY_MAX),
  };
  return withIdTime(field, command, w.id_time_ms);
}

export function setSkuPolicyCommand(field: string, w: WireSetSkuPolicy): Command {
  const window = checkInt(`${field}customer_window_ms`, w.customer_window_ms, 0, CUSTOMER_WINDOW_MS_MAX);
  if (window !== 0 && window < CUSTOMER_WINDOW_MS_MIN) throw new EdgeError(`${field}customer_window_ms`, `must be 0 (for ever) or ${CUSTOMER_WINDOW_MS_MIN}..${CUSTOMER_WINDOW_MS_MAX}`, shown(window));
  const command: Command = {
    kind: 'set_sku_policy',
    op_id: checkId(`${field}op_id`, w.op_id),
    sku: checkSku(`${field}sku`, w.sku),
    customer_limit: checkInt(`${field}customer_limit`, w.customer_limit, 0, POLICY_QUANTITY_MAX),
    customer_window_ms: window,
  };
  return withIdTime(field, command, w.id_time_ms);
}

export function transferCommand(field: string, w: WireStockTransfer): Command {
  const from_location = checkLocation(`${field}from_location`, w.from_location);
  const to_location = checkLocation(`${field}to_location`, w.to_location);
  if (from_location === to_location) throw new EdgeError(`${field}to_location`, 'must differ from from_location', shown(to_location));
  const command: Command = {
    kind: 'transfer',
    op_id: checkId(`${field}op_id`, w.op_id),
    sku: checkSku(`${field}sku`, w.sku),
    from_location,
    to_location,
    quantity: checkQuantity(`${field}quantity`, w.quantity),
    reference: checkText(`${field}reference`, w.reference),
  };
  return withIdTime(field, command, w.id_time_ms);
}

export function receiveTransferCommand(field: string, w: WireReceiveTransfer): Command {
  const command: Command = {
    kind: 'receive_transfer',
    op_id: checkId(`${field}op_id`, w.op_id),
    transfer_id: checkId(`${field}transfer_id`, w.transfer_id),
    // The upper bound is the shipped quantity, which only the ledger knows.
    received: checkInt(`${field}received`, w.received, 0, BALANCE_MAX),
  };
  return withIdTime(field, command, w.id_time_ms);
}

export function countCommand(field: string, w: WireCount): Command {
  const command: Command = {
    kind: 'count',
    op_id: checkId(`${field}op_id`, w.op_id),
    sku: checkSku(`${field}sku`, w.sku),
    location: checkLocation(`${field}location`, w.location),
    counted: checkInt(`${field}counted`, w.counted, 0, BALANCE_MAX),
    reference: checkText(`${field}reference`, w.reference),
  };
  return withIdTime(field, command, w.id_time_ms);
}
