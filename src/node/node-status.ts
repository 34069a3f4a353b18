// What the node reports about itself: the status operators and the edge read, and the
// gauges NodeMetrics reads at every scrape.

import type { NodeId } from '../raft/types.js';
import type { MemberStatus, NodeStatus } from './node-api.js';
import type { LevelStorage } from './storage-level.js';
import type { NodeSettings } from './node-settings.js';
import type { NodeState } from './node-state.js';
import type { NodeMetrics } from './node-metrics.js';
import type { PeerAddresses } from './peer-addresses.js';
import type { ProposalTable } from './proposals.js';
import type { RaftCore } from './raft-core.js';
import type { PeerVersion } from './peer-version.js';

export class NodeReport {
  constructor(
    private readonly settings: NodeSettings,
    private readonly state: NodeState,
    private readonly raft: RaftCore,
    private readonly storage: LevelStorage,
    private readonly addresses: PeerAddresses,
    private readonly proposals: ProposalTable,
    private readonly metrics: NodeMetrics | null,
    /** This node's announcement, and what peers with an open stream announced. */
    private readonly versions: { readonly self: PeerVersion; readonly peer: (id: NodeId) => PeerVersion | null },
  ) {}

  status(): NodeStatus {
    const s = this.raft.status();
    const members: MemberStatus[] = [];
    const add = (id: NodeId, role: 'voter' | 'learner'): void => {
      const p = s.progress?.[id];
      const match = id === this.settings.id && s.role === 'leader' ? s.last_index : p ? p.match : null;
      const version = id === this.settings.id ? this.versions.self : this.versions.peer(id);
      members.push({ id, address: this.addresses.addressOf(id) ?? '', role, match_index: match, lag_entries: match === null ? null : Math.max(0, s.last_index - match), version });
    };
    for (const id of s.conf_state.voters) add(id, 'voter');
    for (const id of s.conf_state.learners) add(id, 'learner');
    return {
      id: this.settings.id,
      cluster_id: this.settings.cluster_id,
      address: this.settings.advertise,
      role: s.role,
      term: s.term,
      leader_id: s.leader,
      leader_address: s.leader ? this.addresses.addressOf(s.leader) : null,
      commit_index: s.commit,
      applied_index: this.state.applied.index,
      snapshot_index: this.storage.snapshotIndex,
      members,
      head_hash: this.state.ledger.headHash(),
      fatal_error: this.state.fatal_error?.message ?? null,
      version: this.versions.self,
      cluster_version: this.state.ledger.clusterVersion(),
    };
  }

  /** The gauges' figures; NodeMetrics calls this at every scrape. */
  updateMetrics(): void {
    const m = this.metrics;
    if (!m) return;
    const s = this.state;
    m.setRole(s.role);
    m.term.set(s.term);
    m.commit.set(s.commit);
    m.applied.set(s.applied.index);
    m.snapshot_index.set(this.storage.snapshotIndex);
    m.open_reservations.set(s.ledger.openReservations());
    m.proposals_pending.set(this.proposals.size);
    m.health.has_leader.set(s.leader !== null ? 1 : 0);
    m.health.setFollowerLag(s.role === 'leader' ? this.followerLag() : null);
  }

  /** Entries each other member is behind the leader's last index (leader only). */
  private followerLag(): Map<NodeId, number> | null {
    const s = this.raft.status();
    if (s.progress === null) return null;
    const lag = new Map<NodeId, number>();
    for (const [id, p] of Object.entries(s.progress)) if (id !== this.settings.id) lag.set(id, Math.max(0, s.last_index - p.match));
    return lag;
  }
}
