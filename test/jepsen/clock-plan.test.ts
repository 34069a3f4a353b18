import t from 'tap';
import { describeJump, JUMP_MS, planClockFault, type ClockPlan } from '../../jepsen-style-tests/clock-plan.js';
import { parseNemesisList } from '../../jepsen-style-tests/nemesis.js';
import { Rng } from '../../jepsen-style-tests/rng.js';

const IDS = ['n1', 'n2', 'n3'];
const DRAWS = 2_000;

function plans(seed: number, leader: string | null = 'n2'): ClockPlan[] {
  const rng = new Rng(seed);
  return Array.from({ length: DRAWS }, () => planClockFault(rng, IDS, leader));
}

t.test('jump sizes stay within their scale, and every scale and direction occurs', (t) => {
  const all = plans(1).flatMap((p) => p.jumps);
  for (const j of all) {
    const [lo, hi] = JUMP_MS[j.scale];
    const abs = Math.abs(j.offset_ms);
    if (abs < lo || abs > hi || !Number.isInteger(j.offset_ms)) t.fail(`${describeJump(j)} outside ${lo}..${hi}`);
  }
  t.ok(all.every((j) => Math.abs(j.offset_ms) <= 24 * 3_600_000), "within stockd's hook limit (24 h)");
  for (const scale of ['seconds', 'minutes', 'hours'] as const) {
    for (const sign of [1, -1]) {
      const n = all.filter((j) => j.scale === scale && Math.sign(j.offset_ms) === sign).length;
      t.ok(n > all.length / 20, `${scale} ${sign > 0 ? 'forward' : 'back'}: ${n} of ${all.length}`);
    }
  }
  const large = all.filter((j) => Math.abs(j.offset_ms) >= 60_000).length;
  t.ok(large / all.length > 0.7, `most jumps are minutes or hours: ${large} of ${all.length}`);
  t.ok(all.some((j) => Math.abs(j.offset_ms) >= 6 * 3_600_000), 'some jumps pass a 6 h TTL');
  t.end();
});

t.test('aimed at the leader, sometimes at others, with leadership moving in some', (t) => {
  const ps = plans(2);
  const leaderOnly = ps.filter((p) => p.variant === 'leader');
  t.ok(leaderOnly.length > DRAWS / 3, `leader alone: ${leaderOnly.length}`);
  t.ok(leaderOnly.every((p) => p.jumps.length === 1 && p.jumps[0].node === 'n2' && p.transfer_to === null));
  const away = ps.filter((p) => p.variant === 'leader-then-transfer');
  t.ok(away.length > 0 && away.every((p) => p.jumps[0].node === 'n2' && p.transfer_to !== null && p.transfer_to !== 'n2'), 'leadership leaves the jumped leader');
  const toward = ps.filter((p) => p.variant === 'follower-then-transfer');
  t.ok(toward.length > 0 && toward.every((p) => p.jumps.length === 1 && p.jumps[0].node !== 'n2' && p.transfer_to === p.jumps[0].node), 'a jumped follower takes over');
  const every = ps.filter((p) => p.variant === 'all');
  t.ok(every.length > 0 && every.every((p) => p.jumps.map((j) => j.node).join() === IDS.join()), 'every node jumps');
  t.ok(ps.filter((p) => p.jumps.some((j) => j.node === 'n2')).length > DRAWS / 2, 'the leader is the usual target');
  t.end();
});

t.test('the same seed gives the same faults; another seed does not', (t) => {
  t.same(plans(7).slice(0, 50), plans(7).slice(0, 50));
  t.notSame(plans(7).slice(0, 50), plans(8).slice(0, 50));
  t.end();
});

t.test('no known leader: a random node jumps; bad input is refused', (t) => {
  const ps = plans(3, null);
  t.ok(ps.every((p) => p.jumps.every((j) => IDS.includes(j.node))));
  t.ok(new Set(ps.filter((p) => p.variant === 'leader').map((p) => p.jumps[0].node)).size > 1);
  t.throws(() => planClockFault(new Rng(1), ['n1'], null), /at least 2 nodes/);
  t.throws(() => planClockFault(new Rng(1), IDS, 'n9'), /not one of/);
  t.end();
});

t.test('--nemesis clock is the clock fault with large jumps', (t) => {
  t.same(parseNemesisList('clock'), ['clock']);
  t.ok(parseNemesisList('all').includes('clock'));
  t.match(describeJump({ node: 'n1', offset_ms: -2 * 3_600_000, scale: 'hours' }), 'n1 -2.00 h');
  t.end();
});
