// The project's one seeded pseudo-random generator (mulberry32): small, fast and fully
// determined by its seed, so a simulator run, a fault schedule or a load pattern replays
// from its seed. Not for anything secret.

/** Uniform unsigned 32-bit integers, fully determined by `seed` (an integer). */
export function seededU32(seed: number): () => number {
  if (!Number.isInteger(seed)) throw new Error(`seed: must be an integer, got ${seed}`);
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return (z ^ (z >>> 14)) >>> 0;
  };
}

/** Floats in [0, 1), fully determined by `seed` (an integer). */
export function seededRng(seed: number): () => number {
  const next = seededU32(seed);
  return () => next() / 4294967296;
}
