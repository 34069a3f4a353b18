// Prints what the security layer costs per call, against the stub server of the tests:
// plaintext open mode (no checks), plaintext with a token, TLS with a client certificate,
// TLS with a token. Not a test (figures, no assertions):
//   npm run build && node dist/test/security/overhead.js [calls_per_case=4000] [concurrency=32]

import * as grpc from '@grpc/grpc-js';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { bearerTokenInterceptor, clientChannelCredentials } from '../../src/client/tls.js';
import { makeToken, tokenFileLine } from '../../src/server/security/tokens.js';
import { decide } from '../../src/server/security/authorizer.js';
import { loadProtos, makeCerts, serviceCtor, startStubServer, unaryCode, writeFile } from './fixture.js';

const CALLS = Math.min(Number(process.argv[2] ?? 4000), 1_000_000);
const CONCURRENCY = Math.min(Number(process.argv[3] ?? 32), 1024);

async function run(name: string, client: grpc.Client, svc: grpc.ServiceDefinition): Promise<void> {
  const first = await unaryCode(client, svc, 'GetPosition', { sku: 'S', location: 'L' });
  if (first.code !== 0) throw new Error(`${name}: ${first.code} ${first.details}`);
  let next = 0;
  const lat: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < CALLS) {
        next++;
        const s = performance.now();
        const r = await unaryCode(client, svc, 'GetPosition', { sku: 'S', location: 'L' });
        if (r.code !== 0) throw new Error(`${name}: ${r.details}`);
        lat.push(performance.now() - s);
      }
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  const q = (p: number) => (lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] ?? 0).toFixed(2);
  console.log(`${name.padEnd(28)} ${(CALLS / secs).toFixed(0).padStart(7)} calls/s   p50 ${q(0.5)} ms   p99 ${q(0.99)} ms`);
}

async function main(): Promise<void> {
  const certs = makeCerts('n1', 'reader');
  const pkg = loadProtos();
  const INV = serviceCtor(pkg, 'stockraft.v1.Inventory').service;
  const token = makeToken();
  const tokens = writeFile(certs.dir, 'tokens.txt', tokenFileLine('reader', token) + '\n');
  const roles = certs.file('roles.txt');
  const clients: grpc.Client[] = [];
  const mk = (addr: string, creds: grpc.ChannelCredentials, opts: grpc.ClientOptions = {}) => {
    const c = new grpc.Client(addr, creds, opts);
    clients.push(c);
    return c;
  };
  console.log(`${CALLS} unary calls per case, ${CONCURRENCY} in flight, one process, loopback`);
  const open = await startStubServer({ insecure: true });
  await run('plaintext, open (no checks)', mk(open.address, grpc.credentials.createInsecure()), INV);
  const tok = await startStubServer({ insecure: true, authTokens: tokens, roles });
  await run('plaintext + token', mk(tok.address, grpc.credentials.createInsecure(), { interceptors: [bearerTokenInterceptor(token)] }), INV);
  const tls = await startStubServer({ cert: certs.file('nodes/n1.crt'), key: certs.file('nodes/n1.key'), ca: certs.file('ca.crt'), authTokens: tokens, roles });
  const ca = certs.file('ca.crt');
  await run('TLS + client certificate', mk(tls.address, clientChannelCredentials({ ca, cert: certs.file('clients/reader.crt'), key: certs.file('clients/reader.key') })), INV);
  await run('TLS + token', mk(tls.address, clientChannelCredentials({ ca }), { interceptors: [bearerTokenInterceptor(token)] }), INV);
  // The decision alone, without gRPC.
  const state = tok.security.state();
  const n = 200_000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) decide(state, '/stockraft.v1.Inventory/GetPosition', { cert_der: null, authorization: [`Bearer ${token}`] });
  console.log(`decide() with a token: ${((performance.now() - t0) * 1000 / n).toFixed(2)} us per call`);
  const der = new X509Certificate(readFileSync(certs.file('clients/reader.crt'))).raw;
  const tstate = tls.security.state();
  const t1 = performance.now();
  for (let i = 0; i < n; i++) decide(tstate, '/stockraft.v1.Inventory/GetPosition', { cert_der: der, authorization: [] });
  console.log(`decide() with a client certificate (verdict cached): ${((performance.now() - t1) * 1000 / n).toFixed(2)} us per call`);
  for (const c of clients) c.close();
  await Promise.all([open.close(), tok.close(), tls.close()]);
  certs.cleanup();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
