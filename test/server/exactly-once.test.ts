// Exactly once past the dedup window, on a real 3-node cluster with --dedup-window-ms 2000:
// an Adjust, then more than the window (and the in-memory retention) of log time made by
// other writes, then the same op id again, with its id time and without one. Never applied
// twice; GetOutcome answers the original result from every node, after a restart too.

import t from 'tap';
import { StockdCluster } from './cluster-harness.js';
import { StockraftClient, type CommandResult } from '../../src/client/index.js';

const WINDOW_MS = 2_000;
/** The window plus the id time allowance (min(60 s, window)): outcomes leave memory after it. */
const RETENTION_MS = 2 * WINDOW_MS;

const c = await StockdCluster.start({ size: 3, extra_args: ['--dedup-window-ms', String(WINDOW_MS)] });
const ids = ['n1', 'n2', 'n3'];
const client = new StockraftClient({ endpoints: ids.map((id) => c.address(id)), deadline_ms: 8_000 });
t.teardown(async () => {
  await client.close();
  await c.close();
});
await c.waitForLeader();

function plain(r: CommandResult & { id?: string }): CommandResult {
  const { id: _id, ...rest } = r;
  return rest as CommandResult;
}

t.test('a retry after more than the window: refused or replayed, never applied twice', async (t) => {
  const t0 = Date.now();
  const stamped = await client.adjust({ op_id: 'eo-stamped', sku: 'eo', location: 'wh', delta: 10, id_time_ms: t0 });
  const unstamped = await client.adjust({ op_id: 'eo-unstamped', sku: 'eo', location: 'wh', delta: 5 });
  t.equal(stamped.code, 'OK');
  t.equal(unstamped.code, 'OK');
  t.equal((await client.getPosition('eo', 'wh'))?.on_hand, 15);

  // Other writes move log time on past the retention; the two outcomes leave memory.
  const until = Date.now() + RETENTION_MS + 1_000;
  let writes = 0;
  // Bounded by the time limit above (one write every ~200 ms).
  while (Date.now() < until) {
    t.equal((await client.adjust({ sku: 'eo-other', location: 'wh', delta: 1 })).code, 'OK');
    writes++;
    await new Promise((r) => setTimeout(r, 200));
  }
  t.ok(writes >= 3, `${writes} other writes moved log time`);

  const again = await client.adjust({ op_id: 'eo-stamped', sku: 'eo', location: 'wh', delta: 10, id_time_ms: t0 });
  t.equal(again.code, 'OP_ID_TOO_OLD', 'with its id time: refused');
  if (again.code === 'OP_ID_TOO_OLD') {
    t.equal(again.id_time_ms, t0, 'reports the id time');
    t.equal(again.window_ms, WINDOW_MS, 'reports the window');
    t.ok(again.log_time_ms - t0 >= RETENTION_MS, `reports the log time (${again.log_time_ms - t0} ms after the id time)`);
  }
  const raw_again = await client.adjust({ op_id: 'eo-stamped', sku: 'eo', location: 'wh', delta: 10 });
  t.same(plain(raw_again), { ...plain(stamped), replay: true }, 'without an id time: the leader finds it on disk, a replay of the original');
  const unstamped_again = await client.adjust({ op_id: 'eo-unstamped', sku: 'eo', location: 'wh', delta: 5 });
  t.same(plain(unstamped_again), { ...plain(unstamped), replay: true }, 'the unstamped one again: a replay of the original');
  const different = await client.adjust({ op_id: 'eo-unstamped', sku: 'eo', location: 'wh', delta: 6 });
  t.equal(different.code, 'ALREADY_EXISTS_DIFFERENT', 'other content under the old id is refused');
  t.equal((await client.getPosition('eo', 'wh'))?.on_hand, 15, 'on_hand unchanged: nothing applied twice');

  for (let i = 0; i < ids.length; i++) {
    t.same(await client.getOutcome('eo-stamped', { endpoint: i }), plain(stamped), `GetOutcome on ${ids[i]}: the original result`);
    t.same(await client.getOutcome('eo-unstamped', { endpoint: i }), plain(unstamped), `GetOutcome on ${ids[i]} (unstamped)`);
  }
  t.equal(await client.getOutcome('eo-never'), null, 'an id never used is still unknown');

  // A restarted node reads them from disk (they are not loaded into memory at start).
  const leader = await c.waitForLeader();
  const follower = ids.find((id) => id !== leader) as string;
  await c.stop(follower);
  await c.startNode(follower);
  await c.waitConverged();
  const i = ids.indexOf(follower);
  t.same(await client.getOutcome('eo-stamped', { endpoint: i }), plain(stamped), `GetOutcome on ${follower} after its restart`);
});
