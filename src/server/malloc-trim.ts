// glibc's malloc_trim, from the small native module in native/ (built by `npm ci`).
//
// After the idle heap compaction (idle-gc.ts) the memory V8 and the ledger freed sits in
// glibc's heaps. glibc gives back only the top of its main heap by itself; the free pages
// between live blocks stay resident until malloc_trim(0) releases them. Measured on a node
// holding 1M positions, idle after the load: 447 -> 364 MiB anonymous memory.

import { existsSync } from 'node:fs';
import type { MemoryReclaim } from '../node/node-settings.js';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where native/ builds the module, from this file in dist/src/server/ or src/server/. */
function modulePath(): string | null {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const up of ['../../..', '../..']) {
    const p = path.resolve(here, up, 'native/build/Release/malloc_trim.node');
    if (existsSync(p)) return p;
  }
  return null;
}

export type MallocTrim =
  | { readonly available: true; trim(): boolean }
  | { readonly available: false; readonly reason: string };

export function loadMallocTrim(): MallocTrim {
  const p = modulePath();
  if (p === null) return { available: false, reason: 'native/build/Release/malloc_trim.node is not built (npm ci builds it; it needs a C compiler)' };
  try {
    const m = createRequire(import.meta.url)(p) as { mallocTrim?: unknown; supported?: unknown };
    if (typeof m.mallocTrim !== 'function') return { available: false, reason: `${p} has no mallocTrim()` };
    if (m.supported !== true) return { available: false, reason: 'this C library has no malloc_trim (not glibc)' };
    const fn = m.mallocTrim as () => boolean;
    return { available: true, trim: () => fn() };
  } catch (err) {
    return { available: false, reason: `${p} did not load: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** The process's ways to give memory back: V8's memory-reducing collection (a pause of
 * 200-800 ms with a million positions), and malloc_trim when it is built, run
 * `trim_delay_ms` after a collection, once V8 has unmapped what it freed. */
export interface ServerReclaim extends MemoryReclaim {
  /** malloc_trim after the delay, in the background (the trim itself is short). */
  trimSoon(): void;
}

export function memoryReclaimer(malloc_trim: MallocTrim, compactHeap: () => Promise<void>, trim_delay_ms: number): ServerReclaim {
  return {
    heap: compactHeap,
    all: async () => {
      await compactHeap();
      if (malloc_trim.available) {
        await new Promise((r) => setTimeout(r, trim_delay_ms));
        malloc_trim.trim();
      }
    },
    trimSoon: () => {
      if (malloc_trim.available) setTimeout(() => malloc_trim.trim(), trim_delay_ms).unref();
    },
  };
}
