// ReadIndex bookkeeping on the leader. Each request records the commit index at arrival
// and a leader-chosen sequence number; the next heartbeat round carries the newest
// sequence number as its context, and once a quorum of voters echoed a number, that
// request and every earlier one are confirmed (the leader was still the leader after
// they arrived). Sequence numbers, not the callers' contexts, travel in heartbeats so
// that contexts chosen by different hosts cannot collide.

import type { NodeId } from './types.js';

export interface PendingRead {
  readonly seq: number;
  readonly context: string;
  /** Commit index when the request reached the leader. */
  readonly index: number;
  /** Who asked: the leader itself or a follower that forwarded the request. */
  readonly from: NodeId;
  readonly acks: Set<NodeId>;
}

/** Bound on reads awaiting confirmation (and, separately, on reads awaiting the new
 * leader's first commit). Beyond it readIndex() refuses. */
export const PENDING_READS_MAX = 4096;

export class ReadIndexQueue {
  private queue: PendingRead[] = [];
  private readonly by_seq = new Map<number, PendingRead>();
  private next_seq = 1;

  get size(): number {
    return this.queue.length;
  }

  add(context: string, index: number, from: NodeId, self: NodeId): PendingRead {
    const read: PendingRead = { seq: this.next_seq++, context, index, from, acks: new Set([self]) };
    this.queue.push(read);
    this.by_seq.set(read.seq, read);
    return read;
  }

  /** Context for the next heartbeat: the newest pending request, or '' when none. */
  heartbeatContext(): string {
    return this.queue.length === 0 ? '' : String(this.queue[this.queue.length - 1].seq);
  }

  /** Records an echo; returns the request it names if still pending. */
  ack(context: string, from: NodeId): PendingRead | undefined {
    if (context === '') return undefined;
    const read = this.by_seq.get(Number(context));
    if (read !== undefined) read.acks.add(from);
    return read;
  }

  /** Removes and returns every request up to and including `read`, oldest first. */
  releaseThrough(read: PendingRead): PendingRead[] {
    const k = this.queue.indexOf(read);
    if (k < 0) return [];
    const out = this.queue.splice(0, k + 1);
    for (const r of out) this.by_seq.delete(r.seq);
    return out;
  }

  clear(): void {
    this.queue = [];
    this.by_seq.clear();
  }
}
