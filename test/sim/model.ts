// The simulator's model of a host: its durable store, its toy state machine, and how
// entries carry payload numbers.

import { decodeConfChange } from '../../src/raft/conf-change.js';
import type { ConfState, Entry, HardState, NodeId, SnapshotMeta } from '../../src/raft/types.js';
import type { RaftNode } from '../../src/raft/raft-node.js';

export interface SmState {
  applied: number;
  applied_term: number;
  digest: number;
  conf: ConfState;
}

export interface SnapshotPayload {
  readonly meta: SnapshotMeta;
  readonly sm: SmState;
}

export interface Store {
  hard: HardState;
  snap: SnapshotMeta | null;
  snap_sm: SmState | null;
  /** Membership at the snapshot, or at bootstrap. */
  conf: ConfState;
  /** entries[k].index === base + 1 + k where base is the snapshot index (or 0). */
  entries: Entry[];
}

export interface Host {
  readonly id: NodeId;
  core: RaftNode | null;
  incarnation: number;
  removed: boolean;
  store: Store;
  sm: SmState;
  staged: SnapshotPayload | null;
  /** Partition cells this node belongs to (bit mask); two nodes talk when they share one. */
  mask: number;
  /** Crash while handling the next Ready (the write may or may not reach the disk). */
  crash_in_ready: boolean;
  /** Whether that Ready's write reaches the disk; null: decided by the seed. */
  crash_keeps_write: boolean | null;
  commit_seen: number;
}

export function copySm(s: SmState): SmState {
  return { applied: s.applied, applied_term: s.applied_term, digest: s.digest, conf: s.conf };
}

export function payloadBytes(id: number): Uint8Array {
  const b = new Uint8Array(4);
  b[0] = id >>> 24;
  b[1] = (id >>> 16) & 255;
  b[2] = (id >>> 8) & 255;
  b[3] = id & 255;
  return b;
}

export function payloadId(b: Uint8Array): number {
  return ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
}

const conf_ids = new WeakMap<Entry, number>();

/** The simulator's identity of an entry: payload number, 0 for a no-op, minus the change
 * number for a membership change. */
export function entryId(e: Entry): number {
  if (e.type === 'normal') return e.data.length === 0 ? 0 : payloadId(e.data);
  let id = conf_ids.get(e);
  if (id === undefined) {
    id = -payloadId(decodeConfChange(e.data).context);
    conf_ids.set(e, id);
  }
  return id;
}

