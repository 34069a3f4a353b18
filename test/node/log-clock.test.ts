// Log time under wall-clock jumps: a simulated cluster whose "true" time the test drives.
// Each node reads wall = true + its offset and monotonic = true + its own origin; entries
// are stamped by the leader and observed by followers after a replication delay.

import t from 'tap';
import { LogClock, MAX_CLOCK_SKEW_MS_DEFAULT, MAX_CLOCK_SKEW_MS_MAX, type LogClockMode } from '../../src/node/log-clock.js';

const SKEW_MS = MAX_CLOCK_SKEW_MS_DEFAULT;
const HALF_MS = SKEW_MS / 2;
const HOUR_MS = 3_600_000;
const T0_MS = 1_800_000_000_000; // a wall time in 2027

class World {
  true_ms = T0_MS;
  advance(ms: number): void {
    this.true_ms += ms;
  }
}

class SimNode {
  wall_offset_ms = 0;
  readonly clock: LogClock;
  constructor(world: World, monotonic_origin_ms: number, log_time_ms: number, mode: LogClockMode = 'anchored', skew_ms = SKEW_MS) {
    this.clock = new LogClock({
      max_clock_skew_ms: skew_ms,
      wall_ms: () => world.true_ms + this.wall_offset_ms,
      monotonic_ms: () => world.true_ms - T0_MS + monotonic_origin_ms,
      log_time_ms,
      mode,
    });
  }
}

/** A reservation made by a stamp at true time `created_true_ms`: the true time of the first
 * later stamp reaching its deadline, found by stamping every `step_ms` for up to `for_ms`. */
function expiryTrueTime(world: World, leader: SimNode, ttl_ms: number, step_ms: number, for_ms: number, at?: (elapsed_ms: number) => void): { created_true_ms: number; expired_true_ms: number | null } {
  const created_true_ms = world.true_ms;
  const deadline_ms = leader.clock.stamp() + ttl_ms;
  for (let elapsed_ms = step_ms; elapsed_ms <= for_ms; elapsed_ms += step_ms) {
    world.advance(step_ms);
    at?.(elapsed_ms);
    if (leader.clock.stamp() >= deadline_ms) return { created_true_ms, expired_true_ms: world.true_ms };
  }
  return { created_true_ms, expired_true_ms: null };
}

/** The checker: no reservation expires before its deadline minus the bound, and a due one
 * expires within the bound plus one step. Returns the problems found. */
function expiryProblems(r: { created_true_ms: number; expired_true_ms: number | null }, ttl_ms: number, bound_ms: number, step_ms: number): string[] {
  if (r.expired_true_ms === null) return ['never expired'];
  const lived_ms = r.expired_true_ms - r.created_true_ms;
  const out: string[] = [];
  if (lived_ms < ttl_ms - bound_ms) out.push(`expired early: lived ${lived_ms} ms of ${ttl_ms}`);
  if (lived_ms > ttl_ms + bound_ms + step_ms) out.push(`expired late: lived ${lived_ms} ms of ${ttl_ms}`);
  return out;
}

t.test('healthy clocks stamp the wall time unchanged', async (t) => {
  const world = new World();
  const a = new SimNode(world, 5_000, T0_MS - 10);
  world.advance(1_000);
  a.wall_offset_ms = 40; // NTP-size offset
  t.equal(a.clock.stamp(), world.true_ms + 40);
  world.advance(1);
  t.equal(a.clock.stamp(), world.true_ms + 40);
});

t.test('the wall clock corrects only within the skew bound of the estimate', async (t) => {
  const world = new World();
  const a = new SimNode(world, 0, T0_MS);
  world.advance(10_000);
  const est = T0_MS + 10_000;
  t.equal(a.clock.estimateMs(), est);
  a.wall_offset_ms = HALF_MS - 1;
  t.equal(a.clock.peekMs(), est + HALF_MS - 1, 'inside the window: the wall');
  a.wall_offset_ms = 5_000;
  t.equal(a.clock.peekMs(), est + HALF_MS, 'above: estimate + skew/2');
  a.wall_offset_ms = -5_000;
  t.equal(a.clock.peekMs(), est - HALF_MS, 'below: estimate - skew/2');
  a.wall_offset_ms = 0;
  t.equal(a.clock.stamp(), est);
  a.wall_offset_ms = -5_000;
  t.equal(a.clock.stamp(), est, 'never below the previous stamp');
});

t.test('+3 h wall jump on the leader: a 2 h reservation lives its TTL', async (t) => {
  const world = new World();
  const a = new SimNode(world, 123, T0_MS);
  world.advance(60_000);
  const ttl_ms = 2 * HOUR_MS;
  const step_ms = 1_000;
  const r = expiryTrueTime(world, a, ttl_ms, step_ms, 3 * HOUR_MS, (elapsed) => {
    if (elapsed === 10_000) a.wall_offset_ms = 3 * HOUR_MS;
  });
  t.same(expiryProblems(r, ttl_ms, SKEW_MS, step_ms), []);
  t.ok(a.clock.stamp() <= world.true_ms + HALF_MS, 'log time stays within half the bound of true time');
});

t.test('-3 h wall jump on the leader: expiry is late by at most the bound', async (t) => {
  const world = new World();
  const a = new SimNode(world, 0, T0_MS);
  world.advance(60_000);
  const ttl_ms = 10_000;
  const step_ms = 50;
  const r = expiryTrueTime(world, a, ttl_ms, step_ms, HOUR_MS, (elapsed) => {
    if (elapsed === 2_000) a.wall_offset_ms = -3 * HOUR_MS;
  });
  t.same(expiryProblems(r, ttl_ms, SKEW_MS, step_ms), []);
  const before = a.clock.stamp();
  world.advance(1_000);
  t.equal(a.clock.stamp() - before, 1_000, 'log time keeps running at the monotonic rate');
});

t.test('leader change: the new leader continues from the log time plus what it measured', async (t) => {
  const world = new World();
  const replication_ms = 3;
  const a = new SimNode(world, 0, T0_MS);
  const b = new SimNode(world, 77_777, T0_MS);
  let last_a = 0;
  for (let i = 0; i < 100; i++) {
    world.advance(10);
    last_a = a.clock.stamp();
    world.advance(replication_ms);
    a.clock.observe(last_a, true);
    b.clock.observe(last_a, false);
  }
  // a dies; b's clock jumps forward while b waits out the election timeout, then leads.
  world.advance(800);
  b.wall_offset_ms = 3 * HOUR_MS;
  const first_b = b.clock.stamp();
  t.ok(first_b >= last_a, 'log time never goes back');
  t.ok(first_b <= world.true_ms + HALF_MS, `at most skew/2 ahead of true time (${first_b - world.true_ms} ms)`);
  t.equal(b.clock.estimateMs(), world.true_ms - replication_ms, 'the estimate misses only the replication delay');
  // b's own entries applied later raise the floor, not the anchor.
  world.advance(100);
  const own = b.clock.stamp();
  b.clock.observe(own, true);
  t.equal(b.clock.estimateMs(), world.true_ms - replication_ms, 'anchor kept');
});

t.test('a wall swinging -3 h then +3 h on one leader: early by at most skew', async (t) => {
  const world = new World();
  const a = new SimNode(world, 0, T0_MS);
  world.advance(60_000);
  a.wall_offset_ms = -3 * HOUR_MS;
  const ttl_ms = 10_000;
  const step_ms = 10;
  const r = expiryTrueTime(world, a, ttl_ms, step_ms, HOUR_MS, (elapsed) => {
    if (elapsed === 1_000) a.wall_offset_ms = 3 * HOUR_MS;
  });
  t.same(expiryProblems(r, ttl_ms, SKEW_MS, step_ms), []);
  t.equal(r.expired_true_ms! - r.created_true_ms, ttl_ms - SKEW_MS, 'the whole window, no more');
});

t.test('entries a node did not stamp re-anchor it; its own stamps do not', async (t) => {
  const world = new World();
  const n = new SimNode(world, 0, T0_MS);
  world.advance(5_000);
  n.clock.observe(T0_MS + 1_000, false);
  t.equal(n.clock.estimateMs(), T0_MS + 1_000);
  world.advance(500);
  t.equal(n.clock.estimateMs(), T0_MS + 1_500);
  n.clock.observe(T0_MS + 9_000, true);
  t.equal(n.clock.estimateMs(), T0_MS + 1_500, 'own stamp: anchor kept');
  t.equal(n.clock.peekMs(), T0_MS + 9_000, 'own stamp: floor raised');
  n.clock.observe(T0_MS + 9_000, false);
  t.equal(n.clock.estimateMs(), T0_MS + 9_000, 'an earlier term\'s entry applied after the election: re-anchored');
});

t.test('no accumulation: a wall clock creeping ahead in steps inside the bound', async (t) => {
  const world = new World();
  const a = new SimNode(world, 0, T0_MS);
  let max_ahead_ms = -Infinity;
  for (let i = 0; i < 5_000; i++) {
    world.advance(10);
    a.wall_offset_ms += 20; // each step is well inside the bound; 100 s in all
    const s = a.clock.stamp();
    max_ahead_ms = Math.max(max_ahead_ms, s - world.true_ms);
  }
  t.equal(max_ahead_ms, HALF_MS, 'log time is never more than skew/2 ahead of true time');
  t.equal(a.wall_offset_ms, 100_000);
});

t.test('a new cluster (log time 0) stamps its wall clock once, then anchors on it', async (t) => {
  const world = new World();
  const a = new SimNode(world, 0, 0);
  a.wall_offset_ms = 30;
  t.equal(a.clock.estimateMs(), world.true_ms + 30, 'no log time yet: the estimate is the wall clock');
  const first = a.clock.stamp();
  t.equal(first, world.true_ms + 30);
  world.advance(1_000);
  a.wall_offset_ms = 3 * HOUR_MS;
  t.equal(a.clock.stamp(), first + 1_000 + HALF_MS, 'anchored: a later jump is clamped');
  const f = new SimNode(world, 0, 0);
  f.clock.observe(0, false);
  t.equal(f.clock.estimateMs(), world.true_ms, 'an entry without time anchors nothing');
  f.clock.observe(first, true);
  world.advance(10);
  t.equal(f.clock.estimateMs(), first + 10, 'an unanchored node anchors even on its own stamp');
});

t.test('peekMs records nothing', async (t) => {
  const world = new World();
  const a = new SimNode(world, 0, T0_MS);
  a.wall_offset_ms = 5_000;
  const peeked = a.clock.peekMs();
  a.wall_offset_ms = 0;
  t.ok(a.clock.peekMs() < peeked);
  t.equal(a.clock.stamp(), T0_MS);
});

t.test('known-bad wall stamping: a +3 h jump expires a 2 h reservation at once', async (t) => {
  const world = new World();
  const a = new SimNode(world, 0, T0_MS, 'wall');
  const ttl_ms = 2 * HOUR_MS;
  const step_ms = 1_000;
  const r = expiryTrueTime(world, a, ttl_ms, step_ms, 3 * HOUR_MS, (elapsed) => {
    if (elapsed === 10_000) a.wall_offset_ms = 3 * HOUR_MS;
  });
  t.equal(r.expired_true_ms! - r.created_true_ms, 10_000, 'expired at the jump');
  const problems = expiryProblems(r, ttl_ms, SKEW_MS, step_ms);
  t.equal(problems.length, 1);
  t.match(problems[0], /expired early: lived 10000 ms of 7200000/);
});

t.test('the checker reports a late expiry and one that never happened', async (t) => {
  t.match(expiryProblems({ created_true_ms: 0, expired_true_ms: 20_000 }, 10_000, SKEW_MS, 50), [/expired late: lived 20000 ms/]);
  t.same(expiryProblems({ created_true_ms: 0, expired_true_ms: null }, 10_000, SKEW_MS, 50), ['never expired']);
});

t.test('bad settings and observations throw, naming the field', async (t) => {
  const world = new World();
  t.throws(() => new SimNode(world, 0, T0_MS, 'anchored', MAX_CLOCK_SKEW_MS_MAX + 1), /max_clock_skew_ms must be an integer in 0\.\.500, got 501/);
  t.throws(() => new SimNode(world, 0, T0_MS, 'anchored', -1), /max_clock_skew_ms/);
  t.throws(() => new SimNode(world, 0, -5), /log_time_ms must be a non-negative integer, got -5/);
  const n = new SimNode(world, 0, T0_MS);
  t.throws(() => n.clock.observe(Number.NaN, false), /observed log time/);
  const z = new SimNode(world, 0, T0_MS, 'anchored', 0);
  z.wall_offset_ms = 1;
  t.equal(z.clock.stamp(), T0_MS, 'skew 0: the wall is ignored');
});
