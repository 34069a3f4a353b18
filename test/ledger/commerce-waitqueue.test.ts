import t from 'tap';
import { WaitQueue } from '../../src/ledger/commerce/extras.js';
import type { ReservationRecord } from '../../src/ledger/records.js';

const rec = (id: string): ReservationRecord => ({ reservation_id: id, state: 'WAITING', lines: [], order_ref: '', created_ms: 0, deadline_ms: 1, committed_lines: [], ttl_ms: 1_000, final_ms: -1 });

t.test('wait queue: FIFO head, leave from anywhere, positions, compaction keeps order', (t) => {
  const q = new WaitQueue();
  const rs = Array.from({ length: 5_000 }, (_, i) => rec(`w${i}`));
  for (const r of rs) q.push(r);
  t.equal(q.peek(), rs[0], 'head is the first');
  q.remove(rs[0]);
  q.remove(rs[2]);
  t.equal(q.peek(), rs[1], 'a leaver at the head is skipped');
  t.equal(q.position(rs[3]), 2, 'positions count live entries only');
  t.throws(() => q.remove(rs[2]), /left its wait-list twice/, 'a second leave is an invariant break');
  // Leavers behind a head that stays: the queue compacts and keeps the order.
  for (let i = 3; i < 4_000; i++) q.remove(rs[i]);
  t.equal(q.size, 1_001, 'live entries counted');
  t.same([...q.live()].slice(0, 3), [rs[1], rs[4_000], rs[4_001]], 'order kept after compaction');
  q.shift();
  t.equal(q.peek(), rs[4_000], 'next after the head');
  t.equal(q.position(rs[4_999]), 1_000, 'last position');
  t.end();
});
