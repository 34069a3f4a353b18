// Key choice for the load generator: a seeded RNG, uniform choice and Zipf(s) over a fixed
// key space. Seeded so that two runs of the same point ask for the same sequence of SKUs.

export { seededRng } from '../../src/util/rng.js';

export type KeyDist = 'uniform' | 'zipf';
export const KEY_DISTS: readonly KeyDist[] = ['uniform', 'zipf'];

/** Largest key space the Zipf table is built for (8 bytes per key of CDF). */
export const KEYS_MAX = 10_000_000;

/** Returns a function yielding key ranks in [0, n). Rank 0 is the hottest key under Zipf. */
export function keyChooser(dist: KeyDist, n: number, rng: () => number, zipf_s = 0.99): () => number {
  if (!Number.isInteger(n) || n < 1 || n > KEYS_MAX) {
    throw new Error(`key count: must be an integer in 1..${KEYS_MAX}, got ${n}`);
  }
  if (dist === 'uniform') return () => Math.floor(rng() * n);
  if (!(zipf_s > 0 && zipf_s <= 10)) throw new Error(`zipf exponent: must be in (0, 10], got ${zipf_s}`);
  const cdf = zipfCdf(n, zipf_s);
  return () => searchCdf(cdf, rng());
}

/** Cumulative distribution of Zipf(s) over ranks 1..n, normalised so the last value is 1. */
export function zipfCdf(n: number, s: number): Float64Array {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let k = 1; k <= n; k++) {
    sum += 1 / Math.pow(k, s);
    cdf[k - 1] = sum;
  }
  for (let i = 0; i < n; i++) cdf[i] /= sum;
  cdf[n - 1] = 1; // guard against rounding leaving the last bucket unreachable
  return cdf;
}

/** Smallest index i with cdf[i] > u (u in [0,1)). */
export function searchCdf(cdf: Float64Array, u: number): number {
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cdf[mid] > u) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The SKU name of a key rank; fixed width so every request has the same size. */
export function skuName(rank: number): string {
  return `SKU-${String(rank).padStart(7, '0')}`;
}
