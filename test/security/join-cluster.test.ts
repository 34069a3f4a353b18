// Real stockd processes with TLS: a node started with --join and the cluster's join token
// is added and receives the log; one started with another token is added by mistake but
// never accepts the leader's traffic (its membership stays empty), and says why in its log.

import { freePort } from '../../src/util/free-port.js';
import t from 'tap';
import * as grpc from '@grpc/grpc-js';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { clientChannelCredentials } from '../../src/client/tls.js';
import { loadProtos, makeCerts, nodeProcs, serviceCtor } from './fixture.js';

const certs = makeCerts('n1,n2,n3', 'admin');
const Cluster = serviceCtor(loadProtos(), 'stockraft.v1.Cluster');
const procs = nodeProcs(certs);
t.teardown(() => procs.close());

const token = path.join(certs.dir, 'join.token');
writeFileSync(token, 'cluster-join-secret-0123456789\n');
const wrong = path.join(certs.dir, 'wrong.token');
writeFileSync(wrong, 'some-other-secret-9876543210\n');
const tls = (id: string) => ['--cert', certs.file(`nodes/${id}.crt`), '--key', certs.file(`nodes/${id}.key`), '--ca', certs.file('ca.crt'), '--roles', certs.file('roles.txt')];
const fast = ['--election-ms-min', '300', '--election-ms-max', '600', '--tick-ms', '30'];

type Reply = { code: number; details: string; res: Record<string, unknown> | null };
function call(c: grpc.Client, method: string, req: unknown): Promise<Reply> {
  const fn = (c as unknown as Record<string, (r: unknown, o: grpc.CallOptions, cb: (e: grpc.ServiceError | null, r?: Record<string, unknown>) => void) => void>)[method];
  if (fn === undefined) throw new Error(`no method ${method}`);
  return new Promise((resolve) => {
    fn.call(c, req, { deadline: Date.now() + 5000 }, (err, res) => resolve(err ? { code: err.code, details: err.details, res: null } : { code: 0, details: '', res: res ?? null }));
  });
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Polls until `pred` holds on a reply: at most 200 tries, 100 ms apart. */
async function poll(c: grpc.Client, method: string, req: unknown, pred: (r: Reply) => boolean): Promise<Reply> {
  let r: Reply = { code: -1, details: 'not tried', res: null };
  for (let i = 0; i < 200; i++) {
    r = await call(c, method, req);
    if (pred(r)) return r;
    await sleep(100);
  }
  return r;
}

t.test('the join token admits the real joiner, not one with another token', async (t) => {
  const [p1, p2, p3] = [await freePort(), await freePort(), await freePort()];
  procs.startNode('n1', ['--listen', `127.0.0.1:${p1}`, '--data', path.join(certs.dir, 'd1'), '--initial-cluster', `n1=127.0.0.1:${p1}`, '--join-token-file', token, ...fast, ...tls('n1')]);
  const admin = (port: number) => procs.track(new Cluster(`127.0.0.1:${port}`, clientChannelCredentials({ ca: certs.file('ca.crt'), cert: certs.file('clients/admin.crt'), key: certs.file('clients/admin.key') })));
  const a1 = admin(p1);
  const s1 = await poll(a1, 'Status', {}, (r) => r.res?.['leader_id'] === 'n1');
  t.equal(s1.res?.['leader_id'], 'n1', 'n1 leads');
  const cluster_id = String(s1.res?.['cluster_id']);

  procs.startNode('n2', ['--listen', `127.0.0.1:${p2}`, '--data', path.join(certs.dir, 'd2'), '--join', '--cluster-id', cluster_id, '--join-token-file', token, ...fast, ...tls('n2')]);
  procs.startNode('n3', ['--listen', `127.0.0.1:${p3}`, '--data', path.join(certs.dir, 'd3'), '--join', '--cluster-id', cluster_id, '--join-token-file', wrong, ...fast, ...tls('n3')]);
  const a2 = admin(p2);
  const a3 = admin(p3);
  t.equal((await poll(a2, 'Status', {}, (r) => r.code === 0)).code, 0, 'n2 serves');
  t.equal((await poll(a3, 'Status', {}, (r) => r.code === 0)).code, 0, 'n3 serves');
  t.equal((await poll(a1, 'AddLearner', { id: 'n2', address: `127.0.0.1:${p2}` }, (r) => r.code === 0)).code, 0, 'n2 added');
  t.equal((await poll(a1, 'AddLearner', { id: 'n3', address: `127.0.0.1:${p3}` }, (r) => r.code === 0)).code, 0, 'n3 added (by mistake)');
  const joined = await poll(a2, 'Status', {}, (r) => ((r.res?.['members'] as unknown[] | undefined)?.length ?? 0) >= 2);
  t.ok(((joined.res?.['members'] as unknown[] | undefined)?.length ?? 0) >= 2, 'n2 learned its membership from the leader');
  t.ok(Number(joined.res?.['applied_index']) > 0, 'and applies the log');
  await sleep(1500);
  const s3 = await call(a3, 'Status', {});
  t.same(s3.res?.['members'], [], 'n3 (another token) still has no members');
  t.equal(s3.res?.['applied_index'], 0, 'and received nothing');
  const log3 = readFileSync(path.join(certs.dir, 'n3-2.log'), 'utf8');
  t.match(log3, /refused \/stockraft\.raft\.Raft\/\w+ .*this node is joining and the join proof presented does not match its --join-token-file/, 'n3 logged why it refused the leader');
  const all = ['n1-0', 'n2-1', 'n3-2'].map((f) => readFileSync(path.join(certs.dir, `${f}.log`), 'utf8')).join('');
  t.notOk(all.includes('cluster-join-secret') || all.includes('some-other-secret'), 'no token in any log');
});
