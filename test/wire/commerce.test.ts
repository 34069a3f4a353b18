// Commerce at the wire: the edge refuses bad commerce input naming the field (as the
// gRPC status's BadRequest will), leaves unused fields out of the command, and results,
// positions, reservations and events survive domain -> wire -> domain.

import t from 'tap';
import * as V from '../../src/wire/validate.js';
import * as VC from '../../src/wire/validate-commerce.js';
import * as M from '../../src/wire/map.js';
import type { WireReserve } from '../../src/wire/types.js';
import type { CommandResult, LedgerEvent, Position, ReservationView } from '../../src/ledger/types.js';

function refusal(fn: () => unknown): V.EdgeError | null {
  try {
    fn();
    return null;
  } catch (e) {
    if (e instanceof V.EdgeError) return e;
    throw e;
  }
}

const reserve = (extra: Partial<WireReserve> = {}): WireReserve => ({ reservation_id: 'r1', lines: [{ sku: 'A', location: 'w1', quantity: 2 }], ttl_ms: 60_000, order_ref: '', ...extra });
const alloc = { sku: 'A', locations: ['w1', 'w2'], quantity: 3, strategy: 'ALLOCATION_STRATEGY_MOST_AVAILABLE' as const, split: true };

t.test('a reserve without commerce fields is the command it always was', async (t) => {
  const c = V.ledgerChecked('', V.reserveCommand('', reserve({ customer_id: '', backorder: false, wait_ms: 0, allocations: [] })));
  t.same(Object.keys(c).sort(), ['kind', 'lines', 'order_ref', 'reservation_id', 'ttl_ms']);
});

t.test('commerce reserve fields reach the command', async (t) => {
  const c = V.ledgerChecked('', V.reserveCommand('', reserve({ lines: [], allocations: [alloc], customer_id: 'cust-1', backorder: true })));
  t.same(c, {
    kind: 'reserve',
    reservation_id: 'r1',
    lines: [],
    ttl_ms: 60_000,
    order_ref: '',
    allocations: [{ sku: 'A', locations: ['w1', 'w2'], quantity: 3, strategy: 'MOST_AVAILABLE', split: true }],
    customer_id: 'cust-1',
    backorder: true,
  });
  const w = V.ledgerChecked('', V.reserveCommand('', reserve({ wait_ms: 30_000 })));
  t.equal((w as { wait_ms?: number }).wait_ms, 30_000);
  // As the server's loader hands int64 over: decimal text, "0" when absent.
  const text = V.ledgerChecked('', V.reserveCommand('', reserve({ wait_ms: '30000', ttl_ms: '60000' })));
  t.equal((text as { wait_ms?: number }).wait_ms, 30_000);
  t.notOk('wait_ms' in V.reserveCommand('', reserve({ wait_ms: '0' })), '"0" is no waiting');
});

t.test('known-bad commerce input is refused naming the field', async (t) => {
  const cases: [string, () => unknown, string][] = [
    ['no lines, no allocations', () => V.reserveCommand('', reserve({ lines: [] })), 'lines'],
    ['too many candidates', () => V.reserveCommand('', reserve({ allocations: [{ ...alloc, locations: Array.from({ length: 17 }, (_, i) => `l${i}`) }] })), 'allocations[0].locations'],
    ['duplicate candidates', () => V.reserveCommand('', reserve({ allocations: [{ ...alloc, locations: ['w1', 'w1'] }] })), 'allocations[0].locations'],
    ['unspecified strategy', () => V.reserveCommand('', reserve({ allocations: [{ ...alloc, strategy: 'ALLOCATION_STRATEGY_UNSPECIFIED' as const }] })), 'allocations[0].strategy'],
    ['unknown strategy number', () => V.reserveCommand('', reserve({ allocations: [{ ...alloc, strategy: 7 as never }] })), 'allocations[0].strategy'],
    ['zero quantity allocation', () => V.reserveCommand('', reserve({ allocations: [{ ...alloc, quantity: 0 }] })), 'allocations[0].quantity'],
    ['bad candidate', () => V.reserveCommand('', reserve({ allocations: [{ ...alloc, locations: ['w 1'] }] })), 'allocations[0].locations[0]'],
    ['lines + allocations over 100', () => V.reserveCommand('', reserve({ lines: Array.from({ length: 100 }, (_, i) => ({ sku: `s${i}`, location: 'l', quantity: 1 })), allocations: [alloc] })), 'allocations'],
    ['customer with a space', () => V.reserveCommand('', reserve({ customer_id: 'a b' })), 'customer_id'],
    ['customer too long', () => V.reserveCommand('', reserve({ customer_id: 'c'.repeat(65) })), 'customer_id'],
    ['wait too short', () => V.reserveCommand('', reserve({ wait_ms: 999 })), 'wait_ms'],
    ['wait too long', () => V.reserveCommand('', reserve({ wait_ms: 8 * 86_400_000 })), 'wait_ms'],
    ['waiting with two lines', () => V.reserveCommand('', reserve({ wait_ms: 5_000, lines: [{ sku: 'A', location: 'w1', quantity: 1 }, { sku: 'B', location: 'w1', quantity: 1 }] })), 'wait_ms'],
    ['waiting with backorder', () => V.reserveCommand('', reserve({ wait_ms: 5_000, backorder: true })), 'backorder'],
    ['waiting with allocations', () => V.reserveCommand('', reserve({ wait_ms: 5_000, allocations: [alloc] })), 'allocations'],
    ['backorder not a boolean', () => V.reserveCommand('', reserve({ backorder: 'yes' as never })), 'backorder'],
    ['negative backorder limit', () => VC.setPositionPolicyCommand('', { op_id: 'p', sku: 'A', location: 'w1', backorder_limit: -1, low_stock_threshold: 0 }), 'backorder_limit'],
    ['huge threshold', () => VC.setPositionPolicyCommand('', { op_id: 'p', sku: 'A', location: 'w1', backorder_limit: 0, low_stock_threshold: 1e13 }), 'low_stock_threshold'],
    ['window below a second', () => VC.setSkuPolicyCommand('', { op_id: 'p', sku: 'A', customer_limit: 2, customer_window_ms: 500 }), 'customer_window_ms'],
    ['window over 366 days', () => VC.setSkuPolicyCommand('', { op_id: 'p', sku: 'A', customer_limit: 2, customer_window_ms: 367 * 86_400_000 }), 'customer_window_ms'],
    ['transfer to itself', () => VC.transferCommand('', { op_id: 't', sku: 'A', from_location: 'w1', to_location: 'w1', quantity: 1, reference: '' }), 'to_location'],
    ['transfer of nothing', () => VC.transferCommand('', { op_id: 't', sku: 'A', from_location: 'w1', to_location: 'w2', quantity: 0, reference: '' }), 'quantity'],
    ['receive negative', () => VC.receiveTransferCommand('', { op_id: 'r', transfer_id: 't', received: -1 }), 'received'],
    ['receive no transfer id', () => VC.receiveTransferCommand('', { op_id: 'r', transfer_id: '', received: 1 }), 'transfer_id'],
    ['count negative', () => VC.countCommand('', { op_id: 'k', sku: 'A', location: 'w1', counted: -1, reference: '' }), 'counted'],
    ['count fractional', () => VC.countCommand('', { op_id: 'k', sku: 'A', location: 'w1', counted: 1.5, reference: '' }), 'counted'],
    ['nested in submit', () => V.submitCommands([{ op: 'count', count: { op_id: 'k', sku: 'A', location: 'w1', counted: -1, reference: '' } }]), 'ops[0].count.counted'],
    ['submit member missing', () => V.submitCommands([{ op: 'transfer', transfer: null }]), 'ops[0].transfer'],
  ];
  for (const [name, fn, field] of cases) {
    const e = refusal(fn);
    t.ok(e, `${name}: refused`);
    t.equal(e?.field, field, `${name}: field`);
    t.ok((e?.limit.length ?? 0) > 0 && (e?.value.length ?? 0) > 0, `${name}: limit and value named`);
  }
});

t.test('new commands in a Submit become ledger commands', async (t) => {
  const cmds = V.submitCommands([
    { op: 'set_position_policy', set_position_policy: { op_id: 'p1', sku: 'A', location: 'w1', backorder_limit: 5, low_stock_threshold: 2 } },
    { op: 'set_sku_policy', set_sku_policy: { op_id: 'p2', sku: 'A', customer_limit: 2, customer_window_ms: 0 } },
    { op: 'transfer', transfer: { op_id: 't1', sku: 'A', from_location: 'w1', to_location: 'w2', quantity: 3, reference: 'ship-1' } },
    { op: 'receive_transfer', receive_transfer: { op_id: 'rc1', transfer_id: 't1', received: 2 } },
    { op: 'count', count: { op_id: 'k1', sku: 'A', location: 'w2', counted: 1, reference: '', id_time_ms: 5 } },
  ]);
  t.same(cmds.map((c) => c.kind), ['set_position_policy', 'set_sku_policy', 'transfer', 'receive_transfer', 'count']);
  t.same(cmds[4], { kind: 'count', op_id: 'k1', sku: 'A', location: 'w2', counted: 1, reference: '', id_time_ms: 5 });
});

t.test('results, positions, reservations and events round-trip', async (t) => {
  const limit: CommandResult = { code: 'CUSTOMER_LIMIT', replay: false, sku: 'A', customer_id: 'c1', limit: 2, used: 2, requested: 1, remaining: 0 };
  t.same(M.resultFromWire(M.resultToWire(limit)), limit);
  t.equal(M.resultToWire(limit).code, 'RESULT_CODE_CUSTOMER_LIMIT');
  const held: CommandResult = { code: 'COUNT_BELOW_HELD', replay: true, sku: 'A', location: 'w1', counted: 1, held: 3 };
  t.same(M.resultFromWire(M.resultToWire(held)), held);
  const backordered: CommandResult = { code: 'RESERVATION_BACKORDERED', replay: false, detail: 'A@w1: 2 units unfilled' };
  t.same(M.resultFromWire(M.resultToWire(backordered)), backordered);

  const plain: Position = { sku: 'A', location: 'w1', on_hand: 5, reserved: 1, available: 4, seq: 3 };
  t.same(M.positionFromWire(M.positionToWire(plain)), plain, 'a position without commerce fields reads as before');
  const rich: Position = { ...plain, reserved: 7, available: 0, backordered: 2, in_transit: 4, backorder_limit: 5, low_stock_threshold: 1 };
  t.same(M.positionFromWire(M.positionToWire(rich)), rich);

  const waiting: ReservationView = { reservation_id: 'r', state: 'WAITING', lines: [{ sku: 'A', location: 'w1', quantity: 1 }], order_ref: '', created_ms: 1, deadline_ms: 2, committed_lines: [], customer_id: 'c1', queue_position: 3, wait_deadline_ms: 9 };
  t.same(M.reservationFromWire(M.reservationToWire(waiting)), waiting);
  const bo: ReservationView = { ...waiting, state: 'PENDING', queue_position: undefined, backordered_lines: [{ sku: 'A', location: 'w1', quantity: 1 }] } as ReservationView;
  const { queue_position: _q, ...boClean } = bo;
  t.same(M.reservationFromWire(M.reservationToWire(boClean as ReservationView)), boClean);

  const ev: LedgerEvent = { sku: 'A', location: 'w2', seq: 4, log_index: 9, time_ms: 10, kind: 'RECEIVE', op_id: 'rc1', reservation_id: '', delta_on_hand: 2, delta_reserved: 0, on_hand: 2, reserved: 0, in_transit: 0, delta_in_transit: -3, variance: -1, transfer_id: 't1', prev_hash: 'p', hash: 'h' };
  t.same(M.eventFromWire(M.eventToWire(ev)), ev, 'in_transit 0 stays present');
  // As proto-loader delivers an event without the optional fields.
  const old = { ...M.eventToWire({ ...ev, kind: 'ADJUST' }), in_transit: null, delta_in_transit: undefined, variance: null, transfer_id: null, customer_id: null, backordered: null, _variance: 'variance' } as never;
  t.same(Object.keys(M.eventFromWire(old)).sort(), ['delta_on_hand', 'delta_reserved', 'hash', 'kind', 'location', 'log_index', 'on_hand', 'op_id', 'prev_hash', 'reservation_id', 'reserved', 'seq', 'sku', 'time_ms']);
});
