// Staging of received snapshots on a real LevelDB: chunks go into a fresh generation
// while the live one is untouched; the running checksum refuses a corrupt chunk before it
// is staged; install is one batch that also keeps the log entries above the snapshot; a
// "crash" (closing without the follow-up) at each point leaves a data dir that opens to
// either the old state with its log or the new one with its log, and the left-over
// generation is deleted afterwards. Then over gRPC: a snapshot of many chunks streams from
// a consistent view into the receiver's staging, a corrupt chunk is refused with nothing
// left staged, and the same snapshot sent again is accepted.

import t from 'tap';
import * as grpc from '@grpc/grpc-js';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ClassicLevel } from 'classic-level';
import { LevelStorage, pack, type AppliedRecord, type SnapshotForm, type SnapshotRecord } from '../../src/node/storage-level.js';
import { PEER_PROTOCOL_MAJOR, PEER_PROTOCOL_MINOR } from '../../src/node/peer-version.js';
import { encodeSnapshotChunks, snapshotHasher, SnapshotReceiver, type StagedSnapshot } from '../../src/node/storage-snapshot.js';
import { DEFAULT_TRANSPORT_LIMITS, GrpcTransport, raftServiceClient, type TransportHost } from '../../src/node/transport-grpc.js';
import type { WireSnapshotChunk } from '../../src/node/transport-codec.js';
import type { SnapshotTestHook } from '../../src/node/snapshot-receive.js';
import { snapshotMetaToWire } from '../../src/node/transport-codec.js';
import type { Entry, SnapshotMeta } from '../../src/raft/types.js';

interface Teardown {
  teardown(fn: () => void | Promise<void>): void;
}

const enc = new TextEncoder();
const conf = { voters: ['a', 'b'], learners: [] };
const entry = (index: number, term: number): Entry => ({ index, term, type: 'normal', data: enc.encode(`e${index}`) });
const noError = (err: unknown): void => {
  throw err instanceof Error ? err : new Error(String(err));
};

function tempDir(t: Teardown): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'stockd-staging-'));
  t.teardown(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

/** A node's storage at applied index 2 with state {old: 1} and log entries 1..3. */
async function oldNode(dir: string): Promise<LevelStorage> {
  const s = await LevelStorage.open(dir);
  await s.claim('a', 'c-test', { conf, addresses: {} });
  await s.load();
  await s.persist([entry(1, 1), entry(2, 1), entry(3, 1)], { term: 1, vote: null, commit: 2 });
  await s.apply([{ type: 'put', sublevel: 'state', key: 'old', value: 1 }], [], { index: 2, term: 1, conf_state: conf, addresses: {} });
  await s.sync();
  return s;
}

const META: SnapshotMeta = { index: 50, term: 3, conf_state: conf };
const APPLIED: AppliedRecord = { index: 50, term: 3, conf_state: conf, addresses: { b: 'x:1' } };

/** `n` state records new-0000.. and one history record. */
function records(n: number): SnapshotRecord[] {
  const out: SnapshotRecord[] = [];
  for (let i = 0; i < n; i++) out.push(['state', enc.encode(`new-${String(i).padStart(4, '0')}`), pack(i)]);
  out.push(['history', enc.encode('h1'), pack({ seq: 1 })]);
  return out;
}

/** Chunks of `recs` as a sender makes them (applied record in the first). */
async function chunksOf(recs: SnapshotRecord[], chunk_bytes_max: number): Promise<Uint8Array[]> {
  async function* gen(): AsyncGenerator<SnapshotRecord> {
    yield* recs;
  }
  const out: Uint8Array[] = [];
  for await (const c of encodeSnapshotChunks({ applied: APPLIED, form: 'portable', records: gen(), close: () => Promise.resolve() }, chunk_bytes_max)) out.push(c);
  return out;
}

/** Stages `chunks` with correct running digests; returns the staged snapshot. */
async function stageAll(s: LevelStorage, chunks: Uint8Array[]): Promise<StagedSnapshot> {
  const r = await SnapshotReceiver.begin(s, META, 'b');
  const h = snapshotHasher();
  for (const c of chunks) {
    h.update(c);
    await r.add(c, h.copy().digest());
  }
  return r.finish(h.digest());
}

/** Keys of the root database under a prefix, read with the storage closed. */
async function rawKeys(dir: string, prefix: string): Promise<string[]> {
  const db = new ClassicLevel<string, string>(dir);
  await db.open();
  try {
    const out: string[] = [];
    for await (const k of db.keys({ gte: prefix, lt: prefix + '\xff' })) out.push(k);
    return out;
  } finally {
    await db.close();
  }
}

t.test('staging writes a fresh generation; the live state and log stay as they were', async (t) => {
  const dir = tempDir(t);
  const s = await oldNode(dir);
  const chunks = await chunksOf(records(300), 1024);
  t.ok(chunks.length > 5, `the snapshot is ${chunks.length} chunks`);
  const staged = await stageAll(s, chunks);
  t.equal(staged.progress.records, 301, 'every record was staged');
  t.equal(staged.progress.chunks, chunks.length);
  t.same(await s.ledgerState(), [['old', 1]], 'the live state is untouched while staging');
  const seen: string[] = [];
  await s.forEachStagedState(staged.generation, (k) => seen.push(k));
  t.equal(seen.length, 300, 'the staged state reads back from its generation');
  // A crash now: the node restarts on its old state and log; the staging is deleted.
  await s.close();
  const s2 = await LevelStorage.open(dir);
  t.same(s2.leftoverGenerations, [staged.generation], 'the staging generation is found at open');
  t.equal(s2.liveGeneration, 0);
  const l = await s2.load();
  t.same(l.entries.map((e) => e.index), [1, 2, 3], 'the old log is intact');
  t.equal(l.applied.index, 2);
  t.same(await s2.ledgerState(), [['old', 1]]);
  s2.clearLeftovers(noError);
  await s2.clearsDone();
  await s2.close();
  t.same(await rawKeys(dir, `!state~${staged.generation}!`), [], 'the staged records are deleted');
  t.same(await rawKeys(dir, '!meta!staging/'), [], 'and so is its mark');
  const s3 = await LevelStorage.open(dir);
  t.same(s3.leftoverGenerations, [], 'nothing is left over at the next open');
  await s3.close();
});

t.test('install is one batch: new generation live, entries above the snapshot kept, old generation deleted', async (t) => {
  const dir = tempDir(t);
  const s = await oldNode(dir);
  const staged = await stageAll(s, await chunksOf(records(50), 512));
  const kept = [entry(51, 3), entry(52, 3)];
  await s.installStaged(staged.generation, META, APPLIED, { term: 3, vote: 'b', commit: 50 }, kept, noError);
  t.equal(s.liveGeneration, staged.generation);
  t.equal((await s.ledgerState()).length, 50, 'the live state is the snapshot\'s');
  // A crash right after the batch: the old generation's clear may not have run.
  await s.close();
  const s2 = await LevelStorage.open(dir);
  t.equal(s2.liveGeneration, staged.generation, 'the switch survived');
  const l = await s2.load();
  t.same(l.snapshot, META);
  t.same(l.entries.map((e) => e.index), [51, 52], 'the entries kept above the snapshot are in the log');
  t.same(l.hard_state, { term: 3, vote: 'b', commit: 50 });
  t.same(l.applied, APPLIED);
  t.notOk((await s2.ledgerState()).some(([k]) => k === 'old'), 'the old state is not visible');
  s2.clearLeftovers(noError);
  await s2.clearsDone();
  await s2.close();
  t.same(await rawKeys(dir, '!state!'), [], 'the old generation\'s records are deleted');
  t.same(await rawKeys(dir, '!meta!retired/'), [], 'and its mark');
});

t.test('the running checksum refuses a corrupt chunk before staging it; finish checks the total', async (t) => {
  const dir = tempDir(t);
  const s = await oldNode(dir);
  t.teardown(() => s.close());
  const chunks = await chunksOf(records(100), 512);
  const r = await SnapshotReceiver.begin(s, META, 'b');
  const h = snapshotHasher();
  h.update(chunks[0]!);
  await r.add(chunks[0]!, h.copy().digest());
  h.update(chunks[1]!);
  const bad = Uint8Array.from(chunks[1]!);
  bad[bad.length - 1] ^= 0xff;
  await t.rejects(r.add(bad, h.copy().digest()), { name: 'SnapshotFormatError', message: /snapshot chunk 1 fails its checksum \(\d+ bytes; \d+ bytes before it were good\)/ });
  const seen: string[] = [];
  await s.forEachStagedState(r.generation, (k) => seen.push(k));
  t.equal(seen.length, r.progress.records, 'only the good chunk\'s records are staged');

  const r2 = await SnapshotReceiver.begin(s, META, 'b');
  for (const c of chunks) await r2.add(c, new Uint8Array(0));
  t.throws(() => r2.finish(new Uint8Array(32)), /checksum mismatch after \d+ chunks/);

  const r3 = await SnapshotReceiver.begin(s, { ...META, index: 49 }, 'b');
  await t.rejects(r3.add(chunks[0]!, new Uint8Array(0)), /applied record is at 50\/3, its header says 49\/3/);
  const r4 = await SnapshotReceiver.begin(s, META, 'b');
  await t.rejects(r4.add(chunks[1]!, new Uint8Array(0)), /first snapshot chunk lacks the applied record/);
});

interface Side {
  storage: LevelStorage;
  transport: GrpcTransport;
  server: grpc.Server;
  staged: StagedSnapshot[];
  failed: number;
  /** Outcomes of this side's snapshot sends, in order. */
  sent: boolean[];
  /** The value forms this side's snapshot sends asked for, in order. */
  forms: SnapshotForm[];
  warnings: string[];
}

interface SideOptions {
  readonly hook?: SnapshotTestHook;
  readonly snapshot_stall_ms_max?: number;
  readonly protocol_minor?: number;
}

async function side(t: Teardown, id: string, addresses: Map<string, string>, chunk_bytes_max: number, o: SideOptions = {}): Promise<Side> {
  const storage = await oldNode(tempDir(t));
  const staged: StagedSnapshot[] = [];
  const me: Partial<Side> = { storage, staged, failed: 0, sent: [], forms: [], warnings: [] };
  const host: TransportHost = {
    cluster_id: 'c1',
    self_id: id,
    self_address: '',
    self_version: { protocol_major: PEER_PROTOCOL_MAJOR, protocol_minor: o.protocol_minor ?? PEER_PROTOCOL_MINOR, rules_version_min: 1, rules_version_max: 2 },
    staging: storage,
    snapshot_hook: o.hook ?? null,
    log: { info: (obj, msg) => (msg === "snapshot sent" ? me.warnings!.push(`${msg} ${JSON.stringify(obj)}`) : undefined), debug: () => undefined, warn: (obj, msg) => me.warnings!.push(`${msg} ${JSON.stringify(obj)}`) },
    addressOf: (x) => addresses.get(x) ?? null,
    isKnownSender: (x) => addresses.has(x),
    learnAddress: () => undefined,
    onMessages: () => undefined,
    onUnreachable: () => undefined,
    onSnapshot: (_from, _term, s) => {
      staged.push(s);
      return Promise.resolve({ accepted: true, detail: 'staged' });
    },
    onSnapshotSent: (_to, ok) => me.sent!.push(ok),
    onSnapshotReceived: () => undefined,
    onSnapshotFailed: () => {
      me.failed! += 1;
    },
    openSnapshot: (form) => {
      me.forms!.push(form);
      return storage.openSnapshot(form);
    },
  };
  const transport = new GrpcTransport(host, { ...DEFAULT_TRANSPORT_LIMITS, snapshot_chunk_bytes_max: chunk_bytes_max, snapshot_stall_ms_max: o.snapshot_stall_ms_max ?? DEFAULT_TRANSPORT_LIMITS.snapshot_stall_ms_max });
  const server = new grpc.Server();
  server.addService(raftServiceClient('Raft').service, transport.service());
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  addresses.set(id, `127.0.0.1:${port}`);
  t.teardown(async () => {
    transport.close();
    server.forceShutdown();
    await storage.close();
  });
  return Object.assign(me, { transport, server }) as Side;
}

/** Sends raw chunks on an InstallSnapshot stream to `address`; resolves with the answer. */
function sendRaw(address: string, chunks: WireSnapshotChunk[]): Promise<{ err: grpc.ServiceError | null; ack: { accepted: boolean } | null }> {
  const Ctor = raftServiceClient('Raft');
  const client = new Ctor(address, grpc.credentials.createInsecure());
  const def = Ctor.service.InstallSnapshot!;
  return new Promise((resolve) => {
    const call = client.makeClientStreamRequest<WireSnapshotChunk, { accepted: boolean }>(def.path, def.requestSerialize as (v: WireSnapshotChunk) => Buffer, def.responseDeserialize as (b: Buffer) => { accepted: boolean }, (err, ack) => {
      client.close();
      resolve({ err, ack: ack ?? null });
    });
    call.on('error', () => undefined);
    for (const c of chunks) call.write(c);
    call.end();
  });
}

async function until(what: string, f: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (await f()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

t.test('over gRPC: a snapshot of many chunks streams from a consistent view into staging', async (t) => {
  const addrs = new Map<string, string>();
  const a = await side(t, 'a', addrs, 4096);
  const b = await side(t, 'b', addrs, 4096);
  // The sender's state: 3000 records (several hundred KB), sent from a consistent view.
  const writes = Array.from({ length: 3000 }, (_, i) => ({ type: 'put' as const, sublevel: 'state' as const, key: `k-${String(i).padStart(5, '0')}`, value: { i, pad: 'x'.repeat(100) } }));
  await a.storage.apply(writes, [], { index: 3, term: 1, conf_state: conf, addresses: {} });
  a.transport.send([{ type: 'snapshot', from: 'a', to: 'b', term: 1, snapshot: { index: 3, term: 1, conf_state: conf } }]);
  await until('b to stage the snapshot', () => b.staged.length === 1);
  const got = b.staged[0]!;
  t.ok(got.progress.chunks > 50, `it travelled in ${got.progress.chunks} chunks of at most 4 KiB`);
  const keys: string[] = [];
  await b.storage.forEachStagedState(got.generation, (k) => keys.push(k));
  t.equal(keys.length, 3001, 'every state record (and the old one) arrived');

});

t.test('over gRPC: values travel as stored only to a receiver that announced it reads them', async (t) => {
  const addrs = new Map<string, string>();
  const a = await side(t, 'a', addrs, 4096);
  const b = await side(t, 'b', addrs, 4096);
  const old = await side(t, 'o', addrs, 4096, { protocol_minor: 1 });
  await a.storage.apply([{ type: 'put', sublevel: 'state', key: 'k', value: 1 }], [], { index: 3, term: 1, conf_state: conf, addresses: {} });
  const snapshotTo = async (to: Side, id: string, n: number): Promise<void> => {
    a.transport.send([{ type: 'snapshot', from: 'a', to: id, term: 1, snapshot: { index: 3, term: 1, conf_state: conf } }]);
    await until(`${id} to stage snapshot ${n}`, () => to.staged.length === n);
  };
  await snapshotTo(b, 'b', 1);
  t.same(a.forms, ['portable'], 'a peer not heard from gets the portable form');
  b.transport.send([{ from: 'b', to: 'a', term: 1, type: 'heartbeat', commit: 1, context: '' }]);
  old.transport.send([{ from: 'o', to: 'a', term: 1, type: 'heartbeat', commit: 1, context: '' }]);
  await until('a to hear b and o', () => a.transport.peer_versions.get('b') !== null && a.transport.peer_versions.get('o') !== null);
  await snapshotTo(b, 'b', 2);
  await snapshotTo(old, 'o', 1);
  t.same(a.forms, ['portable', 'stored', 'portable'], 'a peer of this version gets values as stored; one of protocol 1.1 the portable form');
  t.ok(a.warnings.some((w) => w.startsWith('snapshot sent') && w.includes('"form":"stored"')), 'the send log names the form');
});

t.test('over gRPC: a receiver that stops taking chunks is given up after the stall bound, and a later send succeeds', async (t) => {
  const addrs = new Map<string, string>();
  // The bound must cover a healthy receiver taking what the stream buffers (~1 MiB) on a
  // loaded machine; 2 s does, and stays far below the test's own wait.
  const a = await side(t, 'a', addrs, 32 * 1024, { snapshot_stall_ms_max: 2_000 });
  // b's first stream stops at its tenth chunk until released; later streams pass.
  let release: (() => void) | null = null;
  let stuck_once = false;
  const hook: SnapshotTestHook = async (step, n) => {
    if (step !== 'receive-chunk' || n !== 10 || stuck_once) return;
    stuck_once = true;
    await new Promise<void>((resolve) => (release = resolve));
  };
  t.teardown(() => release?.());
  const b = await side(t, 'b', addrs, 32 * 1024, { hook });
  // ~1.5 MB of state: far more than the stream's buffers hold, so the sender must wait.
  const writes = Array.from({ length: 3000 }, (_, i) => ({ type: 'put' as const, sublevel: 'state' as const, key: `k-${String(i).padStart(5, '0')}`, value: { i, pad: 'x'.repeat(500) } }));
  await a.storage.apply(writes, [], { index: 3, term: 1, conf_state: conf, addresses: {} });
  const snap = { type: 'snapshot' as const, from: 'a', to: 'b', term: 1, snapshot: { index: 3, term: 1, conf_state: conf } };
  a.transport.send([snap]);
  await until('the stalled send to be given up', () => a.sent.length === 1);
  t.same(a.sent, [false], 'the send was reported failed');
  t.ok(a.warnings.some((w) => w.startsWith('snapshot send stalled')), `the sender logged the stall: ${JSON.stringify(a.warnings)}`);
  t.equal(b.staged.length, 0, 'nothing reached the receiving node');
  // The receiver, paused inside its chunk, still learns of the cancel and lets the stream go.
  await until('the receiver to drop the cancelled stream', () => b.warnings.some((w) => w.includes('snapshot stream cancelled by the sender')));
  release!();
  a.transport.send([snap]);
  await until('the second send to be reported', () => a.sent.length === 2);
  t.same(a.sent, [false, true], `the next send succeeded (receiver: ${JSON.stringify(b.warnings)}, sender: ${JSON.stringify(a.warnings)})`);
  t.equal(b.staged.length, 1, 'and was staged');
});

t.test('over gRPC: a corrupt chunk is refused, its staging deleted, and a resend is accepted', async (t) => {
  const addrs = new Map<string, string>();
  const b = await side(t, 'b', addrs, 4096);
  addrs.set('a', '127.0.0.1:1');
  const chunks = await chunksOf(records(500), 2048);
  const header = { cluster_id: 'c1', from: 'a', from_address: '', to: 'b', term: 3, meta: snapshotMetaToWire(META) };
  const wire = (corrupt_at: number | null): WireSnapshotChunk[] => {
    const hh = snapshotHasher();
    return chunks.map((c, seq) => {
      hh.update(c);
      const last = seq === chunks.length - 1;
      const data = seq === corrupt_at ? Uint8Array.from(c, (x, i) => (i === 10 ? x ^ 1 : x)) : c;
      return { header: seq === 0 ? header : null, seq, data, last, sha256: last ? hh.digest() : hh.copy().digest() };
    });
  };
  const bad = await sendRaw(addrs.get('b')!, wire(3));
  t.match(bad.err?.details ?? '', /snapshot chunk 3 fails its checksum/, 'the corrupt stream is refused');
  const good = await sendRaw(addrs.get('b')!, wire(null));
  t.equal(good.err, null, 'the resend is not refused');
  t.equal(good.ack?.accepted, true, 'and is accepted');
  t.equal(b.failed, 1, 'one failure was counted');
  t.equal(b.staged.length, 1, 'only the resend reached the node');
  t.equal(b.staged[0]!.progress.records, 501);
  await until('the refused staging to be deleted', async () => {
    const left: number[] = [];
    for (let g = 1; g < b.staged[0]!.generation; g++) {
      let n = 0;
      await b.storage.forEachStagedState(g, () => (n += 1));
      if (n > 0) left.push(g);
    }
    return left.length === 0;
  });
  t.pass('the refused staging holds no records');
});
