import t from 'tap';
import { pairOperations, type FinalState, type OpArgs, type OpResult } from '../../jepsen-style-tests/history.js';
import { checkCommerce } from '../../jepsen-style-tests/checkers/commerce.js';
import type { CommandResult, LedgerEvent, Line, Position } from '../../src/ledger/types.js';
import { HistoryBuilder } from './history-builder.js';

const A = 'sku-a';
const B = 'sku-b';
const W1 = 'w1';
const W2 = 'w2';
const TTL = 3_600_000;

function p(sku: string, location: string, on_hand: number, reserved: number, in_transit = 0): Position {
  const extra = { backordered: Math.max(0, reserved - on_hand), in_transit };
  return { sku, location, on_hand, reserved, available: Math.max(0, on_hand - reserved), seq: 0, ...extra } as Position;
}

function ok(positions: Position[], view?: { id: string; state: string; lines: Line[]; committed?: Line[]; customer_id?: string }): OpResult {
  const reservation = view === undefined ? null : {
    reservation_id: view.id, state: view.state, lines: view.lines, order_ref: '', created_ms: 0, deadline_ms: 0, committed_lines: view.committed ?? [],
    ...(view.customer_id !== undefined ? { customer_id: view.customer_id } : {}),
  };
  return { kind: 'command', result: { code: 'OK', replay: false, positions, reservation } as CommandResult };
}

function limitRefusal(customer_id: string, limit: number, used: number, requested: number, remaining = Math.max(0, limit - used)): OpResult {
  return { kind: 'command', result: { code: 'CUSTOMER_LIMIT', replay: false, sku: A, customer_id, limit, used, requested, remaining } as unknown as CommandResult };
}

const line = (sku: string, location: string, quantity: number): Line => ({ sku, location, quantity });
const reserve = (id: string, l: Line, extra: Partial<Extract<OpArgs, { f: 'reserve' }>> = {}): OpArgs => ({ f: 'reserve', reservation_id: id, lines: [l], ttl_ms: TTL, ...extra });
const adjust = (op_id: string, sku: string, location: string, delta: number): OpArgs => ({ f: 'adjust', op_id, sku, location, delta });

/** Events of one position, each with its quantities after it. */
function events(sku: string, location: string, steps: [string, string, number, number][]): LedgerEvent[] {
  let on_hand = 0;
  let reserved = 0;
  return steps.map(([kind, id, d_on_hand, d_reserved], i) => {
    on_hand += d_on_hand;
    reserved += d_reserved;
    const prev_hash = i === 0 ? '' : `${sku}${location}${i - 1}`;
    return { sku, location, seq: i + 1, log_index: i + 1, time_ms: i, kind, op_id: id, reservation_id: kind === 'ADJUST' || kind === 'COUNT' ? '' : id, delta_on_hand: d_on_hand, delta_reserved: d_reserved, on_hand, reserved, prev_hash, hash: `${sku}${location}${i}` } as unknown as LedgerEvent;
  });
}

interface Run {
  h: HistoryBuilder;
  final: FinalState;
}

/** A run touching every property, consistent throughout. */
function goodRun(o: { waitEvents?: LedgerEvent[]; finalW1?: Position; secondGrant?: boolean } = {}): Run {
  const h = new HistoryBuilder()
    .call(0, adjust('i1', A, W1, 10), ok([p(A, W1, 10, 0)]))
    .call(0, { f: 'set-position-policy', op_id: 'pp', sku: A, location: W1, backorder_limit: 3, low_stock_threshold: 0 }, ok([p(A, W1, 10, 0)]))
    .call(0, { f: 'set-sku-policy', op_id: 'sp', sku: A, customer_limit: 2, customer_window_ms: 0 }, ok([]))
    .call(1, reserve('r1', line(A, W1, 2), { customer_id: 'c1' }), ok([p(A, W1, 10, 2)], { id: 'r1', state: 'PENDING', lines: [line(A, W1, 2)], customer_id: 'c1' }))
    .invoke(1, reserve('r2', line(A, W1, 1), { customer_id: 'c1' })).fail(1, limitRefusal('c1', 2, 2, 1))
    .call(2, reserve('r3', line(A, W1, 2), { customer_id: 'c2' }), ok([p(A, W1, 10, 4)], { id: 'r3', state: 'PENDING', lines: [line(A, W1, 2)], customer_id: 'c2' }))
    .call(1, { f: 'commit', op_id: 'c-r1', reservation_id: 'r1' }, ok([p(A, W1, 8, 2)], { id: 'r1', state: 'COMMITTED', lines: [line(A, W1, 2)], committed: [line(A, W1, 2)] }))
    .call(3, { f: 'transfer', op_id: 't1', sku: A, from_location: W1, to_location: W2, quantity: 3 }, ok([p(A, W1, 5, 2), p(A, W2, 0, 0, 3)]))
    .call(3, { f: 'receive-transfer', op_id: 'rc1', transfer_id: 't1', received: 2 }, ok([p(A, W2, 2, 0, 0)]))
    .call(3, { f: 'count', op_id: 'k1', sku: A, location: W2, counted: 1 }, ok([p(A, W2, 1, 0)]))
    .call(4, reserve('wa', line(B, W1, 1), { wait_ms: 600_000 }), ok([], { id: 'wa', state: 'WAITING', lines: [line(B, W1, 1)] }))
    .call(5, reserve('wb', line(B, W1, 1), { wait_ms: 600_000 }), ok([], { id: 'wb', state: 'WAITING', lines: [line(B, W1, 1)] }))
    .call(0, adjust('i2', B, W1, 1), ok([p(B, W1, 1, 1)]));
  const bEvents = o.waitEvents ?? events(B, W1, [['WAIT', 'wa', 0, 0], ['WAIT', 'wb', 0, 0], ['ADJUST', 'i2', 1, 0], ['GRANT', 'wa', 0, 1]]);
  const all = [
    ...events(A, W2, [['TRANSFER_IN', 't1', 0, 0], ['RECEIVE', 'rc1', 2, 0], ['COUNT', 'k1', -1, 0]]),
    ...bEvents,
  ];
  const positions = [o.finalW1 ?? p(A, W1, 5, 2), p(A, W2, 1, 0), p(B, W1, 1, 1)];
  return { h, final: { nodes: ['n1', 'n2'].map((id) => ({ id, head_hash: 'h', applied_index: 9, positions, events: all })) } };
}

function verdict(r: Run): ReturnType<typeof checkCommerce> {
  return checkCommerce(pairOperations(r.h.records), r.final);
}

t.test('a good run passes', (t) => {
  const v = verdict(goodRun());
  t.same(v.anomalies, []);
  t.equal(v.valid, true);
  t.equal(v.stats.customer_refusals, 1);
  t.equal(v.stats.waiting, 2);
  t.equal(v.stats.grants, 1);
  t.end();
});

t.test('without final reads the verdict is unknown', (t) => {
  const r = goodRun();
  t.equal(checkCommerce(pairOperations(r.h.records), null).valid, 'unknown');
  t.end();
});

t.test('oversell: backordered units beyond the backorder limit', (t) => {
  const r = goodRun();
  // 10 on hand, 14 reserved: 4 backordered, the limit is 3.
  r.h.call(6, reserve('big', line(A, W1, 10), { backorder: true }), ok([p(A, W1, 5, 14)], { id: 'big', state: 'PENDING', lines: [line(A, W1, 10)] }));
  const v = verdict(r);
  t.equal(v.valid, false);
  t.ok(v.anomaly_counts['backorder-limit'] >= 1, JSON.stringify(v.anomaly_counts));
  t.end();
});

t.test('oversell: acknowledged commits sell more than came in plus the limit', (t) => {
  const r = goodRun();
  // A commit of 7 more units at w1 reported with a plausible-looking position.
  r.h.call(6, reserve('r9', line(A, W1, 7)), ok([p(A, W1, 5, 5)], { id: 'r9', state: 'PENDING', lines: [line(A, W1, 7)] }));
  r.h.call(6, { f: 'commit', op_id: 'c9', reservation_id: 'r9' }, ok([p(A, W1, 0, 0)], { id: 'r9', state: 'COMMITTED', lines: [line(A, W1, 7)], committed: [line(A, W1, 7)] }));
  const v = verdict(r);
  t.equal(v.valid, false);
  t.ok(v.anomaly_counts['oversell'] >= 1, JSON.stringify(v.anomaly_counts));
  t.end();
});

t.test('customer limit: a customer certainly held more than the limit', (t) => {
  const r = goodRun();
  // c2 holds r3 (2 units); a second acknowledged reserve of 1 takes it to 3 > 2.
  r.h.call(2, reserve('r4', line(A, W1, 1), { customer_id: 'c2' }), ok([p(A, W1, 5, 3)], { id: 'r4', state: 'PENDING', lines: [line(A, W1, 1)] }));
  const v = verdict(r);
  t.equal(v.valid, false);
  t.ok(v.anomaly_counts['customer-limit'] >= 1, JSON.stringify(v.anomaly_counts));
  t.end();
});

t.test('customer limit: a refusal whose used does not match what was held', (t) => {
  const r = goodRun();
  // c2 certainly holds 2; the refusal claims 1 used (and 1 requested would then fit: also caught).
  r.h.invoke(2, reserve('r5', line(A, W1, 2), { customer_id: 'c2' })).fail(2, limitRefusal('c2', 2, 1, 2));
  const v = verdict(r);
  t.equal(v.valid, false);
  t.ok(v.anomalies.some((a) => a.kind === 'customer-limit-report' && a.detail.includes('certainly held')), JSON.stringify(v.anomalies));
  t.end();
});

t.test('customer limit: a refusal with remaining that is not limit - used', (t) => {
  const r = goodRun();
  r.h.invoke(2, reserve('r6', line(A, W1, 1), { customer_id: 'c2' })).fail(2, limitRefusal('c2', 2, 2, 1, 1));
  const v = verdict(r);
  t.equal(v.valid, false);
  t.ok(v.anomalies.some((a) => a.kind === 'customer-limit-report' && a.detail.includes('remaining')), JSON.stringify(v.anomalies));
  t.end();
});

t.test('customer limit: a refusal naming another limit than the policy', (t) => {
  const r = goodRun();
  r.h.invoke(2, reserve('r7', line(A, W1, 2), { customer_id: 'c2' })).fail(2, limitRefusal('c2', 3, 2, 2));
  const v = verdict(r);
  t.equal(v.valid, false);
  t.ok(v.anomalies.some((a) => a.kind === 'customer-limit-report' && a.detail.includes('policy set 2')), JSON.stringify(v.anomalies));
  t.end();
});

t.test('wait-list: a later waiter granted while the head waits', (t) => {
  const bad = events(B, W1, [['WAIT', 'wa', 0, 0], ['WAIT', 'wb', 0, 0], ['ADJUST', 'i2', 1, 0], ['GRANT', 'wb', 0, 1]]);
  const v = verdict(goodRun({ waitEvents: bad }));
  t.equal(v.valid, false);
  t.ok(v.anomalies.some((a) => a.kind === 'wait-order' && a.detail.includes('GRANT of wb')), JSON.stringify(v.anomalies));
  t.end();
});

t.test('wait-list: queue order against real time', (t) => {
  // wa was answered WAITING before wb was sent, yet wb joined first.
  const bad = events(B, W1, [['WAIT', 'wb', 0, 0], ['WAIT', 'wa', 0, 0], ['ADJUST', 'i2', 1, 0], ['GRANT', 'wb', 0, 1]]);
  const v = verdict(goodRun({ waitEvents: bad }));
  t.equal(v.valid, false);
  t.ok(v.anomalies.some((a) => a.kind === 'wait-order' && a.detail.includes('queued behind')), JSON.stringify(v.anomalies));
  t.end();
});

t.test('wait-list: a release takes a waiter out, the next one may be granted', (t) => {
  const r = goodRun({ waitEvents: events(B, W1, [['WAIT', 'wa', 0, 0], ['WAIT', 'wb', 0, 0], ['RELEASE', 'wa', 0, 0], ['ADJUST', 'i2', 1, 0], ['GRANT', 'wb', 0, 1]]) });
  r.h.call(4, { f: 'release', op_id: 'l-wa', reservation_id: 'wa' }, ok([]));
  const v = verdict(r);
  t.same(v.anomalies, []);
  t.end();
});

t.test('wait-list: a reserve answered WAITING without a WAIT event', (t) => {
  const v = verdict(goodRun({ waitEvents: events(B, W1, [['WAIT', 'wa', 0, 0], ['ADJUST', 'i2', 1, 0], ['GRANT', 'wa', 0, 1]]) }));
  t.equal(v.valid, false);
  t.ok(v.anomalies.some((a) => a.kind === 'wait-order' && a.detail.includes('no WAIT event')), JSON.stringify(v.anomalies));
  t.end();
});

t.test('wait-list: a wait that expires once its wait_ms ran out passes; an early one is caught', (t) => {
  const at = (list: LedgerEvent[], times: number[]): LedgerEvent[] => list.map((e, i) => ({ ...e, time_ms: times[i] }) as LedgerEvent);
  const steps: [string, string, number, number][] = [['WAIT', 'wa', 0, 0], ['WAIT', 'wb', 0, 0], ['WAIT_EXPIRE', 'wa', 0, 0], ['ADJUST', 'i2', 1, 0], ['GRANT', 'wb', 0, 1]];
  const fair = verdict(goodRun({ waitEvents: at(events(B, W1, steps), [0, 1, 600_000, 600_001, 600_002]) }));
  t.same(fair.anomalies, [], 'expired at joined + wait_ms');
  t.equal(fair.stats.wait_expiries, 1);
  const early = verdict(goodRun({ waitEvents: at(events(B, W1, steps), [0, 1, 599_999, 600_000, 600_001]) }));
  t.equal(early.valid, false);
  t.ok(early.anomalies.some((a) => a.kind === 'wait-order' && a.detail.includes('before its wait ran out at 600000 ms')), JSON.stringify(early.anomalies));
  const stray = verdict(goodRun({ waitEvents: events(B, W1, [['WAIT', 'wa', 0, 0], ['WAIT', 'wb', 0, 0], ['ADJUST', 'i2', 1, 0], ['GRANT', 'wa', 0, 1], ['WAIT_EXPIRE', 'wa', 0, 0]]) }));
  t.ok(stray.anomalies.some((a) => a.kind === 'wait-order' && a.detail.includes('which was not waiting')), JSON.stringify(stray.anomalies));
  t.end();
});

t.test('a COUNT_BELOW_HELD refusal whose held does not exceed the count', (t) => {
  const r = goodRun();
  const refusal = (held: number): OpResult => ({ kind: 'command', result: { code: 'COUNT_BELOW_HELD', replay: false, sku: A, location: W1, counted: 1, held } });
  r.h.invoke(3, { f: 'count', op_id: 'k2', sku: A, location: W1, counted: 1 }).fail(3, refusal(2));
  t.same(verdict(r).anomalies, [], 'held 2 above counted 1 is a fair refusal');
  r.h.invoke(3, { f: 'count', op_id: 'k3', sku: A, location: W1, counted: 1 }).fail(3, refusal(1));
  const v = verdict(r);
  t.equal(v.valid, false);
  t.ok(v.anomalies.some((a) => a.kind === 'commerce-report-mismatch' && a.op_id === 'k3'), JSON.stringify(v.anomalies));
  t.end();
});

t.test('nodes that disagree on a position history are caught', (t) => {
  const r = goodRun();
  const n2 = r.final.nodes[1];
  const other = { ...n2, events: n2.events.slice(0, -1) };
  const v = checkCommerce(pairOperations(r.h.records), { nodes: [r.final.nodes[0], other] });
  t.equal(v.valid, false);
  t.ok(v.anomaly_counts['history-mismatch'] >= 1, JSON.stringify(v.anomaly_counts));
  t.end();
});

t.test('conservation: a unit appears from nowhere across the transfer', (t) => {
  const v = verdict(goodRun({ finalW1: p(A, W1, 6, 2) }));
  t.equal(v.valid, false);
  t.ok(v.anomaly_counts['conservation'] >= 1, JSON.stringify(v.anomaly_counts));
  t.end();
});

t.test('conservation: units stuck in transit are counted, a vanished one is not', (t) => {
  const r = goodRun({ finalW1: p(A, W1, 4, 2, 1) });
  const v = verdict(r);
  // 4 on hand + 1 in transit at w1 equals 5: conserved (the checker sums per SKU).
  t.equal(v.anomaly_counts['conservation'] ?? 0, 0, JSON.stringify(v.anomalies));
  const gone = verdict(goodRun({ finalW1: p(A, W1, 4, 2, 0) }));
  t.ok(gone.anomaly_counts['conservation'] >= 1);
  t.end();
});

t.test('an unknown outcome widens the allowed range instead of failing', (t) => {
  const r = goodRun({ finalW1: p(A, W1, 9, 2) });
  r.h.invoke(7, adjust('maybe', A, W1, 4)).info(7);
  const v = verdict(r);
  t.equal(v.anomaly_counts['conservation'] ?? 0, 0, JSON.stringify(v.anomalies));
  t.end();
});
