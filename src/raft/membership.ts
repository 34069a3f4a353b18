// The membership a replica works with: the one at the snapshot plus every conf_change entry
// in its log, committed or not (see the header of raft-node.ts for why). Tracks where the
// changes sit so that a rewrite of the log's tail can undo the overwritten ones.

import type { ConfChange, ConfState, NodeId } from './types.js';
import type { RaftLog } from './raft-log.js';
import { applyConfChange, decodeConfChange } from './conf-change.js';
import { invariant } from './invariant.js';

export class Membership {
  conf: ConfState;
  voters: ReadonlySet<NodeId>;
  /** Indexes of the conf_change entries in the log above the snapshot, ascending. */
  private change_indexes: number[] = [];

  constructor(private readonly log: RaftLog) {
    this.conf = log.snapshot_conf;
    this.voters = new Set(this.conf.voters);
    this.rebuild();
  }

  /** Majority of the voters (0 when there are none). */
  quorum(): number {
    return this.voters.size === 0 ? 0 : Math.floor(this.voters.size / 2) + 1;
  }

  countVoters(ids: Iterable<NodeId>): number {
    let n = 0;
    for (const id of ids) if (this.voters.has(id)) n++;
    return n;
  }

  *memberIds(): Iterable<NodeId> {
    yield* this.conf.voters;
    yield* this.conf.learners;
  }

  isEmpty(): boolean {
    return this.conf.voters.length === 0 && this.conf.learners.length === 0;
  }

  lastChangeIndex(): number {
    return this.change_indexes.length === 0 ? 0 : this.change_indexes[this.change_indexes.length - 1];
  }

  /** Recomputes from the snapshot's membership and the whole log; returns whether it changed. */
  rebuild(): boolean {
    let conf = this.log.snapshot_conf;
    this.change_indexes = [];
    for (const e of this.log.entries) {
      if (e.type !== 'conf_change') continue;
      conf = applyConfChange(conf, decodeConfChange(e.data));
      this.change_indexes.push(e.index);
    }
    return this.set(conf);
  }

  /** Entries from `from` on were (re)written: overwritten changes are undone, new ones
   * taken on. Returns whether the membership changed. */
  afterWrite(from: number): boolean {
    if (this.lastChangeIndex() >= from) return this.rebuild();
    let conf = this.conf;
    for (let i = from; i <= this.log.lastIndex(); i++) {
      const e = this.log.entry(i);
      if (e.type !== 'conf_change') continue;
      conf = applyConfChange(conf, decodeConfChange(e.data));
      this.change_indexes.push(i);
    }
    return this.set(conf);
  }

  /** The leader appended `cc` at `index`. */
  appended(index: number, cc: ConfChange): boolean {
    invariant(index > this.lastChangeIndex(), () => `membership change at ${index} not after the last one at ${this.lastChangeIndex()}`);
    this.change_indexes.push(index);
    return this.set(applyConfChange(this.conf, cc));
  }

  /** The log was compacted to `index`. */
  compacted(index: number): void {
    this.change_indexes = this.change_indexes.filter((i) => i > index);
  }

  /** Membership after the log up to `index` (snapshot index <= index <= last). */
  at(index: number): ConfState {
    invariant(index >= this.log.snapshot_index && index <= this.log.lastIndex(), () =>
      `membership at ${index} asked outside [snapshot ${this.log.snapshot_index}, last ${this.log.lastIndex()}]`);
    let conf = this.log.snapshot_conf;
    for (const i of this.change_indexes) {
      if (i > index) break;
      conf = applyConfChange(conf, decodeConfChange(this.log.entry(i).data));
    }
    return conf;
  }

  private set(conf: ConfState): boolean {
    if (conf === this.conf) return false;
    this.conf = conf;
    this.voters = new Set(conf.voters);
    return true;
  }
}
