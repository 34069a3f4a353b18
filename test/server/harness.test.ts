// The multi-process test harness itself: a node that exits while being waited for ends the
// wait at once with its output (a timeout would hide the cause and hold the file for a
// minute), and a failed start leaves no process behind.

import t from 'tap';
import { NodeExitedError, StockdCluster } from './cluster-harness.js';

t.test('waiting for a node that exited fails with its exit, not a timeout', async (t) => {
  const c = await StockdCluster.start({ size: 1 });
  t.teardown(() => c.close());
  const err = await c.startCustom('bad', () => ['--initial-cluster', 'bad=127.0.0.1:1', '--tick-ms', 'soon']).catch((e: unknown) => e);
  t.ok(err instanceof NodeExitedError, `a NodeExitedError (${String(err).slice(0, 200)})`);
  t.match(String(err), /bad exited \(code 2/, 'names the node and its exit code');
  t.match(String(err), /tick-ms/, 'carries the node output that names the bad flag');
  t.notOk(c.running('bad'), 'the bad node is not running');
  t.ok(c.running('n1'), 'the good node still runs');
});
