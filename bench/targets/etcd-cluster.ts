// Starts the etcd reference: a 3-member etcd cluster from Debian's etcd-server, on
// loopback, with data dirs under the OS temp dir (the same disk as the Stockraft nodes'),
// default settings (fsync on). Installs etcd-server with apt-get when it is missing.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePorts, sleep, startProc, stopProc, type Proc } from '../lib/procs.js';
import { EtcdClient, ETCD_TXN_OPS_MAX } from './etcd-client.js';
import { etcdKey } from './etcd-session.js';

export interface EtcdCluster {
  readonly endpoints: readonly string[];
  readonly procs: readonly Proc[];
  readonly dir: string;
  readonly version: string;
  stop(): Promise<void>;
}

const MEMBERS = 3;
const READY_TIMEOUT_MS = 30_000;

function etcdPath(): string | null {
  const r = spawnSync('sh', ['-c', 'command -v etcd'], { encoding: 'utf8' });
  const p = r.stdout.trim();
  return r.status === 0 && p !== '' ? p : null;
}

/** Returns the etcd binary, installing Debian's etcd-server first when it is absent. */
export function ensureEtcd(log: (l: string) => void): string {
  const found = etcdPath();
  if (found !== null) return found;
  log('etcd not found: checking the Debian package etcd-server');
  const policy = spawnSync('apt-cache', ['policy', 'etcd-server'], { encoding: 'utf8' });
  log(policy.stdout.trim());
  log('installing etcd-server with apt-get (needs root)');
  for (const args of [['update'], ['install', '-y', 'etcd-server']]) {
    const r = spawnSync('apt-get', args, { stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (status ${r.status}); install etcd-server by hand or run without --compare etcd`);
  }
  const p = etcdPath();
  if (p === null) throw new Error('etcd-server installed but no etcd binary on PATH');
  return p;
}

export async function startEtcdCluster(bin: string, log: (l: string) => void): Promise<EtcdCluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stockraft-bench-etcd-'));
  const ports = await freePorts(MEMBERS * 2);
  const names = Array.from({ length: MEMBERS }, (_, i) => `e${i + 1}`);
  const peerUrl = (i: number): string => `http://127.0.0.1:${ports[MEMBERS + i]}`;
  const clientUrl = (i: number): string => `http://127.0.0.1:${ports[i]}`;
  const initial = names.map((n, i) => `${n}=${peerUrl(i)}`).join(',');
  const version = spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0] ?? 'unknown';
  const procs = names.map((n, i) =>
    startProc(`etcd ${n}`, bin, [
      `--name=${n}`,
      `--data-dir=${path.join(dir, n)}`,
      `--listen-client-urls=${clientUrl(i)}`,
      `--advertise-client-urls=${clientUrl(i)}`,
      `--listen-peer-urls=${peerUrl(i)}`,
      `--initial-advertise-peer-urls=${peerUrl(i)}`,
      `--initial-cluster=${initial}`,
      '--initial-cluster-state=new',
      '--initial-cluster-token=stockraft-bench',
      '--logger=zap',
      '--log-level=warn',
    ], { log_file: path.join(dir, `${n}.log`) }),
  );
  const endpoints = ports.slice(0, MEMBERS).map((p) => `127.0.0.1:${p}`);
  const cluster: EtcdCluster = {
    endpoints,
    procs,
    dir,
    version,
    async stop(): Promise<void> {
      await Promise.all(procs.map((p) => stopProc(p)));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await waitServing(endpoints);
  } catch (e) {
    await cluster.stop();
    throw e;
  }
  log(`etcd: ${version}, members at ${endpoints.join(' ')}, data in ${dir}`);
  return cluster;
}

async function waitServing(endpoints: readonly string[]): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (const e of endpoints) {
    const c = new EtcdClient(e, 2000);
    try {
      for (;;) {
        try {
          await c.get('probe');
          break;
        } catch (err) {
          if (Date.now() > deadline) throw new Error(`etcd at ${e} not serving within ${READY_TIMEOUT_MS} ms: ${String(err)}`);
          await sleep(200);
        }
      }
    } finally {
      c.close();
    }
  }
}

/** Writes every SKU's count (ample stock) in transactions of ETCD_TXN_OPS_MAX puts or fewer. */
export async function preloadEtcd(endpoint: string, keys: number, units: number): Promise<void> {
  const c = new EtcdClient(endpoint, 10_000);
  const PARALLEL = 8;
  try {
    const batches: (readonly [string, string])[][] = [];
    for (let k = 0; k < keys; k += 100) {
      const b: [string, string][] = [];
      for (let j = k; j < Math.min(keys, k + 100); j++) b.push([etcdKey(j), String(units)]);
      if (b.length > ETCD_TXN_OPS_MAX) throw new Error('preload batch too large');
      batches.push(b);
    }
    for (let i = 0; i < batches.length; i += PARALLEL) {
      await Promise.all(batches.slice(i, i + PARALLEL).map((b) => c.putMany(b)));
    }
  } finally {
    c.close();
  }
}
