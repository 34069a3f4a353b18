// Fixed-width columns indexed by a slot number, in pages of PAGE_SLOTS slots. The ledger
// keeps a million positions and a million retained outcomes; as JS objects each costs
// ~100 B of headers and pointers before its data. Here a slot costs its data only, and a
// table grows one page at a time (no doubling copy, at most one page unused).

const PAGE_BITS = 14;
/** Slots per page: 16,384. */
export const PAGE_SLOTS = 1 << PAGE_BITS;
const PAGE_MASK = PAGE_SLOTS - 1;
/** Upper bound on slots of one table: 2^30 (far above any state a node holds in memory). */
export const SLOTS_MAX = 1 << 30;

function checkSlot(slot: number): void {
  if (!(slot >= 0 && slot < SLOTS_MAX && Number.isInteger(slot))) throw new RangeError(`slot must be an integer 0..${SLOTS_MAX - 1}, got ${slot}`);
}

/** `stride` float64 fields per slot (safe integers: quantities, times, small codes). */
export class F64Pages {
  private readonly pages: Float64Array[] = [];

  constructor(readonly stride: number) {}

  /** Makes `slot` addressable (pages are zero-filled). */
  ensure(slot: number): void {
    checkSlot(slot);
    const p = slot >>> PAGE_BITS;
    while (this.pages.length <= p) this.pages.push(new Float64Array(PAGE_SLOTS * this.stride));
  }

  get(slot: number, field: number): number {
    return this.pages[slot >>> PAGE_BITS][(slot & PAGE_MASK) * this.stride + field];
  }

  set(slot: number, field: number, v: number): void {
    this.pages[slot >>> PAGE_BITS][(slot & PAGE_MASK) * this.stride + field] = v;
  }
}

/** `width` raw bytes per slot (hashes, digests), in Buffers so hex converts in place. */
export class BytePages {
  private readonly pages: Buffer[] = [];

  constructor(readonly width: number) {}

  ensure(slot: number): void {
    checkSlot(slot);
    const p = slot >>> PAGE_BITS;
    while (this.pages.length <= p) this.pages.push(Buffer.alloc(PAGE_SLOTS * this.width));
  }

  /** The page holding slot; its bytes start at offset(slot). */
  page(slot: number): Buffer {
    return this.pages[slot >>> PAGE_BITS];
  }

  offset(slot: number): number {
    return (slot & PAGE_MASK) * this.width;
  }

  /** Stores `width` bytes given as 2*width hex digits (checked: a short write would leave
   * stale bytes). */
  setHex(slot: number, hex: string): void {
    if (hex.length !== 2 * this.width) throw new Error(`expected ${2 * this.width} hex digits, got ${JSON.stringify(hex)}`);
    const n = this.pages[slot >>> PAGE_BITS].write(hex, (slot & PAGE_MASK) * this.width, this.width, 'hex');
    if (n !== this.width) throw new Error(`expected ${2 * this.width} hex digits, got ${JSON.stringify(hex)}`);
  }

  hex(slot: number): string {
    const off = (slot & PAGE_MASK) * this.width;
    return this.pages[slot >>> PAGE_BITS].toString('hex', off, off + this.width);
  }

  /** Copies `width` bytes from src at src_off into slot. */
  setBytes(slot: number, src: Uint8Array, src_off: number): void {
    this.pages[slot >>> PAGE_BITS].set(src.subarray(src_off, src_off + this.width), (slot & PAGE_MASK) * this.width);
  }

  /** Whether slot holds the `width` bytes of src at src_off. */
  equals(slot: number, src: Uint8Array, src_off: number): boolean {
    const page = this.pages[slot >>> PAGE_BITS];
    const off = (slot & PAGE_MASK) * this.width;
    for (let i = 0; i < this.width; i++) if (page[off + i] !== src[src_off + i]) return false;
    return true;
  }
}
