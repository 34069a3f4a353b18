// First-in first-out queue of things to forget once the retention window of log time has
// passed: op outcomes ('o') and final reservations with their reserve outcome ('r').
// Log time never goes back and the retention is constant, so entries arrive in due order
// and the queue is a plain FIFO (asserted on push). Size: what was recorded during one
// retention window, which at a million ops is a million entries: they are kept in three
// parallel arrays (due times in a Float64Array, kinds in a Uint8Array, ids) rather than
// one object each, about 17 bytes an entry instead of 50.

export interface PruneEntry {
  readonly due_ms: number;
  readonly what: 'o' | 'r';
  readonly id: string;
}

const KIND_OUTCOME = 0;
const KIND_RESERVATION = 1;
const CAPACITY_MIN = 1024;

export class PruneQueue {
  // Live entries are [head, tail) of the three arrays.
  private dues = new Float64Array(CAPACITY_MIN);
  private kinds = new Uint8Array(CAPACITY_MIN);
  private ids: (string | undefined)[] = [];
  private head = 0;
  private tail = 0;

  get size(): number {
    return this.tail - this.head;
  }

  push(entry: PruneEntry): void {
    const n = this.tail;
    if (n > this.head && this.dues[n - 1] > entry.due_ms) {
      throw new Error(`prune queue out of order: due ${entry.due_ms} after ${this.dues[n - 1]}`);
    }
    if (n === this.dues.length) this.resize(Math.max(CAPACITY_MIN, Math.ceil(1.5 * this.size)));
    const t = this.tail;
    this.dues[t] = entry.due_ms;
    this.kinds[t] = entry.what === 'r' ? KIND_RESERVATION : KIND_OUTCOME;
    this.ids.push(entry.id);
    this.tail = t + 1;
  }

  /** Removes and returns the first entry if it is due at time_ms. */
  shiftDue(time_ms: number): PruneEntry | undefined {
    const h = this.head;
    if (h >= this.tail) return undefined;
    const due_ms = this.dues[h];
    if (due_ms > time_ms) return undefined;
    const e: PruneEntry = { due_ms, what: this.kinds[h] === KIND_RESERVATION ? 'r' : 'o', id: this.ids[h] as string };
    this.ids[h] = undefined; // the id may be garbage now
    this.head = h + 1;
    // Drop the consumed prefix once it dominates, so memory follows the live size.
    if (this.head > CAPACITY_MIN && this.head * 2 > this.tail) this.resize(Math.max(CAPACITY_MIN, 2 * this.size));
    return e;
  }

  /** Moves the live entries to the front of arrays of `capacity` (>= size). */
  private resize(capacity: number): void {
    const dues = new Float64Array(capacity);
    dues.set(this.dues.subarray(this.head, this.tail));
    const kinds = new Uint8Array(capacity);
    kinds.set(this.kinds.subarray(this.head, this.tail));
    this.ids = this.ids.slice(this.head, this.tail);
    this.dues = dues;
    this.kinds = kinds;
    this.tail -= this.head;
    this.head = 0;
  }
}
