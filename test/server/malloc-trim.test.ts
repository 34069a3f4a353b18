// The native malloc_trim module is built by `npm ci` (scripts/build-native.mjs) and loads;
// calling it after freeing a large amount of small C-heap memory gives pages back.

import t from 'tap';
import { loadMallocTrim } from '../../src/server/malloc-trim.js';

t.test('malloc_trim loads and runs', async (t) => {
  const m = loadMallocTrim();
  if (process.platform !== 'linux') {
    t.pass(`not Linux: ${m.available ? 'available' : m.reason}`);
    return;
  }
  t.ok(m.available, m.available ? 'available' : `not available: ${m.reason}`);
  if (!m.available) return;
  t.equal(typeof m.trim(), 'boolean', 'returns whether memory was released');
});
