// NodeSecurity's flag rules (refuse to start without TLS or --insecure, and on any
// inconsistent or broken file), and plaintext modes: open (--insecure alone) and tokens
// over plaintext (--insecure --auth-tokens).

import t from 'tap';
import * as grpc from '@grpc/grpc-js';
import { NodeSecurity, type SecurityFlags } from '../../src/server/security/node-security.js';
import { bearerTokenInterceptor } from '../../src/client/tls.js';
import { makeToken, tokenFileLine } from '../../src/server/security/tokens.js';
import { QUIET, loadProtos, makeCerts, serviceCtor, startStubServer, unaryCode, writeFile } from './fixture.js';

const certs = makeCerts('n1', 'admin');
t.teardown(() => certs.cleanup());
const tlsOk: SecurityFlags = { cert: certs.file('nodes/n1.crt'), key: certs.file('nodes/n1.key'), ca: certs.file('ca.crt'), roles: certs.file('roles.txt') };

t.test('flag rules: every bad combination stops the node with a clear message', (t) => {
  const bad: Array<[SecurityFlags, RegExp]> = [
    [{}, /TLS is not configured: give --cert, --key and --ca, or --insecure/],
    [{ ...tlsOk, insecure: true }, /--insecure cannot be combined/],
    [{ cert: tlsOk.cert, ca: tlsOk.ca, roles: tlsOk.roles }, /--cert, --key and --ca must be given together/],
    [{ ...tlsOk, roles: undefined }, /--roles FILE is required/],
    [{ insecure: true, authTokens: certs.file('roles.txt') }, /roles\.txt:2: digest must be 'sha256:'/],
    [{ ...tlsOk, key: certs.file('clients/admin.key') }, /--key .*admin\.key does not belong to the certificate --cert/],
    [{ ...tlsOk, cert: certs.file('expired/clients/admin.crt'), key: certs.file('expired/clients/admin.key') }, /certificate expired at/],
    [{ ...tlsOk, ca: certs.file('nope.crt') }, /--ca .*nope\.crt: cannot read/],
    [{ ...tlsOk, ca: certs.file('roles.txt') }, /--ca .*: no PEM certificate found/],
    [{ ...tlsOk, peerCert: certs.file('nodes/n1.crt') }, /--peer-cert and --peer-key must be given together/],
    [{ ...tlsOk, roles: writeFile(certs.dir, 'bad-roles.txt', 'admin root\n') }, /bad-roles\.txt:1: unknown role 'root'/],
  ];
  for (const [flags, re] of bad) t.throws(() => new NodeSecurity(flags, QUIET), re);
  const warnings: string[] = [];
  const s = new NodeSecurity({ insecure: true }, { ...QUIET, warn: (m) => warnings.push(m) });
  t.equal(s.state().mode, 'open');
  t.match(warnings.join('\n'), /WITHOUT TLS/, '--insecure warns');
  t.equal(new NodeSecurity(tlsOk, QUIET).state().mode, 'enforced');
  t.end();
});

t.test('plaintext: open mode lets all through; with tokens, tokens are enforced', async (t) => {
  const pkg = loadProtos();
  const CLU = serviceCtor(pkg, 'stockraft.v1.Cluster').service;
  const open = await startStubServer({ insecure: true });
  const token = makeToken();
  const tokens = writeFile(certs.dir, 'tokens.txt', tokenFileLine('admin', token) + '\n');
  const tok = await startStubServer({ insecure: true, authTokens: tokens, roles: certs.file('roles.txt') });
  const clients = [
    new grpc.Client(open.address, grpc.credentials.createInsecure()),
    new grpc.Client(tok.address, grpc.credentials.createInsecure()),
    new grpc.Client(tok.address, grpc.credentials.createInsecure(), { interceptors: [bearerTokenInterceptor(token)] }),
  ] as const;
  t.teardown(async () => {
    for (const c of clients) c.close();
    await Promise.all([open.close(), tok.close()]);
  });
  t.equal((await unaryCode(clients[0], CLU, 'Snapshot', {})).code, grpc.status.OK, 'open: anyone');
  t.equal((await unaryCode(clients[1], CLU, 'Snapshot', {})).code, grpc.status.UNAUTHENTICATED, 'tokens on: no token');
  t.equal((await unaryCode(clients[2], CLU, 'Snapshot', {})).code, grpc.status.OK, 'tokens on: admin token');
  t.equal(tok.seen.at(-1)?.principal, 'admin');
});

t.test('open mode has no per-principal bounds (nobody has a name); token mode does', async (t) => {
  const pkg = loadProtos();
  const INV = serviceCtor(pkg, 'stockraft.v1.Inventory').service;
  const def = INV['Watch'];
  if (def === undefined) throw new Error('no Watch');
  const token = makeToken();
  const tokens = writeFile(certs.dir, 'tokens2.txt', tokenFileLine('admin', token) + '\n');
  const open = await startStubServer({ insecure: true, principalStreamsMax: 1 });
  const tok = await startStubServer({ insecure: true, authTokens: tokens, roles: certs.file('roles.txt'), principalStreamsMax: 1 });
  const oc = new grpc.Client(open.address, grpc.credentials.createInsecure());
  const tc = new grpc.Client(tok.address, grpc.credentials.createInsecure(), { interceptors: [bearerTokenInterceptor(token)] });
  const streams: grpc.ClientReadableStream<unknown>[] = [];
  const watch = (c: grpc.Client): Promise<number> => {
    const s = c.makeServerStreamRequest(def.path, def.requestSerialize, def.responseDeserialize, {}, new grpc.Metadata(), {});
    streams.push(s);
    s.on('error', () => {});
    s.on('data', () => {});
    // Resolves with the status if the call ends within 1 s, else -1 (still open).
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(-1), 1000);
      s.on('status', (st: grpc.StatusObject) => {
        clearTimeout(timer);
        resolve(st.code);
      });
    });
  };
  t.same(await Promise.all([watch(oc), watch(oc), watch(oc)]), [-1, -1, -1], 'open: three streams stay open');
  const codes = await Promise.all([watch(tc), watch(tc)]);
  t.same([...codes].sort(), [-1, grpc.status.RESOURCE_EXHAUSTED].sort(), 'tokens: the second stream of one principal is refused');
  for (const s of streams) s.cancel();
  oc.close();
  tc.close();
  await Promise.all([open.close(), tok.close()]);
});

t.test('certificate verdicts: issuer and validity checked, repeated calls agree', async (t) => {
  const { decide } = await import('../../src/server/security/authorizer.js');
  const { X509Certificate } = await import('node:crypto');
  const { readFileSync } = await import('node:fs');
  const der = (rel: string) => new X509Certificate(readFileSync(certs.file(rel))).raw;
  const s = new NodeSecurity(tlsOk, QUIET).state();
  const m = '/stockraft.v1.Cluster/Snapshot';
  for (let i = 0; i < 2; i++) {
    t.match(decide(s, m, { cert_der: der('clients/admin.crt'), authorization: [] }), { ok: true, principal: { name: 'admin', via: 'cert' } }, `good cert (${i})`);
    t.match(decide(s, m, { cert_der: der('rogue/clients/admin.crt'), authorization: [] }), { ok: false, code: grpc.status.UNAUTHENTICATED, details: /not issued by the client CA/ }, `other CA (${i})`);
    t.match(decide(s, m, { cert_der: der('expired/clients/admin.crt'), authorization: [] }), { ok: false, code: grpc.status.UNAUTHENTICATED, details: /expired/ }, `expired (${i})`);
    t.match(decide(s, m, { cert_der: der('rogue/nodes/n1.crt'), authorization: [] }), { ok: false, details: /node certificate for 'n1' is not issued by the peer CA/ }, `rogue node (${i})`);
    t.match(decide(s, m, { cert_der: Buffer.from('junk'), authorization: [] }), { ok: false, code: grpc.status.UNAUTHENTICATED }, `junk (${i})`);
  }
  const later = Date.parse(new X509Certificate(readFileSync(certs.file('clients/admin.crt'))).validTo) + 1000;
  t.match(decide(s, m, { cert_der: der('clients/admin.crt'), authorization: [] }, later), { ok: false, details: /expired/ }, 'a cached verdict still expires with its certificate');
});

t.test('refusals are counted in the node metrics', async (t) => {
  const { Registry } = await import('prom-client');
  const pkg = loadProtos();
  const CLU = serviceCtor(pkg, 'stockraft.v1.Cluster').service;
  const tokens = writeFile(certs.dir, 'tokens3.txt', tokenFileLine('admin', makeToken()) + '\n');
  const srv = await startStubServer({ insecure: true, authTokens: tokens, roles: certs.file('roles.txt') });
  const registry = new Registry();
  srv.security.registerMetrics(registry);
  const c = new grpc.Client(srv.address, grpc.credentials.createInsecure());
  t.equal((await unaryCode(c, CLU, 'Snapshot', {})).code, grpc.status.UNAUTHENTICATED);
  t.equal((await unaryCode(c, CLU, 'Snapshot', {})).code, grpc.status.UNAUTHENTICATED);
  const text = await registry.metrics();
  t.match(text, /stockd_security_refused_calls_total\{code="UNAUTHENTICATED"\} 2/);
  t.match(text, /stockd_security_principals_active 0/);
  c.close();
  await srv.close();
});

t.test('separate peer CA: members only from --peer-ca, clients only from --ca', async (t) => {
  const { decide } = await import('../../src/server/security/authorizer.js');
  const { X509Certificate } = await import('node:crypto');
  const { readFileSync } = await import('node:fs');
  const peers = makeCerts('n1,n2', 'admin');
  t.teardown(() => peers.cleanup());
  const s = new NodeSecurity({ ...tlsOk, peerCert: peers.file('nodes/n1.crt'), peerKey: peers.file('nodes/n1.key'), peerCa: peers.file('ca.crt') }, QUIET).state();
  const der = (file: string) => new X509Certificate(readFileSync(file)).raw;
  const m = '/stockraft.raft.Raft/Stream';
  t.match(decide(s, m, { cert_der: der(peers.file('nodes/n2.crt')), authorization: [] }), { ok: true, principal: { kind: 'node', node_id: 'n2' } }, 'member from the peer CA');
  t.match(decide(s, m, { cert_der: der(certs.file('nodes/n1.crt')), authorization: [] }), { ok: false, details: /not issued by the peer CA/ }, 'node cert from the client CA is no member');
  t.match(decide(s, '/stockraft.v1.Cluster/Snapshot', { cert_der: der(peers.file('clients/admin.crt')), authorization: [] }), { ok: false, details: /not issued by the client CA/ }, 'client cert from the peer CA is no client');
  t.match(decide(s, '/stockraft.v1.Cluster/Snapshot', { cert_der: der(certs.file('clients/admin.crt')), authorization: [] }), { ok: true }, 'client cert from the client CA');
});
