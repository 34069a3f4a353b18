// Real stockd processes: traffic of another cluster or of an unknown sender is refused,
// and a data dir that is not this node's (or is not a database at all) stops the start.

import t from 'tap';
import * as grpc from '@grpc/grpc-js';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { freePort, STOCKD_BIN, StockdCluster } from './cluster-harness.js';
import { raftServiceClient } from '../../src/node/transport-grpc.js';
import type { WireBatch } from '../../src/node/transport-codec.js';

function sendBatch(address: string, batch: WireBatch): Promise<grpc.ServiceError | null> {
  const Ctor = raftServiceClient('Raft');
  const client = new Ctor(address, grpc.credentials.createInsecure());
  const def = Ctor.service.Stream!;
  return new Promise((resolve) => {
    const call = client.makeClientStreamRequest<WireBatch, unknown>(
      def.path,
      def.requestSerialize as (v: WireBatch) => Buffer,
      def.responseDeserialize as (b: Buffer) => unknown,
      { deadline: Date.now() + 5000 },
      (err) => {
        client.close();
        resolve(err);
      },
    );
    call.on('error', () => undefined);
    call.write(batch);
    call.end();
  });
}

t.test('peer traffic of another cluster or an unknown sender is refused', async (t) => {
  const c = await StockdCluster.start({ size: 1 });
  t.teardown(() => c.close());
  await c.waitForLeader();
  const cluster_id = await c.clusterId();
  const heartbeat = { to: 'n1', term: 99, heartbeat: { commit: 0, context: '' } };

  const wrong = await sendBatch(c.address('n1'), { cluster_id: 'c-someone-else', from: 'n2', from_address: '127.0.0.1:1', messages: [heartbeat] });
  t.equal(wrong?.code, grpc.status.PERMISSION_DENIED, 'wrong cluster id: PERMISSION_DENIED');
  t.match(wrong?.details, /cluster id 'c-someone-else'/, 'the refusal names the cluster id');

  const stranger = await sendBatch(c.address('n1'), { cluster_id, from: 'intruder', from_address: '127.0.0.1:1', messages: [heartbeat] });
  t.equal(stranger?.code, grpc.status.PERMISSION_DENIED, 'unknown sender: PERMISSION_DENIED');
  t.match(stranger?.details, /sender 'intruder'/, 'the refusal names the sender');

  const s = await c.client('n1').status();
  t.ok(s.term < 99, 'the refused messages were never stepped (term did not jump to 99)');
  // The node's log reaches us through a pipe: wait (bounded) for both lines to arrive.
  for (let i = 0; i < 100 && !/refused peer traffic from an unknown sender/.test(c.output('n1')); i++) await new Promise((r) => setTimeout(r, 50));
  t.match(c.output('n1'), /refused peer traffic from another cluster/, 'the refusal is logged');
  t.match(c.output('n1'), /refused peer traffic from an unknown sender/, 'the unknown sender is logged');
});

t.test('a node refuses a data dir that is not its own', async (t) => {
  const c = await StockdCluster.start({ size: 1 });
  t.teardown(() => c.close());
  await c.waitForLeader();
  const cluster_id = await c.clusterId();
  await c.stop('n1');
  const n1 = c.nodes.get('n1')!;

  const n1_dir = n1.data_dir;

  // Start 'n9' pointed at n1's data dir: refused, exit code 3, message names the owner.
  const run = async (args: string[]): Promise<{ code: number | null; out: string }> => {
    const p = spawn(process.execPath, [STOCKD_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), 15_000);
    const code = await new Promise<number | null>((resolve) => p.once('exit', (c) => resolve(c)));
    clearTimeout(timer);
    return { code, out };
  };
  const port = await freePort();
  const r1 = await run(['--id', 'n9', '--listen', `127.0.0.1:${port}`, '--data', n1_dir, '--initial-cluster', `n9=127.0.0.1:${port}`, '--insecure']);
  t.equal(r1.code, 3, 'another node id: exit code 3');
  t.match(r1.out, /belongs to node 'n1', not to 'n9'/, 'the message says whose dir it is');

  // n1 with another cluster id.
  const r2 = await run(['--id', 'n1', '--listen', `127.0.0.1:${port}`, '--data', n1_dir, '--cluster-id', 'c-other', '--insecure']);
  t.equal(r2.code, 3, 'another cluster id: exit code 3');
  t.match(r2.out, new RegExp(`belongs to cluster '${cluster_id}', not to 'c-other'`), 'the message names both clusters');

  // A directory holding something that is not a database.
  const junk = path.join(c.root, 'junk');
  mkdirSync(junk);
  writeFileSync(path.join(junk, 'notes.txt'), 'hello');
  const r3 = await run(['--id', 'n1', '--listen', `127.0.0.1:${port}`, '--data', junk, '--initial-cluster', `n1=127.0.0.1:${port}`, '--insecure']);
  t.equal(r3.code, 3, 'a foreign directory: exit code 3');
  t.match(r3.out, /holds no database/, 'the message says it is not a database');

  // A corrupt database: CURRENT points at a manifest that is not there.
  const bad = path.join(c.root, 'bad');
  mkdirSync(bad);
  writeFileSync(path.join(bad, 'CURRENT'), 'MANIFEST-000099\n');
  const r4 = await run(['--id', 'n1', '--listen', `127.0.0.1:${port}`, '--data', bad, '--initial-cluster', `n1=127.0.0.1:${port}`, '--insecure']);
  t.equal(r4.code, 3, 'a corrupt database: exit code 3');
  t.match(r4.out, /is corrupt \(.*MANIFEST-000099: No such file or directory\)\. Recover the node from its peers/, 'the message says it is corrupt, names the missing file and the way out');

  // The rightful owner still starts from it.
  await c.startNode('n1');
  await c.waitForLeader();
  t.pass('n1 starts again from its own data dir');
});
