// Cluster/SetClusterVersion against in-process fake nodes: the leader raises the cluster
// version only when every member announced a range that holds it, and names the member
// that does not; the raise is one hash-chained admin event; followers forward the call.

import t from 'tap';
import * as grpc from '@grpc/grpc-js';
import { fakeCluster, FAKE_VERSION } from './fake-node.js';
import { StockraftClient, StockraftError } from '../../src/client/index.js';
import { checkRaise } from '../../src/server/cluster-version.js';

async function refusal(p: Promise<unknown>): Promise<StockraftError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof StockraftError) return err;
    throw err;
  }
  throw new Error('the call was not refused');
}

t.test('raised only when every member supports it; the refusal names the member', async (t) => {
  const c = await fakeCluster(3);
  // Only the follower n2 is known to the client: the call is forwarded to the leader.
  const client = new StockraftClient({ endpoints: [c.nodes[1]!.address], deadline_ms: 3000 });
  t.teardown(async () => {
    await client.close();
    await c.close();
  });
  c.versions.set('n3', { ...FAKE_VERSION, rules_version_max: 1 });
  const old = await refusal(client.setClusterVersion(2));
  t.equal(old.code, grpc.status.FAILED_PRECONDITION);
  t.equal(old.details, 'member n3 does not support rules version 2 (it runs protocol 1.1, ledger rules 1..1): upgrade it first');
  t.equal(c.ledger.clusterVersion(), 1, 'nothing raised');
  t.equal(c.ledger.adminHead().seq, 0, 'nothing recorded');

  c.versions.set('n3', null);
  const down = await refusal(client.setClusterVersion(2));
  t.equal(down.code, grpc.status.FAILED_PRECONDITION);
  t.match(down.details, /^member n3 has no peer stream open to the leader n1, so its rules versions are unknown/);

  c.versions.delete('n3');
  t.same(await client.setClusterVersion(2), { cluster_version: 2, previous: 1 });
  t.equal(c.ledger.clusterVersion(), 2, 'the replicated gate moved');
  t.match(c.admin_events, [{ seq: 1, action: 'cluster_version', target: '2', detail: 'from 1; members n1 1..2, n2 1..2, n3 1..2' }]);
  t.same(await client.setClusterVersion(2), { cluster_version: 2, previous: 2 }, 'the current version: nothing to do');
  t.equal(c.ledger.adminHead().seq, 1, 'and nothing recorded');

  const lower = await refusal(client.setClusterVersion(1));
  t.equal(lower.code, grpc.status.FAILED_PRECONDITION);
  t.equal(lower.details, 'the cluster version is 2; it is never lowered (asked for 1)');
  const beyond = await refusal(client.setClusterVersion(3));
  t.match(beyond.details, /member n1 does not support rules version 3/, 'the leader checks itself too');
  const bad = await refusal(client.setClusterVersion(70_000));
  t.equal(bad.code, grpc.status.INVALID_ARGUMENT);
  t.match(bad.details, /version/);
});

t.test('checkRaise judges from the leader status alone', async (t) => {
  const member = (id: string, max: number | null) => ({ id, address: '', role: 'voter' as const, match_index: null, lag_entries: null, version: max === null ? null : { ...FAKE_VERSION, rules_version_max: max } });
  const st = (cv: number, members: ReturnType<typeof member>[]) => ({
    id: 'n1', cluster_id: 'c', address: '', role: 'leader' as const, term: 1, leader_id: 'n1', leader_address: null, commit_index: 0, applied_index: 0, snapshot_index: 0, head_hash: '', version: FAKE_VERSION, cluster_version: cv, members,
  });
  t.same(checkRaise(st(1, [member('n1', 2), member('n2', 2)]), 2), { kind: 'raise', from: 1 });
  t.match(checkRaise(st(1, [member('n1', 2), member('n2', 1)]), 2), { kind: 'refused', reason: /^member n2 / });
  t.match(checkRaise(st(1, [member('n1', 2), member('learner', null)]), 2), { kind: 'refused', reason: /^member learner has no peer stream/ });
  t.same(checkRaise(st(2, []), 2), { kind: 'already', version: 2 });
});
