// Min-heap of reservation deadlines, ordered by (deadline_ms, reservation_id) so replicas
// expire simultaneous deadlines in the same order. Entries are never removed in place: an
// Extend pushes a new entry and the ledger skips entries that no longer match a PENDING
// reservation's deadline when they surface. Size: at most one entry per open reservation
// plus one per Extend still in the future (each entry is gone by its deadline).

export interface ExpiryEntry {
  readonly deadline_ms: number;
  readonly reservation_id: string;
}

function before(a: ExpiryEntry, b: ExpiryEntry): boolean {
  return a.deadline_ms < b.deadline_ms || (a.deadline_ms === b.deadline_ms && a.reservation_id < b.reservation_id);
}

export class ExpiryHeap {
  private readonly items: ExpiryEntry[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): ExpiryEntry | undefined {
    return this.items[0];
  }

  push(entry: ExpiryEntry): void {
    const a = this.items;
    a.push(entry);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(a[i], a[parent])) break;
      const t = a[i];
      a[i] = a[parent];
      a[parent] = t;
      i = parent;
    }
  }

  pop(): ExpiryEntry | undefined {
    const a = this.items;
    if (a.length === 0) return undefined;
    const top = a[0];
    const last = a.pop() as ExpiryEntry;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && before(a[l], a[m])) m = l;
        if (r < a.length && before(a[r], a[m])) m = r;
        if (m === i) break;
        const t = a[i];
        a[i] = a[m];
        a[m] = t;
        i = m;
      }
    }
    return top;
  }
}
