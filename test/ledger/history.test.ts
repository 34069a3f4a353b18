import t from 'tap';
import { createHash } from 'node:crypto';
import { eventHash, eventHashOf, HistoryVerifier, verifyHistory, GENESIS_HEAD } from '../../src/ledger/history.js';
import { historyKey } from '../../src/ledger/keys.js';
import type { LedgerEvent } from '../../src/ledger/types.js';
import { Driver, adjust, commit, line, release, reserve } from './helpers.js';

function busy(): Driver {
  const d = new Driver();
  d.entry(1_000, [adjust('a1', 'SKU-1', 'LOC-1', 10), adjust('a2', 'SKU-2', 'LOC-1', 10), adjust('a3', 'SKU-10', 'LOC-1', 10)]);
  d.entry(2_000, [reserve('r1', [line('SKU-1', 'LOC-1', 2), line('SKU-2', 'LOC-1', 3)])]);
  d.entry(3_000, [commit('c1', 'r1', [line('SKU-2', 'LOC-1', 1)])]);
  d.entry(4_000, [reserve('r2', [line('SKU-10', 'LOC-1', 4)], 5_000), reserve('r3', [line('SKU-1', 'LOC-1', 1)])]);
  d.entry(5_000, [release('l1', 'r3')]);
  d.entry(20_000, []); // r2 expires
  return d;
}

t.test('the event hash is SHA-256 over the documented canonical JSON', (t) => {
  const d = busy();
  for (const e of d.store.historyEvents()) {
    const text =
      'stockraft-event-v1\n' +
      JSON.stringify([e.sku, e.location, e.seq, e.log_index, e.time_ms, e.kind, e.op_id, e.reservation_id, e.delta_on_hand, e.delta_reserved, e.on_hand, e.reserved, e.prev_hash]);
    t.equal(e.hash, createHash('sha256').update(text).digest('hex'), `${e.sku} seq ${e.seq}`);
  }
  // Ids with characters JSON escapes hash as JSON encodes them.
  const odd = { ...d.store.historyEvents()[0], op_id: 'a"b\\c' };
  t.equal(eventHash(odd), createHash('sha256').update('stockraft-event-v1\n' + JSON.stringify([odd.sku, odd.location, odd.seq, odd.log_index, odd.time_ms, odd.kind, odd.op_id, odd.reservation_id, odd.delta_on_hand, odd.delta_reserved, odd.on_hand, odd.reserved, odd.prev_hash])).digest('hex'));
  // The fast path used by apply agrees with the definition, escapes included.
  for (const e of [...d.store.historyEvents(), odd, { ...odd, reservation_id: 'r\\"x', op_id: '' }]) {
    t.equal(
      eventHashOf(e.sku, e.location, e.seq, e.log_index, e.time_ms, e.kind, e.op_id, e.reservation_id, e.delta_on_hand, e.delta_reserved, e.on_hand, e.reserved, e.prev_hash),
      eventHash(e),
      `fast path agrees for ${e.sku} seq ${e.seq} op ${e.op_id}`,
    );
  }
  t.end();
});

t.test('history keys iterate each position in seq order, positions as (sku, location) tuples', (t) => {
  const keys = [historyKey('A', 'L', 10), historyKey('A', 'L', 9), historyKey('A-B', 'L', 1), historyKey('A', 'L-2', 1), historyKey('A', 'L', 100)].sort();
  t.same(keys, [historyKey('A', 'L', 9), historyKey('A', 'L', 10), historyKey('A', 'L', 100), historyKey('A', 'L-2', 1), historyKey('A-B', 'L', 1)]);
  t.end();
});

t.test('verifyHistory accepts a real history and checks heads', (t) => {
  const d = busy();
  const v = verifyHistory(d.store.historyEvents(), d.ledger.positionHeads());
  t.same(v, { ok: true, events: d.store.history.size, positions: 3, admin_events: 0 });
  t.not(d.ledger.headHash(), GENESIS_HEAD);
  t.end();
});

t.test('verifyHistory reports the first break (known-bad cases)', (t) => {
  const d = busy();
  const good = d.store.historyEvents();
  const heads = [...d.ledger.positionHeads()];
  const at = (i: number, patch: Partial<LedgerEvent>): LedgerEvent[] => good.map((e, j) => (j === i ? { ...e, ...patch } : e));
  const idx = good.findIndex((e) => e.sku === 'SKU-1' && e.seq === 2);
  const cases: [string, LedgerEvent[], RegExp, number][] = [
    ['doctored quantity', at(idx, { on_hand: 99 }), /on_hand 99|altered/, 2],
    ['doctored quantity with consistent delta and rehash', (() => {
      const e = { ...good[idx], delta_on_hand: 5, on_hand: good[idx].on_hand + 5 };
      return good.map((x, j) => (j === idx ? { ...e, hash: eventHash(e) } : x));
    })(), /prev_hash/, 3],
    ['doctored op id', at(idx, { op_id: 'forged' }), /altered/, 2],
    ['removed event', good.filter((_, j) => j !== idx), /gap/, 3],
    ['repeated event', [...good.slice(0, idx + 1), good[idx], ...good.slice(idx + 1)], /gap or a repeat/, 2],
    ['reordered positions', [...good].reverse(), /./, -1],
    ['reserved above on_hand, correctly hashed', (() => {
      const e = { ...good[idx], delta_reserved: 50, reserved: good[idx].reserved - good[idx].delta_reserved + 50 };
      return good.map((x, j) => (j === idx ? { ...e, hash: eventHash(e) } : x));
    })(), /reserved <= on_hand/, 2],
    ['bad kind', at(idx, { kind: 'GIFT' as LedgerEvent['kind'] }), /kind/, 2],
  ];
  for (const [what, events, reason, seq] of cases) {
    const v = verifyHistory(events);
    t.equal(v.ok, false, what);
    if (!v.ok) {
      t.match(v.reason, reason, `${what}: ${v.reason}`);
      if (seq > 0) t.equal(v.seq, seq, `${what}: seq`);
    }
  }
  // Heads that do not match the chain ends.
  const wrongHead = heads.map((h) => (h.sku === 'SKU-2' ? { ...h, head: 'f'.repeat(64) } : h));
  t.match(verifyHistory(good, wrongHead), { ok: false, sku: 'SKU-2', reason: /does not match the chain end/ });
  const shortHead = heads.map((h) => (h.sku === 'SKU-2' ? { ...h, seq: h.seq - 1 } : h));
  t.match(verifyHistory(good, shortHead), { ok: false, sku: 'SKU-2' });
  t.match(verifyHistory(good, heads.filter((h) => h.sku !== 'SKU-10')), { ok: false, sku: 'SKU-10', reason: /state does not hold/ });
  t.match(verifyHistory(good.filter((e) => e.sku !== 'SKU-10'), heads), { ok: false, sku: 'SKU-10', reason: /no history/ });
  // The incremental verifier sticks to the first failure.
  const iv = new HistoryVerifier();
  for (const e of at(idx, { on_hand: 99 })) iv.push(e);
  t.match(iv.finish(heads), { ok: false, seq: 2 });
  t.end();
});

t.test('the head hash moves once per entry with events, and not for entries without', (t) => {
  const d = new Driver();
  const h0 = d.ledger.headHash();
  t.equal(h0, GENESIS_HEAD);
  d.one(1, adjust('a', 'S', 'L', 1));
  const h1 = d.ledger.headHash();
  t.not(h1, h0);
  d.entry(2, []);
  d.one(2, adjust('bad', 'S', 'L', 0));
  t.equal(d.ledger.headHash(), h1);
  // Same events at another log index give another head.
  const e = new Driver();
  e.entry(1, []);
  e.one(1, adjust('a', 'S', 'L', 1));
  t.not(e.ledger.headHash(), h1);
  t.end();
});
