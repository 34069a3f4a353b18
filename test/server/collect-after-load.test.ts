// After a start's load, stockd collects the heap before the node joins its cluster
// (src/server/boot.ts collectAfterLoad): only when the load left at least the bound in use,
// never with --idle-gc-mib 0, and the collection does give garbage back.

import t from 'tap';
import v8 from 'node:v8';
import { collectAfterLoad } from '../../src/server/boot.js';
import { compactHeap } from '../../src/server/idle-gc.js';
import { loadMallocTrim, memoryReclaimer } from '../../src/server/malloc-trim.js';

const reclaim = memoryReclaimer(loadMallocTrim(), compactHeap, 0);

t.test('collects above the bound, not below it, never when turned off', async (t) => {
  t.equal(await collectAfterLoad(reclaim, Number.MAX_SAFE_INTEGER), null, 'below the bound: nothing collected');
  t.equal(await collectAfterLoad(null, 0), null, '--idle-gc-mib 0 (no reclaim): nothing collected');
  // Garbage the collection must take back: ~40 MiB of short strings, dropped at once.
  let garbage: string[] | null = Array.from({ length: 400_000 }, (_, i) => `garbage-${i}-${'x'.repeat(64)}`);
  const held = v8.getHeapStatistics().used_heap_size;
  garbage = null;
  const ms = await collectAfterLoad(reclaim, 0);
  t.type(ms, 'number', `collected (${String(ms)} ms)`);
  const after = v8.getHeapStatistics().used_heap_size;
  t.ok(after < held - 20 * 1024 * 1024, `heap in use ${(held / 2 ** 20).toFixed(0)} -> ${(after / 2 ** 20).toFixed(0)} MiB`);
  t.equal(garbage, null);
});
