// A small seeded pseudo-random generator (mulberry32). The core and the simulator draw all
// their randomness from it so that a seed replays a run exactly; the core never touches
// Math.random.

/** Returns a function yielding floats in [0, 1), fully determined by `seed`. */
export { seededRng } from '../util/rng.js';

/** An integer uniformly drawn from [0, n). */
export function randomInt(rng: () => number, n: number): number {
  return Math.floor(rng() * n);
}
