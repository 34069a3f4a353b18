// Leader changes as seen by this node, for calls that wait on them: a forwarded call is
// cut when another leader appears, and a call with no leader to go to waits for one. One
// subscription to the node is held only while some call listens, and each call in flight
// holds at most one listener, so the listeners are bounded by the edge's in-flight bound.

import type { NodeId } from '../raft/types.js';
import type { StockNode } from '../node/node-api.js';

export type LeaderListener = (leader_id: NodeId | null) => void;

export class LeaderSignal {
  private readonly listeners = new Set<LeaderListener>();
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly node: StockNode,
    private readonly listeners_max: number,
  ) {
    if (!Number.isInteger(listeners_max) || listeners_max < 1) throw new Error(`LeaderSignal: listeners_max must be an integer >= 1, got ${listeners_max}`);
  }

  /** Calls fn on every leader change until the returned function is called. */
  listen(fn: LeaderListener): () => void {
    if (this.listeners.size >= this.listeners_max) {
      throw new Error(`LeaderSignal: ${this.listeners.size} listeners, limit listeners_max=${this.listeners_max} (one per call in flight)`);
    }
    this.listeners.add(fn);
    if (this.unsubscribe === null) this.unsubscribe = this.node.onLeaderChange((leader_id) => this.notify(leader_id));
    return () => {
      this.listeners.delete(fn);
      if (this.listeners.size === 0 && this.unsubscribe !== null) {
        this.unsubscribe();
        this.unsubscribe = null;
      }
    };
  }

  /** Resolves true at the next leader change, false after timeout_ms without one. */
  next(timeout_ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const done = (changed: boolean): void => {
        clearTimeout(timer);
        stop();
        resolve(changed);
      };
      const stop = this.listen(() => done(true));
      const timer = setTimeout(() => done(false), Math.max(0, timeout_ms));
    });
  }

  /** Listeners run after the node's loop step that changed the leader, never inside it. */
  private notify(leader_id: NodeId | null): void {
    const now = [...this.listeners];
    queueMicrotask(() => {
      for (const fn of now) if (this.listeners.has(fn)) fn(leader_id);
    });
  }
}
