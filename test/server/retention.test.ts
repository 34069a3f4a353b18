// History retention on real stockd processes: nothing is pruned before the archived mark;
// export, verify-archive --live and mark-archived through stockctl; then every node prunes
// the same events, ListEvents names the horizon, `stockctl verify` passes from it, Watch
// refuses to start below the mark (OUT_OF_RANGE, COMPACTED, first retained index) and
// `stockctl watch` starts at the first retained index by default, and all of it survives
// a restart of every node.

import t from 'tap';
import path from 'node:path';
import { main } from '../../src/cli/main.js';
import * as grpc from '@grpc/grpc-js';
import { StockraftClient, StockraftError } from '../../src/client/index.js';
import { adjust, StockdCluster } from './cluster-harness.js';

async function stockctl(eps: string, args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['--endpoints', eps, '--json', ...args], { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

t.test('retention prunes below the archived mark only, on every node, and survives restarts', async (t) => {
  // A short dedup window moves outcomes to disk (the 'outcomes' sublevel) within the test.
  const c = await StockdCluster.start({ size: 3, extra_args: ['--history-retain-events', '2', '--dedup-window-ms', '3000'] });
  const ids = ['n1', 'n2', 'n3'];
  const eps = ids.map((id) => c.address(id)).join(',');
  const client = new StockraftClient({ endpoints: eps.split(','), deadline_ms: 10_000 });
  t.teardown(async () => {
    client.close();
    await c.close();
  });
  await c.waitForLeader();
  for (let i = 1; i <= 10; i++) await c.propose([adjust(`p-${i}`, 'RET-1', 'WH', 1), adjust(`q-${i}`, 'RET-2', 'WH', 2)]);

  // Retention is configured but nothing is archived: the full history stays. An entry
  // more than the window and its allowance (2 x 3 s) of log time later moves the outcomes
  // so far to the 'outcomes' sublevel.
  await new Promise((r) => setTimeout(r, 6_500));
  await c.propose([adjust('tick', 'RET-3', 'WH', 1)]);
  const { applied_index } = await c.waitConverged();
  const full = await client.listEvents('RET-1', 'WH', { limit: 100 });
  t.equal(full.events.length, 10, 'no mark: nothing pruned');
  t.equal(full.horizon, undefined);

  const dir = path.join(c.root, 'archive');
  const exp = await stockctl(eps, ['history', 'export', '--out', dir, '--before-index', String(applied_index + 1)]);
  t.equal(exp.code, 0, `export: ${exp.err}`);
  t.match(JSON.parse(exp.out), { positions: 3, events: 21, archived_through_index: applied_index });
  const live = await stockctl(eps, ['history', 'verify-archive', dir, '--live']);
  t.equal(live.code, 0, `verify-archive --live: ${live.err}`);
  // History retention is ledger rules version 3: refused until the cluster is raised to it.
  const early = await stockctl(eps, ['history', 'mark-archived', dir]);
  t.not(early.code, 0, 'mark refused below cluster version 3');
  t.match(early.err, /history retention needs cluster version 3/);
  const raised = await stockctl(eps, ['cluster-version', 'set', '3']);
  t.equal(raised.code, 0, `cluster-version set 3: ${raised.err}`);
  const mark = await stockctl(eps, ['history', 'mark-archived', dir]);
  t.equal(mark.code, 0, `mark-archived: ${mark.err}`);
  t.same(JSON.parse(mark.out), { archived_through_index: applied_index });

  // Every node prunes to the latest 2 events per position.
  for (const id of ids) {
    const one = new StockraftClient({ endpoints: [c.address(id)], deadline_ms: 10_000 });
    await c.waitFor(`${id} to prune`, async () => {
      const p = await one.listEvents('RET-2', 'WH', { limit: 100, consistency: 'SERIALIZABLE' });
      return p.horizon?.seq === 8 ? true : undefined;
    });
    one.close();
  }
  // Archived outcomes of pruned history go on every node; those of retained events stay.
  for (const id of ids) {
    const one = new StockraftClient({ endpoints: [c.address(id)], deadline_ms: 10_000 });
    await c.waitFor(`${id} to drop the outcomes of pruned history`, async () => {
      const gone = await Promise.all(['p-1', 'p-8', 'q-3'].map((op) => one.getOutcome(op, { consistency: 'SERIALIZABLE' })));
      return gone.every((r) => r === null) ? true : undefined;
    }, 60_000);
    for (const op of ['p-9', 'p-10', 'q-10']) t.match(await one.getOutcome(op, { consistency: 'SERIALIZABLE' }), { code: 'OK' }, `${id}: ${op}, whose event is retained, keeps its outcome`);
    one.close();
  }
  const page = await client.listEvents('RET-1', 'WH', { after_seq: 3, limit: 100 });
  t.match(page.horizon, { kind: 'HORIZON', sku: 'RET-1', location: 'WH', seq: 8, on_hand: 8 }, 'below the horizon the page names it');
  t.same(page.events.map((e) => e.seq), [9, 10], 'and continues after it');
  t.equal(page.horizon?.hash, page.events[0]?.prev_hash);
  const after = await client.listEvents('RET-1', 'WH', { after_seq: 9, limit: 100 });
  t.equal(after.horizon, undefined, 'above the horizon no horizon is named');

  const verify = await stockctl(eps, ['verify']);
  t.equal(verify.code, 0, `verify after pruning: ${verify.err} ${verify.out}`);
  const live2 = await stockctl(eps, ['history', 'verify-archive', dir, '--live']);
  t.equal(live2.code, 0, `the archive's ends equal the live horizons: ${live2.err}`);

  // Watch below the mark: OUT_OF_RANGE, reason COMPACTED, naming the first retained index.
  let refusal: unknown = null;
  try {
    for await (const item of client.watch({ from_index: 1, reconnects_max: 1 })) {
      refusal = `an event at ${item.event.log_index}`;
      break;
    }
  } catch (err) {
    refusal = err;
  }
  t.ok(refusal instanceof StockraftError, `Watch below the mark is refused: ${String(refusal)}`);
  const r = refusal as StockraftError;
  t.equal(r.code, grpc.status.OUT_OF_RANGE, 'OUT_OF_RANGE, as etcd answers a compacted revision');
  t.equal(r.status_details?.reason, 'COMPACTED');
  t.same(r.status_details?.metadata, { first_retained_index: String(applied_index + 1), archived_through_index: String(applied_index) }, 'ErrorInfo names the first retained index');
  t.match(r.details, new RegExp(`first retained index is ${applied_index + 1}`));
  // stockctl watch with an explicit start below the mark fails with the same refusal.
  const explicit = await stockctl(eps, ['watch', '--from-index', '1', '--count', '1']);
  t.equal(explicit.code, 1, 'explicit --from-index below the mark: the call failed');
  t.match(explicit.err, new RegExp(`OUT_OF_RANGE: .*first retained index is ${applied_index + 1}`));

  // A restart of every node keeps the horizons; the cluster works on and verifies.
  for (const id of ids) {
    await c.stop(id);
    await c.startNode(id);
  }
  await c.waitForLeader();
  await c.propose([adjust('after-restart', 'RET-1', 'WH', 1)]);
  await c.waitConverged();
  const again = await client.listEvents('RET-1', 'WH', { limit: 100 });
  // The restart kept horizon 8; the new event lets the pruner take seq 9 too (it is at or
  // below the mark and more than 2 behind), whichever comes first.
  const h = again.horizon?.seq ?? 0;
  t.ok(h === 8 || h === 9, `the horizon survived the restart (8, or 9 once pruned again): ${h}`);
  t.same(again.events.map((e) => e.seq), h === 8 ? [9, 10, 11] : [10, 11], 'the events continue from it');
  // stockctl watch without --from-index starts at the first retained index.
  const fresh = await stockctl(eps, ['watch', '--count', '1']);
  t.equal(fresh.code, 0, `stockctl watch from the default start: ${fresh.err}`);
  t.match(fresh.err, new RegExp(`watching from the first retained index ${applied_index + 1}`), 'it says where it starts');
  t.match(JSON.parse(fresh.out), { op_id: 'after-restart', sku: 'RET-1' }, 'and shows the first event after the mark');
  const verify2 = await stockctl(eps, ['verify']);
  t.equal(verify2.code, 0, `verify after the restart: ${verify2.err} ${verify2.out}`);
});
