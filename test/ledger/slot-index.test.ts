// The slot index against a Map as the model: random inserts, finds and removes (with slot
// reuse, colliding hashes and tombstones) must agree at every step.

import t from 'tap';
import { hashKey, SlotIndex } from '../../src/ledger/slot-index.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

for (const [name, hashOf] of [
  ['hashKey', (k: string) => hashKey(k)],
  // Every key in one of 8 hashes: long probe runs, matches() decides.
  ['colliding', (k: string) => hashKey(k) & 7],
] as const) {
  t.test(`matches a Map under random insert/find/remove (${name})`, async (t) => {
    const next = rng(name.length * 7919);
    const idx = new SlotIndex();
    const model = new Map<string, number>();
    const keys: (string | undefined)[] = [];
    const free: number[] = [];
    let mismatches = 0;
    const find = (k: string): number => idx.find(hashOf(k), (s) => keys[s] === k);
    const KEYS = name === 'colliding' ? 400 : 30_000;
    for (let step = 0; step < 60_000; step++) {
      const k = `op-${Math.floor(next() * KEYS)}`;
      const r = next();
      if (r < 0.5) {
        if (model.has(k)) continue;
        const slot = free.pop() ?? keys.length;
        keys[slot] = k;
        idx.insert(hashOf(k), slot);
        model.set(k, slot);
      } else if (r < 0.8) {
        if (find(k) !== (model.get(k) ?? -1)) mismatches++;
      } else {
        const slot = model.get(k);
        const removed = slot === undefined ? false : idx.remove(hashOf(k), slot);
        if (removed !== (slot !== undefined)) mismatches++;
        if (slot !== undefined) {
          model.delete(k);
          keys[slot] = undefined;
          free.push(slot);
        }
      }
      if (idx.size !== model.size) mismatches++;
    }
    t.equal(mismatches, 0, 'every find, remove and size agreed with the model');
    t.same([...idx.slots()].sort((a, b) => a - b), [...model.values()].sort((a, b) => a - b), 'slots() lists exactly the live slots');
    for (const [k, slot] of model) if (find(k) !== slot) mismatches++;
    t.equal(mismatches, 0, 'every live key is found at the end');
  });
}

t.test('a removed key is not found, and removing twice says so', async (t) => {
  const idx = new SlotIndex();
  const keys = ['a', 'b'];
  idx.insert(hashKey('a'), 0);
  idx.insert(hashKey('b'), 1);
  t.ok(idx.remove(hashKey('a'), 0));
  t.notOk(idx.remove(hashKey('a'), 0), 'second remove: false');
  t.equal(idx.find(hashKey('a'), (s) => keys[s] === 'a'), -1);
  t.equal(idx.find(hashKey('b'), (s) => keys[s] === 'b'), 1);
});

t.test('hashKey: the seed qualifies the key; a bad slot is refused by name', async (t) => {
  t.not(hashKey('SKU-1', 0), hashKey('SKU-1', 1));
  t.equal(hashKey('SKU-1', 3), hashKey('SKU-1', 3));
  t.throws(() => new SlotIndex().insert(0, -1), /slot must be an integer 0\.\.\d+, got -1/);
  t.throws(() => new SlotIndex().insert(0, 1.5), /got 1\.5/);
});

t.test('firstUnder/nextUnder visit every slot stored under a hash, and only those', (t) => {
  const idx = new SlotIndex();
  // Slots 0..9 under hash 7 (colliding), 10..19 under their own hashes.
  for (let s = 0; s < 10; s++) idx.insert(7, s);
  for (let s = 10; s < 20; s++) idx.insert(hashKey(`k${s}`), s);
  idx.remove(7, 3);
  const seen: number[] = [];
  for (let s = idx.firstUnder(7); s >= 0; s = idx.nextUnder()) seen.push(s);
  t.same(seen.sort((a, b) => a - b), [0, 1, 2, 4, 5, 6, 7, 8, 9], 'the colliding slots but the removed one');
  t.equal(idx.firstUnder(hashKey('absent')) === -1 || idx.firstUnder(hashKey('absent')) >= 10, true, 'an absent hash finds nothing of hash 7');
  t.same([idx.firstUnder(hashKey('k12')), idx.nextUnder()], [12, -1], 'a lone hash gives its slot, then -1');
  t.end();
});
