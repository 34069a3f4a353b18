import t from 'tap';
import { pairOperations, type OpArgs } from '../../jepsen-style-tests/history.js';
import { checkAvailability } from '../../jepsen-style-tests/checkers/availability.js';
import { HistoryBuilder, okCmd, short } from './history-builder.js';

const adj = (op_id: string): OpArgs => ({ f: 'adjust', op_id, sku: 's', location: 'l', delta: 1 });

t.test('ops during a majority outage do not count against availability', (t) => {
  const h = new HistoryBuilder()
    .call(1, adj('a1'), okCmd()) // t=1..2
    .nemesis('partition', 'start', false, 10)
    .invoke(1, adj('a2')) // invoked with no majority
    .wait(100)
    .info(1)
    .nemesis('partition', 'end', true, 200)
    .invoke(1, adj('a3'))
    .wait(50)
    .info(1) // invoked with a majority, no answer: counts against
    .invoke(2, { f: 'reserve', reservation_id: 'r', lines: [{ sku: 's', location: 'l', quantity: 9 }], ttl_ms: 3_600_000 })
    .fail(2, short('s', 'l', 9, 1)) // a definite refusal is an answer
    .call(1, adj('a4'), okCmd());
  const a = checkAvailability(pairOperations(h.records), h.records);
  t.equal(a.ops_total, 5);
  t.equal(a.ops_with_majority, 4);
  t.equal(a.ops_with_majority_definite, 3);
  t.equal(a.fraction_with_majority, 0.75);
  t.equal(a.ops_definite, 3);
  t.ok(a.longest_unavailable_ms >= 250, `gap from the first answer to the refusal: ${a.longest_unavailable_ms}`);
  t.ok(a.longest_unavailable_with_majority_ms < a.longest_unavailable_ms, 'time without a majority is excluded');
  t.ok(a.longest_unavailable_with_majority_ms >= 50);
  t.end();
});

t.test('a fully available run', (t) => {
  const h = new HistoryBuilder().call(1, adj('a1'), okCmd()).call(2, adj('a2'), okCmd());
  const a = checkAvailability(pairOperations(h.records), h.records);
  t.equal(a.fraction_with_majority, 1);
  t.equal(a.fraction_definite, 1);
  t.end();
});
