// Client proposals: a caller's commands wait in the ProposalTable; every loop round the
// leader packs a bounded number of them into entries (stamped by the EntryClock) and
// proposes them to the core.

import type { Command, CommandResult } from '../ledger/types.js';
import { NodeError } from './node-api.js';
import { shuttingDownError, type NodeState } from './node-state.js';
import type { EntryClock } from './entry-clock.js';
import type { NodeMetrics } from './node-metrics.js';
import type { ProposalTable } from './proposals.js';
import type { RaftCore } from './raft-core.js';
import type { Refusals } from './refusals.js';
import { PROPOSED_BYTES_PER_ROUND_MAX, PROPOSED_ENTRIES_PER_ROUND_MAX } from './limits.js';

/** Queued callers' commands taken for one entry. */
type QueuedBatch = NonNullable<ReturnType<ProposalTable['takeBatch']>>;

export class Proposer {
  constructor(
    private readonly state: NodeState,
    private readonly raft: RaftCore,
    private readonly proposals: ProposalTable,
    private readonly clock: EntryClock,
    private readonly refusals: Refusals,
    private readonly metrics: NodeMetrics | null,
    /** Wakes the node loop. */
    private readonly kick: () => void,
    /** Why new writes are refused now (disk nearly full), or null. */
    private readonly diskRefusal: () => NodeError | null = () => null,
  ) {}

  /** StockNode.propose: queues the commands and waits for their entry to apply. */
  async submit(commands: readonly Command[], deadline_ms: number): Promise<readonly CommandResult[]> {
    if (this.state.refusesWork()) throw shuttingDownError();
    if (this.state.role !== 'leader') {
      this.metrics?.proposals.inc({ outcome: 'not_leader' });
      throw this.refusals.notLeader();
    }
    const disk = this.diskRefusal();
    if (disk) {
      this.metrics?.proposals.inc({ outcome: 'refused' });
      throw disk;
    }
    const p = this.proposals.enqueue(commands, deadline_ms);
    this.kick();
    try {
      const r = await p;
      this.metrics?.proposals.inc({ outcome: 'applied' });
      return r;
    } catch (err) {
      const kind = err instanceof NodeError ? err.kind : 'refused';
      this.metrics?.proposals.inc({ outcome: kind === 'outcome_unknown' || kind === 'overloaded' || kind === 'not_leader' || kind === 'shutting_down' ? kind : 'refused' });
      throw err;
    }
  }

  /** Called by the loop every round: proposes what is queued, within the round's bounds. */
  proposeQueued(): void {
    if (this.proposals.queued === 0) return;
    if (this.state.role !== 'leader' || this.state.closing) {
      this.proposals.failQueued(this.state.closing ? shuttingDownError() : this.refusals.notLeader());
      return;
    }
    // Bounded per round (PROPOSED_*_PER_ROUND_MAX); callers left queued go in the next
    // round, whose Ready is again of bounded size.
    let entries = 0;
    let bytes = 0;
    while (entries < PROPOSED_ENTRIES_PER_ROUND_MAX && bytes < PROPOSED_BYTES_PER_ROUND_MAX) {
      const b = this.proposals.takeBatch();
      if (!b) return;
      const data = this.encode(b);
      if (data === null) continue;
      entries += 1;
      bytes += data.byteLength;
      const r = this.raft.propose(data);
      if (r.ok) this.proposals.proposed(r.index, r.term, b.parts);
      else {
        this.metrics?.proposals.inc({ outcome: 'refused' }, b.parts.length);
        this.proposals.refused(b.parts, this.refusals.fromCore(r));
      }
    }
  }

  /** The batch's entry, or null when it did not fit: a batch of several callers is split
   * in two and put back, a single caller's commands are refused. */
  private encode(b: QueuedBatch): Uint8Array | null {
    try {
      return this.clock.encode(b.commands);
    } catch (err) {
      if (b.parts.length > 1) {
        // Too many bytes for one entry: put the second half back and try again smaller.
        const half = Math.ceil(b.parts.length / 2);
        this.proposals.requeueFront(b.parts.slice(half));
        this.proposals.requeueFront(b.parts.slice(0, half));
        this.proposals.halveNextBatch();
        return null;
      }
      this.proposals.refused(b.parts, new NodeError('invalid', `commands: ${err instanceof Error ? err.message : String(err)}`));
      return null;
    }
  }
}
