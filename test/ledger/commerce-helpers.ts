// Fixtures for the commerce tests (rules version 4): a driver raised to version 4, command
// builders, and the restore check every commerce test ends with.

import type { Test } from 'tap';
import { Ledger } from '../../src/ledger/ledger.js';
import type { AllocationLine, AllocationStrategy, Command, CommandResult, LedgerEvent, Line } from '../../src/ledger/types.js';
import { verifyHistory } from '../../src/ledger/history.js';
import { Driver } from './helpers.js';

/** A driver whose entries are under rules version 4 (cluster version raised at entry 1). */
export function commerceDriver(options: ConstructorParameters<typeof Ledger>[0] = {}): Driver {
  const d = new Driver(new Ledger(options));
  const r = d.one(1, { kind: 'admin', op_id: 'cv-4', action: 'cluster_version', principal: 'ops', target: '4', detail: '' });
  if (r.code !== 'OK') throw new Error(`raising the cluster version failed: ${r.code}`);
  d.rules_version = 4;
  return d;
}

export const positionPolicy = (op_id: string, sku: string, location: string, backorder_limit: number, low_stock_threshold = 0): Command => ({
  kind: 'set_position_policy',
  op_id,
  sku,
  location,
  backorder_limit,
  low_stock_threshold,
});

export const skuPolicy = (op_id: string, sku: string, customer_limit: number, customer_window_ms = 0): Command => ({ kind: 'set_sku_policy', op_id, sku, customer_limit, customer_window_ms });

export const transfer = (op_id: string, sku: string, from_location: string, to_location: string, quantity: number): Command => ({
  kind: 'transfer',
  op_id,
  sku,
  from_location,
  to_location,
  quantity,
  reference: 'ship-1',
});

export const receive = (op_id: string, transfer_id: string, received: number): Command => ({ kind: 'receive_transfer', op_id, transfer_id, received });

export const count = (op_id: string, sku: string, location: string, counted: number): Command => ({ kind: 'count', op_id, sku, location, counted, reference: 'cc-1' });

export interface ReserveOptions {
  readonly ttl_ms?: number;
  readonly customer_id?: string;
  readonly backorder?: boolean;
  readonly wait_ms?: number;
  readonly allocations?: AllocationLine[];
}

export function creserve(reservation_id: string, lines: Line[], o: ReserveOptions = {}): Command {
  const c: Record<string, unknown> = { kind: 'reserve', reservation_id, lines, ttl_ms: o.ttl_ms ?? 60_000, order_ref: 'order-1' };
  for (const f of ['customer_id', 'backorder', 'wait_ms', 'allocations'] as const) if (o[f] !== undefined) c[f] = o[f];
  return c as unknown as Command;
}

export const alloc = (sku: string, locations: string[], quantity: number, strategy: AllocationStrategy = 'PRIORITY', split = false): AllocationLine => ({ sku, locations, quantity, strategy, split });

/** The OK result's fields, or a test failure naming what came back. */
export function ok(t: Test, r: CommandResult, what: string): Extract<CommandResult, { code: 'OK' }> {
  if (r.code !== 'OK') {
    t.fail(`${what}: expected OK, got ${JSON.stringify(r)}`);
    throw new Error(`${what}: ${r.code}`);
  }
  t.pass(`${what}: OK`);
  return r;
}

export function code(t: Test, r: CommandResult, expected: CommandResult['code'], what: string): void {
  t.equal(r.code, expected, `${what}: ${expected}${r.code !== expected ? ` (got ${JSON.stringify(r)})` : ''}`);
}

/** Events of kind on the position, in order. */
export function eventsOf(d: Driver, sku: string, location: string, kind?: string): LedgerEvent[] {
  return d.store.historyEvents().filter((e) => e.sku === sku && e.location === location && (kind === undefined || e.kind === kind));
}

/** The store's state loads into a ledger equal to the live one (same state records, head,
 * reads), the invariants hold, and the history verifies. */
export function checkRestore(t: Test, d: Driver): Ledger {
  d.ledger.checkInvariants();
  t.same(d.store.stateEntries(), d.ledger.stateEntries(), 'writes left exactly the ledger state on disk');
  const loaded = Ledger.load(d.store.rawStateEntries(), d.ledger.options());
  t.same(loaded.stateEntries(), d.ledger.stateEntries(), 'restored state equals the original');
  t.equal(loaded.headHash(), d.ledger.headHash(), 'restored head hash equals the original');
  t.equal(loaded.nextExpiryMs(), d.ledger.nextExpiryMs(), 'restored next expiry equals the original');
  const v = verifyHistory(d.store.historyEvents(), d.ledger.positionHeads());
  t.ok(v.ok, `history verifies${v.ok ? '' : `: ${JSON.stringify(v)}`}`);
  return loaded;
}
