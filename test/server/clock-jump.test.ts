// A wall-clock jump on the leader does not jump log time (src/node/log-clock.ts): on a
// 3-node cluster a 2 h reservation survives a +3 h step of the leader's clock, through
// further writes, a -3 h step and a leader change, while 1 s reservations made meanwhile
// still expire after their deadline. With wall-clock stamping (the old behaviour) the first
// write after the step would expire the 2 h reservation.

import t, { type Test } from 'tap';
import { adjust, StockdCluster } from './cluster-harness.js';
import type { Command, CommandResult } from '../../src/ledger/types.js';
import { MAX_CLOCK_SKEW_MS_DEFAULT } from '../../src/node/log-clock.js';
import { TTL_MS_MIN } from '../../src/ledger/limits.js';

const HOUR_MS = 3_600_000;
const SKEW_MS = MAX_CLOCK_SKEW_MS_DEFAULT;
/** A due reservation expires within this much of its deadline: skew, a tick, a commit and
 * the read that sees it, with room for a loaded machine. */
const EXPIRY_WITHIN_MS = 5_000;
const SKU = 'CLOCK';
const LOC = 'WH1';

async function setClockOffset(c: StockdCluster, id: string, ms: number): Promise<void> {
  const port = c.nodes.get(id)!.metrics_port!;
  const res = await fetch(`http://127.0.0.1:${port}/test/clock-offset?ms=${ms}`, { method: 'POST' });
  if (res.status !== 200) throw new Error(`clock-offset on ${id}: HTTP ${res.status} ${await res.text()}`);
}

function reserve(id: string, ttl_ms: number): Command {
  return { kind: 'reserve', reservation_id: id, lines: [{ sku: SKU, location: LOC, quantity: 1 }], ttl_ms, order_ref: 'clock' };
}

/** An Extend with a fresh op id and the shortest TTL: never shortens a reservation, and
 * answers with its state (or RESERVATION_EXPIRED). */
function probe(op_id: string, reservation_id: string): Command {
  return { kind: 'extend', op_id, reservation_id, ttl_ms: TTL_MS_MIN };
}

function reservationOf(r: CommandResult | undefined): { state: string; created_ms: number; deadline_ms: number } | string {
  if (r?.code !== 'OK' || r.reservation === null) return r?.code ?? 'no result';
  return r.reservation;
}

/** Makes a 1 s reservation through `propose` and checks it expires after its deadline
 * minus the bound and within EXPIRY_WITHIN_MS of it, polling the leader's position. */
async function shortReservationExpires(t: Test, c: StockdCluster, propose: (cmds: Command[]) => Promise<CommandResult[]>, id: string, held_before: number): Promise<void> {
  const sent_ms = Date.now();
  const [made] = await propose([reserve(id, TTL_MS_MIN)]);
  const acked_ms = Date.now();
  const view = reservationOf(made);
  if (typeof view === 'string') return void t.fail(`${id}: reserve answered ${view}`);
  t.ok(view.created_ms <= acked_ms + SKEW_MS, `${id}: log time ${view.created_ms - acked_ms} ms from true time, within the bound`);
  let expired_seen_ms: number | null = null;
  let held_seen_ms = sent_ms;
  for (let poll = 0; poll < 200 && Date.now() < sent_ms + TTL_MS_MIN + EXPIRY_WITHIN_MS; poll++) {
    const p = await c.client(await c.waitForLeader()).position(SKU, LOC, true);
    const now_ms = Date.now();
    if (p !== null && p.reserved === held_before) {
      expired_seen_ms = now_ms;
      break;
    }
    held_seen_ms = now_ms;
    await new Promise((r) => setTimeout(r, 50));
  }
  t.ok(expired_seen_ms !== null, `${id}: expired within ${EXPIRY_WITHIN_MS} ms of its deadline`);
  // The read that still saw it held ended at held_seen_ms: it was pending then.
  t.ok(held_seen_ms >= acked_ms, `${id}: seen held after the reserve`);
  if (expired_seen_ms !== null) {
    // Seen expired at expired_seen_ms; the reserve's stamp was taken no earlier than sent_ms.
    t.ok(expired_seen_ms - sent_ms >= TTL_MS_MIN - SKEW_MS, `${id}: not before its deadline minus the bound (${expired_seen_ms - sent_ms} ms after the reserve was sent)`);
  }
}

t.test('a +3 h wall-clock jump on the leader expires nothing early', async (t) => {
  const c = await StockdCluster.start({ size: 3, metrics: true });
  t.teardown(() => c.close());
  const leader = await c.waitForLeader(60_000);
  const via_leader = (cmds: Command[]) => c.client(leader).propose(cmds, 10_000);
  const [stocked] = await via_leader([adjust('clock-stock', SKU, LOC, 100)]);
  t.equal(stocked?.code, 'OK', 'stock received');
  const [long] = await via_leader([reserve('long', 2 * HOUR_MS)]);
  const long_view = reservationOf(long);
  t.match(long_view, { state: 'PENDING' }, 'the 2 h reservation is made');
  const deadline_ms = typeof long_view === 'string' ? 0 : long_view.deadline_ms;

  await setClockOffset(c, leader, 3 * HOUR_MS);
  for (let i = 0; i < 5; i++) {
    const [r] = await via_leader([adjust(`clock-after-jump-${i}`, SKU, LOC, 1)]);
    t.equal(r?.code, 'OK', `write ${i} after the jump`);
    await new Promise((r) => setTimeout(r, 100)); // a few ticks: the expiry tick would fire
  }
  const [p1] = await via_leader([probe('probe-1', 'long')]);
  t.match(reservationOf(p1), { state: 'PENDING', deadline_ms }, 'after +3 h on the leader: still PENDING, deadline unchanged');
  await shortReservationExpires(t, c, via_leader, 'short-ahead', 1);

  await setClockOffset(c, leader, -3 * HOUR_MS);
  await shortReservationExpires(t, c, via_leader, 'short-behind', 1);
  const [p2] = await via_leader([probe('probe-2', 'long')]);
  t.match(reservationOf(p2), { state: 'PENDING', deadline_ms }, 'after -3 h on the leader: still PENDING');

  // The leader goes; the next one continues from the log's time.
  await setClockOffset(c, leader, 3 * HOUR_MS);
  await c.kill(leader);
  const next = await c.waitForLeader(30_000);
  t.not(next, leader, `${next} leads`);
  const [after] = await c.propose([adjust('clock-new-leader', SKU, LOC, 1)]);
  t.equal(after?.code, 'OK', 'a write on the new leader');
  const [p3] = await c.propose([probe('probe-3', 'long')]);
  t.match(reservationOf(p3), { state: 'PENDING', deadline_ms }, 'after the leader change: still PENDING');
  for (const id of [...c.nodes.keys()].filter((id) => c.running(id))) {
    const p = await c.client(id).position(SKU, LOC, false);
    t.ok(p !== null && p.reserved >= 1, `${id}: the 2 h reservation still holds its unit (reserved ${p?.reserved})`);
  }
});
