import t from 'tap';
import { keyChooser, searchCdf, seededRng, skuName, zipfCdf } from '../../bench/lib/keys.js';

t.test('the seeded rng repeats for a seed and differs between seeds', (t) => {
  const a = seededRng(42);
  const b = seededRng(42);
  const c = seededRng(43);
  const va = Array.from({ length: 5 }, a);
  t.same(Array.from({ length: 5 }, b), va);
  t.not(Array.from({ length: 5 }, c)[0], va[0]);
  for (const v of va) t.ok(v >= 0 && v < 1, `${v} in [0,1)`);
  t.throws(() => seededRng(1.5), /seed: must be an integer/);
  t.end();
});

t.test('zipf(0.99) puts the expected share on the hottest key', (t) => {
  const n = 10_000;
  const s = 0.99;
  let h = 0;
  for (let k = 1; k <= n; k++) h += 1 / Math.pow(k, s);
  const expected = 1 / h; // share of rank 0
  const next = keyChooser('zipf', n, seededRng(7), s);
  const draws = 200_000;
  const counts = new Map<number, number>();
  let outOfRange = 0;
  for (let i = 0; i < draws; i++) {
    const k = next();
    if (!(Number.isInteger(k) && k >= 0 && k < n)) outOfRange++;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  t.equal(outOfRange, 0, 'every key in [0, n)');
  const share0 = (counts.get(0) ?? 0) / draws;
  t.ok(Math.abs(share0 - expected) < 0.01, `rank 0 share ${share0.toFixed(4)} close to ${expected.toFixed(4)}`);
  t.ok((counts.get(0) ?? 0) > (counts.get(1) ?? 0), 'rank 0 hotter than rank 1');
  t.ok((counts.get(1) ?? 0) > (counts.get(100) ?? 0) * 10, 'rank 1 far hotter than rank 100');
  t.end();
});

t.test('uniform spreads keys evenly', (t) => {
  const n = 10;
  const next = keyChooser('uniform', n, seededRng(3));
  const counts = new Array<number>(n).fill(0);
  for (let i = 0; i < 100_000; i++) counts[next()]++;
  for (const c of counts) t.ok(Math.abs(c - 10_000) < 600, `bucket ${c} near 10000`);
  t.end();
});

t.test('cdf search finds the first bucket above u, including the edges', (t) => {
  const cdf = Float64Array.from([0.5, 0.75, 1]);
  t.equal(searchCdf(cdf, 0), 0);
  t.equal(searchCdf(cdf, 0.4999), 0);
  t.equal(searchCdf(cdf, 0.5), 1);
  t.equal(searchCdf(cdf, 0.9999), 2);
  const z = zipfCdf(5, 1);
  t.equal(z[4], 1, 'last bucket is exactly 1');
  for (let i = 1; i < 5; i++) t.ok(z[i] > z[i - 1], 'strictly increasing');
  t.end();
});

t.test('bad key spaces and exponents are refused with the field and value', (t) => {
  t.throws(() => keyChooser('uniform', 0, seededRng(1)), /key count: must be an integer in 1\.\.\d+, got 0/);
  t.throws(() => keyChooser('zipf', 10, seededRng(1), 0), /zipf exponent: must be in \(0, 10\], got 0/);
  t.end();
});

t.test('SKU names have a fixed width', (t) => {
  t.equal(skuName(0), 'SKU-0000000');
  t.equal(skuName(9_999), 'SKU-0009999');
  t.equal(skuName(0).length, skuName(1_234_567).length);
  t.end();
});
