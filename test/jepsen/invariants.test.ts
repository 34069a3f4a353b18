import t from 'tap';
import { pairOperations, type FinalState, type OpArgs } from '../../jepsen-style-tests/history.js';
import { checkInvariants } from '../../jepsen-style-tests/checkers/invariants.js';
import { checkHistory } from '../../jepsen-style-tests/checkers/check.js';
import type { LedgerEvent } from '../../src/ledger/types.js';
import { chain, HistoryBuilder, okCmd, pos, readOf } from './history-builder.js';

const S = 'sku-1';
const L = 'loc-a';
const adjust = (op_id: string, delta: number): OpArgs => ({ f: 'adjust', op_id, sku: S, location: L, delta });
const reserve = (rid: string, quantity: number): OpArgs => ({ f: 'reserve', reservation_id: rid, lines: [{ sku: S, location: L, quantity }], ttl_ms: 3_600_000 });
const commit = (op_id: string, rid: string): OpArgs => ({ f: 'commit', op_id, reservation_id: rid });
const release = (op_id: string, rid: string): OpArgs => ({ f: 'release', op_id, reservation_id: rid });

/** adjust +10, reserve 4 (r1), commit r1, reserve 2 (r2) still pending. */
function goodRun(): HistoryBuilder {
  return new HistoryBuilder()
    .call(1, adjust('a1', 10), okCmd([pos(S, L, 10, 0)]))
    .call(2, reserve('r1', 4), okCmd([pos(S, L, 10, 4)]))
    .call(2, commit('c1', 'r1'), okCmd([pos(S, L, 6, 0)]))
    .call(3, reserve('r2', 2), okCmd([pos(S, L, 6, 2)]))
    .call(1, { f: 'read', sku: S, location: L }, readOf(pos(S, L, 6, 2)));
}

function goodEvents(): LedgerEvent[] {
  return chain(S, L, [
    { kind: 'ADJUST', op_id: 'a1', d_on_hand: 10, d_reserved: 0 },
    { kind: 'RESERVE', op_id: 'r1', reservation_id: 'r1', d_on_hand: 0, d_reserved: 4 },
    { kind: 'COMMIT', op_id: 'c1', reservation_id: 'r1', d_on_hand: -4, d_reserved: -4 },
    { kind: 'RESERVE', op_id: 'r2', reservation_id: 'r2', d_on_hand: 0, d_reserved: 2 },
  ]);
}

function finalOf(events: LedgerEvent[], nodes = ['n1', 'n2', 'n3'], on_hand = 6, reserved = 2): FinalState {
  const head = events.length === 0 ? '' : events[events.length - 1].hash;
  return { nodes: nodes.map((id) => ({ id, head_hash: head, applied_index: 20, positions: [pos(S, L, on_hand, reserved)], events })) };
}

t.test('a good run passes every invariant', (t) => {
  const r = checkInvariants(pairOperations(goodRun().records), finalOf(goodEvents()));
  t.same(r.anomalies, []);
  t.equal(r.valid, true);
  const all = checkHistory(goodRun().records, finalOf(goodEvents()));
  t.equal(all.valid, true, JSON.stringify(all.anomalies));
  t.end();
});

t.test('without a final state the verdict is unknown, not valid', (t) => {
  const r = checkInvariants(pairOperations(goodRun().records), null);
  t.equal(r.valid, 'unknown');
  t.end();
});

t.test('a lost acknowledged write: no event and a final state that does not add up', (t) => {
  const events = goodEvents().slice(0, 3); // r2's RESERVE is gone
  const r = checkInvariants(pairOperations(goodRun().records), finalOf(events, ['n1'], 6, 0));
  t.equal(r.valid, false);
  t.ok(r.anomaly_counts['lost-write'] >= 1, JSON.stringify(r.anomaly_counts));
  t.ok(r.anomaly_counts['conservation'] >= 1);
  t.end();
});

t.test('a double apply: the same op id twice in the event history', (t) => {
  const events = chain(S, L, [
    { kind: 'ADJUST', op_id: 'a1', d_on_hand: 10, d_reserved: 0 },
    { kind: 'ADJUST', op_id: 'a1', d_on_hand: 10, d_reserved: 0 },
    { kind: 'RESERVE', op_id: 'r1', reservation_id: 'r1', d_on_hand: 0, d_reserved: 4 },
    { kind: 'COMMIT', op_id: 'c1', reservation_id: 'r1', d_on_hand: -4, d_reserved: -4 },
    { kind: 'RESERVE', op_id: 'r2', reservation_id: 'r2', d_on_hand: 0, d_reserved: 2 },
  ]);
  const r = checkInvariants(pairOperations(goodRun().records), finalOf(events, ['n1'], 16, 2));
  t.equal(r.valid, false);
  t.equal(r.anomaly_counts['double-apply'], 1);
  t.ok(r.anomaly_counts['conservation'] >= 1, 'on_hand is 10 too high');
  t.end();
});

t.test('an oversell: more sold than received', (t) => {
  const h = new HistoryBuilder()
    .call(1, adjust('a1', 2), okCmd())
    .call(2, reserve('r1', 2), okCmd())
    .call(2, commit('c1', 'r1'), okCmd())
    .call(3, reserve('r2', 2), okCmd())
    .call(3, commit('c2', 'r2'), okCmd())
    .call(1, { f: 'read', sku: S, location: L }, readOf(pos(S, L, -2, 0)));
  const r = checkInvariants(pairOperations(h.records), null);
  t.equal(r.valid, false);
  t.equal(r.anomaly_counts['oversell'], 1);
  t.equal(r.anomaly_counts['negative-available'], 1);
  const all = checkHistory(h.records, null);
  t.equal(all.valid, false);
  t.equal(all.linearizability.valid, false, 'the position model refuses it too');
  t.end();
});

t.test('a reservation committed after release', (t) => {
  const h = new HistoryBuilder()
    .call(1, adjust('a1', 5), okCmd())
    .call(2, reserve('r1', 2), okCmd())
    .call(2, release('x1', 'r1'), okCmd())
    .call(3, commit('c1', 'r1'), okCmd());
  const events = chain(S, L, [
    { kind: 'ADJUST', op_id: 'a1', d_on_hand: 5, d_reserved: 0 },
    { kind: 'RESERVE', op_id: 'r1', reservation_id: 'r1', d_on_hand: 0, d_reserved: 2 },
    { kind: 'RELEASE', op_id: 'x1', reservation_id: 'r1', d_on_hand: 0, d_reserved: -2 },
    { kind: 'COMMIT', op_id: 'c1', reservation_id: 'r1', d_on_hand: -2, d_reserved: 0 },
  ]);
  const r = checkInvariants(pairOperations(h.records), finalOf(events, ['n1'], 3, 0));
  t.equal(r.valid, false);
  t.equal(r.anomaly_counts['settled-twice'], 1);
  t.equal(r.anomaly_counts['event-after-final'], 1);
  t.end();
});

t.test('nodes that disagree on the head hash or history', (t) => {
  const events = goodEvents();
  const f = finalOf(events);
  const other = events.map((e, i) => (i === 3 ? { ...e, hash: 'forked' } : e));
  const bad: FinalState = { nodes: [f.nodes[0], f.nodes[1], { ...f.nodes[2], head_hash: 'forked', events: other }] };
  const r = checkInvariants(pairOperations(goodRun().records), bad);
  t.equal(r.valid, false);
  t.equal(r.anomaly_counts['head-hash-mismatch'], 1);
  t.equal(r.anomaly_counts['history-mismatch'], 1);
  t.end();
});

t.test('a broken event chain', (t) => {
  const events = goodEvents().map((e, i) => (i === 2 ? { ...e, prev_hash: 'nope', on_hand: 7 } : e));
  const r = checkInvariants(pairOperations(goodRun().records), finalOf(events, ['n1']));
  t.equal(r.valid, false);
  t.ok(r.anomaly_counts['event-chain'] >= 2, JSON.stringify(r.anomaly_counts));
  t.end();
});

t.test('an op resolved as never applied that did apply', (t) => {
  const h = goodRun().invoke(4, adjust('a9', 1)).info(4).resolve('a9', { found: false });
  const events = [...goodEvents()];
  const more = chain(S, L, [
    ...goodEvents().map((e) => ({ kind: e.kind, op_id: e.op_id, reservation_id: e.reservation_id, d_on_hand: e.delta_on_hand, d_reserved: e.delta_reserved })),
    { kind: 'ADJUST', op_id: 'a9', d_on_hand: 1, d_reserved: 0 },
  ]);
  t.equal(events.length + 1, more.length);
  const r = checkInvariants(pairOperations(h.records), finalOf(more, ['n1'], 7, 2));
  t.equal(r.valid, false);
  t.equal(r.anomaly_counts['failed-op-applied'], 1);
  t.ok(r.anomaly_counts['conservation'] >= 1);
  t.end();
});

t.test('unknown outcomes widen conservation bounds instead of failing it', (t) => {
  const h = goodRun().invoke(4, adjust('a9', 1)).info(4);
  const more = chain(S, L, [
    ...goodEvents().map((e) => ({ kind: e.kind, op_id: e.op_id, reservation_id: e.reservation_id, d_on_hand: e.delta_on_hand, d_reserved: e.delta_reserved })),
    { kind: 'ADJUST', op_id: 'a9', d_on_hand: 1, d_reserved: 0 },
  ]);
  t.equal(checkInvariants(pairOperations(h.records), finalOf(more, ['n1'], 7, 2)).valid, true, 'applied');
  t.equal(checkInvariants(pairOperations(h.records), finalOf(goodEvents(), ['n1'], 6, 2)).valid, true, 'not applied');
  t.end();
});
