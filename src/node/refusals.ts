// The NodeErrors a caller gets when the core refuses a request or this node is not the
// leader, with the leader's id and address where known so the edge can forward.

import type { ProposeResult, RequestResult } from '../raft/types.js';
import { NodeError } from './node-api.js';
import type { NodeState } from './node-state.js';
import type { PeerAddresses } from './peer-addresses.js';

export type CoreRefusal = Extract<ProposeResult | RequestResult, { ok: false }>;

export class Refusals {
  constructor(
    private readonly self_id: string,
    private readonly state: NodeState,
    private readonly addresses: PeerAddresses,
  ) {}

  fromCore(r: CoreRefusal): NodeError {
    const addr = r.leader ? this.addresses.addressOf(r.leader) : null;
    switch (r.reason) {
      case 'not_leader':
        return new NodeError('not_leader', r.detail, r.leader, addr);
      case 'no_leader':
      case 'transferring':
        return new NodeError('no_leader', r.detail, r.leader, addr);
      case 'too_many_uncommitted':
        return new NodeError('overloaded', r.detail, r.leader, addr);
      case 'conf_change_pending':
      case 'invalid':
        return new NodeError('invalid', r.detail, r.leader, addr);
    }
  }

  notLeader(): NodeError {
    const leader = this.state.leader;
    if (leader === null) return new NodeError('no_leader', 'no leader is known yet: retry');
    return new NodeError('not_leader', `node ${this.self_id} is not the leader; ${leader} is`, leader, this.addresses.addressOf(leader));
  }
}
