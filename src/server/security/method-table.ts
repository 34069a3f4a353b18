// Which capability each gRPC method of a node needs. Every method served on the node's
// port is listed; a method missing here needs 'admin' (deny by default), and a test checks
// that every rpc in proto/*.proto has an entry so a new method cannot slip through.

import type { Capability } from './roles.js';

export interface MethodRule {
  /** The caller needs at least one of these; empty means public (health checks only). */
  readonly any_of: readonly Capability[];
  /** Long-lived server streams that count against the per-principal Watch bound. */
  readonly watch_stream: boolean;
  /** Submit carries mixed commands: each op is checked against its own capability. */
  readonly per_op: boolean;
  /** Admin actions: who asked what, and the outcome, go to the node's audit trail. */
  readonly audit: boolean;
  /** Carried out by the leader (the edge's route 'leader'): a follower forwards it, and a
   * current member may then act for the caller it authenticated (authorizer.ts). */
  readonly forward: boolean;
}

const rule = (any_of: readonly Capability[], extra: Partial<Omit<MethodRule, 'any_of'>> = {}): MethodRule => ({
  any_of,
  watch_stream: extra.watch_stream ?? false,
  per_op: extra.per_op ?? false,
  audit: extra.audit ?? false,
  forward: extra.forward ?? false,
});
const AUDITED = { audit: true } as const;
const LEADER = { forward: true } as const;

const INV = '/stockraft.v1.Inventory/';
const CLU = '/stockraft.v1.Cluster/';
const RAFT = '/stockraft.raft.Raft/';
const TEST = '/stockraft.raft.StockTest/';
const HEALTH = '/grpc.health.v1.Health/';

export const METHOD_RULES: ReadonlyMap<string, MethodRule> = new Map<string, MethodRule>([
  [INV + 'Reserve', rule(['order'], LEADER)],
  [INV + 'Commit', rule(['order'], LEADER)],
  [INV + 'Release', rule(['order'], LEADER)],
  [INV + 'Extend', rule(['order'], LEADER)],
  [INV + 'Adjust', rule(['stock'], LEADER)],
  [INV + 'Submit', rule(['order', 'stock'], { per_op: true, forward: true })],
  [INV + 'GetPosition', rule(['read'])],
  [INV + 'GetPositions', rule(['read'])],
  [INV + 'GetReservation', rule(['read'])],
  [INV + 'ListEvents', rule(['read'])],
  [INV + 'ListPositions', rule(['read'])],
  [INV + 'GetOutcome', rule(['read'])],
  [INV + 'Watch', rule(['read'], { watch_stream: true })],
  // Commerce: policies, transfers and counts are stock management, not order taking.
  [INV + 'SetPositionPolicy', rule(['stock'], LEADER)],
  [INV + 'SetSkuPolicy', rule(['stock'], LEADER)],
  [INV + 'Transfer', rule(['stock'], LEADER)],
  [INV + 'ReceiveTransfer', rule(['stock'], LEADER)],
  [INV + 'Count', rule(['stock'], LEADER)],
  [CLU + 'Status', rule(['read'])],
  [CLU + 'AddLearner', rule(['admin'], { audit: true, forward: true })],
  [CLU + 'Promote', rule(['admin'], { audit: true, forward: true })],
  [CLU + 'Remove', rule(['admin'], { audit: true, forward: true })],
  [CLU + 'TransferLeadership', rule(['admin'], { audit: true, forward: true })],
  [CLU + 'Snapshot', rule(['admin'], AUDITED)],
  [CLU + 'Backup', rule(['admin'], { watch_stream: true, audit: true })],
  // Reads the admin history (who changed the cluster): operators only.
  [CLU + 'ListAdminEvents', rule(['admin'])],
  // Allows retention to prune history up to a log index: operators only, audited.
  [CLU + 'MarkHistoryArchived', rule(['admin'], AUDITED)],
  [CLU + 'SetClusterVersion', rule(['admin'], AUDITED)],
  [RAFT + 'Stream', rule(['peer'])],
  [RAFT + 'InstallSnapshot', rule(['peer'])],
  // Served only with --test-hooks; it can propose anything and change membership.
  [TEST + 'Propose', rule(['admin'])],
  [TEST + 'Status', rule(['admin'])],
  [TEST + 'GetPosition', rule(['admin'])],
  [TEST + 'Admin', rule(['admin'], AUDITED)],
  // Load balancers and orchestrators probe health without credentials; it reveals only
  // whether the node knows a leader. List (served by grpc-health-check) tells the same
  // statuses for every service name at once.
  [HEALTH + 'Check', rule([])],
  [HEALTH + 'Watch', rule([], { watch_stream: true })],
  [HEALTH + 'List', rule([])],
]);

const DEFAULT_RULE: MethodRule = rule(['admin'], AUDITED);

export function ruleFor(method_path: string): MethodRule {
  return METHOD_RULES.get(method_path) ?? DEFAULT_RULE;
}

/** Submit op kinds (the proto's `Op` oneof member names) and what each needs. */
export const OP_CAPABILITY: Readonly<Record<string, Capability>> = {
  adjust: 'stock',
  reserve: 'order',
  commit: 'order',
  release: 'order',
  extend: 'order',
  set_position_policy: 'stock',
  set_sku_policy: 'stock',
  transfer: 'stock',
  receive_transfer: 'stock',
  count: 'stock',
};
