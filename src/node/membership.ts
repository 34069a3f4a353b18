// Membership changes (add learner, promote, remove) and leadership transfers: each caller
// waits until its change applies here (or leadership reaches the target), is refused, or
// its deadline passes.

import type { NodeId } from '../raft/types.js';
import { confChangeRefusal } from '../raft/conf-change.js';
import { addressProblem } from '../wire/names.js';
import { NodeError } from './node-api.js';
import { shuttingDownError, type NodeState } from './node-state.js';
import type { PeerAddresses } from './peer-addresses.js';
import type { RaftCore } from './raft-core.js';
import type { Refusals } from './refusals.js';
import { MEMBERSHIP_CHANGE_DEADLINE_MS, waitMs } from './limits.js';

type ConfChangeRequest = Parameters<RaftCore['proposeConfChange']>[0];

interface ConfWaiter {
  readonly term: number;
  readonly resolve: () => void;
  readonly reject: (e: Error) => void;
}

interface TransferWaiter {
  readonly to: NodeId;
  readonly resolve: () => void;
  readonly reject: (e: Error) => void;
  readonly timer: NodeJS.Timeout;
}

export class Membership {
  /** Callers of a proposed change, by the log index of its entry. */
  private readonly conf_waiters = new Map<number, ConfWaiter>();
  private readonly transfer_waiters = new Set<TransferWaiter>();

  constructor(
    private readonly state: NodeState,
    private readonly raft: RaftCore,
    private readonly addresses: PeerAddresses,
    private readonly refusals: Refusals,
    /** Runs an operation in the node loop; false when the operation queue is full. */
    private readonly queueOp: (op: () => void) => boolean,
  ) {}

  addLearner(id: NodeId, address: string): Promise<void> {
    const problem = addressProblem(address);
    if (problem !== null) return Promise.reject(new NodeError('invalid', `address ${problem}`));
    return this.change({ type: 'add_learner', node_id: id, context: new TextEncoder().encode(address) }, Date.now() + MEMBERSHIP_CHANGE_DEADLINE_MS);
  }

  promote(id: NodeId): Promise<void> {
    const address = this.addresses.addressOf(id) ?? '';
    return this.change({ type: 'promote', node_id: id, context: new TextEncoder().encode(address) }, Date.now() + MEMBERSHIP_CHANGE_DEADLINE_MS);
  }

  remove(id: NodeId): Promise<void> {
    return this.change({ type: 'remove', node_id: id, context: new Uint8Array(0) }, Date.now() + MEMBERSHIP_CHANGE_DEADLINE_MS);
  }

  private change(cc: ConfChangeRequest, deadline_ms: number): Promise<void> {
    if (this.state.refusesWork()) return Promise.reject(shuttingDownError());
    if (this.state.role !== 'leader') return Promise.reject(this.refusals.notLeader());
    const refusal = confChangeRefusal(this.raft.status().conf_state, cc);
    if (refusal) return Promise.reject(new NodeError('invalid', refusal));
    return new Promise<void>((resolve, reject) => {
      let index = 0;
      const timer = setTimeout(() => {
        if (index) this.conf_waiters.delete(index);
        reject(new NodeError('outcome_unknown', `membership change ${cc.type} ${cc.node_id} not applied within the deadline`));
      }, waitMs(deadline_ms));
      const settle = {
        resolve: (): void => {
          clearTimeout(timer);
          resolve();
        },
        reject: (e: Error): void => {
          clearTimeout(timer);
          reject(e);
        },
      };
      const ok = this.queueOp(() => {
        const r = this.raft.proposeConfChange(cc);
        if (!r.ok) return settle.reject(this.refusals.fromCore(r));
        index = r.index;
        if (cc.type !== 'remove' && cc.context.byteLength > 0) this.addresses.rememberForChange(cc.node_id, new TextDecoder().decode(cc.context));
        this.conf_waiters.set(r.index, { term: r.term, ...settle });
      });
      if (!ok) settle.reject(new NodeError('overloaded', 'node operation queue is full'));
    });
  }

  transferLeadership(to: NodeId, deadline_ms: number): Promise<void> {
    if (this.state.refusesWork()) return Promise.reject(shuttingDownError());
    if (this.state.leader === to) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: TransferWaiter = {
        to,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.transfer_waiters.delete(waiter);
          reject(new NodeError('outcome_unknown', `leadership did not move to ${to} within the deadline`));
        }, waitMs(deadline_ms)),
      };
      this.transfer_waiters.add(waiter);
      const drop = (err: Error): void => {
        this.transfer_waiters.delete(waiter);
        clearTimeout(waiter.timer);
        reject(err);
      };
      const ok = this.queueOp(() => {
        const r = this.raft.transferLeadership(to);
        if (!r.ok) drop(this.refusals.fromCore(r));
      });
      if (!ok) drop(new NodeError('overloaded', 'node operation queue is full'));
    });
  }

  /** The membership change at `index` (proposed in `term`, as it committed) applied. */
  onApplied(index: number, term: number): void {
    const w = this.conf_waiters.get(index);
    if (!w) return;
    this.conf_waiters.delete(index);
    if (w.term === term) w.resolve();
    else w.reject(new NodeError('outcome_unknown', `membership change at ${index} was replaced by term ${term}`));
  }

  /** This node stopped leading: its pending changes may or may not commit. */
  onLeadershipLost(unknown: Error): void {
    for (const [index, w] of this.conf_waiters) {
      this.conf_waiters.delete(index);
      w.reject(unknown);
    }
  }

  /** The core reported a leader: transfers to it are done. */
  onLeader(leader: NodeId | null): void {
    for (const t of this.transfer_waiters) {
      if (leader === t.to) {
        this.transfer_waiters.delete(t);
        clearTimeout(t.timer);
        t.resolve();
      }
    }
  }

  /** Shutdown: every waiter is answered with `err`. */
  failAll(err: Error): void {
    this.onLeadershipLost(err);
    for (const t of this.transfer_waiters) {
      clearTimeout(t.timer);
      t.reject(err);
    }
    this.transfer_waiters.clear();
  }
}
