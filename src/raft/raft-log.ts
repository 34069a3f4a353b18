// The core's in-memory view of the replicated log: a snapshot point (index, term,
// membership) followed by every entry above it, with three cursors:
//   stabled  <= last   entries up to here are durable on the host;
//   applied  <= commit entries up to here were handed to the host to apply;
//   commit   <= last   entries up to here are known committed.
// Entries above `stabled` are handed out in Ready.entries until advance() says they are
// durable. The log never truncates at or below `commit`.

import type { ConfState, Entry, SnapshotMeta } from './types.js';
import { invariant } from './invariant.js';

export class RaftLog {
  snapshot_index: number;
  snapshot_term: number;
  snapshot_conf: ConfState;
  /** entries[k].index === snapshot_index + 1 + k */
  entries: Entry[];
  commit: number;
  applied: number;
  stabled: number;
  /** A snapshot received from the leader that the host has not installed yet. */
  unstable_snapshot: SnapshotMeta | null = null;
  /** First index (re)written by the last truncateAndAppend, so that the owner can find
   * which entries changed; 0 when the owner has reset it. */
  written_from = 0;

  constructor(snapshot: SnapshotMeta, entries: readonly Entry[], commit: number, applied: number) {
    this.snapshot_index = snapshot.index;
    this.snapshot_term = snapshot.term;
    this.snapshot_conf = snapshot.conf_state;
    for (let k = 0; k < entries.length; k++) {
      const e = entries[k];
      invariant(e.index === snapshot.index + 1 + k, () =>
        `initial entries must be contiguous above snapshot ${snapshot.index}: position ${k} has index ${e.index}`);
      const prev = k === 0 ? snapshot.term : entries[k - 1].term;
      invariant(e.term >= prev, () => `initial entry ${e.index} has term ${e.term} below previous term ${prev}`);
    }
    this.entries = entries.slice();
    const last = this.lastIndex();
    invariant(commit >= snapshot.index && commit <= last, () =>
      `initial commit ${commit} must lie in [snapshot ${snapshot.index}, last ${last}]`);
    invariant(applied >= snapshot.index && applied <= commit, () =>
      `initial applied ${applied} must lie in [snapshot ${snapshot.index}, commit ${commit}]`);
    this.commit = commit;
    this.applied = applied;
    this.stabled = last;
  }

  lastIndex(): number {
    return this.snapshot_index + this.entries.length;
  }

  lastTerm(): number {
    return this.entries.length === 0 ? this.snapshot_term : this.entries[this.entries.length - 1].term;
  }

  firstIndex(): number {
    return this.snapshot_index + 1;
  }

  /** Term of the entry at `index`, or -1 when it is compacted away or beyond the log. */
  term(index: number): number {
    if (index === this.snapshot_index) return this.snapshot_term;
    if (index < this.snapshot_index || index > this.lastIndex()) return -1;
    return this.entries[index - this.snapshot_index - 1].term;
  }

  entry(index: number): Entry {
    invariant(index > this.snapshot_index && index <= this.lastIndex(), () =>
      `entry ${index} is outside the log (${this.snapshot_index}, ${this.lastIndex()}]`);
    return this.entries[index - this.snapshot_index - 1];
  }

  matchTerm(index: number, term: number): boolean {
    const t = this.term(index);
    return t !== -1 && t === term;
  }

  /** Raft's "at least as up to date" comparison of (last term, last index). */
  isUpToDate(last_index: number, last_term: number): boolean {
    const my_term = this.lastTerm();
    return last_term > my_term || (last_term === my_term && last_index >= this.lastIndex());
  }

  /** Entries in [lo, hi] (inclusive), at most count_max of them and, beyond the first one,
   * at most bytes_max bytes of payload. */
  slice(lo: number, hi: number, count_max: number, bytes_max: number): Entry[] {
    invariant(lo > this.snapshot_index, () => `slice from ${lo} reaches into compacted log (snapshot ${this.snapshot_index})`);
    const last = Math.min(hi, this.lastIndex());
    const out: Entry[] = [];
    let bytes = 0;
    for (let i = lo; i <= last && out.length < count_max; i++) {
      const e = this.entries[i - this.snapshot_index - 1];
      bytes += e.data.length;
      if (out.length > 0 && bytes > bytes_max) break;
      out.push(e);
    }
    return out;
  }

  /** The largest index <= `index` whose term is <= `term` (terms never decrease along
   * the log, so a binary search finds it), used for fast back-off after a rejection. */
  findConflictByTerm(index: number, term: number): { index: number; term: number } {
    let hi = Math.min(index, this.lastIndex());
    let lo = this.snapshot_index;
    if (hi < lo) return { index: hi, term: 0 };
    if (this.term(lo) > term) return { index: lo, term: 0 };
    // term(lo) <= term; find the largest i in [lo, hi] with term(i) <= term.
    while (lo < hi) {
      const mid = lo + Math.ceil((hi - lo) / 2);
      if (this.term(mid) <= term) lo = mid;
      else hi = mid - 1;
    }
    return { index: lo, term: this.term(lo) };
  }

  /** Appends entries a leader sent after (prev_index, prev_term). Returns the index of the
   * last new entry, or -1 when the log does not contain (prev_index, prev_term). */
  maybeAppend(prev_index: number, prev_term: number, entries: readonly Entry[]): number {
    if (!this.matchTerm(prev_index, prev_term)) return -1;
    const last_new = prev_index + entries.length;
    for (let k = 0; k < entries.length; k++) {
      const e = entries[k];
      invariant(e.index === prev_index + 1 + k, () => `append entries not contiguous after ${prev_index}: got ${e.index} at ${k}`);
      if (this.term(e.index) !== e.term) {
        invariant(e.index > this.commit, () =>
          `append conflicts at index ${e.index} (term ${this.term(e.index)} vs ${e.term}) at or below commit ${this.commit}`);
        this.truncateAndAppend(entries.slice(k));
        break;
      }
    }
    return last_new;
  }

  /** Replaces everything from entries[0].index on by `entries`. */
  truncateAndAppend(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    const first = entries[0].index;
    invariant(first > this.commit, () => `truncation at ${first} at or below commit ${this.commit}`);
    invariant(first <= this.lastIndex() + 1, () => `append at ${first} leaves a gap after last ${this.lastIndex()}`);
    const prev_term = this.term(first - 1);
    invariant(entries[0].term >= prev_term, () => `entry ${first} term ${entries[0].term} below previous term ${prev_term}`);
    this.entries.length = first - this.snapshot_index - 1;
    for (const e of entries) this.entries.push(e);
    if (this.written_from === 0 || first < this.written_from) this.written_from = first;
    if (this.stabled >= first) this.stabled = first - 1;
  }

  commitTo(index: number): void {
    invariant(index <= this.lastIndex(), () => `commit ${index} beyond last index ${this.lastIndex()}`);
    if (index > this.commit) this.commit = index;
  }

  /** Entries not yet durable on the host. */
  unstableEntries(): Entry[] {
    if (this.stabled >= this.lastIndex()) return [];
    return this.entries.slice(this.stabled - this.snapshot_index);
  }

  stableTo(index: number, term: number): void {
    if (index > this.stabled && this.matchTerm(index, term)) this.stabled = index;
  }

  /** Resets the log to a snapshot received from the leader. Entries above it are kept when
   * the log holds the snapshot's own entry (same index and term): by log matching the
   * prefix is the same. The kept entries are handed out again, because the host replaces
   * its whole stored log when it installs a snapshot. */
  restore(meta: SnapshotMeta): void {
    invariant(meta.index > this.commit || (meta.index === 0 && this.commit === 0), () =>
      `snapshot ${meta.index} at or below commit ${this.commit}`);
    const keep = this.matchTerm(meta.index, meta.term) ? this.entries.slice(meta.index - this.snapshot_index) : [];
    this.snapshot_index = meta.index;
    this.snapshot_term = meta.term;
    this.snapshot_conf = meta.conf_state;
    this.entries = keep;
    this.commit = meta.index;
    this.applied = meta.index;
    this.stabled = meta.index;
    this.unstable_snapshot = meta;
  }

  /** Drops entries <= index; the host holds a state-machine snapshot there. */
  compact(index: number, conf_at_index: ConfState): void {
    invariant(index > this.snapshot_index && index <= this.applied && index <= this.stabled, () =>
      `compact(${index}) must lie in (snapshot ${this.snapshot_index}, min(applied ${this.applied}, stabled ${this.stabled})]`);
    const term = this.term(index);
    this.entries = this.entries.slice(index - this.snapshot_index);
    this.snapshot_index = index;
    this.snapshot_term = term;
    this.snapshot_conf = conf_at_index;
  }

  snapshotMeta(): SnapshotMeta {
    return { index: this.snapshot_index, term: this.snapshot_term, conf_state: this.snapshot_conf };
  }
}
