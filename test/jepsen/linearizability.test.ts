import t from 'tap';
import { pairOperations, type OpArgs } from '../../jepsen-style-tests/history.js';
import { checkLinearizability, checkPosition } from '../../jepsen-style-tests/checkers/linearizability.js';
import { projectByPosition } from '../../jepsen-style-tests/checkers/projection.js';
import { PositionModel } from '../../jepsen-style-tests/checkers/position-model.js';
import { HistoryBuilder, okCmd, pos, readOf, refused, short } from './history-builder.js';

const noObs = { code: null, after: null, short: false, multi_line: false, read: null } as const;
const S = 'sku-1';
const L = 'loc-a';
const adjust = (op_id: string, delta: number, expected_on_hand?: number): OpArgs => ({
  f: 'adjust',
  op_id,
  sku: S,
  location: L,
  delta,
  ...(expected_on_hand !== undefined ? { expected_on_hand } : {}),
});
const reserve = (rid: string, quantity: number): OpArgs => ({ f: 'reserve', reservation_id: rid, lines: [{ sku: S, location: L, quantity }], ttl_ms: 3_600_000 });
const commit = (op_id: string, rid: string): OpArgs => ({ f: 'commit', op_id, reservation_id: rid });
const release = (op_id: string, rid: string): OpArgs => ({ f: 'release', op_id, reservation_id: rid });
const read: OpArgs = { f: 'read', sku: S, location: L };

function verdict(h: HistoryBuilder): ReturnType<typeof checkLinearizability> {
  return checkLinearizability(projectByPosition(pairOperations(h.records)));
}

t.test('a sequential good history is linearizable', (t) => {
  const h = new HistoryBuilder()
    .call(1, read, readOf(null))
    .call(1, adjust('a1', 10), okCmd([pos(S, L, 10, 0)]))
    .call(2, reserve('r1', 3), okCmd([pos(S, L, 10, 3)]))
    .call(1, read, readOf(pos(S, L, 10, 3)))
    .call(2, commit('c1', 'r1'), okCmd([pos(S, L, 7, 0)]))
    .call(3, reserve('r2', 8), short(S, L, 8, 7))
    .call(3, reserve('r3', 7), okCmd([pos(S, L, 7, 7)]))
    .call(3, release('x3', 'r3'), okCmd([pos(S, L, 7, 0)]))
    .call(3, commit('c3', 'r3'), refused('RESERVATION_RELEASED'))
    .call(1, adjust('a2', -2, 7), okCmd([pos(S, L, 5, 0)]))
    .call(1, adjust('a3', 1, 7), { kind: 'command', result: { code: 'ON_HAND_MISMATCH', replay: false, expected_on_hand: 7, on_hand: 5 } })
    .call(1, read, readOf(pos(S, L, 5, 0)));
  const v = verdict(h);
  t.equal(v.valid, true, JSON.stringify(v.positions));
  t.end();
});

t.test('concurrent reserves on scarce stock: one wins, either order is fine', (t) => {
  const h = new HistoryBuilder()
    .call(0, adjust('a1', 5), okCmd([pos(S, L, 5, 0)]))
    .invoke(1, reserve('r1', 3))
    .invoke(2, reserve('r2', 3))
    .invoke(3, read)
    .ok(2, okCmd([pos(S, L, 5, 3)]))
    .ok(3, readOf(pos(S, L, 5, 3)))
    .fail(1, short(S, L, 3, 2));
  t.equal(verdict(h).valid, true);
  t.end();
});

t.test('a read that overlaps a write may see either value', (t) => {
  const h = new HistoryBuilder()
    .call(0, adjust('a1', 5), okCmd([pos(S, L, 5, 0)]))
    .invoke(1, adjust('a2', 4))
    .call(2, read, readOf(pos(S, L, 5, 0)))
    .call(3, read, readOf(pos(S, L, 9, 0)))
    .ok(1, okCmd([pos(S, L, 9, 0)]));
  t.equal(verdict(h).valid, true);
  t.end();
});

t.test('a stale read is not linearizable', (t) => {
  const h = new HistoryBuilder()
    .call(0, adjust('a1', 5), okCmd([pos(S, L, 5, 0)]))
    .call(1, adjust('a2', 4), okCmd([pos(S, L, 9, 0)]))
    .call(2, read, readOf(pos(S, L, 5, 0)));
  const v = verdict(h);
  t.equal(v.valid, false);
  t.match(v.positions[0].reason, /read/);
  t.end();
});

t.test('new value then old value across two readers is not linearizable', (t) => {
  const h = new HistoryBuilder()
    .call(0, adjust('a1', 5), okCmd([pos(S, L, 5, 0)]))
    .invoke(1, adjust('a2', 4))
    .call(2, read, readOf(pos(S, L, 9, 0)))
    .call(3, read, readOf(pos(S, L, 5, 0)))
    .ok(1, okCmd([pos(S, L, 9, 0)]));
  t.equal(verdict(h).valid, false);
  t.end();
});

t.test('a commit after a release is not linearizable', (t) => {
  const h = new HistoryBuilder()
    .call(0, adjust('a1', 5), okCmd([pos(S, L, 5, 0)]))
    .call(1, reserve('r1', 2), okCmd([pos(S, L, 5, 2)]))
    .call(1, release('x1', 'r1'), okCmd([pos(S, L, 5, 0)]))
    .call(2, commit('c1', 'r1'), okCmd([pos(S, L, 3, 0)]));
  t.equal(verdict(h).valid, false);
  t.end();
});

t.test('an oversell (two reserves granted beyond stock) is not linearizable', (t) => {
  const h = new HistoryBuilder()
    .call(0, adjust('a1', 3), okCmd([pos(S, L, 3, 0)]))
    .invoke(1, reserve('r1', 2))
    .invoke(2, reserve('r2', 2))
    .ok(1, okCmd())
    .ok(2, okCmd());
  t.equal(verdict(h).valid, false);
  t.end();
});

t.test('a lost acknowledged write is not linearizable once read', (t) => {
  const h = new HistoryBuilder()
    .call(0, adjust('a1', 3), okCmd([pos(S, L, 3, 0)]))
    .call(1, reserve('r1', 2), okCmd([pos(S, L, 3, 2)]))
    .call(2, read, readOf(pos(S, L, 3, 0)));
  t.equal(verdict(h).valid, false);
  t.end();
});

t.test('a reported quantity that does not follow is caught', (t) => {
  const h = new HistoryBuilder()
    .call(0, adjust('a1', 3), okCmd([pos(S, L, 3, 0)]))
    .call(1, adjust('a2', 3), okCmd([pos(S, L, 7, 0)]));
  t.equal(verdict(h).valid, false);
  t.end();
});

t.test('unknown outcomes may or may not have applied', (t) => {
  const applied = new HistoryBuilder()
    .call(0, adjust('a1', 3), okCmd())
    .invoke(1, adjust('a2', 2))
    .info(1)
    .call(2, read, readOf(pos(S, L, 5, 0)));
  t.equal(verdict(applied).valid, true, 'seen applied');
  const notApplied = new HistoryBuilder()
    .call(0, adjust('a1', 3), okCmd())
    .invoke(1, adjust('a2', 2))
    .info(1)
    .call(2, read, readOf(pos(S, L, 3, 0)));
  t.equal(verdict(notApplied).valid, true, 'seen not applied');
  const flicker = new HistoryBuilder()
    .call(0, adjust('a1', 3), okCmd())
    .invoke(1, adjust('a2', 2))
    .info(1)
    .call(2, read, readOf(pos(S, L, 5, 0)))
    .call(2, read, readOf(pos(S, L, 3, 0)));
  t.equal(verdict(flicker).valid, false, 'applied then gone');
  t.end();
});

t.test('GetOutcome resolutions bind unknown outcomes', (t) => {
  const resolvedApplied = new HistoryBuilder()
    .call(0, adjust('a1', 3), okCmd())
    .invoke(1, adjust('a2', 2))
    .info(1)
    .call(2, read, readOf(pos(S, L, 3, 0)))
    .resolve('a2', { found: true, result: { code: 'OK', replay: false, positions: [pos(S, L, 5, 0)], reservation: null } });
  t.equal(verdict(resolvedApplied).valid, true, 'applied after the read');
  const resolvedMissing = new HistoryBuilder()
    .call(0, adjust('a1', 3), okCmd())
    .invoke(1, adjust('a2', 2))
    .info(1)
    .call(2, read, readOf(pos(S, L, 5, 0)))
    .resolve('a2', { found: false });
  t.equal(verdict(resolvedMissing).valid, false, 'resolved as never applied, yet read');
  t.end();
});

t.test('multi-line reserves project onto each position', (t) => {
  const S2 = 'sku-2';
  const h = new HistoryBuilder()
    .call(0, adjust('a1', 2), okCmd())
    .call(0, { f: 'adjust', op_id: 'a2', sku: S2, location: L, delta: 1 }, okCmd())
    .call(1, { f: 'reserve', reservation_id: 'm1', lines: [{ sku: S, location: L, quantity: 2 }, { sku: S2, location: L, quantity: 2 }], ttl_ms: 3_600_000 }, short(S2, L, 2, 1))
    .call(2, read, readOf(pos(S, L, 2, 0)))
    .call(1, { f: 'reserve', reservation_id: 'm2', lines: [{ sku: S, location: L, quantity: 2 }, { sku: S2, location: L, quantity: 1 }], ttl_ms: 3_600_000 }, okCmd([pos(S, L, 2, 2), pos(S2, L, 1, 1)]))
    .call(1, { f: 'commit', op_id: 'c2', reservation_id: 'm2' }, okCmd([pos(S, L, 0, 0), pos(S2, L, 0, 0)]))
    .call(2, { f: 'read', sku: S2, location: L }, readOf(pos(S2, L, 0, 0)));
  t.equal(verdict(h).valid, true);
  // The same refusal but claiming the first line (which fitted) was short.
  const bad = new HistoryBuilder()
    .call(0, adjust('a1', 2), okCmd())
    .call(1, { f: 'reserve', reservation_id: 'm1', lines: [{ sku: S, location: L, quantity: 2 }], ttl_ms: 3_600_000 }, short(S, L, 2, 0));
  t.equal(verdict(bad).valid, false);
  t.end();
});

t.test('a search bound yields "unknown", never "valid"', (t) => {
  const h = new HistoryBuilder().call(0, adjust('a0', 100), okCmd());
  // Many concurrent unknown-outcome adjusts make the search wide.
  for (let p = 1; p <= 12; p++) h.invoke(p, adjust(`a${p}`, p));
  for (let p = 1; p <= 12; p++) h.info(p);
  h.call(20, read, readOf(pos(S, L, 103, 0)));
  const ops = projectByPosition(pairOperations(h.records)).get(`${S}@${L}`)!;
  const bounded = checkPosition(`${S}@${L}`, ops, { steps_max: 50, time_ms_max: 60_000 });
  t.equal(bounded.valid, 'unknown');
  t.match(bounded.reason, /bound/);
  const full = checkLinearizability(projectByPosition(pairOperations(h.records)), { steps_max: 50, time_ms_max: 60_000 });
  t.equal(full.valid, 'unknown', 'the run verdict follows');
  const unbounded = checkPosition(`${S}@${L}`, ops);
  t.equal(unbounded.valid, true, 'a subset of 1..12 summing to 3 exists, found after a wide search');
  t.end();
});

t.test('exact and hashed memoization agree on a bad history', (t) => {
  const h = new HistoryBuilder()
    .call(0, adjust('a1', 5), okCmd())
    .call(1, adjust('a2', 4), okCmd())
    .call(2, read, readOf(pos(S, L, 5, 0)));
  const ops = projectByPosition(pairOperations(h.records)).get(`${S}@${L}`)!;
  t.equal(checkPosition('p', ops, undefined, true).valid, false);
  t.equal(checkPosition('p', ops, undefined, false).valid, false);
  t.end();
});

/** A random linearizable execution: each op takes effect at an instant inside its
 * interval; the checker must accept it. */
t.test('random linearizable executions are accepted', (t) => {
  let seed = 12345;
  const rnd = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  for (let round = 0; round < 5; round++) {
    const truth = new PositionModel();
    const h = new HistoryBuilder();
    const procs = 5;
    const pending = new Map<number, { args: OpArgs; result: ReturnType<typeof okCmd> | null }>();
    let rid = 0;
    let opn = 0;
    const reservations: string[] = [];
    h.call(9, adjust('seed', 20), okCmd([pos(S, L, 20, 0)]));
    truth.apply({ kind: 'adjust', delta: 20, expected_on_hand: null }, { code: null, after: null, short: false, multi_line: false, read: null });
    for (let step = 0; step < 1500; step++) {
      const p = rnd(procs);
      const cur = pending.get(p);
      if (cur === undefined) {
        let args: OpArgs;
        const k = rnd(6);
        if (k === 0) args = adjust(`o${opn++}`, rnd(2) === 0 ? 1 + rnd(4) : -(1 + rnd(3)));
        else if (k === 1 || reservations.length === 0) args = reserve(`r${rid++}`, 1 + rnd(4));
        else if (k === 2) args = commit(`o${opn++}`, reservations[rnd(reservations.length)]);
        else if (k === 3) args = release(`o${opn++}`, reservations[rnd(reservations.length)]);
        else args = read;
        if (args.f === 'reserve') reservations.push(args.reservation_id);
        h.invoke(p, args);
        pending.set(p, { args, result: null });
      } else if (cur.result === null) {
        // The linearization point: apply to the true model now and remember the answer.
        cur.result = runTruth(truth, cur.args);
      } else {
        const r = cur.result;
        const failed = r.kind === 'command' && r.result.code !== 'OK';
        if (failed) h.fail(p, r);
        else h.ok(p, r);
        pending.delete(p);
      }
    }
    const v = verdict(h);
    t.equal(v.valid, true, `round ${round}: ${JSON.stringify(v.positions.map((x) => x.reason))}`);
  }
  t.end();
});


function runTruth(m: PositionModel, a: OpArgs): ReturnType<typeof okCmd> {
  const after = (): ReturnType<typeof okCmd> => okCmd([pos(S, L, m.on_hand, m.reserved)]);
  switch (a.f) {
    case 'read':
      return readOf(m.exists ? pos(S, L, m.on_hand, m.reserved) : null);
    case 'adjust': {
      const u = m.apply({ kind: 'adjust', delta: a.delta, expected_on_hand: null }, noObs);
      if (u !== null) return after();
      return { kind: 'command', result: { code: 'INSUFFICIENT_STOCK', replay: false, short_lines: [{ sku: S, location: L, requested: -a.delta, available: m.on_hand - m.reserved }] } };
    }
    case 'reserve': {
      const u = m.apply({ kind: 'reserve', rid: a.reservation_id, quantity: a.lines[0].quantity }, noObs);
      if (u !== null) return after();
      return short(S, L, a.lines[0].quantity, m.on_hand - m.reserved);
    }
    case 'commit':
    case 'release': {
      const op = a.f === 'commit' ? ({ kind: 'commit', rid: a.reservation_id, sold: null } as const) : ({ kind: 'release', rid: a.reservation_id } as const);
      if (m.apply(op, noObs) !== null) return after();
      for (const code of ['RESERVATION_NOT_FOUND', 'RESERVATION_COMMITTED', 'RESERVATION_RELEASED'] as const) {
        if (m.apply(op, { ...noObs, code }) !== null) return refused(code);
      }
      throw new Error('truth model: no code fits');
    }
    default:
      throw new Error('not generated');
  }
}
