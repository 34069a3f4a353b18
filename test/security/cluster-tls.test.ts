// A real 3-node cluster of stockd processes with TLS on: clients are checked end to end
// (through forwarding to the leader), and rogue nodes with certificates from another CA
// cannot join (a learner added for them never receives the log) nor disturb the cluster
// (an impostor of member n2 campaigning against it changes neither term nor leader).

import { freePort } from '../../src/util/free-port.js';
import t from 'tap';
import * as grpc from '@grpc/grpc-js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { clientChannelCredentials } from '../../src/client/tls.js';
import { loadProtos, makeCerts, nodeProcs, serviceCtor } from './fixture.js';

const certs = makeCerts('n1,n2,n3,n4', 'admin,stock,reader');
const pkg = loadProtos();
const Inventory = serviceCtor(pkg, 'stockraft.v1.Inventory');
const Cluster = serviceCtor(pkg, 'stockraft.v1.Cluster');

const procs = nodeProcs(certs);
t.teardown(() => procs.close());
const startNode = procs.startNode;

/** Node flags with the certificate from `dir` and the CA from `ca_dir`: a rogue that knows
 * the cluster's (public) CA certificate trusts it, but cannot get a certificate from it. */
function tlsFlags(dir: string, id: string, ca_dir = dir): string[] {
  return ['--cert', certs.file(`${dir}/nodes/${id}.crt`), '--key', certs.file(`${dir}/nodes/${id}.key`), '--ca', certs.file(`${ca_dir}/ca.crt`), '--roles', certs.file('roles.txt')];
}

function client(ctor: grpc.ServiceClientConstructor, address: string, dir: string, who: string | null, ca_dir = dir): grpc.Client {
  const ca = certs.file(`${ca_dir}/ca.crt`);
  const creds =
    who === null ? grpc.credentials.createInsecure() : clientChannelCredentials({ ca, cert: certs.file(`${dir}/clients/${who}.crt`), key: certs.file(`${dir}/clients/${who}.key`) });
  return procs.track(new ctor(address, creds));
}

type Reply = { code: number; details: string; res: Record<string, unknown> | null };
function call(c: grpc.Client, method: string, req: unknown): Promise<Reply> {
  const fn = (c as unknown as Record<string, (r: unknown, o: grpc.CallOptions, cb: (e: grpc.ServiceError | null, r?: Record<string, unknown>) => void) => void>)[method];
  if (fn === undefined) throw new Error(`no method ${method}`);
  return new Promise((resolve) => {
    fn.call(c, req, { deadline: Date.now() + 5000 }, (err, res) => resolve(err ? { code: err.code, details: err.details, res: null } : { code: 0, details: '', res: res ?? null }));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Retries (same request, so the same op id: idempotent) while the cluster is between
 * leaders or busy: at most 30 attempts, 200 ms apart. Any other answer is returned. */
async function callRetry(c: grpc.Client, method: string, req: unknown): Promise<Reply> {
  let r: Reply = { code: grpc.status.UNAVAILABLE, details: 'not tried', res: null };
  for (let i = 0; i < 30; i++) {
    r = await call(c, method, req);
    if (r.code !== grpc.status.UNAVAILABLE && r.code !== grpc.status.DEADLINE_EXCEEDED) return r;
    await sleep(200);
  }
  return r;
}

/** Polls Status until `pred` holds (at most attempts_max times, 100 ms apart). */
async function until(c: grpc.Client, pred: (s: Record<string, unknown>) => boolean, attempts_max = 150): Promise<Record<string, unknown> | null> {
  for (let i = 0; i < attempts_max; i++) {
    const r = await call(c, 'Status', {});
    if (r.code === 0 && r.res !== null && pred(r.res)) return r.res;
    await sleep(100);
  }
  return null;
}

t.test('TLS cluster: clients checked end to end; rogue nodes cannot join or disturb', async (t) => {
  const ports = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
  const [p1, p2, p3, p4, p5] = ports as [number, number, number, number, number];
  const initial = `n1=127.0.0.1:${p1},n2=127.0.0.1:${p2},n3=127.0.0.1:${p3}`;
  for (const [id, port] of [['n1', p1], ['n2', p2], ['n3', p3]] as const) {
    startNode(id, ['--listen', `127.0.0.1:${port}`, '--data', path.join(certs.dir, `data-${id}`), '--initial-cluster', initial, ...tlsFlags('.', id)]);
  }
  const admin1 = client(Cluster, `127.0.0.1:${p1}`, '.', 'admin');
  const s0 = await until(admin1, (s) => typeof s['leader_id'] === 'string' && s['leader_id'] !== '');
  t.ok(s0, 'a leader is elected over mutual TLS');
  if (s0 === null) return;

  // Clients, through any node (followers forward to the leader with their node certificate).
  const stock = client(Inventory, `127.0.0.1:${p2}`, '.', 'stock');
  const adj = await callRetry(stock, 'Adjust', { op_id: 'sec-1', sku: 'SKU-1', location: 'L1', delta: 10, reason: 'receive', reference: 'po-1' });
  t.equal(adj.code, 0, 'stock adjusts');
  t.equal(adj.res?.['code'], 'RESULT_CODE_OK');
  const reader = client(Inventory, `127.0.0.1:${p3}`, '.', 'reader');
  const denied = await call(reader, 'Adjust', { op_id: 'sec-2', sku: 'SKU-1', location: 'L1', delta: 5, reason: 'x', reference: 'y' });
  t.equal(denied.code, grpc.status.PERMISSION_DENIED, 'reader may not adjust');
  const plain = await call(client(Inventory, `127.0.0.1:${p1}`, '.', null), 'GetPosition', { sku: 'SKU-1', location: 'L1' });
  t.equal(plain.code, grpc.status.UNAVAILABLE, 'plaintext client cannot connect');
  const rogueAdmin = client(Cluster, `127.0.0.1:${p1}`, 'rogue', 'admin', '.');
  const rogueAdd = await call(rogueAdmin, 'AddLearner', { id: 'n4', address: `127.0.0.1:${p4}` });
  t.equal(rogueAdd.code, grpc.status.UNAUTHENTICATED, 'an admin certificate from another CA cannot add a member');
  const seen = await callRetry(reader, 'GetPosition', { sku: 'SKU-1', location: 'L1' });
  t.equal((seen.res?.['position'] as { on_hand?: number } | undefined)?.on_hand, 10, 'the denied adjust changed nothing');

  // An impostor of n2 with a certificate from the rogue CA campaigns against n1 and n3.
  const before = await until(admin1, () => true);
  startNode('n2', [
    '--listen', `127.0.0.1:${p5}`, '--data', path.join(certs.dir, 'data-impostor'), '--initial-cluster', initial,
    '--election-ms-min', '200', '--election-ms-max', '400', '--tick-ms', '20', ...tlsFlags('rogue', 'n2', '.'),
  ]);
  // A rogue n4 waits to be added; even if a real admin adds it, it never gets the log.
  startNode('n4', ['--listen', `127.0.0.1:${p4}`, '--data', path.join(certs.dir, 'data-n4'), '--join', '--cluster-id', String(s0['cluster_id']), '--initial-cluster', initial, ...tlsFlags('rogue', 'n4')]);
  const add = await callRetry(admin1, 'AddLearner', { id: 'n4', address: `127.0.0.1:${p4}` });
  t.equal(add.code, 0, 'a real admin adds a learner n4 (by mistake, at the rogue address)');
  const trails = ['n1', 'n2', 'n3'].map((id) => {
    try {
      return readFileSync(path.join(certs.dir, `data-${id}`, 'admin-audit.jsonl'), 'utf8');
    } catch {
      return '';
    }
  });
  t.match(trails[0], /"principal":"admin","action":"\/stockraft\.v1\.Cluster\/AddLearner".*"outcome":"OK"/, 'the node that took the call audited it with the principal');
  const leaderTrail = trails[['n1', 'n2', 'n3'].indexOf(String(s0['leader_id']))] ?? '';
  if (s0['leader_id'] !== 'n1') t.match(leaderTrail, /"principal":"admin via node:n1"/, 'the leader audited the forwarded call with the original principal');
  const rogueStatus = client(Cluster, `127.0.0.1:${p4}`, 'rogue', 'admin');
  // Give the impostor many election timeouts and the leader many heartbeats to n4.
  for (let i = 0; i < 20; i++) {
    await callRetry(stock, 'Adjust', { op_id: `sec-bg-${i}`, sku: 'SKU-2', location: 'L1', delta: 1, reason: 'receive', reference: 'po-2' });
    await sleep(100);
  }
  const after = await until(admin1, () => true);
  t.equal(after?.['term'], before?.['term'], 'the impostor did not move the term');
  t.equal(after?.['leader_id'], before?.['leader_id'], 'nor the leader');
  // A loaded machine may take many seconds to start a fourth process: wait for it (bounded).
  let r4 = await call(rogueStatus, 'Status', {});
  for (let i = 0; i < 150 && r4.code !== 0; i++) {
    await sleep(200);
    r4 = await call(rogueStatus, 'Status', {});
  }
  t.equal(r4.code, 0, 'the rogue n4 answers its own CA');
  t.equal(r4.res?.['applied_index'], 0, 'the rogue n4 never received the log');
  const n4 = (after?.['members'] as Array<{ id: string; match_index: number }> | undefined)?.find((m) => m.id === 'n4');
  t.equal(n4?.match_index ?? 0, 0, 'the leader never matched n4');
  const final = await callRetry(reader, 'GetPosition', { sku: 'SKU-2', location: 'L1' });
  t.equal((final.res?.['position'] as { on_hand?: number } | undefined)?.on_hand, 20, 'the cluster kept working throughout');
  // Log lines reach the files through pipes: poll for the refusal (at most 20 s).
  const refused = /refused \/stockraft\.raft\.Raft\/Stream .*UNAUTHENTICATED/;
  const readLogs = (): string => ['n1-0', 'n2-1', 'n3-2'].map((f) => readFileSync(path.join(certs.dir, `${f}.log`), 'utf8')).join('\n');
  let logs = readLogs();
  for (let i = 0; i < 100 && !refused.test(logs); i++) {
    await sleep(200);
    logs = readLogs();
  }
  t.match(logs, refused, 'members logged the refused rogue streams');
});
