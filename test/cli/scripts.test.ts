// cluster-scripts: start.sh starts a background cluster and waits for its leader,
// status.sh shows it, stop.sh stops exactly the processes start.sh recorded (a pid file
// naming some other process is left alone).

import t from 'tap';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const SCRIPTS = path.join(ROOT, 'cluster-scripts');

function sh(script: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile('bash', [path.join(SCRIPTS, script), ...args], { cwd: ROOT, timeout: 90_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1;
      resolve({ code, stdout, stderr });
    }),
  );
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** A base port whose three gRPC ports and three metrics ports (+2000) are free now. */
async function freeBase(): Promise<number> {
  for (let tries = 0; tries < 50; tries++) {
    const base = 20_000 + Math.floor(Math.random() * 20_000);
    const ports = [0, 1, 2].flatMap((i) => [base + i, base + i + 2000]);
    const free = await Promise.all(ports.map(portFree));
    if (free.every(Boolean)) return base;
  }
  throw new Error('no free port range found');
}

/** Running and not a zombie (an exited node whose new parent has not reaped it yet). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

t.test('start.sh, status.sh, stop.sh', async (t) => {
  const data = mkdtempSync(path.join(os.tmpdir(), 'stockraft-scripts-'));
  const decoy = spawn('sleep', ['60'], { stdio: 'ignore' });
  t.teardown(async () => {
    await sh('stop.sh', ['--data', data]);
    if (decoy.exitCode === null) decoy.kill('SIGKILL');
    rmSync(data, { recursive: true, force: true });
  });
  const base = await freeBase();
  const started = await sh('start.sh', ['--nodes', '3', '--base-port', String(base), '--data', data]);
  t.equal(started.code, 0, started.stderr);
  t.match(started.stdout, /leader: n[123]/);
  t.match(started.stdout, new RegExp(`endpoints: 127\\.0\\.0\\.1:${base},127\\.0\\.0\\.1:${base + 1},127\\.0\\.0\\.1:${base + 2}`));
  const pids = [1, 2, 3].map((i) => Number(readFileSync(path.join(data, `n${i}.pid`), 'utf8')));
  t.ok(pids.every(alive), 'nodes run in the background');

  const again = await sh('start.sh', ['--nodes', '3', '--base-port', String(base), '--data', data]);
  t.not(again.code, 0, 'refuses to start a second time over running nodes');

  const status = await sh('status.sh', ['--data', data]);
  t.equal(status.code, 0);
  t.match(status.stdout, /n1: pid \d+ running/);
  t.match(status.stdout, /leader/);

  // A pid file naming another process: stop.sh must leave it alone.
  writeFileSync(path.join(data, 'n9.pid'), String(decoy.pid));
  const stopped = await sh('stop.sh', ['--data', data]);
  t.equal(stopped.code, 0, stopped.stderr);
  t.match(stopped.stdout, /stopped 3 node/);
  t.ok(pids.every((p) => !alive(p)), 'every node stopped');
  t.ok(decoy.pid !== undefined && alive(decoy.pid), 'the unrelated process still runs');

  t.equal((await sh('start.sh', ['--nodes', '4'])).code, 64, 'bad --nodes is a usage error');
});
