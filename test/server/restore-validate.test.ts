// `stockd --restore FILE` validates the whole backup before the data dir is created or
// opened: a damaged chunk, a truncated file, an altered history event, state that does not
// match its history, or records out of order are refused with the chunk and record named,
// and the data dir is left exactly as it was (absent, or empty). A good file restores.

import t, { type Test } from 'tap';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { snapshotChunks, type SnapshotRecord } from '../../src/ledger/snapshot.js';
import { frameBackupChunk, validateBackup } from '../../src/server/restore.js';
import { bootNode } from '../../src/server/boot.js';
import { buildCommand, resolveConfig } from '../../src/server/stockd-config.js';
import { StorageError } from '../../src/node/storage-level.js';
import { Driver, adjust, line, reserve } from '../ledger/helpers.js';

function tmp(t: Test): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stockraft-restore-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function ledgerRecords(): SnapshotRecord[] {
  const d = new Driver();
  for (let i = 1; i <= 40; i++) d.entry(1_000 * i, [adjust(`a-${i}`, `SKU-${i % 7}`, 'WH', 5 + i)]);
  d.entry(50_000, [reserve('r-1', [line('SKU-1', 'WH', 2)], 600_000)]);
  return d.store.records();
}

function writeBackup(file: string, records: readonly SnapshotRecord[], chunk_bytes = 1_024): number[] {
  const offsets: number[] = [];
  const parts: Uint8Array[] = [];
  let at = 0;
  for (const c of snapshotChunks(records, chunk_bytes)) {
    const framed = frameBackupChunk(c);
    offsets.push(at);
    at += framed.byteLength;
    parts.push(framed);
  }
  writeFileSync(file, Buffer.concat(parts));
  return offsets;
}

const QUIET_LOG = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {}, fatal: () => {}, trace: () => {} };

t.test('a whole backup validates; its summary counts what it holds', (t) => {
  const file = path.join(tmp(t), 'good.bin');
  const records = ledgerRecords();
  const offsets = writeBackup(file, records);
  const s = validateBackup(file);
  t.equal(s.index, 41, 'the last applied log index');
  t.equal(s.positions, 7);
  t.equal(s.events, records.filter((r) => r[0] === 'history').length, 'every history event');
  t.ok(s.events >= 41);
  t.equal(s.chunks, offsets.length);
  t.equal(s.bytes, readFileSync(file).length);
  t.end();
});

t.test('each kind of damage is named by chunk and record', (t) => {
  const dir = tmp(t);
  const records = ledgerRecords();
  const good = path.join(dir, 'good.bin');
  const offsets = writeBackup(good, records);
  t.ok(offsets.length >= 4, `several chunks (${offsets.length})`);
  const bytes = readFileSync(good);

  const flipped = Buffer.from(bytes);
  const at = (offsets[2] ?? 0) + 40;
  flipped[at] = (flipped[at] ?? 0) ^ 0xff;
  writeFileSync(path.join(dir, 'flip.bin'), flipped);
  t.throws(() => validateBackup(path.join(dir, 'flip.bin')), new RegExp(`flip.bin: chunk 2 at byte ${offsets[2]}: `), 'a flipped byte names its chunk and offset');

  writeFileSync(path.join(dir, 'cut.bin'), bytes.subarray(0, (offsets[3] ?? 0) + 10));
  t.throws(() => validateBackup(path.join(dir, 'cut.bin')), new RegExp(`chunk 3 at byte ${offsets[3]}: file ends inside the chunk`), 'a file cut inside a chunk');
  writeFileSync(path.join(dir, 'short.bin'), bytes.subarray(0, offsets[3]));
  t.throws(() => validateBackup(path.join(dir, 'short.bin')), /after chunk 2 .*truncated: 3 chunks .* but not the last chunk/, 'a file cut between chunks');

  // Re-chunked with valid checksums, but one history event altered: the chain breaks.
  const altered = records.map((r): SnapshotRecord => (r[0] === 'history' && r[1].startsWith('SKU-3!') && (r[2] as { seq: number }).seq === 2 ? ['history', r[1], { ...(r[2] as object), delta_on_hand: 999 }] : r));
  writeBackup(path.join(dir, 'event.bin'), altered);
  t.throws(() => validateBackup(path.join(dir, 'event.bin')), /chunk \d+, record \d+: history key 'SKU-3!WH!0+2': chain of SKU-3@WH breaks at seq 2: .*(hash|on_hand)/, 'an altered event');

  const state = records.map((r): SnapshotRecord => (r[0] === 'state' && r[1].includes('SKU-5') && typeof r[2] === 'object' && r[2] !== null && 'on_hand' in r[2] ? ['state', r[1], { ...(r[2] as object), seq: 99 }] : r));
  writeBackup(path.join(dir, 'state.bin'), state);
  t.throws(() => validateBackup(path.join(dir, 'state.bin')), /SKU-5/, 'a state record that does not match its history');

  const hist = records.filter((r) => r[0] === 'history');
  const swapped = [...records.filter((r) => r[0] === 'state'), hist[1] as SnapshotRecord, hist[0] as SnapshotRecord, ...hist.slice(2)];
  writeBackup(path.join(dir, 'order.bin'), swapped);
  t.throws(() => validateBackup(path.join(dir, 'order.bin')), /chain of SKU-0@WH breaks at seq 2: seq 2 follows seq 0/, 'history events of one position out of order');
  const repeated = [...records.filter((r) => r[0] === 'state'), hist[0] as SnapshotRecord, hist[0] as SnapshotRecord, ...hist.slice(1)];
  writeBackup(path.join(dir, 'repeat.bin'), repeated);
  t.throws(() => validateBackup(path.join(dir, 'repeat.bin')), /history key 'SKU-0!WH!0+1' is not after the key before it/, 'a repeated history record');
  t.throws(() => validateBackup(path.join(dir, 'missing.bin')), /missing.bin: cannot read: ENOENT/);
  t.end();
});

function cfgFor(dir: string, file: string) {
  const cmd = buildCommand();
  cmd.parse(['node', 'stockd', '--id', 'r1', '--insecure', '--initial-cluster', 'r1=127.0.0.1:1', '--restore', file, '--data', dir]);
  return resolveConfig(cmd);
}

t.test('a bad backup leaves the data dir exactly as it was', async (t) => {
  const dir = tmp(t);
  const good = path.join(dir, 'good.bin');
  writeBackup(good, ledgerRecords());
  const bytes = readFileSync(good);
  bytes[Math.floor(bytes.length / 2)] ^= 0xff;
  const bad = path.join(dir, 'bad.bin');
  writeFileSync(bad, bytes);

  const absent = path.join(dir, 'data-absent');
  await t.rejects(bootNode(cfgFor(absent, bad), { log: QUIET_LOG, metrics: null }), { name: 'StorageError', message: /--restore .*bad.bin: chunk \d+ at byte \d+/ });
  t.notOk(existsSync(absent), 'an absent data dir stays absent');

  const empty = path.join(dir, 'data-empty');
  mkdirSync(empty);
  await t.rejects(bootNode(cfgFor(empty, bad), { log: QUIET_LOG, metrics: null }), StorageError);
  t.same(readdirSync(empty), [], 'an empty data dir stays empty');

  const used = path.join(dir, 'data-used');
  mkdirSync(used);
  writeFileSync(path.join(used, 'keep.txt'), 'x');
  await t.rejects(bootNode(cfgFor(used, good), { log: QUIET_LOG, metrics: null }), { message: /needs an absent or empty data dir, but .*data-used holds 1 entries \(keep.txt\): nothing was changed/ });
  t.same(readdirSync(used), ['keep.txt'], 'a used dir is not opened');

  const fresh = path.join(dir, 'data-good');
  const node = await bootNode(cfgFor(fresh, good), { log: QUIET_LOG, metrics: null });
  t.teardown(() => node.close(0));
  const s = node.status();
  t.equal(s.applied_index, 41, 'a good backup restores at its applied index');
  t.equal(node.getPosition('SKU-1', 'WH')?.reserved, 2, 'with its reservation');
});
