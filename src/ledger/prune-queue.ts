// First-in first-out queue of things to forget once the retention window of log time has
// passed: op outcomes ('o') and final reservations with their reserve outcome ('r').
// Log time never goes back and the retention is constant, so entries arrive in due order
// and the queue is a plain FIFO (asserted on push). Size: what was recorded during one
// retention window, which at a million ops is a million entries: they are kept in three
// parallel arrays (due times unboxed, ids, kinds as small integers) rather than one object
// each, about 24 bytes an entry instead of 50.

export interface PruneEntry {
  readonly due_ms: number;
  readonly what: 'o' | 'r';
  readonly id: string;
}

const KIND_OUTCOME = 0;
const KIND_RESERVATION = 1;

export class PruneQueue {
  private dues: number[] = [];
  private ids: string[] = [];
  private kinds: number[] = [];
  private head = 0;

  get size(): number {
    return this.ids.length - this.head;
  }

  push(entry: PruneEntry): void {
    const n = this.ids.length;
    if (n > this.head && this.dues[n - 1] > entry.due_ms) {
      throw new Error(`prune queue out of order: due ${entry.due_ms} after ${this.dues[n - 1]}`);
    }
    this.dues.push(entry.due_ms);
    this.ids.push(entry.id);
    this.kinds.push(entry.what === 'r' ? KIND_RESERVATION : KIND_OUTCOME);
  }

  /** Removes and returns the first entry if it is due at time_ms. */
  shiftDue(time_ms: number): PruneEntry | undefined {
    const h = this.head;
    if (h >= this.ids.length) return undefined;
    const due_ms = this.dues[h];
    if (due_ms > time_ms) return undefined;
    const e: PruneEntry = { due_ms, what: this.kinds[h] === KIND_RESERVATION ? 'r' : 'o', id: this.ids[h] };
    this.head = h + 1;
    // Drop the consumed prefix once it dominates, so memory follows the live size.
    if (this.head > 1024 && this.head * 2 > this.ids.length) {
      this.dues = this.dues.slice(this.head);
      this.ids = this.ids.slice(this.head);
      this.kinds = this.kinds.slice(this.head);
      this.head = 0;
    }
    return e;
  }
}
