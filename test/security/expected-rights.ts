// Who may call what, written out by hand independently of src/server/security/method-table.ts
// so that a wrong entry there fails the tests that compare against this.

const INV = '/stockraft.v1.Inventory/';
const CLU = '/stockraft.v1.Cluster/';
export const READS = ['GetPosition', 'GetPositions', 'GetReservation', 'ListEvents', 'ListPositions', 'GetOutcome', 'Watch'].map((m) => INV + m).concat([CLU + 'Status']);
export const ORDER = ['Reserve', 'Commit', 'Release', 'Extend', 'Submit'].map((m) => INV + m);
export const COMMERCE_STOCK = ['SetPositionPolicy', 'SetSkuPolicy', 'Transfer', 'ReceiveTransfer', 'Count'];
export const STOCK = [INV + 'Adjust', INV + 'Submit', ...COMMERCE_STOCK.map((m) => INV + m)];
export const ADMIN_ONLY = ['AddLearner', 'Promote', 'Remove', 'TransferLeadership', 'Snapshot', 'Backup', 'ListAdminEvents', 'MarkHistoryArchived', 'SetClusterVersion'].map((m) => CLU + m);
export const TEST_HOOKS = ['Propose', 'Status', 'GetPosition', 'Admin'].map((m) => '/stockraft.raft.StockTest/' + m);
export const PEER_ONLY = ['/stockraft.raft.Raft/Stream', '/stockraft.raft.Raft/InstallSnapshot'];
export const PUBLIC = ['/grpc.health.v1.Health/Check', '/grpc.health.v1.Health/Watch', '/grpc.health.v1.Health/List'];

/** Role -> the methods it may call. */
export const ALLOWED: Readonly<Record<string, ReadonlySet<string>>> = {
  reader: new Set([...READS, ...PUBLIC]),
  order: new Set([...READS, ...ORDER, ...PUBLIC]),
  stock: new Set([...READS, ...STOCK, ...PUBLIC]),
  admin: new Set([...READS, ...ORDER, ...STOCK, ...ADMIN_ONLY, ...TEST_HOOKS, ...PUBLIC]),
};

/** Leader-routed methods: a follower forwards them, and a current member may then act for
 * the caller it authenticated (the caller's roles decide). */
export const FORWARDABLE = ['Reserve', 'Commit', 'Release', 'Extend', 'Adjust', 'Submit', ...COMMERCE_STOCK]
  .map((m) => INV + m)
  .concat(['AddLearner', 'Promote', 'Remove', 'TransferLeadership'].map((m) => CLU + m));

/** A node certificate's own rights (unless the roles file names `node:<id>`). */
export const NODE_ALLOWED: ReadonlySet<string> = new Set([...PEER_ONLY, ...PUBLIC]);
