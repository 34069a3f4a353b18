// First-in first-out queue of things to forget once the retention window of log time has
// passed: op outcomes ('o') and final reservations with their reserve outcome ('r').
// Log time never goes back and the retention is constant, so entries arrive in due order
// and the queue is a plain FIFO (asserted on push). Size: what was recorded during one
// retention window.

export interface PruneEntry {
  readonly due_ms: number;
  readonly what: 'o' | 'r';
  readonly id: string;
}

export class PruneQueue {
  private items: PruneEntry[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  push(entry: PruneEntry): void {
    const last = this.items.length > this.head ? this.items[this.items.length - 1] : undefined;
    if (last !== undefined && last.due_ms > entry.due_ms) {
      throw new Error(`prune queue out of order: due ${entry.due_ms} after ${last.due_ms}`);
    }
    this.items.push(entry);
  }

  /** Removes and returns the first entry if it is due at time_ms. */
  shiftDue(time_ms: number): PruneEntry | undefined {
    if (this.head >= this.items.length) return undefined;
    const e = this.items[this.head];
    if (e.due_ms > time_ms) return undefined;
    this.head++;
    // Drop the consumed prefix once it dominates, so memory follows the live size.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return e;
  }
}
