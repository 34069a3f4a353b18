// Closing a node: refuse new work, let proposals in flight finish (bounded), answer every
// waiter, let the loop and the queued applies land, then close transport and storage.

import { NodeError } from './node-api.js';
import { shuttingDownError, type NodeState } from './node-state.js';
import type { LevelStorage } from './storage-level.js';
import type { GrpcTransport } from './transport-grpc.js';
import type { ProposalTable } from './proposals.js';
import type { ReadRounds } from './read-rounds.js';
import type { WatchHub } from './watchers.js';
import type { Applier } from './applier.js';
import type { IncomingSnapshots } from './incoming-snapshots.js';
import type { Membership } from './membership.js';
import type { NodeLoop } from './node-loop.js';
import { CLOSE_LOOP_POLL_MS, CLOSE_LOOP_WAIT_MS_MAX, CLOSE_PROPOSALS_POLL_MS } from './limits.js';

export interface ShutdownParts {
  readonly state: NodeState;
  readonly loop: NodeLoop;
  readonly storage: LevelStorage;
  readonly transport: GrpcTransport;
  readonly proposals: ProposalTable;
  readonly reads: ReadRounds;
  readonly watch_hub: WatchHub;
  readonly applier: Applier;
  readonly snapshots: IncomingSnapshots;
  readonly membership: Membership;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class Shutdown {
  constructor(private readonly p: ShutdownParts) {}

  /** Drains: refuses new work, waits (at most drain_ms) for proposals in flight, then stops. */
  async close(drain_ms: number): Promise<void> {
    const { state, loop, proposals } = this.p;
    if (state.closing) return;
    state.closing = true;
    const until = Date.now() + drain_ms;
    while (proposals.size > 0 && Date.now() < until && !state.stopped) await sleep(CLOSE_PROPOSALS_POLL_MS);
    loop.stopTicking();
    const closing = shuttingDownError();
    proposals.failAll(new NodeError('outcome_unknown', 'node shut down before the entry applied'), closing);
    this.p.reads.failAll(closing);
    this.p.membership.failAll(closing);
    // Let a Ready in progress finish its writes (bounded wait), then the applies it queued.
    const loop_until = Date.now() + CLOSE_LOOP_WAIT_MS_MAX;
    while (loop.running && Date.now() < loop_until) await sleep(CLOSE_LOOP_POLL_MS);
    state.stopped = true;
    await this.p.applier.drain();
    this.p.watch_hub.closeAll(closing);
    this.p.transport.close();
    this.p.snapshots.discardAll();
    if (!state.fatal_error) await this.p.storage.sync();
    await this.p.storage.close();
  }
}
