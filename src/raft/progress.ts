// The leader's view of one follower: how much of the log it holds (match), what to send
// next (next), and the flow-control state:
//   probe      one append in flight at a time, until the follower answers; used after a
//              rejection or an unreachable report, while the leader searches for the match;
//   replicate  appends pipelined optimistically, at most inflight_appends_max unacknowledged;
//   snapshot   the host is streaming a snapshot; nothing else is sent until it reports.

import type { FollowerProgress } from './types.js';

export type ProgressState = 'probe' | 'replicate' | 'snapshot';

export class Progress {
  match = 0;
  next: number;
  state: ProgressState = 'probe';
  /** In probe state: an append is out and unanswered. */
  probe_sent = false;
  /** Index of the snapshot being streamed (snapshot state only). */
  pending_snapshot = 0;
  /** Last index of each unacknowledged append, oldest first (replicate state only);
   * never longer than inflight_max. */
  inflights: number[] = [];
  /** Heard from this follower during the current check-quorum period. */
  recent_active = false;

  constructor(next: number, private readonly inflight_max: number) {
    this.next = next;
  }

  becomeProbe(): void {
    if (this.state === 'snapshot') {
      this.next = Math.max(this.match + 1, this.pending_snapshot + 1);
      this.pending_snapshot = 0;
    } else {
      this.next = this.match + 1;
    }
    this.state = 'probe';
    this.probe_sent = false;
    this.inflights.length = 0;
  }

  becomeReplicate(): void {
    this.state = 'replicate';
    this.next = this.match + 1;
    this.probe_sent = false;
    this.inflights.length = 0;
  }

  becomeSnapshot(index: number): void {
    this.state = 'snapshot';
    this.pending_snapshot = index;
    this.probe_sent = false;
    this.inflights.length = 0;
  }

  /** Acknowledged up to `index`; returns whether match moved. */
  maybeUpdate(index: number): boolean {
    let updated = false;
    if (index > this.match) {
      this.match = index;
      this.probe_sent = false;
      updated = true;
    }
    if (this.next < index + 1) this.next = index + 1;
    return updated;
  }

  /** The follower refused an append probing `rejected`; `match_hint` is the highest index
   * the leader believes may match. Returns false when the refusal is stale. */
  maybeDecrTo(rejected: number, match_hint: number): boolean {
    if (this.state === 'replicate') {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    if (this.state === 'snapshot') return false;
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, match_hint + 1), this.match + 1);
    this.probe_sent = false;
    return true;
  }

  isPaused(): boolean {
    switch (this.state) {
      case 'probe':
        return this.probe_sent;
      case 'replicate':
        return this.inflights.length >= this.inflight_max;
      case 'snapshot':
        return true;
    }
  }

  /** Records an append ending at `last_index` sent in replicate state. */
  sentEntries(last_index: number): void {
    if (this.state === 'replicate') {
      this.next = last_index + 1;
      this.inflights.push(last_index);
    } else if (this.state === 'probe') {
      this.probe_sent = true;
    }
  }

  freeInflightsTo(index: number): void {
    let k = 0;
    while (k < this.inflights.length && this.inflights[k] <= index) k++;
    if (k > 0) this.inflights.splice(0, k);
  }

  freeFirstInflight(): void {
    if (this.inflights.length > 0) this.inflights.shift();
  }

  view(): FollowerProgress {
    return {
      match: this.match,
      next: this.next,
      state: this.state,
      inflight: this.inflights.length,
      recent_active: this.recent_active,
    };
  }
}
