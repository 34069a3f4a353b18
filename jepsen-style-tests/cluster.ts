// A cluster of real stockd processes on loopback for one run. Each node gets a gRPC port
// (clients, operators and peers share it), a metrics port (test hooks live there), a data
// dir and a log file under the run's store dir. Peer traffic goes through one LinkProxy per
// directed link: node A reaches node B at the port of proxy A>B, through stockd's
// --peer-address-override. Only processes started here are ever signalled, by pid.

import { freePort } from '../src/util/free-port.js';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LinkProxy, type LinkMode } from './proxy.js';
import { linkName } from './topology.js';
import { mountTmpfs, unmount } from './disk-faults.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const STOCKD_MAIN = path.join(REPO_ROOT, 'dist', 'src', 'server', 'main.js');

const NODES_MAX = 7;
const HOOK_TIMEOUT_MS = 2_000;

export interface NodeSpec {
  readonly id: string;
  readonly port: number;
  readonly metrics_port: number;
  readonly data_dir: string;
  readonly log_file: string;
}

export interface NodeProc {
  readonly spec: NodeSpec;
  child: ChildProcess | null;
  paused: boolean;
  starts: number;
  /** Set when the process exited without being told to: a crash the report must show. */
  unexpected_exit: string | null;
  /** A fault expects this process to stop by itself (a refused start, a fatal disk-full
   * error): its exit is recorded in `exits`, not counted as a crash. */
  exit_expected: boolean;
  /** The last exit seen while expected (code, signal), until the next start. */
  last_exit: { code: number | null; signal: string | null } | null;
  /** Started empty with --join (after a wipe), instead of bootstrapping. */
  joining: boolean;
}

export interface ClusterOptions {
  readonly nodes: number;
  readonly store_dir: string;
  readonly cluster_id: string;
  readonly seed: number;
  /** Extra stockd flags (e.g. election settings). */
  readonly extra_args?: readonly string[];
  /** Extra environment for every stockd (known-bad switches, see known-bad.ts). */
  readonly env?: Readonly<Record<string, string>>;
  /** A node whose data dir is a tmpfs of this size (the disk-full fault; needs root). */
  readonly tmpfs?: { readonly id: string; readonly size_mib: number };
  readonly log: (line: string) => void;
}

export class Cluster {
  readonly procs: NodeProc[] = [];
  readonly proxies = new Map<string, LinkProxy>();
  /** Every exit nobody asked for, in order. */
  readonly crashes: { id: string; detail: string }[] = [];
  private stopping = false;
  /** The mounted tmpfs data dir, if any (unmounted by stop()). */
  tmpfs_dir: string | null = null;

  private constructor(private readonly options: ClusterOptions) {}

  static async create(options: ClusterOptions): Promise<Cluster> {
    if (!Number.isInteger(options.nodes) || options.nodes < 1 || options.nodes > NODES_MAX) {
      throw new Error(`nodes must be an integer in 1..${NODES_MAX}, got ${options.nodes}`);
    }
    if (!fs.existsSync(STOCKD_MAIN)) throw new Error(`stockd not built: ${STOCKD_MAIN} missing (run npm run build)`);
    const c = new Cluster(options);
    for (let i = 1; i <= options.nodes; i++) {
      const id = `n${i}`;
      const data_dir = path.join(options.store_dir, 'data', id);
      fs.mkdirSync(data_dir, { recursive: true });
      c.procs.push({
        spec: { id, port: await freePort(), metrics_port: await freePort(), data_dir, log_file: path.join(options.store_dir, `${id}.log`) },
        child: null,
        paused: false,
        starts: 0,
        unexpected_exit: null,
        exit_expected: false,
        last_exit: null,
        joining: false,
      });
    }
    if (options.tmpfs !== undefined) {
      mountTmpfs(c.proc(options.tmpfs.id).spec.data_dir, options.tmpfs.size_mib);
      c.tmpfs_dir = c.proc(options.tmpfs.id).spec.data_dir;
    }
    for (const a of c.procs) {
      for (const b of c.procs) {
        if (a === b) continue;
        const p = new LinkProxy(linkName(a.spec.id, b.spec.id), b.spec.port);
        await p.listen();
        c.proxies.set(p.name, p);
      }
    }
    return c;
  }

  get ids(): string[] {
    return this.procs.map((p) => p.spec.id);
  }

  proc(id: string): NodeProc {
    const p = this.procs.find((x) => x.spec.id === id);
    if (p === undefined) throw new Error(`cluster: no node ${id}`);
    return p;
  }

  address(id: string): string {
    return `127.0.0.1:${this.proc(id).spec.port}`;
  }

  endpoints(): string[] {
    return this.procs.map((p) => `127.0.0.1:${p.spec.port}`);
  }

  private args(p: NodeProc): string[] {
    const s = p.spec;
    const initial = this.procs.filter((q) => !p.joining || q !== p).map((q) => `${q.spec.id}=127.0.0.1:${q.spec.port}`).join(',');
    const overrides = this.procs
      .filter((q) => q !== p)
      .map((q) => `${q.spec.id}=127.0.0.1:${this.proxies.get(linkName(s.id, q.spec.id))!.port}`)
      .join(',');
    return [
      STOCKD_MAIN,
      '--id', s.id,
      '--listen', `127.0.0.1:${s.port}`,
      '--data', s.data_dir,
      '--cluster-id', this.options.cluster_id,
      '--initial-cluster', initial,
      ...(p.joining ? ['--join'] : []),
      '--peer-address-override', overrides,
      '--metrics-listen', `127.0.0.1:${s.metrics_port}`,
      '--test-hooks',
      '--insecure',
      '--log-level', 'info',
      // A fixed seed per node and start keeps election timing replayable from --seed.
      '--rng-seed', String((this.options.seed * 31 + Number(s.id.slice(1)) * 7 + p.starts) % 2 ** 31),
      ...(this.options.extra_args ?? []),
    ];
  }

  start(id: string): void {
    const p = this.proc(id);
    if (p.child !== null) throw new Error(`cluster: ${id} already running (pid ${p.child.pid})`);
    const out = fs.openSync(p.spec.log_file, 'a');
    fs.writeSync(out, `\n==== start #${p.starts + 1} at ${new Date().toISOString()} ====\n`);
    const env = { ...process.env, ...(this.options.env ?? {}) };
    const child = spawn(process.execPath, this.args(p), { stdio: ['ignore', out, out], detached: false, env });
    fs.closeSync(out);
    p.child = child;
    p.paused = false;
    p.starts++;
    p.unexpected_exit = null;
    p.last_exit = null;
    child.on('exit', (code, signal) => {
      if (p.child === child) {
        p.child = null;
        if (p.exit_expected) {
          p.last_exit = { code, signal };
          this.options.log(`node ${id} exited as a fault expected: code ${code} signal ${signal}`);
        } else if (!this.stopping && signal !== 'SIGKILL') {
          p.unexpected_exit = `exited with code ${code} signal ${signal}`;
          this.crashes.push({ id, detail: `${p.unexpected_exit} (start #${p.starts}, log ${p.spec.log_file})` });
          this.options.log(`node ${id} exited unexpectedly: code ${code} signal ${signal} (see ${p.spec.log_file})`);
        }
      }
    });
  }

  startAll(): void {
    for (const p of this.procs) this.start(p.spec.id);
  }

  running(id: string): boolean {
    return this.proc(id).child !== null;
  }

  /** SIGKILL a node started here and wait for it to be gone. */
  async kill(id: string): Promise<void> {
    const p = this.proc(id);
    const child = p.child;
    if (child === null || child.pid === undefined) return;
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    if (p.paused) child.kill('SIGCONT');
    child.kill('SIGKILL');
    await gone;
    p.paused = false;
  }

  pause(id: string): void {
    const p = this.proc(id);
    if (p.child === null || p.paused) return;
    p.child.kill('SIGSTOP');
    p.paused = true;
  }

  resume(id: string): void {
    const p = this.proc(id);
    if (p.child === null || !p.paused) return;
    p.child.kill('SIGCONT');
    p.paused = false;
  }

  setLink(from: string, to: string, mode: LinkMode): void {
    const px = this.proxies.get(linkName(from, to));
    if (px === undefined) throw new Error(`cluster: no link ${from}>${to}`);
    px.set(mode);
  }

  healLinks(): void {
    for (const px of this.proxies.values()) px.set({ kind: 'up' });
  }

  /** POSTs a test hook on a node's metrics port (stockd --test-hooks). */
  async hook(id: string, pathAndQuery: string): Promise<void> {
    const port = this.proc(id).spec.metrics_port;
    await new Promise<void>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: pathAndQuery, method: 'POST', timeout: HOOK_TIMEOUT_MS }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode !== undefined && res.statusCode < 300 ? resolve() : reject(new Error(`hook ${pathAndQuery} on ${id}: HTTP ${res.statusCode}`))));
      });
      req.on('timeout', () => req.destroy(new Error(`hook ${pathAndQuery} on ${id}: timeout`)));
      req.on('error', reject);
      req.end();
    });
  }

  /** Stops every process started here (SIGCONT first for paused ones) and the proxies. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.procs.map((p) => this.kill(p.spec.id)));
    await Promise.all([...this.proxies.values()].map((px) => px.close()));
    if (this.tmpfs_dir !== null) unmount(this.tmpfs_dir);
    this.tmpfs_dir = null;
  }

  /** Empties a stopped node's data dir (a tmpfs mount point stays, emptied). */
  wipe(id: string): void {
    const p = this.proc(id);
    if (p.child !== null) throw new Error(`cluster: cannot wipe ${id} while it runs (pid ${p.child.pid})`);
    for (const f of fs.readdirSync(p.spec.data_dir)) fs.rmSync(path.join(p.spec.data_dir, f), { recursive: true, force: true });
  }

  /** The last `lines` lines of a node's log file matching `re`. */
  logLines(id: string, re: RegExp, lines = 3): string[] {
    const text = fs.readFileSync(this.proc(id).spec.log_file, 'utf8');
    const start = text.lastIndexOf('\n==== start #');
    return text.slice(Math.max(0, start)).split('\n').filter((l) => re.test(l)).slice(-lines);
  }

  /** Synchronous last resort for process exit handlers. */
  killAllSync(): void {
    this.stopping = true;
    for (const p of this.procs) {
      if (p.child?.pid !== undefined) {
        try {
          if (p.paused) p.child.kill('SIGCONT');
          p.child.kill('SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    if (this.tmpfs_dir !== null) unmount(this.tmpfs_dir);
  }
}
