// Cluster/SetClusterVersion: raising the replicated gate on the ledger rules version
// (src/ledger/rules.ts). The leader carries it out: it checks that every member (voters
// and learners) announced, on a peer stream open to the leader now, a rules range that
// holds the new version, then proposes one `cluster_version` admin command (hash-chained
// in the admin history like every admin event, naming the principal). A member that lacks
// the version is named in the FAILED_PRECONDITION refusal.
//
// Between the check and the entry's commit a member could be added or replaced by an older
// build; such a member stops (fatal, naming the entry and versions) when it meets the entry
// instead of applying later entries under rules it does not know. See docs/operations.md.

import * as grpc from '@grpc/grpc-js';
import type { NodeStatus, StockNode } from '../node/node-api.js';
import { peerVersionText } from '../node/peer-version.js';
import { RULES_VERSION_FIELD_MAX } from '../ledger/rules.js';
import * as V from '../wire/validate.js';
import type * as W from '../wire/types.js';
import { adminCommand } from './admin-history.js';
import { EdgeStatusError } from './edge.js';

/** Whether the leader may raise the cluster version to `to` now, from its status. */
export type RaiseCheck =
  | { readonly kind: 'raise'; readonly from: number }
  | { readonly kind: 'already'; readonly version: number }
  | { readonly kind: 'refused'; readonly reason: string };

export function checkRaise(st: NodeStatus, to: number): RaiseCheck {
  const from = st.cluster_version;
  if (to === from) return { kind: 'already', version: from };
  if (to < from) return { kind: 'refused', reason: `the cluster version is ${from}; it is never lowered (asked for ${to})` };
  for (const m of st.members) {
    if (m.version === null) {
      return { kind: 'refused', reason: `member ${m.id} has no peer stream open to the leader ${st.id}, so its rules versions are unknown: raise the cluster version once every member runs and is connected` };
    }
    if (to < m.version.rules_version_min || to > m.version.rules_version_max) {
      return { kind: 'refused', reason: `member ${m.id} does not support rules version ${to} (it runs ${peerVersionText(m.version)}): upgrade it first` };
    }
  }
  return { kind: 'raise', from };
}

export async function setClusterVersion(node: StockNode, req: W.WireSetClusterVersionRequest, principal: string, deadline_at_ms: number): Promise<W.WireSetClusterVersionResponse> {
  const to = V.checkInt('version', req.version, 1, RULES_VERSION_FIELD_MAX);
  const st = node.status();
  const check = checkRaise(st, to);
  if (check.kind === 'already') return { cluster_version: check.version, previous: check.version };
  if (check.kind === 'refused') throw new EdgeStatusError(grpc.status.FAILED_PRECONDITION, check.reason);
  const detail = `from ${check.from}; members ${st.members.map((m) => `${m.id} ${m.version === null ? '?' : `${m.version.rules_version_min}..${m.version.rules_version_max}`}`).join(', ')}`;
  const [result] = await node.propose([adminCommand('cluster_version', principal, String(to), detail)], deadline_at_ms);
  if (result === undefined || result.code !== 'OK') {
    // Another raise applied first: the ledger judged this one against the new version.
    const why = result?.code === 'INVALID_ARGUMENT' ? `${result.field} must be ${result.limit}` : (result?.code ?? 'no result');
    throw new EdgeStatusError(grpc.status.FAILED_PRECONDITION, `cluster version not raised to ${to}: ${why}`);
  }
  return { cluster_version: to, previous: check.from };
}
