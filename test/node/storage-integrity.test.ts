// Damage the node must notice in its data dir: a raft entry or meta record whose bytes
// changed (own CRC-32), records LevelDB dropped while opening (its LOG), a database that
// lost its newest synced writes (the witness), and the rerunnable migration from format 2.

import t from 'tap';
import { copyFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ClassicLevel } from 'classic-level';
import { FORMAT_VERSION, LevelStorage, logKey, pack } from '../../src/node/storage-level.js';
import { decodeMetaRecord, encodeMetaRecord, META_RECORD_TAG } from '../../src/node/storage-records.js';
import { damageLines, DAMAGE_FILE } from '../../src/node/storage-damage.js';
import { WITNESS_FILE } from '../../src/node/storage-witness.js';
import type { Entry } from '../../src/raft/types.js';

interface Teardown {
  teardown(fn: () => void): void;
}

function tempDir(t: Teardown): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'stockd-integrity-'));
  t.teardown(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

const conf = { voters: ['a'], learners: [] };
const enc = new TextEncoder();
const opt = { keyEncoding: 'view', valueEncoding: 'view' } as const;

type Db = ClassicLevel<Uint8Array, Uint8Array>;
async function withRawDb<T>(dir: string, f: (db: Db) => Promise<T>): Promise<T> {
  const db = new ClassicLevel<Uint8Array, Uint8Array>(dir, opt);
  await db.open();
  try {
    return await f(db);
  } finally {
    await db.close();
  }
}

const entry = (index: number, term: number, size = 100): Entry => ({ index, term, type: 'normal', data: new Uint8Array(size).fill(index % 251) });

/** A claimed dir with entries 1..n persisted (one synced write each) and commit n. */
async function dirWithEntries(t: Teardown, n: number): Promise<string> {
  const dir = tempDir(t);
  const s = await LevelStorage.open(dir);
  await s.claim('a', 'c', { conf, addresses: {} });
  await s.load();
  for (let i = 1; i <= n; i++) await s.persist([entry(i, 1)], { term: 1, vote: 'a', commit: i });
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

t.test('a raft entry whose bytes changed stops the load with its index and key', async (t) => {
  const dir = await dirWithEntries(t, 3);
  await withRawDb(dir, async (db) => {
    const log = db.sublevel<Uint8Array, Uint8Array>('log', opt);
    const v = Uint8Array.from((await log.get(logKey(2)))!);
    v[v.byteLength - 1]! ^= 0x01;
    await log.put(logKey(2), v);
  });
  await t.rejects(openAndLoad(dir), { name: 'StorageError', message: /raft entry 2 \(log key 0000000000000002\) fails its checksum \(stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}\)/ });
});

t.test('a meta record whose bytes changed, or that sits under another key, is refused by key', async (t) => {
  const dir = await dirWithEntries(t, 2);
  const saved = await withRawDb(dir, async (db) => {
    const meta = db.sublevel<Uint8Array, Uint8Array>('meta', opt);
    const v = (await meta.get(enc.encode('hard_state')))!;
    t.equal(v[0], META_RECORD_TAG, 'stored with the checksummed tag');
    const flipped = Uint8Array.from(v);
    flipped[flipped.byteLength - 1]! ^= 0x04;
    await meta.put(enc.encode('hard_state'), flipped);
    return v;
  });
  await t.rejects(openAndLoad(dir), { message: /meta record 'hard_state' fails its checksum/ });
  await withRawDb(dir, async (db) => {
    const meta = db.sublevel<Uint8Array, Uint8Array>('meta', opt);
    await meta.put(enc.encode('hard_state'), saved);
    // The applied record copied under the compaction point's key: bytes intact, key wrong.
    await meta.put(enc.encode('snapshot'), (await meta.get(enc.encode('applied')))!);
  });
  await t.rejects(openAndLoad(dir), { message: /meta record 'snapshot' fails its checksum/ });
  t.throws(() => decodeMetaRecord('k', pack({ a: 1 })), /meta record 'k' is not a checksummed record/, 'a bare msgpack record is refused');
  t.same(decodeMetaRecord('k', encodeMetaRecord('k', { a: 1 })), { a: 1 }, 'round trip');
});

/** The newest LevelDB write-ahead log file of a dir. */
function newestLog(dir: string): string {
  const logs = readdirSync(dir).filter((f) => f.endsWith('.log')).sort();
  const last = logs[logs.length - 1];
  if (last === undefined) throw new Error(`no .log file in ${dir}`);
  return path.join(dir, last);
}

t.test('a write-ahead log record LevelDB drops at open refuses the dir, now and at every later open', async (t) => {
  const dir = await dirWithEntries(t, 40);
  const file = newestLog(dir);
  const b = readFileSync(file);
  b[Math.floor(b.byteLength / 2)]! ^= 0xff;
  writeFileSync(file, b);
  await t.rejects(LevelStorage.open(dir), { name: 'StorageError', message: /LevelDB dropped damaged records while opening it \(.*dropping \d+ bytes; Corruption: checksum mismatch.*\).*wipe the data dir/ });
  t.ok(statSync(path.join(dir, DAMAGE_FILE)).isFile(), 'the finding is kept in the dir');
  await t.rejects(LevelStorage.open(dir), { message: /LevelDB dropped damaged records.*dropping \d+ bytes/ }, 'the next open refuses too, although LevelDB has rewritten its log');
  t.same(damageLines('2026/12/03 Recovering log #3\n2026/12/03 Level-0 table #5: 523 bytes OK\n'), [], 'a clean recovery log has no damage lines');
});

t.test('a database that lost its newest synced writes is refused (witness)', async (t) => {
  const dir = await dirWithEntries(t, 5);
  const before = tempDir(t);
  for (const f of readdirSync(dir)) if (f !== WITNESS_FILE && f !== 'LOCK') copyFileSync(path.join(dir, f), path.join(before, f));
  const s = await LevelStorage.open(dir);
  await s.claim('a', 'c');
  await s.load();
  await s.persist([entry(6, 1)], { term: 1, vote: 'a', commit: 6 });
  await s.close();
  await openAndLoad(dir);
  t.pass('an intact dir opens');
  // Roll the database back to the copy, keeping the newer witness.
  for (const f of readdirSync(dir)) if (f !== WITNESS_FILE) rmSync(path.join(dir, f));
  cpSync(before, dir, { recursive: true });
  await t.rejects(openAndLoad(dir), { name: 'StorageError', message: /lost its newest writes \(LevelDB holds synced write #\d+, but write #\d+ had completed/ });
});

t.test('a write-ahead log cut short, which LevelDB reads back silently, is refused (witness)', async (t) => {
  const dir = await dirWithEntries(t, 40);
  const file = newestLog(dir);
  truncateSync(file, Math.floor(statSync(file).size / 2));
  await t.rejects(openAndLoad(dir), { message: /lost its newest writes/ });
});

t.test('a torn witness proves nothing: the dir opens and says so', async (t) => {
  const dir = await dirWithEntries(t, 2);
  writeFileSync(path.join(dir, WITNESS_FILE), Buffer.from([1, 2, 3]));
  const s = await LevelStorage.open(dir);
  t.teardown(() => s.close());
  await s.claim('a', 'c');
  await s.load();
  t.equal(s.torn_witness_bytes, 3);
});

/** A format 2 data dir written by hand: bare msgpack meta records, entries without CRC. */
async function format2Dir(t: Teardown, n: number): Promise<string> {
  const dir = tempDir(t);
  await withRawDb(dir, async (db) => {
    const meta = db.sublevel<Uint8Array, Uint8Array>('meta', opt);
    const log = db.sublevel<Uint8Array, Uint8Array>('log', opt);
    await meta.put(enc.encode('identity'), pack({ format: 2, node_id: 'a', cluster_id: 'c' }));
    await meta.put(enc.encode('bootstrap_conf'), pack(conf));
    await meta.put(enc.encode('applied'), pack({ index: 0, term: 0, conf_state: conf, addresses: {} }));
    await meta.put(enc.encode('hard_state'), pack({ term: 1, vote: 'a', commit: n }));
    const ops: { type: 'put'; key: Uint8Array; value: Uint8Array }[] = [];
    for (let i = 1; i <= n; i++) {
      const e = entry(i, 1, 10);
      const b = Buffer.alloc(18 + e.data.byteLength);
      b[0] = 0xe2;
      b[1] = 0;
      b.writeUInt32BE(0, 2);
      b.writeUInt32BE(i, 6);
      b.writeUInt32BE(0, 10);
      b.writeUInt32BE(1, 14);
      b.set(e.data, 18);
      ops.push({ type: 'put', key: logKey(i), value: b });
    }
    await log.batch(ops);
  });
  return dir;
}

t.test('a format 2 dir is migrated at claim: every entry and meta record rewritten with its checksum', async (t) => {
  const dir = await format2Dir(t, 2500);
  const s = await LevelStorage.open(dir);
  await s.claim('a', 'c');
  t.same(s.migrated, { entries_rewritten: 2500, meta_rewritten: 3 });
  const l = await s.load();
  t.equal(l.entries.length, 2500);
  t.same([...l.entries[2499]!.data.subarray(0, 3)], [2500 % 251, 2500 % 251, 2500 % 251], 'data intact');
  t.equal(l.hard_state.commit, 2500);
  t.equal((await s.identity())?.format, FORMAT_VERSION);
  await s.close();
  const s2 = await LevelStorage.open(dir);
  t.teardown(() => s2.close());
  await s2.claim('a', 'c');
  t.equal(s2.migrated, null, 'a migrated dir is not migrated again');
});

t.test('a migration stopped midway is finished by the next start', async (t) => {
  const dir = await format2Dir(t, 2500);
  const s = await LevelStorage.open(dir);
  s.migration_after_batch = (n) => {
    if (n === 2) throw new Error('killed after batch 2');
  };
  await t.rejects(s.claim('a', 'c'), /killed after batch 2/);
  t.equal((await s.identity())?.format, 2, 'still format 2: the identity goes last');
  await s.close();
  const done_before = await withRawDb(dir, async (db) => {
    let n = 0;
    for await (const v of db.sublevel<Uint8Array, Uint8Array>('log', opt).values()) if (v[0] === 0xe3) n++;
    return n;
  });
  t.ok(done_before > 0 && done_before < 2500, `part of the log was rewritten before the stop (${done_before})`);
  const s2 = await LevelStorage.open(dir);
  t.teardown(() => s2.close());
  await s2.claim('a', 'c');
  t.same(s2.migrated, { entries_rewritten: 2500 - done_before, meta_rewritten: 3 }, 'the records already rewritten are verified and kept');
  const l = await s2.load();
  t.same(l.entries.map((e) => e.index), Array.from({ length: 2500 }, (_, i) => i + 1));
});

t.test('another node\'s format 2 dir is refused before anything is rewritten', async (t) => {
  const dir = await format2Dir(t, 3);
  const s = await LevelStorage.open(dir);
  t.teardown(() => s.close());
  await t.rejects(s.claim('b', 'c'), /belongs to node 'a', not to 'b'/);
  t.equal(s.migrated, null);
});
