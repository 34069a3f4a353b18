// A binary min-heap of simulator events ordered by (time, seq): equal times keep the
// order of scheduling, so a seed replays exactly.

import { MinHeap } from '../../src/util/min-heap.js';

export interface Timed {
  readonly time: number;
  readonly seq: number;
}

function before(a: Timed, b: Timed): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}

export class EventHeap<T extends Timed> extends MinHeap<T> {
  constructor() {
    super(before);
  }
}
