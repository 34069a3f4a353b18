// Starting and stopping real stockd processes for multi-process tests, on loopback, with
// free ports and fresh temp dirs. Reusable by any test or harness:
//
//   const c = await StockdCluster.start({ size: 3 });
//   const leader = await c.waitForLeader();
//   await c.client(leader).propose([{ kind: 'adjust', ... }]);
//   await c.kill('n1');                  // SIGKILL; c.stop('n1') sends SIGTERM and waits
//   await c.startNode('n1');             // same data dir, same ports
//   await c.close();                     // kills everything it started, removes the dirs
//
// Every node runs with --insecure --test-hooks so the StockTest service (JSON over gRPC,
// see proto/stockraft/raft/raft.proto) is available; c.client(id) wraps it. Processes are killed by pid
// only, and a process 'exit' hook kills whatever is left if a test dies early.

import { freePort } from '../../src/util/free-port.js';
export { freePort };
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, type WriteStream } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { raftServiceClient } from '../../src/node/transport-grpc.js';
import { clientChannelCredentials } from '../../src/client/tls.js';
import type { Command, CommandResult, Position } from '../../src/ledger/types.js';
import type { NodeStatus } from '../../src/node/node-api.js';

export const STOCKD_BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/server/main.js');

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of live) if (c.pid !== undefined && c.exitCode === null) c.kill('SIGKILL');
});

export interface TestError {
  kind: string;
  message: string;
  leader_id: string | null;
  leader_address: string | null;
}

/** A node being waited for has exited: the wait ends at once with its last output. */
export class NodeExitedError extends Error {}

export class TestCallError extends Error {
  constructor(readonly error: TestError) {
    super(`${error.kind}: ${error.message}`);
  }
}

/** JSON client for the StockTest service of one node. */
export class TestClient {
  private readonly client: grpc.Client;

  constructor(
    readonly address: string,
    credentials: grpc.ChannelCredentials = grpc.credentials.createInsecure(),
  ) {
    const Ctor = raftServiceClient('StockTest');
    this.client = new Ctor(address, credentials);
  }

  call<T>(method: 'Propose' | 'Status' | 'GetPosition' | 'Admin', req: object, timeout_ms = 10_000): Promise<T> {
    const Ctor = raftServiceClient('StockTest');
    const def = Ctor.service[method]!;
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest<{ json: string }, { json: string }>(
        def.path,
        def.requestSerialize as (v: { json: string }) => Buffer,
        def.responseDeserialize as (b: Buffer) => { json: string },
        { json: JSON.stringify(req) },
        { deadline: Date.now() + timeout_ms },
        (err, reply) => {
          if (err) return reject(err);
          const v = JSON.parse(reply!.json) as { error?: TestError };
          if (v.error) return reject(new TestCallError(v.error));
          resolve(v as T);
        },
      );
    });
  }

  async propose(commands: Command[], deadline_ms = 5000): Promise<CommandResult[]> {
    const r = await this.call<{ results: CommandResult[] }>('Propose', { commands, deadline_ms: Date.now() + deadline_ms }, deadline_ms + 2000);
    return r.results;
  }

  status(): Promise<NodeStatus & { raft: { last_index: number; snapshot_index: number; applied: number } }> {
    return this.call('Status', {}, 3000);
  }

  async position(sku: string, location: string, linearizable = false): Promise<Position | null> {
    return (await this.call<{ position: Position | null }>('GetPosition', { sku, location, linearizable })).position;
  }

  admin<T = { ok: boolean }>(req: { op: string; id?: string; address?: string; from_index?: number; limit?: number; wait_ms?: number; ids?: string[]; file?: string }): Promise<T> {
    return this.call<T>('Admin', req, 15_000);
  }

  async outcomes(ids: string[]): Promise<(CommandResult | null)[]> {
    return (await this.admin<{ outcomes: (CommandResult | null)[] }>({ op: 'outcomes', ids })).outcomes;
  }

  close(): void {
    this.client.close();
  }
}

export interface ClusterOptions {
  readonly size: number;
  readonly tick_ms?: number;
  readonly election_ms_min?: number;
  readonly snapshot_entries?: number;
  readonly trailing_entries?: number;
  /** Extra flags for every node. */
  readonly extra_args?: readonly string[];
  /** Ids, default n1..nN. */
  readonly ids?: readonly string[];
  /** Metrics HTTP port per node (needed for /metrics and the test hooks). */
  readonly metrics?: boolean;
  /** TLS and mutual TLS instead of --insecure, with certificates that
   * cluster-scripts/gen-certs.sh made in certs_dir (nodes/<id>.*, clients/admin.*,
   * roles.txt); the harness's own calls use the admin client certificate. */
  readonly tls?: { readonly certs_dir: string };
  /** Extra environment per node id (e.g. a test hook's variable). */
  readonly node_env?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

export interface ManagedNode {
  readonly id: string;
  readonly port: number;
  readonly metrics_port: number | null;
  data_dir: string;
  args: string[];
  /** Extra environment of the node's next start (e.g. STOCKD_TEST_* hooks). */
  env: Record<string, string>;
  proc: ChildProcess | null;
  exited: Promise<number | null> | null;
  output: string[];
  log_file: WriteStream | null;
}

export class StockdCluster {
  readonly nodes = new Map<string, ManagedNode>();
  private readonly clients = new Map<string, TestClient>();
  cluster_id = '';

  private constructor(
    readonly root: string,
    private readonly opts: ClusterOptions,
  ) {}

  static async start(opts: ClusterOptions): Promise<StockdCluster> {
    const ids = opts.ids ?? Array.from({ length: opts.size }, (_, i) => `n${i + 1}`);
    // A chosen port can still be taken by another process before the node binds it; such a
    // start is thrown away whole (processes and dirs) and tried again on new ports.
    const START_ATTEMPTS_MAX = 3;
    for (let attempt = 1; ; attempt++) {
      const root = mkdtempSync(path.join(os.tmpdir(), 'stockd-test-'));
      const c = new StockdCluster(root, opts);
      try {
        for (const id of ids) await c.define(id);
        const initial = c.initialCluster(ids);
        for (const id of ids) c.nodes.get(id)!.args = [...c.commonArgs(), '--initial-cluster', initial];
        for (const id of ids) c.spawn(id);
        // A loaded machine can take many seconds to start a node: wait generously, once.
        await Promise.all(ids.map((id) => c.waitServing(id, 60_000)));
        return c;
      } catch (err) {
        await c.close();
        if (attempt >= START_ATTEMPTS_MAX || !/EADDRINUSE/.test(String(err))) throw err;
      }
    }
  }

  private async define(id: string): Promise<ManagedNode> {
    const port = await freePort();
    const metrics_port = this.opts.metrics ? await freePort() : null;
    const n: ManagedNode = { id, port, metrics_port, data_dir: path.join(this.root, id), args: [], env: { ...(this.opts.node_env?.[id] ?? {}) }, proc: null, exited: null, output: [], log_file: null };
    this.nodes.set(id, n);
    return n;
  }

  initialCluster(ids: readonly string[]): string {
    return ids.map((id) => `${id}=127.0.0.1:${this.nodes.get(id)!.port}`).join(',');
  }

  private commonArgs(): string[] {
    const o = this.opts;
    const tick = o.tick_ms ?? 50;
    const emin = o.election_ms_min ?? 500;
    return [
      ...(o.tls === undefined ? ['--insecure'] : []),
      '--test-hooks',
      '--log-level',
      'info',
      '--tick-ms',
      String(tick),
      '--election-ms-min',
      String(emin),
      '--election-ms-max',
      String(2 * emin),
      ...(o.snapshot_entries !== undefined ? ['--snapshot-entries', String(o.snapshot_entries)] : []),
      ...(o.trailing_entries !== undefined ? ['--trailing-entries', String(o.trailing_entries)] : []),
      ...(o.extra_args ?? []),
    ];
  }

  private spawn(id: string): void {
    const n = this.nodes.get(id)!;
    if (n.proc && n.proc.exitCode === null && n.proc.signalCode === null) throw new Error(`node ${id} is already running (pid ${n.proc.pid})`);
    const args = [STOCKD_BIN, '--id', id, '--listen', `127.0.0.1:${n.port}`, '--data', n.data_dir, ...n.args];
    if (n.metrics_port !== null) args.push('--metrics-listen', `127.0.0.1:${n.metrics_port}`);
    const tls = this.opts.tls;
    if (tls !== undefined) {
      const d = tls.certs_dir;
      args.push('--cert', path.join(d, 'nodes', `${id}.crt`), '--key', path.join(d, 'nodes', `${id}.key`), '--ca', path.join(d, 'ca.crt'), '--roles', path.join(d, 'roles.txt'));
    }
    const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...n.env } });
    live.add(proc);
    n.proc = proc;
    n.output = [];
    n.log_file?.end();
    n.log_file = createWriteStream(path.join(this.root, `${id}.log`), { flags: 'a' });
    const keep = (chunk: Buffer): void => {
      n.log_file?.write(chunk);
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.length === 0) continue;
        n.output.push(line);
        if (n.output.length > 2000) n.output.shift();
      }
    };
    proc.stdout!.on('data', keep);
    proc.stderr!.on('data', keep);
    n.exited = new Promise((resolve) =>
      proc.once('exit', (code) => {
        live.delete(proc);
        resolve(code);
      }),
    );
  }

  /** (Re)starts a defined node with its data dir and flags; resolves once it serves. */
  async startNode(id: string, wait_serving = true, timeout_ms = 60_000): Promise<void> {
    this.spawn(id);
    if (wait_serving) await this.waitServing(id, timeout_ms);
  }

  /** Waits for the node's 'stockd serving' log line. */
  async waitServing(id: string, timeout_ms = 60_000): Promise<void> {
    await this.waitFor(`${id} to serve`, async () => {
      if (!this.running(id)) {
        const p = this.nodes.get(id)!.proc;
        throw new NodeExitedError(`${id} exited (code ${String(p?.exitCode)}, signal ${String(p?.signalCode)}): ${this.output(id).slice(-2000)}`);
      }
      return this.nodes.get(id)!.output.some((l) => l.includes('"stockd serving"')) ? true : undefined;
    }, timeout_ms);
  }

  /** Defines a node (ports, data dir) with these flags and starts it. */
  async startCustom(id: string, args: (n: ManagedNode) => string[], wait_serving = true): Promise<ManagedNode> {
    const n = await this.define(id);
    n.args = [...this.commonArgs(), ...args(n)];
    this.spawn(id);
    if (wait_serving) await this.waitServing(id);
    return n;
  }

  /** Defines and starts a node that joins later (as learner): --join --cluster-id. */
  async startJoiner(id: string): Promise<ManagedNode> {
    const n = await this.define(id);
    const members = [...this.nodes.keys()].filter((x) => x !== id);
    n.args = [...this.commonArgs(), '--join', '--cluster-id', this.cluster_id || (await this.clusterId()), '--initial-cluster', this.initialCluster(members)];
    this.spawn(id);
    await this.waitServing(id);
    return n;
  }

  async clusterId(): Promise<string> {
    for (const id of this.nodes.keys()) {
      try {
        const s = await this.client(id).status();
        this.cluster_id = s.cluster_id;
        return s.cluster_id;
      } catch {
        /* try the next */
      }
    }
    throw new Error('no node answered with its cluster id');
  }

  address(id: string): string {
    return `127.0.0.1:${this.nodes.get(id)!.port}`;
  }

  client(id: string): TestClient {
    let c = this.clients.get(id);
    if (!c) {
      c = new TestClient(this.address(id), this.clientCredentials());
      this.clients.set(id, c);
    }
    return c;
  }

  running(id: string): boolean {
    const p = this.nodes.get(id)?.proc;
    return !!p && p.exitCode === null && p.signalCode === null;
  }

  /** SIGKILL by pid; resolves when the process is gone. */
  async kill(id: string): Promise<void> {
    const n = this.nodes.get(id)!;
    if (n.proc && n.proc.exitCode === null && n.proc.signalCode === null) {
      n.proc.kill('SIGKILL');
      await n.exited;
    }
    this.dropClient(id);
  }

  /** SIGTERM by pid; resolves with the exit code (SIGKILL after `timeout_ms`). */
  async stop(id: string, timeout_ms = 10_000): Promise<number | null> {
    const n = this.nodes.get(id)!;
    if (!n.proc || n.proc.exitCode !== null || n.proc.signalCode !== null) return n.proc?.exitCode ?? null;
    n.proc.kill('SIGTERM');
    const t = setTimeout(() => n.proc?.kill('SIGKILL'), timeout_ms);
    const code = await n.exited;
    clearTimeout(t);
    this.dropClient(id);
    return code;
  }

  /** Waits for a process that is expected to exit by itself (e.g. a refused start). */
  async waitExit(id: string, timeout_ms = 10_000): Promise<number | null> {
    const n = this.nodes.get(id)!;
    let timer: NodeJS.Timeout | null = null;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeout_ms)));
    const r = await Promise.race([n.exited!, timeout]);
    if (timer) clearTimeout(timer);
    if (r === 'timeout') throw new Error(`node ${id} did not exit within ${timeout_ms} ms`);
    return r;
  }

  wipe(id: string): void {
    if (this.running(id)) throw new Error(`cannot wipe ${id} while it runs`);
    rmSync(this.nodes.get(id)!.data_dir, { recursive: true, force: true });
  }

  private dropClient(id: string): void {
    this.clients.get(id)?.close();
    this.clients.delete(id);
  }

  /** Polls `probe` every `every_ms` until it returns a value (not undefined) or time is up. */
  async waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeout_ms = 30_000, every_ms = 50): Promise<T> {
    const until = Date.now() + timeout_ms;
    let last_err: unknown = null;
    while (Date.now() < until) {
      try {
        const v = await probe();
        if (v !== undefined) return v;
      } catch (err) {
        // A node that exited will not start serving by waiting longer.
        if (err instanceof NodeExitedError) throw err;
        last_err = err;
      }
      await new Promise((r) => setTimeout(r, every_ms));
    }
    throw new Error(`timed out after ${timeout_ms} ms waiting for ${what}${last_err ? ` (last error: ${String(last_err)})` : ''}`);
  }

  /** The id of a leader that every running node agrees on. */
  /** Credentials for calling the nodes: plaintext, or with tls the `who` client
   * certificate (admin by default) from certs_dir. */
  clientCredentials(who = 'admin'): grpc.ChannelCredentials {
    const tls = this.opts.tls;
    if (tls === undefined) return grpc.credentials.createInsecure();
    const d = tls.certs_dir;
    return clientChannelCredentials({ ca: path.join(d, 'ca.crt'), cert: path.join(d, 'clients', `${who}.crt`), key: path.join(d, 'clients', `${who}.key`) });
  }

  async waitForLeader(timeout_ms = 30_000): Promise<string> {
    return this.waitFor('a leader all running nodes agree on', async () => {
      const ids = [...this.nodes.keys()].filter((id) => this.running(id));
      const statuses = await Promise.all(ids.map((id) => this.client(id).status()));
      const leader = statuses[0]?.leader_id;
      if (!leader || !this.running(leader) || !statuses.every((s) => s.leader_id === leader)) return undefined;
      this.cluster_id = statuses[0]!.cluster_id;
      return leader;
    }, timeout_ms);
  }

  /** Proposes on whichever node leads, following redirects; retries 'no_leader'. */
  async propose(commands: Command[], timeout_ms = 30_000): Promise<CommandResult[]> {
    return this.waitFor('a leader to accept the proposal', async () => {
      const leader = await this.waitForLeader(timeout_ms);
      try {
        return await this.client(leader).propose(commands);
      } catch (err) {
        if (err instanceof TestCallError && (err.error.kind === 'not_leader' || err.error.kind === 'no_leader')) return undefined;
        throw err;
      }
    }, timeout_ms);
  }

  /** Waits until every running node has applied the same index and reports the same head hash. */
  async waitConverged(timeout_ms = 30_000): Promise<{ head_hash: string; applied_index: number }> {
    return this.waitFor('all running nodes to converge', async () => {
      const ids = [...this.nodes.keys()].filter((id) => this.running(id));
      const s = await Promise.all(ids.map((id) => this.client(id).status()));
      const first = s[0]!;
      if (!s.every((x) => x.applied_index === first.applied_index && x.head_hash === first.head_hash && x.commit_index === first.commit_index)) return undefined;
      return { head_hash: first.head_hash, applied_index: first.applied_index };
    }, timeout_ms);
  }

  output(id: string): string {
    return this.nodes.get(id)!.output.join('\n');
  }

  async close(): Promise<void> {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
    await Promise.all([...this.nodes.keys()].map((id) => this.kill(id)));
    for (const n of this.nodes.values()) n.log_file?.end();
    if (!process.env.STOCKD_KEEP_TEST_DIRS) rmSync(this.root, { recursive: true, force: true });
  }
}

/** An adjust command with a fresh op id. */
export function adjust(op_id: string, sku: string, location: string, delta: number): Command {
  return { kind: 'adjust', op_id, sku, location, delta, reason: 'test', reference: 'test' };
}
