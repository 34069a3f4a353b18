// The surface of the consensus core the node drives (src/raft/raft-node.ts implements it).
// Written down here so the node depends on the shape, not on the class, and tests can
// hand it a core built any way they like.

import type { ConfChange, Message, ProposeResult, RaftStatus, Ready, RequestResult, SnapshotMeta, NodeId } from '../raft/types.js';

export interface RaftCore {
  tick(): void;
  step(message: Message): void;
  propose(data: Uint8Array): ProposeResult;
  proposeConfChange(cc: ConfChange): ProposeResult;
  readIndex(context: string): RequestResult;
  transferLeadership(to: NodeId): RequestResult;
  /** Discards log entries up to `index` (which must be applied) and returns the snapshot
   * metadata the host persists. */
  compact(index: number): SnapshotMeta;
  reportSnapshot(to: NodeId, ok: boolean): void;
  reportUnreachable(to: NodeId): void;
  hasReady(): boolean;
  ready(): Ready;
  advance(): void;
  status(): RaftStatus;
}
