// Transport framing: every raft message survives the protobuf round trip; malformed input
// is refused naming the field (snapshot streams: snapshot-staging.test.ts); and two in-process
// transports deliver in order, refuse another cluster, and bound a dead peer's queue.

import t from 'tap';
import { freePorts } from '../../src/util/free-port.js';
import * as grpc from '@grpc/grpc-js';
import { messageFromWire, messageToWire, WireError, type WireBatch } from '../../src/node/transport-codec.js';
import { DEFAULT_TRANSPORT_LIMITS, GrpcTransport, raftServiceClient, type TransportHost } from '../../src/node/transport-grpc.js';
import type { Message } from '../../src/raft/types.js';
import { PEER_PROTOCOL_MAJOR, PEER_PROTOCOL_MINOR, peerVersionFromWire, UNANNOUNCED, type PeerVersion } from '../../src/node/peer-version.js';

const data = new Uint8Array([1, 2, 3, 250]);
const env = { from: 'a', to: 'b', term: 7 };
const ALL: Message[] = [
  { ...env, type: 'append', prev_index: 4, prev_term: 3, commit: 4, entries: [{ index: 5, term: 7, type: 'normal', data }, { index: 6, term: 7, type: 'conf_change', data: new Uint8Array(0) }] },
  { ...env, type: 'append_resp', reject: true, index: 9, reject_hint_index: 3, reject_hint_term: 2 },
  { ...env, type: 'heartbeat', commit: 12, context: 'ctx' },
  { ...env, type: 'heartbeat_resp', context: 'ctx' },
  { ...env, type: 'vote', last_index: 10, last_term: 6, transfer: true },
  { ...env, type: 'pre_vote', last_index: 10, last_term: 6, transfer: false },
  { ...env, type: 'vote_resp', reject: false },
  { ...env, type: 'pre_vote_resp', reject: true },
  { ...env, type: 'timeout_now' },
  { ...env, type: 'read_index', context: 'r1' },
  { ...env, type: 'read_index_resp', context: 'r1', index: 44, reject: false },
  { ...env, type: 'propose', entries: [{ index: 0, term: 0, type: 'normal', data }] },
];

t.test('every message type survives the protobuf round trip', async (t) => {
  const def = raftServiceClient('Raft').service.Stream!;
  const ser = def.requestSerialize as (v: WireBatch) => Buffer;
  const de = def.requestDeserialize as (b: Buffer) => WireBatch;
  const batch: WireBatch = { cluster_id: 'c', from: 'a', from_address: 'h:1', messages: ALL.map(messageToWire) };
  const back = de(ser(batch));
  t.equal(back.cluster_id, 'c');
  const msgs = back.messages.map((w) => messageFromWire(w, back.from));
  t.equal(msgs.length, ALL.length);
  for (let i = 0; i < ALL.length; i++) {
    const m = msgs[i]!;
    const want = ALL[i]!;
    if ((m.type === 'append' || m.type === 'propose') && (want.type === 'append' || want.type === 'propose')) {
      t.same({ ...m, entries: m.entries.map((e) => ({ ...e, data: [...e.data] })) }, { ...want, entries: want.entries.map((e) => ({ ...e, data: [...e.data] })) }, want.type);
    } else t.same(m, want, want.type);
  }
});

t.test('snapshot messages never travel in a batch; malformed messages are refused', async (t) => {
  t.throws(() => messageToWire({ ...env, type: 'snapshot', snapshot: { index: 1, term: 1, conf_state: { voters: [], learners: [] } } }), WireError);
  t.throws(() => messageFromWire({ to: 'b', term: 1 }, 'a'), /no body/);
  t.throws(() => messageFromWire({ to: '', term: 1, heartbeat: { commit: 0, context: '' } }, 'a'), /message.to/);
  t.throws(() => messageFromWire({ to: 'b', term: -1, heartbeat: { commit: 0, context: '' } }, 'a'), /message.term must be a non-negative safe integer, got -1/);
  t.throws(() => messageFromWire({ to: 'b', term: 1, append: { prev_index: 1, prev_term: 1, commit: 2 ** 60, entries: [] } }, 'a'), /append.commit/);
});

interface Peer {
  transport: GrpcTransport;
  server: grpc.Server;
  port: number;
  got: Message[];
  unreachable: string[];
  warnings: string[];
  infos: [object, string][];
}

const OURS: PeerVersion = { protocol_major: PEER_PROTOCOL_MAJOR, protocol_minor: PEER_PROTOCOL_MINOR, rules_version_min: 1, rules_version_max: 2 };

async function peer(id: string, cluster_id: string, addresses: Map<string, string>, queue_messages_max = 4096, self_version: PeerVersion = OURS, backoff_ms_min = DEFAULT_TRANSPORT_LIMITS.backoff_ms_min, port = 0): Promise<Peer> {
  const got: Message[] = [];
  const unreachable: string[] = [];
  const warnings: string[] = [];
  const infos: [object, string][] = [];
  const host: TransportHost = {
    cluster_id,
    self_id: id,
    self_address: '',
    staging: { beginStaging: () => Promise.reject(new Error('not in this test')), stageRecords: () => Promise.resolve(), discardStaging: () => undefined },
    snapshot_hook: null,
    self_version,
    log: { info: (o, m) => infos.push([o, m]), debug: () => undefined, warn: (_o, m) => warnings.push(m) },
    addressOf: (x) => addresses.get(x) ?? null,
    isKnownSender: (x) => addresses.has(x),
    learnAddress: () => undefined,
    onMessages: (m) => got.push(...m),
    onUnreachable: (to) => unreachable.push(to),
    onSnapshot: () => Promise.resolve({ accepted: false, detail: 'not in this test' }),
    onSnapshotSent: () => undefined,
    onSnapshotReceived: () => undefined,
    onSnapshotFailed: () => undefined,
    openSnapshot: () => Promise.reject(new Error('not in this test')),
  };
  const transport = new GrpcTransport(host, { ...DEFAULT_TRANSPORT_LIMITS, queue_messages_max, batch_messages_max: 16, backoff_ms_min, backoff_ms_max: Math.max(backoff_ms_min, DEFAULT_TRANSPORT_LIMITS.backoff_ms_max) });
  const server = new grpc.Server();
  server.addService(raftServiceClient('Raft').service, transport.service());
  const bound = await new Promise<number>((resolve, reject) => server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  addresses.set(id, `127.0.0.1:${bound}`);
  return { transport, server, port: bound, got, unreachable, warnings, infos };
}

async function until(what: string, f: () => boolean): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (f()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

t.test('two transports: ordered batched delivery, another cluster refused', async (t) => {
  const addrs = new Map<string, string>();
  const a = await peer('a', 'c1', addrs);
  const b = await peer('b', 'c1', addrs);
  const x = await peer('x', 'c2', addrs);
  t.teardown(() => {
    for (const p of [a, b, x]) {
      p.transport.close();
      p.server.forceShutdown();
    }
  });
  const msgs: Message[] = Array.from({ length: 100 }, (_, i) => ({ from: 'a', to: 'b', term: 1, type: 'heartbeat', commit: i, context: `h${i}` }));
  a.transport.send(msgs.slice(0, 60));
  a.transport.send(msgs.slice(60));
  await until('100 messages at b', () => b.got.length === 100);
  t.same(b.got.map((m) => (m.type === 'heartbeat' ? m.commit : -1)), msgs.map((_, i) => i), 'in order');
  t.ok((a.transport.stats().b?.sent_batches ?? 0) >= 100 / 16, 'cut into batches of at most 16');

  x.transport.send([{ from: 'x', to: 'b', term: 9, type: 'heartbeat', commit: 0, context: '' }]);
  await until('x to notice the refusal', () => x.unreachable.includes('b'));
  t.equal(b.got.length, 100, 'nothing from another cluster was delivered');
  t.ok(b.warnings.some((w) => /another cluster/.test(w)), 'b logged the refusal');
  t.ok(x.warnings.some((w) => /refused our stream/.test(w)), 'x logged that it was refused');
});

t.test('a dead peer costs a bounded queue, not memory', async (t) => {
  const addrs = new Map<string, string>();
  const a = await peer('a', 'c1', addrs, 32);
  addrs.set('dead', '127.0.0.1:1');
  t.teardown(() => {
    a.transport.close();
    a.server.forceShutdown();
  });
  const burst: Message[] = Array.from({ length: 500 }, (_, i) => ({ from: 'a', to: 'dead', term: 1, type: 'heartbeat', commit: i, context: '' }));
  a.transport.send(burst);
  t.ok((a.transport.stats().dead?.queued ?? 0) <= 32, 'the queue holds at most 32');
  t.ok(a.unreachable.length >= 500 - 32, `messages beyond the bound of 32 were dropped and reported (${a.unreachable.length})`);
  const reported = a.unreachable.length;
  await until('the failed stream to be noticed', () => a.unreachable.length > reported);
  // While the link backs off, a second burst is bounded the same way.
  a.transport.send(burst);
  t.ok((a.transport.stats().dead?.queued ?? 0) <= 32, 'still at most 32 queued after the failure');
  await until('the queue to be dropped', () => a.transport.stats().dead?.queued === 0);
  t.pass('nothing is kept for a dead peer');
});

t.test('a peer that comes back and speaks first is answered at once, not after the backoff', async (t) => {
  const addrs = new Map<string, string>();
  // A backoff far longer than the test waits: only the peer's own message can end it.
  const BACKOFF_MS = 20_000;
  const a = await peer('a', 'c1', addrs, 4096, OURS, BACKOFF_MS);
  // b has an address but is down while a sends to it.
  const [b_port] = await freePorts(1);
  const down = [...addrs.keys()];
  addrs.set('b', `127.0.0.1:${b_port!}`);
  const peers: Peer[] = [a];
  t.teardown(() => {
    for (const p of peers) {
      p.transport.close();
      p.server.forceShutdown();
    }
  });
  t.same(down, ['a'], 'only a is up');
  const hb = (from: string, to: string, commit: number): Message => ({ from, to, term: 1, type: 'heartbeat', commit, context: '' });
  a.transport.send([hb('a', 'b', 1)]);
  await until('a to find b unreachable', () => a.unreachable.includes('b'));
  // b starts (on its address) and speaks first; a answers while its backoff has ~20 s left.
  const b = await peer('b', 'c1', addrs, 4096, OURS, DEFAULT_TRANSPORT_LIMITS.backoff_ms_min, b_port!);
  peers.push(b);
  b.transport.send([hb('b', 'a', 7)]);
  await until('a to hear b', () => a.got.length === 1);
  a.transport.send([hb('a', 'b', 2)]);
  await until('b to get a\'s answer well within the backoff', () => b.got.length === 1);
  t.same(b.got.map((m) => (m.type === 'heartbeat' ? m.commit : -1)), [2], 'the answer, not the message sent while b was down');

  // b goes down and comes back again at once: a cut its backoff short less than
  // backoff_ms_max ago, so this time a waits out its backoff (no reconnect per message).
  b.transport.close();
  b.server.forceShutdown();
  const reported = a.unreachable.length;
  a.transport.send([hb('a', 'b', 3)]);
  await until('a to find b down again', () => a.unreachable.length > reported);
  const b2 = await peer('b', 'c1', addrs, 4096, OURS, DEFAULT_TRANSPORT_LIMITS.backoff_ms_min, b_port!);
  peers.push(b2);
  b2.transport.send([hb('b', 'a', 8)]);
  await until('a to hear b again', () => a.got.length === 2);
  a.transport.send([hb('a', 'b', 4)]);
  await new Promise((r) => setTimeout(r, 1_000));
  t.equal(b2.got.length, 0, 'the second answer waits for the backoff');
});

t.test('peers announce their version: recorded and logged, another major refused', async (t) => {
  const addrs = new Map<string, string>();
  const a = await peer('a', 'c1', addrs);
  const b = await peer('b', 'c1', addrs);
  const future = await peer('f', 'c1', addrs, 4096, { ...OURS, protocol_major: 2, protocol_minor: 0 });
  t.teardown(() => {
    for (const p of [a, b, future]) {
      p.transport.close();
      p.server.forceShutdown();
    }
  });
  t.equal(b.transport.peer_versions.get('a'), null, 'nothing known before a stream');
  a.transport.send([{ from: 'a', to: 'b', term: 1, type: 'heartbeat', commit: 1, context: '' }]);
  a.transport.send([{ from: 'a', to: 'b', term: 1, type: 'heartbeat', commit: 2, context: '' }]);
  await until('2 messages at b', () => b.got.length === 2);
  t.same(b.transport.peer_versions.get('a'), OURS, 'b knows what a announced');
  t.same(
    b.infos.filter(([, m]) => m === 'peer version'),
    [[{ from: 'a', version: `protocol ${PEER_PROTOCOL_MAJOR}.${PEER_PROTOCOL_MINOR}, ledger rules 1..2` }, 'peer version']],
    'logged once per stream, with the version',
  );

  future.transport.send([{ from: 'f', to: 'b', term: 1, type: 'heartbeat', commit: 0, context: '' }]);
  await until('f to notice the refusal', () => future.unreachable.includes('b'));
  t.equal(b.got.length, 2, 'nothing from a peer of protocol 2 was delivered');
  t.ok(b.warnings.includes('refused a peer of another protocol major version'), 'b logged the refusal');
  t.ok(future.warnings.includes('peer refused our stream'), 'f logged that it was refused');
  t.equal(b.transport.peer_versions.get('f'), null, 'a refused peer is not recorded');

  a.transport.close();
  await until('the stream from a to close', () => b.transport.peer_versions.get('a') === null);
  t.pass('a closed stream forgets the announcement');
});

t.test('peer version announcements are bounded and checked', async (t) => {
  t.same(peerVersionFromWire(null), UNANNOUNCED, 'absent: a build before announcements');
  t.same(UNANNOUNCED, { protocol_major: 1, protocol_minor: 0, rules_version_min: 1, rules_version_max: 1 });
  t.throws(() => peerVersionFromWire({ protocol_major: 1, protocol_minor: 1, rules_version_min: 0, rules_version_max: 2 }), /ledger rules 0\.\.2: not a range/);
  t.throws(() => peerVersionFromWire({ protocol_major: 1, protocol_minor: 1, rules_version_min: 3, rules_version_max: 2 }), /ledger rules 3\.\.2/);
  t.throws(() => peerVersionFromWire({ protocol_major: 70_000, protocol_minor: 1, rules_version_min: 1, rules_version_max: 2 }), /protocol_major must be an integer 0\.\.65535, got 70000/);
});
