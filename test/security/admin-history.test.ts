// A real 3-node TLS cluster with bearer tokens: membership changes and a leadership
// transfer made through the Cluster service by a token principal (and a role reload on
// the leader's SIGHUP) become ADMIN events of the replicated admin history, naming that
// principal (also when a follower passed the call on), identical and hash-chained on
// every node.

import { freePort } from '../../src/util/free-port.js';
import t from 'tap';
import * as grpc from '@grpc/grpc-js';
import { appendFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { clientChannelCredentials } from '../../src/client/tls.js';
import { makeToken, tokenFileLine } from '../../src/server/security/tokens.js';
import { verifyHistory } from '../../src/ledger/history.js';
import type { AdminEvent } from '../../src/ledger/types.js';
import { loadProtos, makeCerts, nodeProcs, serviceCtor, writeFile } from './fixture.js';

const certs = makeCerts('n1,n2,n3', 'admin,reader');
const Cluster = serviceCtor(loadProtos(), 'stockraft.v1.Cluster');
const TOKEN = makeToken();
const tokens_file = writeFile(certs.dir, 'tokens.txt', tokenFileLine('ops-token', TOKEN) + '\n');
const roles_file = writeFile(certs.dir, 'roles-admin-history.txt', readFileSync(certs.file('roles.txt'), 'utf8') + '\nops-token admin\n');

const procs = nodeProcs(certs);
t.teardown(() => procs.close());
const startNode = procs.startNode;

/** A Cluster client authenticated by the admin certificate, or (who = 'token') by the bearer token. */
function clusterClient(address: string, who: 'admin' | 'reader' | 'token'): grpc.Client {
  const ca = certs.file('ca.crt');
  const creds = who === 'token' ? clientChannelCredentials({ ca }) : clientChannelCredentials({ ca, cert: certs.file(`clients/${who}.crt`), key: certs.file(`clients/${who}.key`) });
  return procs.track(new Cluster(address, creds));
}

type Reply = { code: number; details: string; res: Record<string, unknown> | null };
function call(c: grpc.Client, method: string, req: unknown, token = false): Promise<Reply> {
  const fn = (c as unknown as Record<string, (r: unknown, m: grpc.Metadata, o: grpc.CallOptions, cb: (e: grpc.ServiceError | null, r?: Record<string, unknown>) => void) => void>)[method];
  if (fn === undefined) throw new Error(`no method ${method}`);
  const md = new grpc.Metadata();
  if (token) md.set('authorization', `Bearer ${TOKEN}`);
  return new Promise((resolve) => {
    fn.call(c, req, md, { deadline: Date.now() + 8000 }, (err, res) => resolve(err ? { code: err.code, details: err.details, res: null } : { code: 0, details: '', res: res ?? null }));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Retries while the cluster is between leaders: at most 30 attempts, 200 ms apart. */
async function callRetry(c: grpc.Client, method: string, req: unknown, token = false): Promise<Reply> {
  let r: Reply = { code: grpc.status.UNAVAILABLE, details: 'not tried', res: null };
  for (let i = 0; i < 30; i++) {
    r = await call(c, method, req, token);
    if (r.code !== grpc.status.UNAVAILABLE && r.code !== grpc.status.DEADLINE_EXCEEDED) return r;
    await sleep(200);
  }
  return r;
}

/** One node's own admin history once it holds `count` events (at most 100 polls, 100 ms apart). */
async function adminEventsOf(c: grpc.Client, count: number): Promise<{ events: AdminEvent[]; head_seq: number; head_hash: string } | null> {
  for (let i = 0; i < 100; i++) {
    const r = await call(c, 'ListAdminEvents', { after_seq: 0, limit: 100, consistency: 'CONSISTENCY_SERIALIZABLE' });
    const events = (r.res?.['events'] as Omit<AdminEvent, 'kind'>[] | undefined) ?? [];
    if (r.code === 0 && events.length >= count) {
      return { events: events.map((e) => ({ kind: 'ADMIN', ...e })), head_seq: Number(r.res?.['head_seq']), head_hash: String(r.res?.['head_hash']) };
    }
    await sleep(100);
  }
  return null;
}

t.test('admin actions by a token principal are ADMIN events on every node', async (t) => {
  const ports = [await freePort(), await freePort(), await freePort(), await freePort()];
  const ids = ['n1', 'n2', 'n3'];
  const initial = ids.map((id, i) => `${id}=127.0.0.1:${ports[i]}`).join(',');
  ids.forEach((id, i) => {
    startNode(id, [
      '--listen', `127.0.0.1:${ports[i]}`, '--data', path.join(certs.dir, `data-${id}`), '--initial-cluster', initial,
      '--cert', certs.file(`nodes/${id}.crt`), '--key', certs.file(`nodes/${id}.key`), '--ca', certs.file('ca.crt'),
      '--roles', roles_file, '--auth-tokens', tokens_file,
    ]);
  });
  const admins = ports.slice(0, 3).map((p) => clusterClient(`127.0.0.1:${p}`, 'admin'));
  let leader = '';
  for (let i = 0; i < 150 && leader === ''; i++) {
    const s = await call(admins[0] as grpc.Client, 'Status', {});
    if (s.code === 0 && typeof s.res?.['leader_id'] === 'string') leader = s.res['leader_id'];
    if (leader === '') await sleep(100);
  }
  t.not(leader, '', 'a leader is elected');
  if (leader === '') return;
  const li = ids.indexOf(leader);
  const fi = (li + 1) % 3;
  const follower = ids[fi] as string;
  const toLeader = clusterClient(`127.0.0.1:${ports[li]}`, 'token');
  const toFollower = clusterClient(`127.0.0.1:${ports[fi]}`, 'token');

  const add = await callRetry(toLeader, 'AddLearner', { id: 'n4', address: `127.0.0.1:${ports[3]}` }, true);
  t.equal(add.code, 0, `AddLearner by the token principal at the leader: ${add.details}`);
  const rm = await callRetry(toFollower, 'Remove', { id: 'n4' }, true);
  t.equal(rm.code, 0, `Remove by the token principal through a follower: ${rm.details}`);
  const certAdd = await callRetry(admins[fi] as grpc.Client, 'AddLearner', { id: 'n5', address: '127.0.0.1:1' });
  t.equal(certAdd.code, 0, `AddLearner by the admin certificate through a follower: ${certAdd.details}`);
  const tr = await callRetry(toLeader, 'TransferLeadership', { to: follower }, true);
  t.equal(tr.code, 0, `TransferLeadership by the token principal: ${tr.details}`);

  // A role change picked up on SIGHUP by the (new) leader is recorded too.
  // The node named must say so itself: right after a transfer another node's view of the
  // leader may still be the former one, and a reload on a follower is only audited locally.
  let now_leader = '';
  for (let i = 0; i < 100 && now_leader === ''; i++) {
    const s = await call(admins[0] as grpc.Client, 'Status', {});
    const named = s.code === 0 && typeof s.res?.['leader_id'] === 'string' ? s.res['leader_id'] : '';
    const own = ids.indexOf(named) >= 0 ? await call(admins[ids.indexOf(named)] as grpc.Client, 'Status', {}) : null;
    if (own !== null && own.code === 0 && own.res?.['role'] === 'leader' && own.res?.['leader_id'] === named) now_leader = named;
    else await sleep(100);
  }
  appendFileSync(roles_file, 'newcomer reader\n');
  const leader_process = procs.children[ids.indexOf(now_leader)];
  t.ok(leader_process?.pid, `the leader ${now_leader} is one of the started processes`);
  leader_process?.kill('SIGHUP');

  const denied = await call(clusterClient(`127.0.0.1:${ports[0]}`, 'reader'), 'ListAdminEvents', {});
  t.equal(denied.code, grpc.status.PERMISSION_DENIED, 'a reader may not list the admin history');

  const views = [];
  for (const c of admins) views.push(await adminEventsOf(c, 5));
  const first = views[0];
  t.ok(first, 'node 1 holds the admin events');
  if (!first) return;
  const [e1, e2, e3, e4, e5] = first.events;
  t.match(e1, { seq: 1, action: 'add_learner', target: 'n4', principal: 'ops-token', detail: new RegExp(`127\\.0\\.0\\.1:${ports[3]}`) });
  // The follower passes the bearer token on, so the leader authenticates the caller itself
  // (a certificate caller would read 'admin via node:<follower>').
  t.match(e2, { seq: 2, action: 'remove', target: 'n4', principal: /^ops-token( via node:n\d)?$/ }, 'a forwarded call names the caller');
  t.match(e3, { seq: 3, action: 'add_learner', target: 'n5', principal: `admin via node:${follower}` }, 'a forwarded certificate call names the caller and the member');
  t.match(e4, { seq: 4, action: 'transfer_leadership', target: follower, principal: 'ops-token' });
  t.match(e5, { seq: 5, action: 'roles_reload', target: now_leader, principal: 'operator (SIGHUP)', detail: /newcomer/ });
  t.match(verifyHistory(first.events, [], { seq: first.head_seq, head: first.head_hash }), { ok: true, admin_events: 5 }, 'the chain verifies against the stored head');
  views.forEach((v, i) => t.same(v?.events, first.events, `node ${ids[i]} holds the same admin history`));
  const audit = readFileSync(path.join(certs.dir, `data-${leader}`, 'admin-audit.jsonl'), 'utf8');
  t.match(audit, /"principal":"ops-token","action":"\/stockraft\.v1\.Cluster\/AddLearner"/, 'the local audit file is kept as well');
});
