// What one `clock` fault does, drawn from the seeded generator: which nodes' wall clocks
// jump, by how much, and whether leadership then moves. Pure, so that the choices can be
// tested without a cluster. Offsets go to stockd's POST /test/clock-offset?ms=N (stockd
// --test-hooks), which shifts the node's wall clock; the end of the fault sets them to 0.
//
// Jump sizes come in three scales: seconds (the skew an unsynchronised clock drifts into,
// within reach of a slow correction), minutes and hours (an NTP step, a VM resumed after a
// pause, a host restored from a snapshot). Each is forward or back with equal odds.

import type { Rng } from './rng.js';

export type JumpScale = 'seconds' | 'minutes' | 'hours';

/** Offset magnitude bounds per scale, in ms. Hours stay within 12 h: stockd's hook accepts
 * up to 24 h either way, and 12 h is already twice the 6 h TTL of the other workloads. */
export const JUMP_MS: Record<JumpScale, readonly [number, number]> = {
  seconds: [2_000, 10_000],
  minutes: [60_000, 59 * 60_000],
  hours: [3_600_000, 12 * 3_600_000],
};

/** Odds of each scale, in percent: large jumps are what the fault is for, small skews stay
 * in the mix because they are the ones a slow correction has to absorb. */
const SCALE_PERCENT: readonly (readonly [JumpScale, number])[] = [
  ['seconds', 20],
  ['minutes', 40],
  ['hours', 40],
];

/** Who jumps: the leader alone; the leader, then leadership moves away from it (the new
 * leader continues from the log's time); a follower, then leadership moves to it (a node
 * with a far-off clock takes over); every node, each by its own offset. */
export type ClockVariant = 'leader' | 'leader-then-transfer' | 'follower-then-transfer' | 'all';

const VARIANT_PERCENT: readonly (readonly [ClockVariant, number])[] = [
  ['leader', 50],
  ['leader-then-transfer', 15],
  ['follower-then-transfer', 15],
  ['all', 20],
];

export interface ClockJump {
  readonly node: string;
  readonly offset_ms: number;
  readonly scale: JumpScale;
}

export interface ClockPlan {
  readonly variant: ClockVariant;
  readonly jumps: readonly ClockJump[];
  /** Node to transfer leadership to after the jumps, or null. */
  readonly transfer_to: string | null;
}

function weighted<T>(rng: Rng, table: readonly (readonly [T, number])[]): T {
  let roll = rng.int(100);
  for (const [value, percent] of table) {
    if (roll < percent) return value;
    roll -= percent;
  }
  throw new Error('clock-plan: odds table does not add up to 100');
}

export function drawJump(rng: Rng, node: string): ClockJump {
  const scale = weighted(rng, SCALE_PERCENT);
  const [lo, hi] = JUMP_MS[scale];
  const sign = rng.chance(0.5) ? 1 : -1;
  return { node, offset_ms: sign * rng.range(lo, hi), scale };
}

/** The plan of one clock fault. `leader` may be null (no leader known now): the leader
 * variants then aim at a random node. */
export function planClockFault(rng: Rng, ids: readonly string[], leader: string | null): ClockPlan {
  if (ids.length < 2) throw new Error(`clock-plan: need at least 2 nodes, got ${ids.length}`);
  if (leader !== null && !ids.includes(leader)) throw new Error(`clock-plan: leader ${leader} is not one of ${ids.join(',')}`);
  const variant = weighted(rng, VARIANT_PERCENT);
  const target = leader ?? rng.pick(ids);
  const others = ids.filter((id) => id !== target);
  switch (variant) {
    case 'leader':
      return { variant, jumps: [drawJump(rng, target)], transfer_to: null };
    case 'leader-then-transfer':
      return { variant, jumps: [drawJump(rng, target)], transfer_to: rng.pick(others) };
    case 'follower-then-transfer': {
      const follower = rng.pick(others);
      return { variant, jumps: [drawJump(rng, follower)], transfer_to: follower };
    }
    case 'all':
      return { variant, jumps: ids.map((id) => drawJump(rng, id)), transfer_to: null };
  }
}

export function describeJump(j: ClockJump): string {
  const sign = j.offset_ms >= 0 ? '+' : '-';
  const abs = Math.abs(j.offset_ms);
  const human = j.scale === 'hours' ? `${(abs / 3_600_000).toFixed(2)} h` : j.scale === 'minutes' ? `${(abs / 60_000).toFixed(1)} min` : `${(abs / 1000).toFixed(1)} s`;
  return `${j.node} ${sign}${human} (${j.offset_ms} ms)`;
}
