// Min-heap of reservation deadlines, ordered by (deadline_ms, reservation_id) so replicas
// expire simultaneous deadlines in the same order. Entries are never removed in place: an
// Extend pushes a new entry and the ledger skips entries that no longer match a PENDING
// reservation's deadline when they surface. Size: at most one entry per open reservation
// plus one per Extend still in the future (each entry is gone by its deadline).

import { MinHeap } from '../util/min-heap.js';

export interface ExpiryEntry {
  readonly deadline_ms: number;
  readonly reservation_id: string;
}

function before(a: ExpiryEntry, b: ExpiryEntry): boolean {
  return a.deadline_ms < b.deadline_ms || (a.deadline_ms === b.deadline_ms && a.reservation_id < b.reservation_id);
}

/** Deadlines in expiry order. */
export class ExpiryHeap extends MinHeap<ExpiryEntry> {
  constructor() {
    super(before);
  }
}
