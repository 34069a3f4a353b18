// The commerce commands (rules version 4) other than reserve: position and SKU policies,
// transfers and their receipt, cycle counts. Each is validated already (validate.ts) and
// runs once under its op id (the Ledger records its outcome).

import { BALANCE_MAX } from '../limits.js';
import type { Command, CommandResult } from '../types.js';
import { renderValue } from '../validate.js';
import type { Commerce } from './commerce.js';
import { availableOf } from './extras.js';
import type { CommerceBatch } from './host.js';
import { skuPolicyKey, transferKey, type SkuPolicyRecord, type TransferRecord } from './records.js';

type Cmd<K extends Command['kind']> = Extract<Command, { kind: K }>;

function detailFailure(code: 'POSITION_NOT_FOUND' | 'TRANSFER_NOT_FOUND' | 'TRANSFER_RECEIVED' | 'BACKORDER_LIMIT_BELOW_BACKORDERED' | 'BALANCE_LIMIT', detail: string): CommandResult {
  return { code, replay: false, detail };
}

/** INVALID_ARGUMENT judged against state (not recorded, like every INVALID_ARGUMENT), or
 * null: a reserve without customer_id on a SKU with a customer limit, a receipt of more
 * than was shipped. */
export function commercePrecheck(c: Commerce, cmd: Command): CommandResult | null {
  if (cmd.kind === 'reserve') {
    if (cmd.customer_id !== undefined && cmd.customer_id !== null) return null;
    const skus = cmd.lines.map((l) => l.sku).concat((cmd.allocations ?? []).map((a) => a.sku));
    for (const sku of skus) {
      const limit = c.sku_policies.get(sku)?.customer_limit ?? 0;
      if (limit > 0) return { code: 'INVALID_ARGUMENT', replay: false, field: 'customer_id', limit: `required: SKU ${sku} has a customer limit of ${limit}`, value: renderValue(cmd.customer_id) };
    }
    return null;
  }
  if (cmd.kind === 'receive_transfer') {
    const t = c.transfers.get(cmd.transfer_id);
    if (t !== undefined && cmd.received > t.quantity) return { code: 'INVALID_ARGUMENT', replay: false, field: 'received', limit: `integer 0..${t.quantity} (the units transfer ${t.transfer_id} shipped)`, value: String(cmd.received) };
  }
  return null;
}

export function setPositionPolicy(c: Commerce, batch: CommerceBatch, cmd: Cmd<'set_position_policy'>): CommandResult {
  const P = c.host.positions;
  const slot = P.findOrAdd(cmd.sku, cmd.location);
  const bo = P.seq(slot) === 0 ? 0 : c.backordered(slot);
  if (cmd.backorder_limit < bo) {
    return detailFailure('BACKORDER_LIMIT_BELOW_BACKORDERED', `${cmd.sku}@${cmd.location} has ${bo} backordered units; a backorder limit of ${cmd.backorder_limit} is below them`);
  }
  const e = c.extras.getOrAdd(slot);
  e.backorder_limit = cmd.backorder_limit;
  e.low_stock_threshold = cmd.low_stock_threshold;
  const view = c.host.change(batch, slot, 'POLICY', cmd.op_id, '', 0, 0);
  return { code: 'OK', replay: false, positions: [view], reservation: null };
}

/** Changes no position: the policy is state (k!<sku>) and the outcome; no event. */
export function setSkuPolicy(c: Commerce, batch: CommerceBatch, cmd: Cmd<'set_sku_policy'>): CommandResult {
  const rec: SkuPolicyRecord = { v: 1, sku: cmd.sku, customer_limit: cmd.customer_limit, customer_window_ms: cmd.customer_window_ms };
  c.sku_policies.set(cmd.sku, rec);
  batch.writes.push({ type: 'put', sublevel: 'state', key: skuPolicyKey(cmd.sku), value: rec });
  return { code: 'OK', replay: false, positions: [], reservation: null };
}

export function transfer(c: Commerce, batch: CommerceBatch, cmd: Cmd<'transfer'>): CommandResult {
  const P = c.host.positions;
  const from = P.find(cmd.sku, cmd.from_location);
  if (from < 0) return detailFailure('POSITION_NOT_FOUND', `no position ${cmd.sku}@${cmd.from_location} to ship from`);
  const available = availableOf(P.onHand(from), P.reserved(from));
  if (available < cmd.quantity) {
    return { code: 'INSUFFICIENT_STOCK', replay: false, short_lines: [{ sku: cmd.sku, location: cmd.from_location, requested: cmd.quantity, available }] };
  }
  const to = P.findOrAdd(cmd.sku, cmd.to_location);
  const rec: TransferRecord = { v: 1, transfer_id: cmd.op_id, sku: cmd.sku, from_location: cmd.from_location, to_location: cmd.to_location, quantity: cmd.quantity, reference: cmd.reference, shipped_ms: batch.time_ms, received: -1 };
  c.transfers.set(rec.transfer_id, rec);
  batch.writes.push({ type: 'put', sublevel: 'state', key: transferKey(rec.transfer_id), value: rec });
  const out = c.host.change(batch, from, 'TRANSFER_OUT', cmd.op_id, '', -cmd.quantity, 0, { transfer_id: cmd.op_id });
  const e = c.extras.getOrAdd(to);
  e.in_transit += cmd.quantity;
  const into = c.host.change(batch, to, 'TRANSFER_IN', cmd.op_id, '', 0, 0, { in_transit: e.in_transit, delta_in_transit: cmd.quantity, transfer_id: cmd.op_id });
  return { code: 'OK', replay: false, positions: [out, into], reservation: null };
}

export function receiveTransfer(c: Commerce, batch: CommerceBatch, cmd: Cmd<'receive_transfer'>): CommandResult {
  const t = c.transfers.get(cmd.transfer_id);
  if (t === undefined) return detailFailure('TRANSFER_NOT_FOUND', `no transfer ${cmd.transfer_id}`);
  if (t.received >= 0) return detailFailure('TRANSFER_RECEIVED', `transfer ${cmd.transfer_id} was received already (${t.received} of ${t.quantity} units)`);
  const P = c.host.positions;
  const slot = P.find(t.sku, t.to_location);
  if (P.onHand(slot) + cmd.received > BALANCE_MAX) return detailFailure('BALANCE_LIMIT', `on_hand ${P.onHand(slot)} + ${cmd.received} of ${t.sku}@${t.to_location} would pass ${BALANCE_MAX}`);
  const rec: TransferRecord = { ...t, received: cmd.received };
  c.transfers.set(t.transfer_id, rec);
  batch.writes.push({ type: 'put', sublevel: 'state', key: transferKey(t.transfer_id), value: rec });
  const e = c.extras.getOrAdd(slot);
  e.in_transit -= t.quantity;
  const view = c.host.change(batch, slot, 'RECEIVE', cmd.op_id, '', cmd.received, 0, {
    in_transit: e.in_transit,
    delta_in_transit: -t.quantity,
    variance: cmd.received - t.quantity,
    transfer_id: t.transfer_id,
  });
  return { code: 'OK', replay: false, positions: [view], reservation: null };
}

/** on_hand := counted, refused below the units reservations hold (reserved -
 * backordered): the ledger never holds units it does not have. */
export function count(c: Commerce, batch: CommerceBatch, cmd: Cmd<'count'>): CommandResult {
  const P = c.host.positions;
  const slot = P.findOrAdd(cmd.sku, cmd.location);
  const on_hand = P.onHand(slot);
  const reserved = P.reserved(slot);
  const held = reserved < on_hand ? reserved : on_hand;
  if (cmd.counted < held) return { code: 'COUNT_BELOW_HELD', replay: false, sku: cmd.sku, location: cmd.location, counted: cmd.counted, held };
  const view = c.host.change(batch, slot, 'COUNT', cmd.op_id, '', cmd.counted - on_hand, 0, { variance: cmd.counted - on_hand });
  return { code: 'OK', replay: false, positions: [view], reservation: null };
}
