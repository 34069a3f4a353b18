// The node's status in its wire form (Cluster.Status).

import type { NodeStatus } from '../node/node-api.js';
import type { PeerVersion } from '../node/peer-version.js';

function protocolText(v: PeerVersion): string {
  return `${v.protocol_major}.${v.protocol_minor}`;
}
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
      protocol_version: m.version === null ? '' : protocolText(m.version),
      rules_version_min: m.version?.rules_version_min ?? 0,
      rules_version_max: m.version?.rules_version_max ?? 0,
    })),
    head_hash: s.head_hash,
    rules_version_min: s.version.rules_version_min,
    rules_version_max: s.version.rules_version_max,
    cluster_version: s.cluster_version,
    protocol_version: protocolText(s.version),
  };
}
