// `stockd --force-new-cluster`: recovery from a majority lost for good. Started on a
// surviving member's data dir, it rewrites the stored log so that this node is the only
// voter (force-new-cluster-plan.ts says what is kept and what is dropped), then the node
// boots as usual, elects itself and can grow again with `stockctl members add-learner` and
// `promote`. Acknowledged writes that only the lost members had are gone: that is why the
// flag is dangerous and hedged in three ways (docs/operations.md, "Recover from a lost
// majority"):
// - an empty data dir is refused (there is nothing to recover, and bootstrapping a fresh
//   one-node cluster by mistake would look like success);
// - if any member to be removed answers at its address, the rewrite is refused: its
//   majority may not be lost, and two clusters with one id must never serve at once;
// - the rewrite leaves a record in the data dir until the next start without the flag. A
//   start with the flag that finds the record and a membership grown since is refused: the
//   flag was left on the command line (a unit file, a script) and would throw away the
//   members added after the recovery.
// Afterwards the log says what was done and, once the node leads, so does the replicated
// admin history (action `force_new_cluster`).

import * as grpc from '@grpc/grpc-js';
import { PEER_CHANNEL_OPTIONS, raftServiceClient } from '../node/transport-grpc.js';
import { StorageError, type LevelStorage } from '../node/storage-level.js';
import type { NodeLog } from '../node/node-settings.js';
import type { StockNode } from '../node/node-api.js';
import type { NodeId } from '../raft/types.js';
import { planForceNewCluster, type ForcePlan } from './force-new-cluster-plan.js';
import { recordAdminEvent } from './admin-history.js';
import { ADMIN_RECORD_TIMEOUT_MS_MIN, FORCE_NEW_CLUSTER_PROBE_MS } from './limits.js';

export type ForceDone = Exclude<ForcePlan, { kind: 'refuse' }>;

export interface ForceContext {
  readonly id: NodeId;
  readonly advertise: string;
  readonly data_dir: string;
  readonly initial_cluster: Readonly<Record<NodeId, string>>;
  readonly peer_address_overrides: Readonly<Record<NodeId, string>>;
  readonly log: NodeLog;
  readonly peer_credentials?: (id: NodeId) => grpc.ChannelCredentials;
  /** How long each removed member's address is tried before it counts as gone. */
  readonly probe_ms?: number;
}

/** The record left in the data dir (meta 'forced_new_cluster'). */
interface ForcedRecord {
  readonly at_ms: number;
  readonly commit_before: number;
  readonly forced_index: number;
  readonly removed: readonly NodeId[];
}

function asForcedRecord(v: unknown): ForcedRecord | null {
  if (typeof v !== 'object' || v === null) return null;
  const r = v as Partial<ForcedRecord>;
  return typeof r.forced_index === 'number' && typeof r.at_ms === 'number' ? (r as ForcedRecord) : null;
}

/** Whether a gRPC connection (with this node's peer credentials) to `address` becomes
 * ready within `wait_ms`. */
function answers(address: string, creds: grpc.ChannelCredentials, wait_ms: number): Promise<boolean> {
  const Ctor = raftServiceClient('Raft');
  const client = new Ctor(address, creds, PEER_CHANNEL_OPTIONS);
  return new Promise<boolean>((resolve) => client.waitForReady(Date.now() + wait_ms, (err) => resolve(!err))).finally(() => client.close());
}

/** Members of `ids` that answer at their last known address, as "id at address". */
async function answeringMembers(ids: readonly NodeId[], addresses: Readonly<Record<NodeId, string>>, ctx: ForceContext): Promise<string[]> {
  const creds = ctx.peer_credentials ?? (() => grpc.credentials.createInsecure());
  const wait_ms = ctx.probe_ms ?? FORCE_NEW_CLUSTER_PROBE_MS;
  const checks = ids.map(async (id) => {
    const address = ctx.peer_address_overrides[id] ?? addresses[id] ?? ctx.initial_cluster[id];
    if (address === undefined) return null;
    return (await answers(address, creds(id), wait_ms)) ? `${id} at ${address}` : null;
  });
  return (await Promise.all(checks)).filter((x): x is string => x !== null);
}

/** Runs the flag on an opened, claimed data dir: rewrites the log (or finds nothing to
 * do), or throws a StorageError saying why it refuses. */
export async function forceNewCluster(storage: LevelStorage, ctx: ForceContext): Promise<ForceDone> {
  const loaded = await storage.load();
  const plan = planForceNewCluster(loaded, ctx.id, ctx.advertise);
  if (plan.kind === 'refuse') throw new StorageError(`--force-new-cluster on ${ctx.data_dir}: ${plan.reason}`);
  const earlier = asForcedRecord(await storage.forcedNewClusterRecord());
  if (plan.kind === 'unchanged') {
    ctx.log.warn({ commit: plan.commit, forced_earlier_at_index: earlier?.forced_index ?? null }, '--force-new-cluster: this node is already the only voter, nothing to rewrite; remove the flag');
    return plan;
  }
  if (earlier !== null) {
    throw new StorageError(
      `--force-new-cluster on ${ctx.data_dir}: this data dir was already forced into a new cluster at log index ${earlier.forced_index} (${new Date(earlier.at_ms).toISOString()}) and has members again (${plan.removed.join(', ')}): the flag looks left over from that recovery and would throw them away. Remove it. If this cluster has lost its majority for good again, start the node once without the flag (that clears the record), stop it, then start it with the flag`,
    );
  }
  const answering = await answeringMembers(plan.removed, loaded.applied.addresses, ctx);
  if (answering.length > 0) {
    throw new StorageError(`--force-new-cluster on ${ctx.data_dir}: ${answering.join(', ')} ${answering.length === 1 ? 'answers' : 'answer'}: the majority may not be lost. Stop every member you give up on (and keep them stopped) before forcing a new cluster`);
  }
  await storage.persist(plan.entries, plan.hard_state);
  const record: ForcedRecord = { at_ms: Date.now(), commit_before: plan.commit_before, forced_index: plan.hard_state.commit, removed: plan.removed };
  await storage.setForcedNewClusterRecord(record);
  ctx.log.warn(
    { removed: plan.removed, voters_before: plan.before.voters, learners_before: plan.before.learners, promoted_self: plan.promoted_self, commit_before: plan.commit_before, dropped_entries: plan.dropped_entries, forced_index: record.forced_index, term: plan.hard_state.term },
    '--force-new-cluster: membership rewritten, this node is the only voter; entries above the commit index were dropped; grow the cluster again with stockctl members add-learner/promote and remove the flag',
  );
  return plan;
}

/** A start without the flag ends the record's life: a later --force-new-cluster is then
 * taken as meant (see the header). */
export async function clearForcedRecord(storage: LevelStorage): Promise<void> {
  if ((await storage.forcedNewClusterRecord()) !== undefined) await storage.setForcedNewClusterRecord(null);
}

/** Records the rewrite in the replicated admin history the first time this node leads. */
export function recordForcedWhenLeader(node: StockNode, done: Extract<ForceDone, { kind: 'rewrite' }>, self_id: NodeId): void {
  const detail = JSON.stringify({ removed: done.removed, promoted_self: done.promoted_self, commit_before: done.commit_before, dropped_entries: done.dropped_entries, forced_index: done.hard_state.commit });
  let recorded = false;
  const stop = node.onLeaderChange((leader_id) => {
    if (recorded || leader_id !== self_id) return;
    recorded = true;
    // Outside the leader-change callback: proposing from inside it would re-enter the node.
    setImmediate(() => {
      stop();
      void recordAdminEvent(node, 'force_new_cluster', 'operator (--force-new-cluster)', self_id, detail, Date.now() + ADMIN_RECORD_TIMEOUT_MS_MIN);
    });
  });
}
