import t from 'tap';
import { adjust, line, reserve } from './helpers.js';
import { checkRestore, code, commerceDriver, creserve, eventsOf, ok } from './commerce-helpers.js';
import { Driver } from './helpers.js';
import { GRANTS_PER_ENTRY_MAX } from '../../src/ledger/limits.js';
import type { Command } from '../../src/ledger/types.js';

// A restock for a long wait-list is granted GRANTS_PER_ENTRY_MAX waiters per entry, in
// arrival order, over the following time ticks; nobody passes the queue in between, and a
// ledger restored between two of those entries grants exactly as the original.
t.test('wait-list grants per entry are bounded and continue in the next entries', (t) => {
  const waiters = GRANTS_PER_ENTRY_MAX * 2 + 500;
  const d = commerceDriver();
  d.entry(10, [adjust('a0', 'S', 'L', 1), reserve('hold', [line('S', 'L', 1)], 600_000)]);
  const queue: Command[] = [];
  for (let i = 0; i < waiters; i++) queue.push(creserve(`w${i}`, [line('S', 'L', 1)], { wait_ms: 600_000 }));
  d.entry(11, queue);
  t.equal(d.ledger.getReservation(`w${waiters - 1}`)?.queue_position, waiters, 'every waiter queued');
  t.equal(d.ledger.nextExpiryMs(), 600_010, 'nothing due but the first expiry');

  ok(t, d.one(12, adjust('restock', 'S', 'L', waiters)), 'the restock applies');
  t.equal(eventsOf(d, 'S', 'L', 'GRANT').length, GRANTS_PER_ENTRY_MAX, 'the first entry grants the bound');
  t.equal(d.ledger.nextExpiryMs(), 12, 'the rest are due at once: the leader ticks');
  code(t, d.one(13, reserve('late', [line('S', 'L', 1)])), 'INSUFFICIENT_STOCK', 'a plain reserve does not pass the queue meanwhile');
  t.equal(eventsOf(d, 'S', 'L', 'GRANT').length, GRANTS_PER_ENTRY_MAX * 2, 'that entry granted the next bound');

  // A replica restored from this state grants the rest exactly as the original does.
  const restored = checkRestore(t, d);
  const twin = new Driver(restored);
  twin.rules_version = 4;
  d.entry(14, []);
  twin.entry(14, []);
  t.equal(d.ledger.headHash(), twin.ledger.headHash(), 'the restored ledger granted the same waiters in the same order');
  const grants = eventsOf(d, 'S', 'L', 'GRANT').map((e) => e.reservation_id);
  t.equal(grants.length, waiters, 'every waiter granted');
  t.same(grants, queue.map((c) => (c.kind === 'reserve' ? c.reservation_id : '')), 'in arrival order');
  t.equal(d.ledger.nextExpiryMs(), 60_012, 'nothing due now: next, the first grants expire (granted at 12, ttl 60 s)');
  d.ledger.checkInvariants();
  t.end();
});
