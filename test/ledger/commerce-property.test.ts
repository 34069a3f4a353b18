// Seeded random mixes of every commerce command on a few positions, checked after every
// entry: conservation, reserved - backordered <= on_hand, backordered <= backorder_limit,
// per-customer limits, wait-list grants in arrival order; and at the end the same state
// and hashes after snapshot + restore and on a second ledger fed the same entries.

import t, { type Test } from 'tap';
import { Ledger } from '../../src/ledger/ledger.js';
import { restoreChunks, snapshotChunks } from '../../src/ledger/snapshot.js';
import type { ApplyOutput, Command, LedgerEntry, Position, ReservationView } from '../../src/ledger/types.js';
import { adjust, commit, Driver, extend, line, release, reserve, Rng } from './helpers.js';
import { alloc, commerceDriver, count, creserve, positionPolicy, receive, skuPolicy, transfer } from './commerce-helpers.js';
import { GrantOrder, stateViolations, type Observed } from './commerce-invariants.js';

const SKUS = ['S1', 'S2'];
const LOCS = ['A', 'B', 'C'];
const CUSTOMERS = ['c1', 'c2', 'c3'];
const LIMITS = new Map([['S1', 4]]);

interface Book {
  total: number;
  readonly transfers: Map<string, number>;
  readonly reservations: string[];
  readonly issued: Command[];
  n: number;
}

function genCommand(rng: Rng, d: Driver, b: Book): Command {
  const id = (p: string): string => `${p}${++b.n}`;
  const sku = rng.pick(SKUS);
  const loc = rng.pick(LOCS);
  const q = 1 + rng.int(4);
  const customer = rng.pick(CUSTOMERS);
  const dice = rng.int(100);
  if (dice < 5 && b.issued.length > 0) return rng.pick(b.issued); // replay
  if (dice < 15) return adjust(id('a'), sku, loc, rng.int(3) === 0 ? -q : q);
  if (dice < 45) {
    const rid = id('r');
    b.reservations.push(rid);
    const kind = rng.int(5);
    const ttl_ms = 1_000 + rng.int(8_000);
    if (kind === 0) return creserve(rid, [line(sku, loc, q)], { customer_id: customer, ttl_ms });
    if (kind === 1) return creserve(rid, [line(sku, loc, q)], { customer_id: customer, backorder: true, ttl_ms });
    if (kind === 2) return creserve(rid, [line(sku, loc, q)], { customer_id: customer, wait_ms: 1_000 + rng.int(9_000), ttl_ms });
    if (kind === 3) return creserve(rid, [], { customer_id: customer, ttl_ms, allocations: [alloc(sku, [...LOCS].sort(() => 0), q + 2, rng.int(2) === 0 ? 'PRIORITY' : 'MOST_AVAILABLE', rng.int(2) === 0)] });
    return sku === 'S2' ? reserve(rid, [line(sku, loc, q)], ttl_ms) : creserve(rid, [line(sku, loc, q)], { customer_id: customer, ttl_ms });
  }
  if (dice < 70 && b.reservations.length > 0) {
    const rid = rng.pick(b.reservations);
    const k = rng.int(4);
    if (k === 0) return release(id('l'), rid);
    if (k === 1) return extend(id('e'), rid, 2_000 + rng.int(5_000));
    const r = d.ledger.getReservation(rid);
    if (k === 2 && r !== null && r.lines.length > 0) return commit(id('c'), rid, [{ ...r.lines[0], quantity: Math.max(1, r.lines[0].quantity - 1) }]);
    return commit(id('c'), rid);
  }
  if (dice < 78) return transfer(id('t'), sku, loc, rng.pick(LOCS.filter((l) => l !== loc)), q);
  if (dice < 86 && b.transfers.size > 0) {
    const tid = rng.pick([...b.transfers.keys()]);
    return receive(id('v'), tid, rng.int((b.transfers.get(tid) ?? 0) + 1));
  }
  if (dice < 94) {
    const p = d.ledger.getPosition(sku, loc);
    return count(id('k'), sku, loc, Math.max(0, (p?.on_hand ?? 0) + rng.int(5) - 2));
  }
  return positionPolicy(id('p'), sku, loc, rng.int(6), rng.int(4));
}

/** Adds what an entry's successful commands change in on_hand + in_transit. */
function account(b: Book, cmds: readonly Command[], out: ApplyOutput): void {
  cmds.forEach((c, i) => {
    const r = out.results[i];
    if (r.code !== 'OK' || r.replay) return;
    if (c.kind === 'adjust') b.total += c.delta;
    else if (c.kind === 'commit') for (const l of r.reservation?.committed_lines ?? []) b.total -= l.quantity;
    else if (c.kind === 'transfer') b.transfers.set(c.op_id, c.quantity);
    else if (c.kind === 'receive_transfer') b.total += c.received - (b.transfers.get(c.transfer_id) ?? 0);
    else if (c.kind === 'count') b.total += out.events.find((e) => e.kind === 'COUNT' && e.op_id === c.op_id)?.variance ?? 0;
  });
}

function observe(d: Driver, b: Book): Observed {
  const positions: Position[] = [];
  for (const s of SKUS) for (const l of LOCS) {
    const p = d.ledger.getPosition(s, l);
    if (p !== null) positions.push(p);
  }
  const reservations = new Map<string, ReservationView>();
  for (const id of b.reservations) {
    const r = d.ledger.getReservation(id);
    if (r !== null) reservations.set(id, r);
  }
  return { positions, reservations, expected_total: b.total, customer_limits: LIMITS };
}

/** Event kinds and result codes the mixes produced (so a mix that stops exercising a
 * feature fails). */
const seen = new Set<string>();

function runSeed(t: Test, seed: number, entries_n: number): void {
  const rng = new Rng(seed);
  const d = commerceDriver();
  const twin = commerceDriver();
  const b: Book = { total: 0, transfers: new Map(), reservations: [], issued: [], n: 0 };
  const grants = new GrantOrder();
  const setup: Command[] = [skuPolicy('k-S1', 'S1', 4)];
  for (const s of SKUS) for (const l of LOCS) setup.push(adjust(`init-${s}-${l}`, s, l, 3 + rng.int(5)), positionPolicy(`pp-${s}-${l}`, s, l, rng.int(4), 2));
  const log: LedgerEntry[] = [];
  let time = 100;
  let bad: string[] = [];
  for (let i = 0; i <= entries_n && bad.length === 0; i++) {
    time += rng.int(1_500);
    const cmds = i === 0 ? setup : Array.from({ length: rng.int(4) }, () => genCommand(rng, d, b));
    const out = d.entry(time, cmds);
    twin.entry(time, cmds);
    log.push({ time_ms: time, commands: cmds });
    b.issued.push(...cmds);
    account(b, cmds, out);
    for (const e of out.events) seen.add(e.kind);
    for (const r of out.results) seen.add(r.code);
    bad = [...stateViolations(observe(d, b)), ...grants.feed(out.events)].map((v) => `seed ${seed} entry ${i}: ${v}`);
    d.ledger.checkInvariants();
  }
  t.same(bad, [], `seed ${seed}: no invariant broken in ${entries_n} entries`);
  t.equal(twin.ledger.headHash(), d.ledger.headHash(), `seed ${seed}: a second ledger fed the same entries has the same head`);
  t.same(twin.ledger.stateEntries(), d.ledger.stateEntries(), `seed ${seed}: and the same state`);
  const restored = Ledger.load(restoreRecords(d), d.ledger.options());
  t.same(restored.stateEntries(), d.ledger.stateEntries(), `seed ${seed}: snapshot + restore gives the same state`);
  t.equal(restored.headHash(), d.ledger.headHash(), `seed ${seed}: and the same head`);
  // The restored ledger and the original go on alike.
  const more = Array.from({ length: 20 }, () => genCommand(rng, d, b));
  const a = d.ledger.apply(d.log_index + 1, { time_ms: time + 5_000, commands: more, rules_version: 4 });
  const c = restored.apply(d.log_index + 1, { time_ms: time + 5_000, commands: more, rules_version: 4 });
  t.same(c.results, a.results, `seed ${seed}: the restored ledger answers the next entry alike`);
  t.equal(restored.headHash(), d.ledger.headHash(), `seed ${seed}: and appends the same events`);
  void log;
}

function restoreRecords(d: Driver): [string, unknown][] {
  const records = [...restoreChunks(snapshotChunks(d.store.records(), 64 * 1024))];
  return records.filter((r) => r[0] === 'state').map((r) => [r[1], r[2]]);
}

t.test('random commerce mixes keep every invariant, and replicas and restores agree', (t) => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) runSeed(t, seed, 300);
  const wanted = ['BACKORDER_FILL', 'WAIT', 'GRANT', 'WAIT_EXPIRE', 'TRANSFER_OUT', 'TRANSFER_IN', 'RECEIVE', 'COUNT', 'LOW_STOCK', 'POLICY', 'EXPIRE',
    'CUSTOMER_LIMIT', 'COUNT_BELOW_HELD', 'RESERVATION_BACKORDERED', 'RESERVATION_WAITING', 'TRANSFER_RECEIVED', 'BACKORDER_LIMIT_BELOW_BACKORDERED', 'INSUFFICIENT_STOCK'];
  t.same(wanted.filter((k) => !seen.has(k)), [], 'the mixes produced every commerce event kind and refusal');
  t.end();
});

t.test('the checker fails on known-bad states', (t) => {
  const good: Position = { sku: 'S', location: 'A', on_hand: 2, reserved: 4, available: 0, seq: 3, backordered: 2, backorder_limit: 3 };
  const base: Observed = { positions: [good], reservations: new Map(), expected_total: 2, customer_limits: LIMITS };
  t.same(stateViolations(base), [], 'a good state passes');
  t.match(stateViolations({ ...base, positions: [{ ...good, backorder_limit: 1 }] }), [/backordered 2 > backorder_limit 1/], 'backorders above the limit');
  t.match(stateViolations({ ...base, positions: [{ ...good, backordered: 0 }] }), [/reserved - backordered 4 > on_hand 2/, /backordered 0 != max/], 'held beyond on_hand');
  t.match(stateViolations({ ...base, expected_total: 3 }), [/conservation: on_hand \+ in_transit is 2, the accounting expects 3/], 'conservation');
  t.match(stateViolations({ ...base, positions: [{ ...good, in_transit: 1 }] }), [/conservation/], 'in transit counts');
  const over: ReservationView = { reservation_id: 'r', state: 'PENDING', lines: [line('S1', 'A', 5)], order_ref: '', created_ms: 0, deadline_ms: 1, committed_lines: [], customer_id: 'c1' };
  t.match(stateViolations({ ...base, reservations: new Map([['r', over]]) }), [/customer c1 holds 5 units of S1, above the limit 4/], 'customer limit');
  const g = new GrantOrder();
  const ev = (kind: string, reservation_id: string) => ({ sku: 'S', location: 'A', kind, reservation_id }) as unknown as import('../../src/ledger/types.js').LedgerEvent;
  t.same(g.feed([ev('WAIT', 'w1'), ev('WAIT', 'w2'), ev('GRANT', 'w1')]), [], 'head granted');
  t.match(g.feed([ev('WAIT', 'w3'), ev('GRANT', 'w3')]), [/w3 granted while w2 heads the queue/], 'out-of-order grant');
  t.end();
});
