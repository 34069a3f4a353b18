// Starts a durable 3-node stockd cluster on loopback for the benchmark: default settings
// (fsync on), fresh data dirs under the OS temp dir, and finds its leader.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePorts, sleep, startProc, stopProc, type Proc } from '../lib/procs.js';
import { InventoryClient } from './inventory-client.js';
import { StockraftClient, type OpInput } from '../../src/client/index.js';
import { skuName } from '../lib/keys.js';
import { STOCKD_NODE_ENV, STOCKD_NODE_FLAGS } from '../../src/server/node-flags.js';

/** dist/bench/targets/ -> dist/src/server/main.js */
export const STOCKD_JS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/server/main.js');
const READY_TIMEOUT_MS = 30_000;
export const SUBMIT_OPS_MAX = 1000;

export interface StockNodeProc {
  readonly id: string;
  readonly address: string;
  readonly data_dir: string;
  proc: Proc;
}

export interface StockraftCluster {
  readonly nodes: StockNodeProc[];
  readonly endpoints: readonly string[];
  readonly dir: string;
  /** Starts node i again (after a kill) on its data dir; returns when the process is up. */
  restart(i: number, extra_args?: readonly string[]): Promise<Proc>;
  stop(): Promise<void>;
}

function stockdArgs(n: StockNodeProc, initial: string, extra: readonly string[]): string[] {
  // Plaintext like the etcd reference (TLS off on both); every other setting is the default,
  // and the Node.js flags and environment are the ones every launcher passes
  // (src/server/node-flags.ts).
  return [...STOCKD_NODE_FLAGS, ...extra, STOCKD_JS, '--id', n.id, '--listen', n.address, '--data', n.data_dir, '--initial-cluster', initial, '--insecure', '--log-level', 'warn'];
}

export interface StartOptions {
  readonly nodes: number;
  /** Extra node flags before the script, e.g. ['--cpu-prof', '--cpu-prof-dir=DIR']. */
  readonly node_flags?: readonly string[];
  readonly log: (l: string) => void;
}

export async function startStockraft(opts: StartOptions): Promise<StockraftCluster> {
  if (!fs.existsSync(STOCKD_JS)) throw new Error(`stockd not built: ${STOCKD_JS} is missing (npm run build)`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stockraft-bench-nodes-'));
  const ports = await freePorts(opts.nodes);
  const nodes: StockNodeProc[] = ports.map((p, i) => {
    const id = `n${i + 1}`;
    const data_dir = path.join(dir, id);
    return { id, address: `127.0.0.1:${p}`, data_dir, proc: null as unknown as Proc };
  });
  const initial = nodes.map((n) => `${n.id}=${n.address}`).join(',');
  const flags = opts.node_flags ?? [];
  const spawnNode = (n: StockNodeProc): Proc => {
    n.proc = startProc(`stockd ${n.id}`, process.execPath, stockdArgs(n, initial, flags), { log_file: path.join(dir, `${n.id}.log`), cwd: dir, env: { ...process.env, ...STOCKD_NODE_ENV } });
    return n.proc;
  };
  for (const n of nodes) spawnNode(n);
  const cluster: StockraftCluster = {
    nodes,
    endpoints: nodes.map((n) => n.address),
    dir,
    async restart(i: number): Promise<Proc> {
      const n = nodes[i];
      if (!n.proc.exited()) throw new Error(`restart: ${n.id} is still running (pid ${n.proc.pid})`);
      return spawnNode(n);
    },
    async stop(): Promise<void> {
      await Promise.all(nodes.map((n) => stopProc(n.proc)));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await waitForLeader(cluster.endpoints, READY_TIMEOUT_MS);
  } catch (e) {
    for (const n of nodes) opts.log(`--- ${n.id} output:\n${n.proc.tail()}`);
    await cluster.stop();
    throw e;
  }
  opts.log(`stockraft: ${nodes.length} nodes at ${cluster.endpoints.join(' ')}, data in ${dir}`);
  return cluster;
}

/** Polls Cluster.Status until a node names a leader that says it is leader. Returns its address. */
export async function waitForLeader(endpoints: readonly string[], timeout_ms: number): Promise<string> {
  const deadline = Date.now() + timeout_ms;
  const clients = endpoints.map((e) => new InventoryClient(e, 1000));
  try {
    // Bounded by the deadline.
    for (;;) {
      for (const c of clients) {
        try {
          const s = await c.status();
          if (s.role === 'leader') return s.address !== '' ? s.address : c.address;
        } catch {
          // not up yet
        }
      }
      if (Date.now() > deadline) throw new Error(`stockraft: no leader among ${endpoints.join(' ')} within ${timeout_ms} ms`);
      await sleep(100);
    }
  } finally {
    for (const c of clients) c.close();
  }
}

/** Gives every SKU `units` on hand at `location` with Submit batches of Adjusts. */
export async function preloadStockraft(endpoints: readonly string[], keys: number, location: string, units: number, tag: string): Promise<void> {
  // The SDK: it finds the leader and retries with the same op ids after a leader change.
  const c = new StockraftClient({ endpoints, deadline_ms: 60_000, attempts_max: 20 });
  const PARALLEL = 4;
  try {
    const batches: OpInput[][] = [];
    for (let k = 0; k < keys; k += SUBMIT_OPS_MAX) {
      const ops: OpInput[] = [];
      for (let j = k; j < Math.min(keys, k + SUBMIT_OPS_MAX); j++) {
        ops.push({ kind: 'adjust', op_id: `preload-${tag}-${j}`, sku: skuName(j), location, delta: units, reason: 'bench preload', reference: tag });
      }
      batches.push(ops);
    }
    for (let i = 0; i < batches.length; i += PARALLEL) {
      const res = await Promise.all(batches.slice(i, i + PARALLEL).map((b) => c.submit(b)));
      for (const r of res) {
        const bad = r.find((x) => x.code !== 'OK');
        if (bad) throw new Error(`preload: adjust refused: ${JSON.stringify(bad)}`);
      }
    }
  } finally {
    c.close();
  }
}
