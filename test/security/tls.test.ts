// With TLS on, against a real gRPC server on loopback: plaintext clients, certificates from
// another CA, expired certificates, wrong tokens, roles outside their rights, Submit's
// per-op check, the message size limit, per-principal stream bounds, peer identity checks
// in both directions, and reloading roles on SIGHUP.

import t from 'tap';
import * as grpc from '@grpc/grpc-js';
import { clientChannelCredentials, bearerTokenInterceptor } from '../../src/client/tls.js';
import { makeToken, tokenFileLine } from '../../src/server/security/tokens.js';
import { ALLOWED } from './expected-rights.js';
import { loadProtos, makeCerts, serviceCtor, startStubServer, unaryCode, writeFile, type StubServer } from './fixture.js';

const certs = makeCerts();
t.teardown(() => certs.cleanup());
const pkg = loadProtos();
const INV = serviceCtor(pkg, 'stockraft.v1.Inventory').service;
const CLU = serviceCtor(pkg, 'stockraft.v1.Cluster').service;
const RAFT = serviceCtor(pkg, 'stockraft.raft.Raft').service;
const HEALTH = serviceCtor(pkg, 'grpc.health.v1.Health').service;
const { OK, UNAUTHENTICATED, PERMISSION_DENIED, RESOURCE_EXHAUSTED, UNAVAILABLE } = grpc.status;

const ordersToken = makeToken();
const tokensFile = writeFile(certs.dir, 'tokens.txt', tokenFileLine('orders', ordersToken) + '\n');
const rolesFile = writeFile(certs.dir, 'roles-test.txt', 'admin admin\norders order\nstock stock\nreader reader\n');

const clients: grpc.Client[] = [];
function clientWith(address: string, creds: grpc.ChannelCredentials, opts: grpc.ClientOptions = {}): grpc.Client {
  const c = new grpc.Client(address, creds, opts);
  clients.push(c);
  return c;
}
function certClient(address: string, dir: string, name: string): grpc.Client {
  return clientWith(address, clientChannelCredentials({ ca: certs.file('ca.crt'), cert: certs.file(`${dir}/${name}.crt`), key: certs.file(`${dir}/${name}.key`) }));
}

let srv: StubServer;
t.before(async () => {
  srv = await startStubServer({
    cert: certs.file('nodes/n1.crt'),
    key: certs.file('nodes/n1.key'),
    ca: certs.file('ca.crt'),
    authTokens: tokensFile,
    roles: rolesFile,
    principalStreamsMax: 2,
  });
});
t.teardown(async () => {
  for (const c of clients) c.close();
  await srv.close();
});

const pos = { sku: 'SKU-1', location: 'L1' };
const handled = (path: string) => srv.seen.filter((s) => s.path === path).length;

t.test('a plaintext client cannot talk to a TLS node', async (t) => {
  const c = clientWith(srv.address, grpc.credentials.createInsecure());
  const r = await unaryCode(c, INV, 'GetPosition', pos);
  t.equal(r.code, UNAVAILABLE);
  t.equal(handled('/stockraft.v1.Inventory/GetPosition'), 0, 'no handler ran');
});

t.test('certificates: valid ones identify, others are UNAUTHENTICATED', async (t) => {
  const admin = certClient(srv.address, 'clients', 'admin');
  t.equal((await unaryCode(admin, INV, 'GetPosition', pos)).code, OK, 'admin reads');
  t.equal((await unaryCode(admin, CLU, 'TransferLeadership', { id: 'n2' })).code, OK, 'admin transfers leadership');
  t.equal(srv.seen.at(-1)?.principal, 'admin', 'the handler sees the principal');
  const before = srv.seen.length;
  const rogue = certClient(srv.address, 'rogue/clients', 'admin');
  const r1 = await unaryCode(rogue, INV, 'GetPosition', pos);
  t.equal(r1.code, UNAUTHENTICATED, 'client cert from another CA');
  t.match(r1.details, /no valid credentials/);
  const expired = certClient(srv.address, 'expired/clients', 'admin');
  t.equal((await unaryCode(expired, INV, 'GetPosition', pos)).code, UNAUTHENTICATED, 'expired client cert');
  const none = clientWith(srv.address, clientChannelCredentials({ ca: certs.file('ca.crt') }));
  t.equal((await unaryCode(none, INV, 'GetPosition', pos)).code, UNAUTHENTICATED, 'TLS without cert or token');
  t.equal((await unaryCode(none, HEALTH, 'Check', { service: '' })).code, OK, 'health needs no credentials');
  t.equal(srv.seen.length, before + 1, 'only the health handler ran');
});

t.test('tokens: a known token identifies, a wrong one is UNAUTHENTICATED', async (t) => {
  const good = clientWith(srv.address, clientChannelCredentials({ ca: certs.file('ca.crt') }), { interceptors: [bearerTokenInterceptor(ordersToken)] });
  t.equal((await unaryCode(good, INV, 'Reserve', { reservation_id: 'r1' })).code, OK);
  t.equal(srv.seen.at(-1)?.principal, 'orders');
  const wrong = clientWith(srv.address, clientChannelCredentials({ ca: certs.file('ca.crt') }), { interceptors: [bearerTokenInterceptor(makeToken())] });
  const r = await unaryCode(wrong, INV, 'GetPosition', pos);
  t.equal(r.code, UNAUTHENTICATED);
  t.match(r.details, /token not recognised/);
  const md = new grpc.Metadata();
  md.set('x-stockraft-principal', 'admin');
  const forged = await unaryCode(wrong, CLU, 'Snapshot', {}, md);
  t.equal(forged.code, UNAUTHENTICATED, 'a forged principal header gives nothing');
});

t.test('each role outside its rights is PERMISSION_DENIED and nothing runs', async (t) => {
  const cases: Array<[string, grpc.ServiceDefinition, string, unknown]> = [
    ['reader', INV, 'Reserve', { reservation_id: 'r2' }],
    ['reader', INV, 'Adjust', { op_id: 'o1' }],
    ['reader', CLU, 'AddLearner', { id: 'n9', address: '127.0.0.1:1' }],
    ['orders', INV, 'Adjust', { op_id: 'o2' }],
    ['orders', CLU, 'Remove', { id: 'n3' }],
    ['stock', INV, 'Commit', { reservation_id: 'r2' }],
    ['stock', CLU, 'Snapshot', {}],
    ['stock', CLU, 'TransferLeadership', { id: 'n2' }],
  ];
  for (const [who, svc, method, req] of cases) {
    const path = svc[method]?.path ?? '';
    const ran = handled(path);
    const r = await unaryCode(certClient(srv.address, 'clients', who), svc, method, req);
    t.equal(r.code, PERMISSION_DENIED, `${who} ${method}`);
    t.match(r.details, /needs role '/);
    t.equal(handled(path), ran, `${method} handler did not run for ${who}`);
  }
});

/** Calls any method by its definition and resolves with the final status code. */
function anyCall(c: grpc.Client, def: grpc.MethodDefinition<unknown, unknown>): Promise<number> {
  const opts = { deadline: Date.now() + 10_000 };
  return new Promise((resolve) => {
    if (!def.requestStream && !def.responseStream) {
      c.makeUnaryRequest(def.path, def.requestSerialize, def.responseDeserialize, {}, new grpc.Metadata(), opts, (err) => resolve(err ? err.code : OK));
    } else if (def.requestStream) {
      const call = c.makeClientStreamRequest(def.path, def.requestSerialize, def.responseDeserialize, new grpc.Metadata(), opts, (err) => resolve(err ? err.code : OK));
      call.on('error', () => {});
      call.end();
    } else {
      const call = c.makeServerStreamRequest(def.path, def.requestSerialize, def.responseDeserialize, {}, new grpc.Metadata(), opts);
      call.on('error', () => {});
      call.on('data', () => {});
      call.on('status', (st: grpc.StatusObject) => resolve(st.code));
      // An allowed stream stays open (the stub never ends it): the metadata shows it passed.
      call.on('metadata', () => {
        call.cancel();
        resolve(OK);
      });
    }
  });
}

t.test('over TLS, each role calling each method outside its rights is PERMISSION_DENIED', async (t) => {
  const who: Record<string, string> = { reader: 'reader', order: 'orders', stock: 'stock', admin: 'admin' };
  const svcs = [INV, CLU, RAFT, HEALTH];
  for (const [role, cert] of Object.entries(who)) {
    const c = certClient(srv.address, 'clients', cert);
    for (const svc of svcs) {
      for (const def of Object.values(svc)) {
        const ran = handled(def.path);
        const code = await anyCall(c, def as grpc.MethodDefinition<unknown, unknown>);
        if (ALLOWED[role]?.has(def.path)) {
          t.equal(code, OK, `${role} may call ${def.path}`);
        } else {
          t.equal(code, PERMISSION_DENIED, `${role} may not call ${def.path}`);
          t.equal(handled(def.path), ran, `${def.path} did not run for ${role}`);
        }
      }
    }
  }
});

t.test('Submit: every op is checked before the handler sees the request', async (t) => {
  const orders = certClient(srv.address, 'clients', 'orders');
  const ran = handled('/stockraft.v1.Inventory/Submit');
  const mixed = { ops: [{ reserve: { reservation_id: 'r3', lines: [{ sku: 'A', location: 'L', quantity: 1 }], ttl_ms: 60000, order_ref: 'o' } }, { adjust: { op_id: 'a1', sku: 'A', location: 'L', delta: 5 } }] };
  const r = await unaryCode(orders, INV, 'Submit', mixed);
  t.equal(r.code, PERMISSION_DENIED);
  t.match(r.details, /ops\[1\] \(adjust\) needs role 'stock'/);
  t.equal(handled('/stockraft.v1.Inventory/Submit'), ran);
  t.equal((await unaryCode(orders, INV, 'Submit', { ops: [mixed.ops[0]] })).code, OK, 'orders alone is fine');
});

t.test('a message over 4 MiB is refused before decoding', async (t) => {
  const admin = certClient(srv.address, 'clients', 'admin');
  const ran = handled('/stockraft.v1.Inventory/Adjust');
  const r = await unaryCode(admin, INV, 'Adjust', { op_id: 'big', sku: 'x'.repeat(5 * 1024 * 1024) });
  t.equal(r.code, RESOURCE_EXHAUSTED);
  t.equal(handled('/stockraft.v1.Inventory/Adjust'), ran);
});

t.test('per-principal Watch streams are bounded', async (t) => {
  const reader = certClient(srv.address, 'clients', 'reader');
  const def = INV['Watch'];
  if (def === undefined) throw new Error('no Watch');
  const open = (): Promise<{ stream: grpc.ClientReadableStream<unknown>; code: Promise<number> }> => {
    const stream = reader.makeServerStreamRequest(def.path, def.requestSerialize, def.responseDeserialize, { from_index: 1 }, new grpc.Metadata(), {});
    const code = new Promise<number>((resolve) => {
      stream.on('status', (s: grpc.StatusObject) => resolve(s.code));
      stream.on('error', () => {});
      stream.on('data', () => {});
    });
    return Promise.resolve({ stream, code });
  };
  const waitHandled = async (n: number) => {
    for (let i = 0; i < 200 && handled(def.path) < n; i++) await new Promise((r) => setTimeout(r, 10));
  };
  const base = handled(def.path);
  const a = await open();
  const b = await open();
  await waitHandled(base + 2);
  t.equal(handled(def.path), base + 2, 'two streams open');
  const c = await open();
  t.equal(await c.code, RESOURCE_EXHAUSTED, 'the third is refused');
  a.stream.cancel();
  await a.code;
  // The slot is freed once the server sees the cancel; retry a bounded number of times.
  let code = -1;
  for (let i = 0; i < 50 && code !== -2; i++) {
    const d = await open();
    const raced = await Promise.race([d.code, new Promise<number>((r) => setTimeout(() => r(-2), 200))]);
    if (raced === -2) {
      code = -2;
      d.stream.cancel();
      await d.code;
    }
  }
  t.equal(code, -2, 'after a cancel a new stream stays open');
  b.stream.cancel();
  await b.code;
  const other = certClient(srv.address, 'clients', 'admin');
  t.equal((await unaryCode(other, INV, 'GetPosition', pos)).code, OK, 'other principals unaffected');
});

function raftStream(c: grpc.Client, batches: unknown[]): Promise<{ code: number; details: string }> {
  const def = RAFT['Stream'];
  if (def === undefined) throw new Error('no Stream');
  return new Promise((resolve) => {
    const call = c.makeClientStreamRequest(def.path, def.requestSerialize, def.responseDeserialize, new grpc.Metadata(), { deadline: Date.now() + 10_000 }, (err) => {
      resolve(err ? { code: err.code, details: err.details } : { code: 0, details: '' });
    });
    call.on('error', () => {});
    for (const b of batches) call.write(b);
    call.end();
  });
}

t.test('peers: only a node certificate from the cluster CA naming the sender gets through', async (t) => {
  const batch = (from: string) => ({ cluster_id: 'c1', from, from_address: '127.0.0.1:1', messages: [] });
  const streamPath = '/stockraft.raft.Raft/Stream';
  const ran = handled(streamPath);
  const rogue = certClient(srv.address, 'rogue/nodes', 'n2');
  t.equal((await raftStream(rogue, [batch('n2')])).code, UNAUTHENTICATED, 'node cert from the rogue CA');
  t.equal(handled(streamPath), ran, 'rogue batch never reached the transport');
  const clientNamedN2 = certClient(srv.address, 'clients', 'n2');
  const r = await raftStream(clientNamedN2, [batch('n2')]);
  t.equal(r.code, PERMISSION_DENIED, 'client cert whose CN is a member id');
  t.match(r.details, /node certificate/);
  const admin = certClient(srv.address, 'clients', 'admin');
  t.equal((await raftStream(admin, [batch('n2')])).code, PERMISSION_DENIED, 'even admin is not a peer');
  const n2 = certClient(srv.address, 'nodes', 'n2');
  const spoof = await raftStream(n2, [batch('n2'), batch('n3')]);
  t.equal(spoof.code, PERMISSION_DENIED, 'n2 claiming to be n3');
  t.match(spoof.details, /claims sender 'n3' but the peer certificate names 'n2'/);
  const last = srv.seen.filter((s) => s.path === streamPath).at(-1);
  t.same((last?.messages ?? []).map((m) => (m as { from: string }).from), ['n2'], 'only the honest batch was delivered');
  t.equal((await raftStream(n2, [batch('n2'), batch('n2')])).code, OK, 'honest n2');
});

t.test('peers: the dialling side checks the member id of the node it reaches', async (t) => {
  // The server presents nodes/n1.crt.
  const asN1 = clientWith(srv.address, srv.security.peerCredentials('n1'));
  t.equal((await unaryCode(asN1, HEALTH, 'Check', { service: '' })).code, OK, 'dialling n1 reaches n1');
  const asN2 = clientWith(srv.address, srv.security.peerCredentials('n2'));
  t.equal((await unaryCode(asN2, HEALTH, 'Check', { service: '' })).code, UNAVAILABLE, 'dialling "n2" but reaching n1 fails');
  const fwd = clientWith(srv.address, srv.security.forwardCredentials());
  const own = await unaryCode(fwd, CLU, 'Snapshot', {});
  t.equal(own.code, PERMISSION_DENIED, 'a node certificate alone carries no operator rights');
  t.match(own.details, /principal 'node:n1' \(node certificate\) has roles \[\]/);
  // As a follower forwards a leader-routed call: marked, naming the caller it authorized.
  const forwarded = (who: string): grpc.Metadata => {
    const md = new grpc.Metadata();
    md.set('x-stockraft-forwarded', 'n1');
    md.set('x-stockraft-principal', who);
    return md;
  };
  t.equal((await unaryCode(fwd, CLU, 'Remove', { id: 'n9' }, forwarded('admin'))).code, PERMISSION_DENIED, 'no membership known yet: nobody may forward');
  srv.security.attachCluster({ isMember: (id) => id === 'n1', joining: () => false });
  t.equal((await unaryCode(fwd, CLU, 'Remove', { id: 'n9' }, forwarded('admin'))).code, OK, 'a member forwards an admin\'s call');
  t.equal(srv.seen.at(-1)?.principal, 'node:n1', 'the handler sees the member that forwarded');
  const r = await unaryCode(fwd, CLU, 'Remove', { id: 'n9' }, forwarded('reader'));
  t.equal(r.code, PERMISSION_DENIED, 'a forwarded reader is still a reader');
  t.match(r.details, /principal 'reader' \(forwarded by node:n1\)/);
});

t.test('roles reload on SIGHUP; a broken file keeps the old roles', async (t) => {
  const reader = certClient(srv.address, 'clients', 'reader');
  t.equal((await unaryCode(reader, INV, 'Reserve', { reservation_id: 'r4' })).code, PERMISSION_DENIED);
  const changes: unknown[] = [];
  const remove = srv.security.installSighup((c) => changes.push(...c));
  t.teardown(remove);
  writeFile(certs.dir, 'roles-test.txt', 'admin admin\norders order\nstock stock\nreader reader order\n');
  process.kill(process.pid, 'SIGHUP');
  for (let i = 0; i < 200 && changes.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  t.same(changes, [{ principal: 'reader', before: ['reader'], after: ['order', 'reader'] }]);
  t.equal((await unaryCode(reader, INV, 'Reserve', { reservation_id: 'r4' })).code, OK, 'new role in effect');
  writeFile(certs.dir, 'roles-test.txt', 'reader wizard\n');
  t.throws(() => srv.security.reload(), /unknown role 'wizard'/);
  t.equal((await unaryCode(reader, INV, 'Reserve', { reservation_id: 'r5' })).code, OK, 'previous roles kept');
  writeFile(certs.dir, 'roles-test.txt', 'admin admin\norders order\nstock stock\nreader reader\n');
  t.same(srv.security.reload().role_changes, [{ principal: 'reader', before: ['order', 'reader'], after: ['reader'] }]);
});

t.test('admin actions and role changes land in the hash-chained audit trail', async (t) => {
  const file = `${certs.dir}/audit.jsonl`;
  srv.security.enableAudit('n1', file);
  const admin = certClient(srv.address, 'clients', 'admin');
  const stock = certClient(srv.address, 'clients', 'stock');
  t.equal((await unaryCode(admin, CLU, 'AddLearner', { id: 'n4', address: '127.0.0.1:7004' })).code, OK);
  t.equal((await unaryCode(stock, CLU, 'Remove', { id: 'n2' })).code, PERMISSION_DENIED);
  t.equal((await unaryCode(admin, INV, 'GetPosition', pos)).code, OK, 'reads are not audited');
  writeFile(certs.dir, 'roles-test.txt', 'admin admin\norders order\nstock stock admin\nreader reader\n');
  const remove = srv.security.installSighup();
  process.kill(process.pid, 'SIGHUP');
  const log = srv.security.audit;
  for (let i = 0; i < 200 && (log?.records.length ?? 0) < 3; i++) await new Promise((r) => setTimeout(r, 10));
  remove();
  const recs = (log?.records ?? []).map((r) => [r.principal, r.action, r.outcome]);
  t.same(recs, [
    ['admin', '/stockraft.v1.Cluster/AddLearner', 'OK'],
    ['stock', '/stockraft.v1.Cluster/Remove', 'PERMISSION_DENIED'],
    ['operator (SIGHUP)', 'roles.reload', 'OK'],
  ]);
  t.match(log?.records[0]?.detail, /"id":"n4"/, 'the request is recorded');
  const { readFileSync, writeFileSync } = await import('node:fs');
  const { verifyAuditLines } = await import('../../src/server/security/audit.js');
  const text = readFileSync(file, 'utf8');
  t.equal(verifyAuditLines(text), null, 'the chain verifies');
  const lines = text.trim().split('\n');
  t.match(verifyAuditLines([lines[0], lines[2]].join('\n')), { line: 2, reason: /seq/ }, 'a deleted line is caught');
  t.match(verifyAuditLines(text.replace('"stock"', '"admin"')), { line: 2, reason: /hash/ }, 'an edited line is caught');
  writeFileSync(file, text);
  writeFile(certs.dir, 'roles-test.txt', 'admin admin\norders order\nstock stock\nreader reader\n');
  srv.security.reload();
});

t.test('SIGHUP reload swaps the serving certificate for new connections', async (t) => {
  const { copyFileSync } = await import('node:fs');
  // Serve as n2 from now on: overwrite the files the server was started with.
  copyFileSync(certs.file('nodes/n1.crt'), certs.file('n1.crt.bak'));
  copyFileSync(certs.file('nodes/n1.key'), certs.file('n1.key.bak'));
  copyFileSync(certs.file('nodes/n2.crt'), certs.file('nodes/n1.crt'));
  copyFileSync(certs.file('nodes/n2.key'), certs.file('nodes/n1.key'));
  t.teardown(() => {
    copyFileSync(certs.file('n1.crt.bak'), certs.file('nodes/n1.crt'));
    copyFileSync(certs.file('n1.key.bak'), certs.file('nodes/n1.key'));
  });
  const r = srv.security.reload();
  t.equal(r.tls_reloaded, true);
  const asN2 = clientWith(srv.address, srv.security.peerCredentials('n2'), { 'grpc.use_local_subchannel_pool': 1 });
  t.equal((await unaryCode(asN2, HEALTH, 'Check', { service: '' })).code, OK, 'a new connection sees the new certificate');
  const asN1 = clientWith(srv.address, srv.security.peerCredentials('n1'), { 'grpc.use_local_subchannel_pool': 1 });
  t.equal((await unaryCode(asN1, HEALTH, 'Check', { service: '' })).code, UNAVAILABLE, 'and no longer the old one');
});
