// HistoryVerifier keeps one chain end per position until finish(). The events it is fed
// come decoded from chunks, whose texts msgpackr hands out as slices of one text per
// chunk: a chain end that kept such a slice pinned its whole chunk, and verifying a 20M-event
// backup grew by about the bytes read. This feeds the verifier chunk-decoded events and
// measures what stays reachable from it after a full collection, against the same events
// with their texts copied flat before the verifier saw them.

import t from 'tap';
import v8 from 'node:v8';
import vm from 'node:vm';
import { HistoryVerifier } from '../../src/ledger/history.js';
import { SnapshotReader, snapshotChunks } from '../../src/ledger/snapshot.js';
import { historyKey } from '../../src/ledger/keys.js';
import type { LedgerEvent } from '../../src/ledger/types.js';
import { Driver, adjust } from './helpers.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const POSITIONS = 4_000;
const EVENTS_PER_POSITION = 8;
/** A backup's chunk size (src/node/limits.ts BACKUP_CHUNK_BYTES). */
const CHUNK_BYTES = 1024 * 1024;

function events(): LedgerEvent[] {
  const d = new Driver();
  // Several events per position, as in a long-lived store.
  for (let round = 0; round < EVENTS_PER_POSITION; round++) {
    for (let e = 0; e < POSITIONS / 1000; e++) {
      const cmds = Array.from({ length: 1000 }, (_, i) => adjust(`a-${round}-${e}-${i}`, `SKU-${String(e * 1000 + i).padStart(6, '0')}`, 'LOC-1', 5));
      d.entry(1_000 + round * 10 + e, cmds);
    }
  }
  const all = [...d.store.historyEvents()];
  all.sort((a, b) => (historyKey(a.sku, a.location, a.seq) < historyKey(b.sku, b.location, b.seq) ? -1 : 1));
  return all;
}

/** The events as a backup holds them: ledger snapshot chunks (src/ledger/snapshot.ts). */
function chunked(all: readonly LedgerEvent[]): Uint8Array[] {
  return [...snapshotChunks(all.map((e) => ['history', historyKey(e.sku, e.location, e.seq), e] as const), CHUNK_BYTES)];
}

function heapAfterGc(): number {
  gc();
  gc();
  return v8.getHeapStatistics().used_heap_size;
}

/** Heap still reachable through a verifier fed every chunk (decoded with `prepare`). */
function retained(chunks: readonly Uint8Array[], prepare: (e: LedgerEvent) => LedgerEvent): { bytes: number; verifier: HistoryVerifier } {
  const before = heapAfterGc();
  const verifier = new HistoryVerifier();
  const reader = new SnapshotReader();
  for (const c of chunks) {
    for (const r of reader.push(c)) {
      const f = verifier.push(prepare(r[2] as LedgerEvent));
      if (f !== null && !f.ok) throw new Error(f.reason);
    }
  }
  return { bytes: heapAfterGc() - before, verifier };
}

t.test('chain ends do not pin the decoded chunks', (t) => {
  const chunks = chunked(events());
  const flat = retained(chunks, (e) => JSON.parse(JSON.stringify(e)) as LedgerEvent);
  const decoded = retained(chunks, (e) => e);
  const per_position = (n: number): string => `${(n / POSITIONS).toFixed(0)} B per position`;
  t.ok(
    decoded.bytes <= flat.bytes * 1.5 + 64 * 1024,
    `kept from decoded chunks ${per_position(decoded.bytes)}, from flat copies ${per_position(flat.bytes)}`,
  );
  // Both verifiers stay alive until here, so what they hold was counted.
  t.equal(flat.verifier.finish().ok, true);
  t.equal(decoded.verifier.finish().ok, true);
  t.end();
});
