// A hash index from a string key to a slot of a column table, for the ledger's million-entry
// maps (op id -> outcome slot, SKU -> position slot). A JS Map of a million string keys
// costs ~56 MiB in its table alone (it keeps key, value and chain per entry at up to twice
// the entries); here the table is one Int32Array of slot numbers (open addressing, linear
// probing, at most 70% full) plus the key's 32-bit hash per slot, ~12 B per entry. The keys
// themselves stay where the owner keeps them anyway (an array by slot), and the owner says
// whether a slot holds a key (matches()), so a key may be qualified (SKU and location).
//
// Deletion leaves a tombstone; tombstones are dropped whenever the table is rebuilt, which
// happens when live entries plus tombstones pass the load limit.

const EMPTY = 0;
const TOMBSTONE = -1;
const CAPACITY_MIN = 1024;
/** Live entries plus tombstones at most this share of the table. */
const LOAD_MAX = 0.7;
/** Upper bound on the table: 2^30 buckets (slots are below 2^30 too). */
const CAPACITY_MAX = 1 << 30;

/** 32-bit FNV-1a over the UTF-16 code units, then murmur3's finalizer to spread the bits
 * (ids differ mostly in their last characters). `seed` qualifies the key (a location). */
export function hashKey(key: string, seed = 0): number {
  let h = (0x811c9dc5 ^ Math.imul(seed, 0x9e3779b1)) | 0;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

export class SlotIndex {
  /** slot + 1, or EMPTY, or TOMBSTONE. */
  private table = new Int32Array(CAPACITY_MIN);
  /** Hash of the key each slot holds (valid while the slot is indexed). */
  private hashes = new Int32Array(CAPACITY_MIN);
  private live = 0;
  private tombstones = 0;
  /** firstUnder()/nextUnder() cursor: the hash sought and the bucket last returned. */
  private probe_hash = 0;
  private probe_at = 0;

  get size(): number {
    return this.live;
  }

  /** The slot whose key has hash h and for which matches(slot) holds, or -1. matches is
   * called only for slots whose stored hash equals h. */
  find(h: number, matches: (slot: number) => boolean): number {
    const table = this.table;
    const mask = table.length - 1;
    // Bounded: the table always has empty buckets (load below LOAD_MAX).
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const v = table[i];
      if (v === EMPTY) return -1;
      if (v !== TOMBSTONE && this.hashes[v - 1] === h && matches(v - 1)) return v - 1;
    }
  }

  /** The first slot stored under hash h, or -1; nextUnder() gives the following ones.
   * Together a find without a closure per call (the hot lookups of apply): the owner
   * compares its own key. No insert or remove may come between the calls. */
  firstUnder(h: number): number {
    this.probe_hash = h;
    return this.scanFrom(h & (this.table.length - 1));
  }

  /** The next slot stored under the hash given to firstUnder(), or -1. */
  nextUnder(): number {
    return this.scanFrom((this.probe_at + 1) & (this.table.length - 1));
  }

  private scanFrom(start: number): number {
    const table = this.table;
    const hashes = this.hashes;
    const mask = table.length - 1;
    const h = this.probe_hash;
    // Bounded: the table always has empty buckets (load below LOAD_MAX).
    for (let i = start; ; i = (i + 1) & mask) {
      const v = table[i];
      if (v === EMPTY) return -1;
      if (v !== TOMBSTONE && hashes[v - 1] === h) {
        this.probe_at = i;
        return v - 1;
      }
    }
  }

  /** Indexes `slot` under hash h. The caller has checked the key is not indexed yet. */
  insert(h: number, slot: number): void {
    if (!(Number.isInteger(slot) && slot >= 0 && slot < CAPACITY_MAX)) throw new RangeError(`slot must be an integer 0..${CAPACITY_MAX - 1}, got ${slot}`);
    if (this.live + this.tombstones + 1 > this.table.length * LOAD_MAX) this.rebuild(this.live + 1);
    this.ensureHashes(slot);
    this.hashes[slot] = h;
    this.place(h, slot);
    this.live++;
  }

  /** Removes `slot` (indexed under hash h); false when it is not indexed. */
  remove(h: number, slot: number): boolean {
    const table = this.table;
    const mask = table.length - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const v = table[i];
      if (v === EMPTY) return false;
      if (v === slot + 1) {
        table[i] = TOMBSTONE;
        this.live--;
        this.tombstones++;
        return true;
      }
    }
  }

  /** Every indexed slot, in table order. */
  *slots(): IterableIterator<number> {
    const table = this.table;
    for (let i = 0; i < table.length; i++) if (table[i] > 0) yield table[i] - 1;
  }

  private place(h: number, slot: number): void {
    const table = this.table;
    const mask = table.length - 1;
    let i = h & mask;
    while (table[i] > 0) i = (i + 1) & mask;
    if (table[i] === TOMBSTONE) this.tombstones--;
    table[i] = slot + 1;
  }

  private ensureHashes(slot: number): void {
    if (slot < this.hashes.length) return;
    let n = this.hashes.length;
    while (n <= slot) n *= 2;
    const grown = new Int32Array(Math.min(n, CAPACITY_MAX));
    grown.set(this.hashes);
    this.hashes = grown;
  }

  /** A fresh table sized for `entries` at most half full, holding the live slots only. */
  private rebuild(entries: number): void {
    let capacity = CAPACITY_MIN;
    while (capacity * LOAD_MAX < 2 * entries && capacity < CAPACITY_MAX) capacity *= 2;
    if (capacity * LOAD_MAX < entries) throw new RangeError(`slot index: more than ${Math.floor(CAPACITY_MAX * LOAD_MAX)} entries`);
    const old = this.table;
    this.table = new Int32Array(capacity);
    this.tombstones = 0;
    for (let i = 0; i < old.length; i++) if (old[i] > 0) this.place(this.hashes[old[i] - 1], old[i] - 1);
  }
}
