// A small seeded pseudo-random generator (mulberry32). The core and the simulator draw all
// their randomness from it so that a seed replays a run exactly; the core never touches
// Math.random.

/** Returns a function yielding floats in [0, 1), fully determined by `seed`. */
export function seededRng(seed: number): () => number {
  if (!Number.isInteger(seed)) throw new Error(`rng seed must be an integer, got ${seed}`);
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer uniformly drawn from [0, n). */
export function randomInt(rng: () => number, n: number): number {
  return Math.floor(rng() * n);
}
