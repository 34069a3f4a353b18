// A small seeded generator so that a run's workload and nemesis choices replay from --seed.

import { seededU32 } from '../src/util/rng.js';

export class Rng {
  private readonly next: () => number;

  constructor(seed: number) {
    this.next = seededU32(seed);
  }

  /** Uniform 32-bit unsigned integer. */
  u32(): number {
    return this.next();
  }

  /** Integer in [0, n). */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1) throw new Error(`rng.int: n must be a positive integer, got ${n}`);
    return this.u32() % n;
  }

  /** Integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.u32() / 0x1_0000_0000 < p;
  }

  pick<T>(xs: readonly T[]): T {
    if (xs.length === 0) throw new Error('rng.pick: empty list');
    return xs[this.int(xs.length)];
  }

  shuffle<T>(xs: readonly T[]): T[] {
    const out = [...xs];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }

  /** A child generator, so that one consumer's draws do not shift another's. */
  fork(): Rng {
    return new Rng(this.u32());
  }
}
