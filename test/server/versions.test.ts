// Real stockd processes, one standing for an older build (STOCKRAFT_TEST_RULES_VERSION_MAX=1
// with --test-hooks): the leader refuses to raise the cluster version and names it; when a
// raise is forced past that check, the old node stops with a message naming the entry and
// the versions instead of applying it; upgraded, it catches up under the new version.

import t from 'tap';
import { RULES_VERSION_MAX } from '../../src/ledger/rules.js';
import { PEER_PROTOCOL_MAJOR, PEER_PROTOCOL_MINOR } from '../../src/node/peer-version.js';
import * as grpc from '@grpc/grpc-js';
import { StockdCluster } from './cluster-harness.js';
import { StockraftClient, StockraftError } from '../../src/client/index.js';
import type { NodeStatus } from '../../src/node/node-api.js';

const OLD = { STOCKRAFT_TEST_RULES_VERSION_MAX: '1' };

t.test('a node that lacks a rules version: refused raise, then a loud stop, then an upgrade', async (t) => {
  const c = await StockdCluster.start({ size: 3, node_env: { n3: OLD } });
  const client = new StockraftClient({ endpoints: ['n1', 'n2', 'n3'].map((id) => c.address(id)), deadline_ms: 10_000 });
  t.teardown(async () => {
    await client.close();
    await c.close();
  });
  let leader = await c.waitForLeader();
  if (leader === 'n3') {
    await c.client('n3').call('Admin', { op: 'transfer', id: 'n1' });
    leader = await c.waitFor('n3 to hand over leadership', async () => {
      const l = await c.waitForLeader();
      return l === 'n3' ? undefined : l;
    });
  }
  // Every member's announcement reaches the leader on its peer stream.
  const st = await c.waitFor('the leader to know every member version', async () => {
    const s = (await c.client(leader).status()) as NodeStatus;
    return s.members.every((m) => m.version !== null) ? s : undefined;
  });
  t.same(st.members.map((m) => [m.id, m.version?.rules_version_max]), [['n1', RULES_VERSION_MAX], ['n2', RULES_VERSION_MAX], ['n3', 1]], 'announced ranges');
  t.equal(st.cluster_version, 1);

  let refused: StockraftError | null = null;
  try {
    await client.setClusterVersion(2);
  } catch (err) {
    if (err instanceof StockraftError) refused = err;
    else throw err;
  }
  t.equal(refused?.code, grpc.status.FAILED_PRECONDITION, 'FAILED_PRECONDITION');
  t.equal(refused?.details, `member n3 does not support rules version 2 (it runs protocol ${PEER_PROTOCOL_MAJOR}.${PEER_PROTOCOL_MINOR}, ledger rules 1..1): upgrade it first`);

  // Past the check (the StockTest service proposes anything): n3 must not apply it.
  const [raise] = await c.propose([{ kind: 'admin', op_id: 'cv-forced', action: 'cluster_version', principal: 'test', target: '2', detail: 'forced past the check' }]);
  t.equal(raise?.code, 'OK', 'the two nodes that know version 2 apply the raise');
  const code = await c.waitExit('n3', 30_000);
  t.equal(code, 1, 'n3 stopped with the fatal exit code');
  t.match(c.output('n3'), /stockd: fatal \(version\): entry \d+ raises the cluster version/, 'counted as a version error');
  t.match(c.output('n3'), /entry \d+ raises the cluster version from 1 to 2; this node applies ledger rules versions 1\.\.1: run a build that supports version 2/, 'naming the entry and the versions');

  const [after] = await c.propose([{ kind: 'adjust', op_id: 'a-v2', sku: 'S', location: 'L', delta: 5, reason: 'r', reference: '' }]);
  t.equal(after?.code, 'OK', 'the rest of the cluster goes on under version 2');

  // Restarted still old: it refuses at the same entry again (it never applied it).
  await c.startNode('n3', false);
  t.equal(await c.waitExit('n3', 30_000), 1, 'still refuses while old');
  // Upgraded: it applies the raise and everything after it.
  c.nodes.get('n3')!.env = {};
  await c.startNode('n3');
  await c.waitConverged();
  const s3 = (await c.client('n3').status()) as NodeStatus;
  t.equal(s3.cluster_version, 2, 'the upgraded node is at cluster version 2');
  t.same((await client.setClusterVersion(2)), { cluster_version: 2, previous: 2 }, 'the raise is done');
});
