// The transport's running counts behind stockd_peer_messages_dropped_total and
// stockd_snapshot_send_failures_total: a dead peer's overflow is counted per peer, and a
// snapshot that cannot be sent counts a send failure.

import t from 'tap';
import * as grpc from '@grpc/grpc-js';
import { DEFAULT_TRANSPORT_LIMITS, GrpcTransport, raftServiceClient, type TransportHost } from '../../src/node/transport-grpc.js';
import type { Message } from '../../src/raft/types.js';

interface Peer {
  transport: GrpcTransport;
  server: grpc.Server;
  snapshot_results: boolean[];
}

async function peer(id: string, addresses: Map<string, string>, queue_messages_max: number): Promise<Peer> {
  const snapshot_results: boolean[] = [];
  const quiet = (): undefined => undefined;
  const host: TransportHost = {
    cluster_id: 'c1',
    self_id: id,
    self_address: '',
    self_version: { protocol_major: 1, protocol_minor: 1, rules_version_min: 1, rules_version_max: 2 },
    staging: { beginStaging: () => Promise.reject(new Error('not in this test')), stageRecords: () => Promise.resolve(), discardStaging: quiet },
    snapshot_hook: null,
    log: { info: quiet, debug: quiet, warn: quiet },
    addressOf: (x) => addresses.get(x) ?? null,
    isKnownSender: (x) => addresses.has(x),
    learnAddress: quiet,
    onMessages: quiet,
    onUnreachable: quiet,
    onSnapshot: () => Promise.resolve({ accepted: false, detail: 'not in this test' }),
    onSnapshotSent: (_to, ok) => snapshot_results.push(ok),
    onSnapshotReceived: quiet,
    onSnapshotFailed: quiet,
    openSnapshot: () => Promise.reject(new Error('no snapshot in this test')),
  };
  const transport = new GrpcTransport(host, { ...DEFAULT_TRANSPORT_LIMITS, queue_messages_max });
  const server = new grpc.Server();
  server.addService(raftServiceClient('Raft').service, transport.service());
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  addresses.set(id, `127.0.0.1:${port}`);
  return { transport, server, snapshot_results };
}

async function until(what: string, f: () => boolean): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (f()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

t.test('dropped messages are counted per peer; a failed snapshot send is counted', async (t) => {
  const addrs = new Map<string, string>();
  const a = await peer('a', addrs, 32);
  addrs.set('dead', '127.0.0.1:1');
  t.teardown(() => {
    a.transport.close();
    a.server.forceShutdown();
  });
  t.same(a.transport.counts().dropped_by_peer, new Map(), 'nothing before any link');
  const burst: Message[] = Array.from({ length: 100 }, (_, i) => ({ from: 'a', to: 'dead', term: 1, type: 'heartbeat', commit: i, context: '' }));
  a.transport.send(burst);
  t.equal(a.transport.counts().dropped_by_peer.get('dead'), 100 - 32, 'the 68 beyond the bound of 32');

  a.transport.send([{ from: 'a', to: 'dead', term: 1, type: 'snapshot', snapshot: { index: 1, term: 1, conf_state: { voters: ['a'], learners: [] } } }]);
  await until('the snapshot send to fail', () => a.snapshot_results.length === 1);
  const c = a.transport.counts();
  t.same([c.snapshots_sent, c.snapshot_send_failures], [0, 1]);
});
