// Where this node reaches each member, and which senders it accepts traffic from.
// Precedence: fault-injection overrides, then this node's own address, then the applied
// membership's addresses, then addresses learned from traffic or a pending membership
// change, then --initial-cluster.

import type { ConfState, NodeId } from '../raft/types.js';
import type { NodeSettings } from './node-settings.js';
import type { NodeState } from './node-state.js';
import type { RaftCore } from './raft-core.js';
import { LEARNED_ADDRESSES_MAX } from './limits.js';

export class PeerAddresses {
  private readonly learned = new Map<NodeId, string>();

  constructor(
    private readonly settings: NodeSettings,
    private readonly state: NodeState,
    private readonly raft: RaftCore,
  ) {}

  addressOf(id: NodeId): string | null {
    const o = this.settings.peer_address_overrides[id];
    if (o) return o;
    if (id === this.settings.id) return this.settings.advertise;
    return this.state.applied.addresses[id] ?? this.learned.get(id) ?? this.settings.initial_addresses[id] ?? null;
  }

  /** An address a peer announced in its traffic: kept only for a sender not known yet,
   * and only up to LEARNED_ADDRESSES_MAX of them. */
  learnFromTraffic(id: NodeId, address: string): void {
    if (!this.learned.has(id) && this.learned.size < LEARNED_ADDRESSES_MAX) this.learned.set(id, address);
  }

  /** The address of a member being added, known before its membership change applies. */
  rememberForChange(id: NodeId, address: string): void {
    this.learned.set(id, address);
  }

  isKnownSender(id: NodeId): boolean {
    const conf: ConfState = this.state.applied.conf_state;
    if (conf.voters.length + conf.learners.length === 0) return true; // joining: membership still to learn
    if (conf.voters.includes(id) || conf.learners.includes(id)) return true;
    if (id in this.settings.peer_address_overrides || id in this.settings.initial_addresses || id in this.state.applied.addresses) return true;
    const st = this.raft.status();
    return st.conf_state.voters.includes(id) || st.conf_state.learners.includes(id);
  }
}
