// A backup cannot be stale: the Backup stream takes a read barrier before it copies (and
// fails, copying nothing, when no barrier can be had); stockctl's staleness rule refuses a
// copy without a barrier or too far behind, naming the indexes.

import t from 'tap';
import * as grpc from '@grpc/grpc-js';
import { fakeCluster } from './fake-node.js';
import { StockraftClient, StockraftError } from '../../src/client/index.js';
import { staleness } from '../../src/cli/backup.js';

t.test('the Backup stream takes a read barrier before the copy', async (t) => {
  const c = await fakeCluster(2);
  const n2 = c.nodes[1]!;
  const client = new StockraftClient({ endpoints: [n2.address], deadline_ms: 3000 });
  t.teardown(async () => {
    await client.close();
    await c.close();
  });
  const chunks: Uint8Array[] = [];
  for await (const ch of client.backup()) chunks.push(ch);
  t.equal(chunks.length, 2, 'the copy streamed');
  t.equal(n2.barriers, 1, 'after one read barrier on the node that copies');
  t.same(n2.backup_info, { read_barrier: true }, 'and the node is told so (for the header)');

  c.leader = null;
  n2.backup_info = null;
  const err = await (async () => {
    for await (const ch of client.backup()) void ch;
  })().catch((e: unknown) => e);
  t.ok(err instanceof StockraftError, 'no barrier, no backup');
  if (err instanceof StockraftError) t.equal(err.code, grpc.status.UNAVAILABLE);
  t.equal(n2.backup_info, null, 'nothing was copied');
});

t.test('staleness names what is wrong with a copy', async (t) => {
  const h = { kind: 'stockraft-backup', node_id: 'n2', cluster_id: 'c', applied_index: 500, ledger_index: 499, log_time_ms: 1, commit_index: 500, read_barrier: 1, taken_at_ms: 1 };
  t.equal(staleness(h, 500, 1000), null, 'current');
  t.equal(staleness(h, 1500, 1000), null, 'exactly at the bound');
  t.equal(staleness(h, 1501, 1000), "it holds applied index 500, 1001 entries behind the cluster's commit index 1501 (limit --max-lag-entries 1000)");
  t.equal(staleness({ ...h, read_barrier: 0 }, 500, 1000), 'node n2 took no read barrier');
  t.equal(staleness(null, 500, 1000), 'the node sent no header: it cannot say what it captured');
  t.equal(staleness(h, null, 1000), 'no endpoint reported a commit index to compare with');
});
