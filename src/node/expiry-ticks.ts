// Reservations expire by log time, which moves only with entries. When the ledger has an
// expiry due and nothing else is being written, the leader proposes an empty entry so the
// expiry applies; at most one such entry is in flight at a time.

import type { NodeState } from './node-state.js';
import type { RaftCore } from './raft-core.js';
import type { EntryClock } from './entry-clock.js';

export class ExpiryTicks {
  /** Index of the last tick entry proposed; none is proposed until it has applied. */
  private tick_index = 0;

  constructor(
    private readonly state: NodeState,
    private readonly raft: RaftCore,
    private readonly clock: EntryClock,
    private readonly queueOp: (op: () => void) => boolean,
  ) {}

  /** Called every tick: queues a tick entry into the loop when an expiry is due. */
  onTick(): void {
    const s = this.state;
    if (s.role !== 'leader' || this.tick_index > s.applied.index) return;
    const due = s.ledger.nextExpiryMs();
    if (due === null || due > this.clock.now()) return;
    this.queueOp(() => {
      if (s.role !== 'leader' || this.tick_index > s.applied.index) return;
      const r = this.raft.propose(this.clock.encode([]));
      if (r.ok) this.tick_index = r.index;
    });
  }

  /** Leadership was lost: a tick entry in flight may never apply. */
  reset(): void {
    this.tick_index = 0;
  }
}
