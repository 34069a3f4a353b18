// The disk faults' file damage (jepsen-style-tests/disk-faults.ts): they act on the newest
// write-ahead log only, change what they say they change, and LevelStorage refuses the
// damaged dir (LevelDB's dropped records, or lost newest writes).

import t from 'tap';
import * as fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { flipBytes, newestWriteAheadLog, truncateNewest } from '../../jepsen-style-tests/disk-faults.js';
import { parseNemesisList } from '../../jepsen-style-tests/nemesis.js';
import { Rng } from '../../jepsen-style-tests/rng.js';
import { LevelStorage } from '../../src/node/storage-level.js';

async function dirWithEntries(t: { teardown(fn: () => void): void }, n: number): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jepsen-disk-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const s = await LevelStorage.open(dir);
  await s.claim('a', 'c', { conf: { voters: ['a'], learners: [] }, addresses: {} });
  await s.load();
  for (let i = 1; i <= n; i++) await s.persist([{ index: i, term: 1, type: 'normal', data: new Uint8Array(200).fill(i % 200) }], { term: 1, vote: 'a', commit: i });
  await s.close();
  return dir;
}

async function openAndLoad(dir: string): Promise<void> {
  const s = await LevelStorage.open(dir);
  try {
    await s.claim('a', 'c');
    await s.load();
  } finally {
    await s.close();
  }
}

t.test('bitflip changes the named bytes of the newest log, and the dir is refused', async (t) => {
  const dir = await dirWithEntries(t, 60);
  const target = newestWriteAheadLog(dir)!;
  const before = fs.readFileSync(target.file);
  const detail = flipBytes(dir, new Rng(3), 4);
  const after = fs.readFileSync(target.file);
  const positions = detail.replace(/.* at /, '').split(',').map(Number);
  t.match(detail, new RegExp(`^flipped 4 bytes of ${path.basename(target.file)} \\(${target.bytes} bytes\\) at `));
  const changed = [...after.keys()].filter((i) => after[i] !== before[i]);
  t.same(changed, [...new Set(positions)].sort((a, b) => a - b), 'exactly the named bytes changed');
  t.ok(changed.every((i) => i >= Math.floor(before.byteLength / 2)), 'all in the second half');
  await t.rejects(openAndLoad(dir), /LevelDB dropped damaged records/);
});

t.test('truncate cuts the newest log to 20..80%, and the lost writes are noticed', async (t) => {
  const dir = await dirWithEntries(t, 60);
  const target = newestWriteAheadLog(dir)!;
  const detail = truncateNewest(dir, new Rng(5));
  const size = fs.statSync(target.file).size;
  t.match(detail, new RegExp(`^cut ${path.basename(target.file)} from ${target.bytes} to ${size} bytes$`));
  t.ok(size >= target.bytes * 0.2 && size <= target.bytes * 0.8, `kept ${size} of ${target.bytes}`);
  await t.rejects(openAndLoad(dir), /lost its newest writes/);
});

t.test('disk fault names parse, alone and as the disk family', async (t) => {
  t.same(parseNemesisList('bitflip,truncate,disk-full,kill').sort(), ['bitflip', 'disk-full', 'kill-leader', 'kill-minority', 'kill-one', 'truncate']);
  t.same(parseNemesisList('disk').sort(), ['bitflip', 'disk-full', 'truncate']);
});
