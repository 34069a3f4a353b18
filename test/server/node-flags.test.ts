// The start-up notice names exactly the recommended Node.js flags a process lacks, whether
// they came on the command line or through NODE_OPTIONS, with or without a value.

import t from 'tap';
import { missingNodeEnv, missingNodeFlags, STOCKD_NODE_FLAGS } from '../../src/server/node-flags.js';

t.test('missingNodeFlags', async (t) => {
  t.same(missingNodeFlags([], ''), [...STOCKD_NODE_FLAGS], 'nothing given: all are missing');
  t.same(missingNodeFlags(['--max-semi-space-size=32'], ''), [], 'on the command line');
  t.same(missingNodeFlags([], '--inspect  --max-semi-space-size=64'), [], 'in NODE_OPTIONS, another value still counts');
  t.same(missingNodeFlags(['--max-old-space-size=32'], '--max-semi'), [...STOCKD_NODE_FLAGS], 'similar names do not count');
});

t.test('missingNodeEnv', async (t) => {
  t.same(missingNodeEnv({}), ['MALLOC_ARENA_MAX=2', 'MALLOC_MMAP_THRESHOLD_=131072'], 'unset: named with their values');
  t.same(missingNodeEnv({ MALLOC_ARENA_MAX: '4' }), ['MALLOC_MMAP_THRESHOLD_=131072'], 'set to anything: the operator chose');
  t.same(missingNodeEnv({ MALLOC_ARENA_MAX: '4', MALLOC_MMAP_THRESHOLD_: '0' }), [], 'both set');
});
