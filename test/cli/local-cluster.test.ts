// `npm start` (local-cluster): three stockd processes come up, agree on a leader, and stop
// together on SIGINT. Guards the path to the stockd binary, which once pointed at stockctl.

import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const LOCAL_CLUSTER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/local-cluster.js');
const LEADER_WAIT_MS = 60_000;
const STOP_WAIT_MS = 20_000;

t.test('starts three nodes, prints the leader, stops them all on SIGINT', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'local-cluster-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const base = 21_000 + Math.floor(Math.random() * 4000);
  const proc = spawn(process.execPath, [LOCAL_CLUSTER, '--base-port', String(base), '--data', dir, '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  proc.stderr.on('data', (c: Buffer) => (out += c.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  t.teardown(() => {
    if (proc.exitCode === null) proc.kill('SIGKILL');
  });
  const until = Date.now() + LEADER_WAIT_MS;
  while (!/leader elected: n[123]/.test(out) && proc.exitCode === null && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
  t.match(out, /leader elected: n[123]/, 'a leader is elected');
  t.notMatch(out, /unknown option/, 'the nodes accept stockd flags');
  proc.kill('SIGINT');
  const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('timeout'), STOP_WAIT_MS))]);
  t.equal(code, 0, 'exits 0 after stopping');
  t.match(out, /all nodes stopped/);
});
