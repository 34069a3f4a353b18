// Server reflection (@grpc/reflection) and the standard health service (grpc-health-check)
// on a node's client port, spoken to with the protocols' own .proto files, not ours.

import t from 'tap';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { createRequire } from 'node:module';
import path from 'node:path';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { fakeCluster } from './fake-node.js';
import { serviceOf } from '../../src/wire/protos.js';

const require = createRequire(import.meta.url);
const REFLECTION_PROTO = path.join(path.dirname(require.resolve('@grpc/reflection/package.json')), 'build/proto/grpc/reflection/v1/reflection.proto');
const LOADER = { keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true };
const CALL_MS = 5000;

type Reply = { list_services_response?: { service: { name: string }[] } };

function listServices(address: string): Promise<string[]> {
  const pkg = grpc.loadPackageDefinition(protoLoader.loadSync(REFLECTION_PROTO, LOADER));
  const Ctor = serviceOf(pkg, 'grpc.reflection.v1.ServerReflection');
  const client = new Ctor(address, grpc.credentials.createInsecure());
  return new Promise((resolve, reject) => {
    const call = (client as unknown as { ServerReflectionInfo: (o: grpc.CallOptions) => grpc.ClientDuplexStream<object, Reply> }).ServerReflectionInfo({ deadline: Date.now() + CALL_MS });
    call.on('data', (reply: Reply) => {
      resolve((reply.list_services_response?.service ?? []).map((s) => s.name).sort());
      call.end();
      client.close();
    });
    call.on('error', (err) => {
      client.close();
      reject(err);
    });
    call.write({ list_services: '' });
  });
}

type Health = { Check: (req: object, o: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res?: { status: string }) => void) => void; Watch: (req: object) => grpc.ClientReadableStream<{ status: string }> } & grpc.Client;

function healthClient(address: string): Health {
  const pkg = grpc.loadPackageDefinition(protoLoader.loadSync(healthProtoPath, LOADER));
  const Ctor = serviceOf(pkg, 'grpc.health.v1.Health');
  return new Ctor(address, grpc.credentials.createInsecure()) as unknown as Health;
}

function check(h: Health, service: string): Promise<{ status?: string; code?: number }> {
  return new Promise((resolve) => h.Check({ service }, { deadline: Date.now() + CALL_MS }, (err, res) => resolve(err ? { code: err.code } : { status: res?.status ?? '' })));
}

t.test('reflection lists the client-facing services', async (t) => {
  const c = await fakeCluster(1);
  t.teardown(() => c.close());
  const names = await listServices((c.nodes[0] as { address: string }).address);
  t.ok(names.includes('stockraft.v1.Inventory'), `Inventory listed in ${names.join(', ')}`);
  t.ok(names.includes('stockraft.v1.Cluster'), `Cluster listed in ${names.join(', ')}`);
  t.notOk(names.some((n) => n.startsWith('stockraft.raft.')), 'peer services are not described');
});

t.test('health answers per service and follows the leader, Watch included', async (t) => {
  const c = await fakeCluster(1);
  const h = healthClient((c.nodes[0] as { address: string }).address);
  t.teardown(async () => {
    h.close();
    await c.close();
  });
  for (const service of ['', 'stockraft.v1.Inventory', 'stockraft.v1.Cluster']) t.same(await check(h, service), { status: 'SERVING' }, `'${service}' serves`);
  t.same(await check(h, 'stockraft.raft.Raft'), { code: grpc.status.NOT_FOUND }, 'an unknown service is NOT_FOUND');

  const watch = h.Watch({ service: 'stockraft.v1.Inventory' });
  const seen: string[] = [];
  const two = new Promise<void>((resolve) =>
    watch.on('data', (m: { status: string }) => {
      seen.push(m.status);
      if (seen.length === 2) resolve();
    }),
  );
  watch.on('error', () => undefined);
  for (let waited_ms = 0; seen.length === 0 && waited_ms < CALL_MS; waited_ms += 10) await new Promise((r) => setTimeout(r, 10));
  t.same(seen, ['SERVING'], 'Watch starts with the current status');
  c.leader = null;
  await two;
  watch.cancel();
  t.same(seen, ['SERVING', 'NOT_SERVING'], 'Watch hears the leader being lost');
  t.same(await check(h, 'stockraft.v1.Cluster'), { status: 'NOT_SERVING' });
});
