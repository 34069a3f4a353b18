// The state the node's parts share: the ledger and its applied records, what the core
// last said about role, leader, term and commit, and whether the node is closing or has
// failed. One object per node, owned by StockNodeImpl and handed to each part.

import type { NodeId, RaftStatus, Role } from '../raft/types.js';
import type { Ledger } from '../ledger/ledger.js';
import type { AppliedRecord } from './storage-level.js';
import { NodeError } from './node-api.js';
import { fatalKind, type FatalKind } from './fatal.js';

export class NodeState {
  ledger: Ledger;
  /** What LevelDB holds applied (moves when a run's write lands). */
  applied: AppliedRecord;
  /** What the in-memory ledger reflects: at or ahead of `applied` (see applier.ts). */
  mem_applied: AppliedRecord;
  role: Role;
  leader: NodeId | null;
  term: number;
  /** The term last written durably (appends may leave before the fsync only in it). */
  persisted_term: number;
  commit: number;
  /** No more loop rounds, messages or operations. */
  stopped = false;
  /** close() has begun: new work is refused, work in flight drains. */
  closing = false;
  fatal_error: Error | null = null;
  fatal_kind: FatalKind | null = null;
  /** Counts the first fatal error by kind (stockd_fatal_errors_total), before onFatal. */
  countFatal: (kind: FatalKind) => void = () => {};
  /** Called once, on the first fatal error (StockNodeImpl.onFatal). */
  onFatal: (err: Error) => void = () => {};

  constructor(ledger: Ledger, applied: AppliedRecord, core: RaftStatus) {
    this.ledger = ledger;
    this.applied = applied;
    this.mem_applied = applied;
    this.term = core.term;
    this.persisted_term = core.term;
    this.commit = core.commit;
    this.role = core.role;
    this.leader = core.leader;
  }

  /** True once callers' new work is to be refused with shuttingDownError(). */
  refusesWork(): boolean {
    return this.closing || this.stopped;
  }

  /** Stops the node on its first fatal error; later ones are ignored. */
  fail(err: unknown): void {
    if (this.fatal_error) return;
    this.fatal_error = err instanceof Error ? err : new Error(String(err));
    this.fatal_kind = fatalKind(err);
    this.stopped = true;
    this.countFatal(this.fatal_kind);
    this.onFatal(this.fatal_error);
  }
}

export function shuttingDownError(): NodeError {
  return new NodeError('shutting_down', 'node is shutting down');
}
