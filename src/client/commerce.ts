// The SDK's commerce inputs (ledger rules version 4, docs/commerce.md) and their wire
// encoding. StockraftClient exposes them as setPositionPolicy, setSkuPolicy, transfer,
// receiveTransfer and count, and reserve takes the new optional fields.

import type { AllocationLine } from '../ledger/types.js';
import type * as W from '../wire/types.js';

export interface IdTimeInput {
  readonly id_time_ms?: number;
}

export interface ReserveCommerceInput {
  /** Lines whose location the ledger picks among candidates. */
  readonly allocations?: readonly AllocationLine[];
  /** Required when a SKU of the reserve has a per-customer limit. */
  readonly customer_id?: string;
  /** May take units beyond available, up to each position's backorder room. */
  readonly backorder?: boolean;
  /** When short, wait in the position's wait-list this long (1 s..7 d); one line only. */
  readonly wait_ms?: number;
}

export interface SetPositionPolicyInput extends IdTimeInput {
  readonly op_id?: string;
  readonly sku: string;
  readonly location: string;
  /** 0 = no backorders. */
  readonly backorder_limit: number;
  /** 0 = off. */
  readonly low_stock_threshold?: number;
}

export interface SetSkuPolicyInput extends IdTimeInput {
  readonly op_id?: string;
  readonly sku: string;
  /** Units per customer; 0 = no limit. */
  readonly customer_limit: number;
  /** 0 = for ever. */
  readonly customer_window_ms?: number;
}

export interface TransferInput extends IdTimeInput {
  /** The transfer id (ReceiveTransfer names it). */
  readonly op_id?: string;
  readonly sku: string;
  readonly from_location: string;
  readonly to_location: string;
  readonly quantity: number;
  readonly reference?: string;
}

export interface ReceiveTransferInput extends IdTimeInput {
  readonly op_id?: string;
  readonly transfer_id: string;
  readonly received: number;
}

export interface CountInput extends IdTimeInput {
  readonly op_id?: string;
  readonly sku: string;
  readonly location: string;
  readonly counted: number;
  readonly reference?: string;
}

export type CommerceOpInput =
  | ({ readonly kind: 'set_position_policy' } & SetPositionPolicyInput)
  | ({ readonly kind: 'set_sku_policy' } & SetSkuPolicyInput)
  | ({ readonly kind: 'transfer' } & TransferInput)
  | ({ readonly kind: 'receive_transfer' } & ReceiveTransferInput)
  | ({ readonly kind: 'count' } & CountInput);

/** The wire fields a reserve adds for its commerce inputs (none when unused). */
export function reserveCommerceToWire(input: ReserveCommerceInput): Partial<W.WireReserve> {
  const out: Partial<W.WireReserve> = {};
  if (input.allocations !== undefined && input.allocations.length > 0) {
    out.allocations = input.allocations.map((a) => ({ sku: a.sku, locations: [...a.locations], quantity: a.quantity, strategy: `ALLOCATION_STRATEGY_${a.strategy}`, split: a.split }));
  }
  if (input.customer_id !== undefined) out.customer_id = input.customer_id;
  if (input.backorder !== undefined) out.backorder = input.backorder;
  if (input.wait_ms !== undefined) out.wait_ms = input.wait_ms;
  return out;
}

/** The wire Op of a commerce command, under the id chosen for it. */
export function commerceToWire(op: CommerceOpInput, id: string, stamp: { id_time_ms?: number }): W.WireOp {
  switch (op.kind) {
    case 'set_position_policy':
      return { set_position_policy: { ...stamp, op_id: id, sku: op.sku, location: op.location, backorder_limit: op.backorder_limit, low_stock_threshold: op.low_stock_threshold ?? 0 } };
    case 'set_sku_policy':
      return { set_sku_policy: { ...stamp, op_id: id, sku: op.sku, customer_limit: op.customer_limit, customer_window_ms: op.customer_window_ms ?? 0 } };
    case 'transfer':
      return { transfer: { ...stamp, op_id: id, sku: op.sku, from_location: op.from_location, to_location: op.to_location, quantity: op.quantity, reference: op.reference ?? '' } };
    case 'receive_transfer':
      return { receive_transfer: { ...stamp, op_id: id, transfer_id: op.transfer_id, received: op.received } };
    case 'count':
      return { count: { ...stamp, op_id: id, sku: op.sku, location: op.location, counted: op.counted, reference: op.reference ?? '' } };
  }
}

/** The rpc of an op kind: 'receive_transfer' -> 'ReceiveTransfer'. */
export function rpcName(kind: string): string {
  return kind
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}
