// A reserve that uses commerce (rules version 4): allocation picks, the per-customer
// limit, backorders and the wait-list. A plain reserve takes this path only when a line's
// position has a wait-list (so that it does not pass the queue).
//
// Order of judgement: positions of the explicit lines exist (POSITION_NOT_FOUND); the
// customer limit per SKU (CUSTOMER_LIMIT); allocation picks and stock per line, with the
// backorder room (INSUFFICIENT_STOCK, or WAITING when the reserve may wait).

import { fingerprint, fingerprintKey } from '../fingerprint.js';
import { ENTRY_COMMANDS_MAX } from '../limits.js';
import type { ReservationRecord } from '../records.js';
import type { Command, CommandResult, Line, Position, ShortLine } from '../types.js';
import { allocate } from './allocation.js';
import { customerField, type Commerce } from './commerce.js';
import type { CommerceBatch } from './host.js';

type ReserveCmd = Extract<Command, { kind: 'reserve' }>;

const NO_LINES: readonly Line[] = Object.freeze([]);

/** The concrete lines of a reserve: explicit lines first, then allocation picks in request
 * order, a pick on a position already taken merged into its line. */
interface Plan {
  readonly slots: number[];
  readonly quantities: number[];
  readonly short: ShortLine[];
}

function addLine(plan: Plan, slot: number, quantity: number): void {
  const at = plan.slots.indexOf(slot);
  if (at >= 0) plan.quantities[at] += quantity;
  else {
    plan.slots.push(slot);
    plan.quantities.push(quantity);
  }
}

function planLines(c: Commerce, cmd: ReserveCmd): Plan | CommandResult {
  const P = c.host.positions;
  const plan: Plan = { slots: [], quantities: [], short: [] };
  const missing: string[] = [];
  cmd.lines.forEach((l, i) => {
    const slot = P.find(l.sku, l.location);
    if (slot < 0) missing.push(`lines[${i}] ${l.sku}@${l.location}`);
    else addLine(plan, slot, l.quantity);
  });
  if (missing.length > 0) return { code: 'POSITION_NOT_FOUND', replay: false, detail: `no position for ${missing.join(', ')}` };
  for (const a of cmd.allocations ?? []) {
    const candidates = a.locations.map((location) => {
      const slot = P.find(a.sku, location);
      const taken = slot < 0 ? 0 : (plan.quantities[plan.slots.indexOf(slot)] ?? 0);
      const available = slot < 0 ? 0 : Math.max(0, c.effectiveAvailable(slot) - taken);
      return { location, available };
    });
    const r = allocate(candidates, a.quantity, a.strategy, a.split);
    if (!r.ok) plan.short.push({ sku: a.sku, location: '', requested: a.quantity, available: r.available });
    else for (const p of r.picks) addLine(plan, P.find(a.sku, p.location), p.quantity);
  }
  return plan;
}

/** CUSTOMER_LIMIT for the first SKU whose limit the reserve would pass, else null. */
function customerLimit(c: Commerce, batch: CommerceBatch, cmd: ReserveCmd): CommandResult | null {
  const customer = cmd.customer_id;
  if (customer === undefined || customer === null) return null;
  const requested = new Map<string, number>();
  for (const l of cmd.lines) requested.set(l.sku, (requested.get(l.sku) ?? 0) + l.quantity);
  for (const a of cmd.allocations ?? []) requested.set(a.sku, (requested.get(a.sku) ?? 0) + a.quantity);
  for (const [sku, req] of requested) {
    const policy = c.sku_policies.get(sku);
    if (policy === undefined || policy.customer_limit === 0) continue;
    const used = c.usage.used(sku, customer, batch.time_ms, policy.customer_window_ms);
    if (used + req > policy.customer_limit) {
      const remaining = Math.max(0, policy.customer_limit - used);
      return { code: 'CUSTOMER_LIMIT', replay: false, sku, customer_id: customer, limit: policy.customer_limit, used, requested: req, remaining };
    }
  }
  return null;
}

export function reserveCommerce(c: Commerce, batch: CommerceBatch, cmd: ReserveCmd): CommandResult {
  const plan = planLines(c, cmd);
  if (!('slots' in plan)) return plan;
  const limited = customerLimit(c, batch, cmd);
  if (limited !== null) return limited;
  const P = c.host.positions;
  const unfilled: number[] = new Array<number>(plan.slots.length).fill(0);
  for (let i = 0; i < plan.slots.length; i++) {
    const slot = plan.slots[i];
    const q = plan.quantities[i];
    const available = c.effectiveAvailable(slot);
    if (q <= available) continue;
    const room = cmd.backorder === true ? (c.extras.get(slot)?.backorder_limit ?? 0) - c.backordered(slot) : 0;
    if (q - available <= room) unfilled[i] = q - available;
    else plan.short.push({ sku: P.sku(slot), location: P.location(slot), requested: q, available: available + room });
  }
  if (plan.short.length > 0) {
    const slot = plan.slots[0];
    const queued = c.extras.get(slot)?.waiting.size ?? 0;
    if (cmd.wait_ms !== undefined && cmd.wait_ms !== null && queued < c.wait_queue_max) return wait(c, batch, cmd, slot, cmd.wait_ms);
    return { code: 'INSUFFICIENT_STOCK', replay: false, short_lines: plan.short };
  }
  return hold(c, batch, cmd, plan, unfilled);
}

function baseRecord(batch: CommerceBatch, cmd: ReserveCmd, lines: readonly Line[]): ReservationRecord {
  const rec: Record<string, unknown> = {
    reservation_id: cmd.reservation_id,
    state: 'PENDING',
    lines,
    order_ref: cmd.order_ref,
    created_ms: batch.time_ms,
    deadline_ms: batch.time_ms + cmd.ttl_ms,
    committed_lines: NO_LINES,
    ttl_ms: cmd.ttl_ms,
    final_ms: -1,
    arrival: batch.log_index * ENTRY_COMMANDS_MAX + batch.cmd_index,
    request_fp: fingerprintKey(fingerprint(cmd)),
  };
  if (cmd.customer_id !== undefined && cmd.customer_id !== null) rec.customer_id = cmd.customer_id;
  return rec as unknown as ReservationRecord;
}

/** Records the customer's usage of each limited SKU of the reservation. */
function countUsage(c: Commerce, batch: CommerceBatch, res: ReservationRecord): void {
  const customer = res.customer_id;
  if (customer === undefined) return;
  const units = new Map<string, number>();
  for (const l of res.lines) units.set(l.sku, (units.get(l.sku) ?? 0) + l.quantity);
  for (const [sku, n] of units) {
    const policy = c.sku_policies.get(sku);
    if (policy === undefined || policy.customer_limit === 0) continue;
    c.usage.set(batch.writes, sku, customer, res.reservation_id, res.created_ms, n, batch.time_ms, policy.customer_window_ms);
  }
}

function hold(c: Commerce, batch: CommerceBatch, cmd: ReserveCmd, plan: Plan, unfilled: readonly number[]): CommandResult {
  const P = c.host.positions;
  const lines: Line[] = plan.slots.map((slot, i) => ({ sku: P.sku(slot), location: P.location(slot), quantity: plan.quantities[i] }));
  const backordered: Line[] = [];
  lines.forEach((l, i) => {
    if (unfilled[i] > 0) backordered.push({ sku: l.sku, location: l.location, quantity: unfilled[i] });
  });
  const base = baseRecord(batch, cmd, lines);
  const res: ReservationRecord = backordered.length > 0 ? { ...base, backordered_lines: backordered } : base;
  const id = cmd.reservation_id;
  const positions: Position[] = plan.slots.map((slot, i) => {
    const extra = unfilled[i] > 0 ? { ...customerField(res), backordered: c.backordered(slot) + unfilled[i] } : customerField(res);
    if (unfilled[i] > 0) {
      const e = c.extras.getOrAdd(slot);
      e.backorders.push(id);
      e.unfilled += unfilled[i];
    }
    return c.host.change(batch, slot, 'RESERVE', id, id, 0, plan.quantities[i], extra);
  });
  c.host.putReservation(batch, res);
  c.host.addOpen();
  c.host.pushExpiry(res);
  countUsage(c, batch, res);
  return { code: 'OK', replay: false, positions, reservation: res };
}

function wait(c: Commerce, batch: CommerceBatch, cmd: ReserveCmd, slot: number, wait_ms: number): CommandResult {
  const P = c.host.positions;
  const line: Line = { sku: P.sku(slot), location: P.location(slot), quantity: cmd.lines[0].quantity };
  const deadline_ms = batch.time_ms + wait_ms;
  const res: ReservationRecord = { ...baseRecord(batch, cmd, [line]), state: 'WAITING', deadline_ms, wait_deadline_ms: deadline_ms };
  const queue = c.extras.getOrAdd(slot).waiting;
  queue.push(res);
  c.host.putReservation(batch, res);
  c.host.pushExpiry(res);
  countUsage(c, batch, res);
  const position = c.host.change(batch, slot, 'WAIT', res.reservation_id, res.reservation_id, 0, 0, customerField(res));
  // Last in the queue: its place is the queue's length (no scan).
  return { code: 'OK', replay: false, positions: [position], reservation: { ...res, queue_position: queue.size } };
}
