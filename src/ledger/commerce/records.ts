// Stored records of commerce (rules version 4) in the 'state' sublevel, and their strict
// parsers for load:
//   k!<sku>                  SkuPolicyRecord
//   t!<transfer_id>          TransferRecord
//   u!<sku>!<customer_id>    UsageRecord (a customer's counted reservations of a SKU)
// Position commerce fields live in the position record itself (records.ts), each present
// only when non-zero.

import { StateCorruption } from '../records.js';
import { isValidId, isValidLocation, isValidQuantity, isValidSku, isValidText } from '../validate.js';
import { detach } from '../strings.js';

export const SKU_POLICY_PREFIX = 'k!';
export const TRANSFER_PREFIX = 't!';
export const USAGE_PREFIX = 'u!';

export interface SkuPolicyRecord {
  readonly v: 1;
  readonly sku: string;
  readonly customer_limit: number;
  readonly customer_window_ms: number;
}

export interface TransferRecord {
  readonly v: 1;
  readonly transfer_id: string;
  readonly sku: string;
  readonly from_location: string;
  readonly to_location: string;
  readonly quantity: number;
  readonly reference: string;
  readonly shipped_ms: number;
  /** Units received; -1 while in transit. */
  readonly received: number;
}

/** [reservation_id, created_ms, units]: units the reservation counts against the limit. */
export type UsageEntry = readonly [string, number, number];

export interface UsageRecord {
  readonly v: 1;
  readonly sku: string;
  readonly customer_id: string;
  /** In arrival order. */
  readonly entries: readonly UsageEntry[];
}

export function skuPolicyKey(sku: string): string {
  return SKU_POLICY_PREFIX + sku;
}

export function transferKey(id: string): string {
  return TRANSFER_PREFIX + id;
}

export function usageKey(sku: string, customer_id: string): string {
  return USAGE_PREFIX + sku + '!' + customer_id;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isNat(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

export function parseSkuPolicy(key: string, v: unknown): SkuPolicyRecord {
  if (!isRecord(v) || v.v !== 1 || !isValidSku(v.sku) || key !== skuPolicyKey(v.sku)) throw new StateCorruption(key, 'sku policy is not a version 1 record of its key');
  if (!isNat(v.customer_limit) || !isNat(v.customer_window_ms)) throw new StateCorruption(key, 'sku policy numbers are not non-negative integers');
  return { v: 1, sku: detach(v.sku), customer_limit: v.customer_limit, customer_window_ms: v.customer_window_ms };
}

export function parseTransfer(key: string, v: unknown): TransferRecord {
  if (!isRecord(v) || v.v !== 1 || !isValidId(v.transfer_id) || key !== transferKey(v.transfer_id)) throw new StateCorruption(key, 'transfer is not a version 1 record of its key');
  if (!isValidSku(v.sku) || !isValidLocation(v.from_location) || !isValidLocation(v.to_location) || !isValidText(v.reference)) throw new StateCorruption(key, 'transfer names are invalid');
  if (!isValidQuantity(v.quantity) || !isNat(v.shipped_ms)) throw new StateCorruption(key, 'transfer quantity or time is invalid');
  if (typeof v.received !== 'number' || !Number.isSafeInteger(v.received) || v.received < -1 || v.received > v.quantity) throw new StateCorruption(key, `transfer received ${String(v.received)} is not -1..quantity`);
  return {
    v: 1,
    transfer_id: detach(v.transfer_id),
    sku: detach(v.sku),
    from_location: detach(v.from_location),
    to_location: detach(v.to_location),
    quantity: v.quantity,
    reference: detach(v.reference),
    shipped_ms: v.shipped_ms,
    received: v.received,
  };
}

export function parseUsage(key: string, v: unknown): UsageRecord {
  if (!isRecord(v) || v.v !== 1 || !isValidSku(v.sku) || !isValidId(v.customer_id) || key !== usageKey(v.sku, v.customer_id)) {
    throw new StateCorruption(key, 'usage is not a version 1 record of its key');
  }
  if (!Array.isArray(v.entries) || v.entries.length === 0) throw new StateCorruption(key, 'usage has no entries');
  const entries = v.entries.map((e: unknown, i): UsageEntry => {
    if (!Array.isArray(e) || e.length !== 3 || !isValidId(e[0]) || !isNat(e[1]) || !isValidQuantity(e[2])) throw new StateCorruption(key, `usage entries[${i}] is not [id, created_ms, units]`);
    return [detach(e[0] as string), e[1] as number, e[2] as number];
  });
  return { v: 1, sku: detach(v.sku), customer_id: detach(v.customer_id), entries };
}
