// The node's status in its wire form (Cluster.Status).

import type { NodeStatus } from '../node/node-api.js';
import type { WireStatusResponse } from '../wire/types.js';

export function statusToWire(s: NodeStatus): WireStatusResponse {
  return {
    id: s.id,
    cluster_id: s.cluster_id,
    address: s.address,
    role: s.role,
    term: s.term,
    leader_id: s.leader_id ?? '',
    leader_address: s.leader_address ?? '',
    commit_index: s.commit_index,
    applied_index: s.applied_index,
    snapshot_index: s.snapshot_index,
    members: s.members.map((m) => ({
      id: m.id,
      address: m.address,
      role: m.role,
      has_match_index: m.match_index !== null,
      match_index: m.match_index ?? 0,
      lag_entries: m.lag_entries ?? 0,
    })),
    head_hash: s.head_hash,
  };
}
