// History archives offline: what ArchiveWriter writes verifies, and every kind of tampering
// (an altered event, a dropped or reordered file, a truncated file, a changed manifest) is
// refused with its reason.

import t from 'tap';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ArchiveWriter, archiveFileName, ARCHIVE_FILE_RECORDS_MAX, MANIFEST_FILE, verifyArchive } from '../../src/cli/history-archive.js';
import type { HistoryHorizon, LedgerEvent } from '../../src/ledger/types.js';
import { Driver, adjust, raise3 } from '../ledger/helpers.js';

/** Two positions; SKU-1 pruned through seq 3 (its horizon first), `n` events each. */
function history(n: number): (LedgerEvent | HistoryHorizon)[] {
  const d = new Driver();
  for (let i = 1; i <= n; i++) {
    d.entry(i * 1_000, [...(i === 1 ? [raise3] : []), adjust(`a${i}`, 'SKU-1', 'L', 1), adjust(`b${i}`, 'SKU-2', 'L', 2)]);
    d.rules_version = 3;
  }
  d.one(n * 1_000 + 1, { kind: 'admin', op_id: 'mark', action: 'history_archived', principal: 'ops', target: '3', detail: '' });
  const e3 = d.store.historyEvents().find((e) => e.sku === 'SKU-1' && e.seq === 3) as LedgerEvent;
  const h: HistoryHorizon = { kind: 'HORIZON', sku: 'SKU-1', location: 'L', seq: 3, log_index: e3.log_index, time_ms: e3.time_ms, on_hand: e3.on_hand, reserved: 0, hash: e3.hash };
  const out = d.ledger.apply(++d.log_index, { time_ms: n * 1_000 + 2, commands: [], prune: [h], rules_version: 3 });
  d.store.write(out.writes);
  t.same(out.prune, { ok: true, positions: 1, events: 3 });
  return d.store.historyEvents().filter((e) => (e as { kind: string }).kind !== 'ADMIN') as (LedgerEvent | HistoryHorizon)[];
}

/** Every archive's parent dir, removed when the test file ends. */
const roots: string[] = [];
t.teardown(() => { for (const r of roots) rmSync(r, { recursive: true, force: true }); });

async function write(records: readonly (LedgerEvent | HistoryHorizon)[], before_index: number): Promise<string> {
  const root = mkdtempSync(path.join(tmpdir(), 'stockraft-archive-'));
  roots.push(root);
  const dir = path.join(root, 'a');
  const w = new ArchiveWriter(dir, before_index);
  for (const r of records) if (r.kind === 'HORIZON' || r.log_index < before_index) await w.add(r);
  await w.finish();
  return dir;
}

function editLine(file: string, match: (line: string) => boolean, change: (line: string) => string): void {
  const lines = readFileSync(file, 'utf8').split('\n');
  const i = lines.findIndex(match);
  if (i < 0) throw new Error('no such line');
  lines[i] = change(lines[i]);
  writeFileSync(file, lines.join('\n'));
}

t.test('an archive verifies offline and reports its ends', async (t) => {
  const dir = await write(history(10), 9);
  const v = await verifyArchive(dir);
  if (!v.ok) throw new Error(v.reason);
  t.match(v.manifest, { files: 1, positions: 2, events: 5 + 8, horizons: 1, before_index: 9, archived_through_index: 8 });
  t.same([...v.ends.values()].map((e) => [e.sku, e.seq]), [['SKU-1', 8], ['SKU-2', 8]]);
  t.end();
});

t.test('an archive spanning files chains them; tampering is refused (known-bad)', async (t) => {
  const n = Math.ceil(ARCHIVE_FILE_RECORDS_MAX / 2) + 5;
  const records = history(n);
  const fresh = (): Promise<string> => write(records, n + 1);
  const base = await fresh();
  const ok = await verifyArchive(base);
  t.ok(ok.ok, 'the untouched archive verifies');
  t.match(ok, { manifest: { files: 2, events: 2 * n - 3, horizons: 1 } });

  const cases: [string, (dir: string) => void, RegExp][] = [
    ['an altered event', (d) => editLine(path.join(d, archiveFileName(1)), (l) => l.includes('"seq":7,') && l.includes('SKU-1'), (l) => l.replace('"on_hand":7', '"on_hand":8')), /archive-000001.ndjson line \d+: SKU-1@L seq 7: .*(hash does not match|on_hand)/],
    ['an altered op id', (d) => editLine(path.join(d, archiveFileName(1)), (l) => l.includes('"seq":9,') && l.includes('SKU-2'), (l) => l.replace('"op_id":"b9"', '"op_id":"zz"')), /SKU-2@L seq 9: hash does not match the event fields/],
    ['a tampered horizon', (d) => editLine(path.join(d, archiveFileName(1)), (l) => l.includes('"HORIZON"'), (l) => l.replace(/"hash":"[0-9a-f]+"/, `"hash":"${'a'.repeat(64)}"`)), /SKU-1@L seq 4: prev_hash does not match the hash of seq 3 \(the history horizon\)/],
    ['a dropped last file', (d) => { rmSync(path.join(d, archiveFileName(2))); }, /names 2 files, the directory holds 1/],
    ['swapped files', (d) => { renameSync(path.join(d, archiveFileName(1)), path.join(d, 'x')); renameSync(path.join(d, archiveFileName(2)), path.join(d, archiveFileName(1))); renameSync(path.join(d, 'x'), path.join(d, archiveFileName(2))); }, /header does not name .* file 1/],
    ['a truncated file', (d) => { const f = path.join(d, archiveFileName(2)); const l = readFileSync(f, 'utf8').split('\n'); writeFileSync(f, l.slice(0, -3).join('\n') + '\n'); }, /archive-000002.ndjson: no footer \(file truncated\)/],
    ['a changed manifest', (d) => editLine(path.join(d, MANIFEST_FILE), (l) => l.includes('"events"'), (l) => l.replace(/\d+/, '1')), /MANIFEST.json counts 2 positions, 1 events/],
    ['an event at or above before_index', (d) => editLine(path.join(d, MANIFEST_FILE), (l) => l.includes('"before_index"'), (l) => l.replace(/\d+/, '3')), /archived_through_index must be before_index - 1/],
  ];
  for (const [what, damage, reason] of cases) {
    const dir = await fresh();
    damage(dir);
    const v = await verifyArchive(dir);
    t.equal(v.ok, false, what);
    t.match(v, { ok: false, reason }, what);
  }
});
