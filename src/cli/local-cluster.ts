// `npm start`: a local 3-node cluster in the foreground for trying Stockraft out. Each
// node's JSON log lines are printed prefixed by its id; once a leader is elected an example
// stockctl session is printed; Ctrl-C stops every node cleanly (SIGTERM by pid, SIGKILL
// after a grace period). Data survives in ./data/local-cluster unless --fresh.
//
//   node dist/src/cli/local-cluster.js [--nodes 3|5] [--base-port 7401] [--data DIR] [--fresh] [--tls]
//
// With --tls the nodes run with TLS and mutual TLS, using certificates that
// cluster-scripts/gen-certs.sh makes once in <data>/certs (see docs/security.md); without
// it they run plaintext (--insecure).

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { STOCKD_NODE_ENV, STOCKD_NODE_FLAGS } from '../server/node-flags.js';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { StockraftClient } from '../client/index.js';
import { clientChannelCredentials } from '../client/index.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const STOCKD = path.resolve(HERE, '../server/main.js');
const GEN_CERTS = path.resolve(HERE, '../../../cluster-scripts/gen-certs.sh');
/** Offset of each node's metrics port from its gRPC port. */
const METRICS_PORT_OFFSET = 2000;
const LEADER_WAIT_MS = 30_000;
const STOP_GRACE_MS = 5_000;
const LINE_CHARS_MAX = 2000;

interface Options {
  nodes: string;
  basePort: string;
  data: string;
  fresh?: boolean;
  logLevel: string;
  tls?: boolean;
}

interface LocalNode {
  readonly id: string;
  readonly port: number;
  proc: ChildProcess | null;
  exited: Promise<void>;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

const COLORS = ['\x1b[36m', '\x1b[33m', '\x1b[35m', '\x1b[32m', '\x1b[34m'];
const RESET = '\x1b[0m';

/** Renders one pino JSON line compactly: time, level, message, then the other fields. */
function renderLine(line: string): string {
  let obj: Record<string, unknown>;
  try {
    obj = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const { time, level, msg, node: _node, pid: _pid, hostname: _host, ...rest } = obj;
  const levels: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
  const t = typeof time === 'number' ? new Date(time).toISOString().slice(11, 23) : '';
  const lv = typeof level === 'number' ? (levels[level] ?? String(level)) : '';
  const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
  return `${t} ${lv.padEnd(5)} ${String(msg ?? '')}${extra}`;
}

function prefixer(id: string, color: string, tty: boolean): (chunk: Buffer) => void {
  let partial = '';
  const tag = tty ? `${color}[${id}]${RESET}` : `[${id}]`;
  return (chunk) => {
    partial += chunk.toString('utf8');
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    if (partial.length > LINE_CHARS_MAX) partial = partial.slice(0, LINE_CHARS_MAX);
    for (const l of lines) if (l.length > 0) process.stdout.write(`${tag} ${renderLine(l.slice(0, LINE_CHARS_MAX))}\n`);
  };
}

/** TLS material for --tls: made once with gen-certs.sh, then reused across restarts. */
function ensureCerts(dir: string, n: number): void {
  if (existsSync(path.join(dir, 'ca.crt'))) return;
  const ids = Array.from({ length: n }, (_, i) => `n${i + 1}`).join(',');
  execFileSync('bash', [GEN_CERTS, '--out', dir, '--nodes', ids], { stdio: ['ignore', 'inherit', 'inherit'] });
}

function tlsFlags(certs: string, id: string): string[] {
  return ['--cert', path.join(certs, 'nodes', `${id}.crt`), '--key', path.join(certs, 'nodes', `${id}.key`), '--ca', path.join(certs, 'ca.crt'), '--roles', path.join(certs, 'roles.txt')];
}

function exampleSession(endpoints: string, certs: string | null): string {
  // With TLS every stockctl call names the CA and a client certificate (admin may do all).
  const ctl = certs === null ? 'npx stockctl' : `npx stockctl --ca ${path.join(certs, 'ca.crt')} --cert ${path.join(certs, 'clients', 'admin.crt')} --key ${path.join(certs, 'clients', 'admin.key')}`;
  return [
    '',
    'Stockraft is running. Try, in another terminal:',
    '',
    `  export STOCKRAFT_ENDPOINTS=${endpoints}`,
    ...(certs === null ? [] : [`  # TLS: certificates in ${certs}; other roles: clients/orders, clients/stock, clients/reader`]),
    `  ${ctl} status`,
    `  ${ctl} adjust tshirt-red-m@berlin 100 --reason "first delivery"`,
    `  ${ctl} reserve --line tshirt-red-m@berlin=2 --ttl 15m --id order-1001 --order-ref web-1001`,
    `  ${ctl} get tshirt-red-m@berlin`,
    `  ${ctl} commit order-1001`,
    `  ${ctl} events tshirt-red-m@berlin`,
    `  ${ctl} verify`,
    '',
    '(or node dist/src/cli/main.js instead of npx stockctl). Ctrl-C stops the cluster.',
    '',
  ].join('\n');
}

interface Plan {
  readonly n: number;
  readonly base_port: number;
  readonly data: string;
  /** Certificate dir with --tls, else null (plaintext). */
  readonly certs: string | null;
  readonly log_level: string;
}

/** Parses the options and prepares the data dir (wiped with --fresh, certificates made
 * once with --tls). */
function preparePlan(): Plan {
  const o = new Command('local-cluster')
    .description('a local Stockraft cluster in the foreground')
    .option('--nodes <n>', '3 or 5', '3')
    .option('--base-port <port>', 'gRPC port of the first node; the others follow', '7401')
    .option('--data <dir>', 'data directory', path.join('data', 'local-cluster'))
    .option('--fresh', 'wipe the data directory first')
    .option('--log-level <level>', 'node log level', 'info')
    .option('--tls', 'TLS and mutual TLS with certificates made in <data>/certs by cluster-scripts/gen-certs.sh')
    .parse(process.argv)
    .opts<Options>();
  const n = Number(o.nodes);
  if (n !== 3 && n !== 5) throw new Error(`--nodes must be 3 or 5, got ${o.nodes}`);
  const base = Number(o.basePort);
  if (!Number.isInteger(base) || base < 1024 || base + n + METRICS_PORT_OFFSET > 65535) throw new Error(`--base-port must be in 1024..${65535 - n - METRICS_PORT_OFFSET}, got ${o.basePort}`);
  const data = path.resolve(o.data);
  if (o.fresh === true) rmSync(data, { recursive: true, force: true });
  mkdirSync(data, { recursive: true });
  const certs = o.tls === true ? path.join(data, 'certs') : null;
  if (certs !== null) ensureCerts(certs, n);
  return { n, base_port: base, data, certs, log_level: o.logLevel };
}

async function checkPortsFree(nodes: readonly LocalNode[]): Promise<void> {
  for (const node of nodes) {
    for (const port of [node.port, node.port + METRICS_PORT_OFFSET]) {
      if (!(await portFree(port))) throw new Error(`port ${port} (for ${node.id}) is in use: stop what holds it, or pick --base-port`);
    }
  }
}

/** The running nodes: started together, stopped together when one exits or on a signal. */
class LocalCluster {
  stopping = false;
  readonly nodes: LocalNode[];
  readonly initial: string;
  readonly endpoints: string;

  constructor(private readonly plan: Plan) {
    this.nodes = Array.from({ length: plan.n }, (_, i) => ({ id: `n${i + 1}`, port: plan.base_port + i, proc: null, exited: Promise.resolve() }));
    this.initial = this.nodes.map((x) => `${x.id}=127.0.0.1:${x.port}`).join(',');
    this.endpoints = this.nodes.map((x) => `127.0.0.1:${x.port}`).join(',');
  }

  async stopAll(why: string): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    process.stdout.write(`\nstopping (${why})...\n`);
    for (const x of this.nodes) if (x.proc !== null && x.proc.exitCode === null) x.proc.kill('SIGTERM');
    const timer = setTimeout(() => {
      for (const x of this.nodes) if (x.proc !== null && x.proc.exitCode === null) x.proc.kill('SIGKILL');
    }, STOP_GRACE_MS);
    await Promise.all(this.nodes.map((x) => x.exited));
    clearTimeout(timer);
    process.stdout.write('all nodes stopped\n');
  }

  startAll(): void {
    const tty = process.stdout.isTTY === true;
    this.nodes.forEach((x, i) => this.start(x, COLORS[i % COLORS.length] as string, tty));
  }

  private start(x: LocalNode, color: string, tty: boolean): void {
    const { data, certs, log_level } = this.plan;
    const args = [
      STOCKD,
      '--id',
      x.id,
      '--listen',
      `127.0.0.1:${x.port}`,
      '--data',
      path.join(data, x.id),
      '--initial-cluster',
      this.initial,
      '--metrics-listen',
      `127.0.0.1:${x.port + METRICS_PORT_OFFSET}`,
      '--log-level',
      log_level,
      ...(certs === null ? ['--insecure'] : tlsFlags(certs, x.id)),
    ];
    const proc = spawn(process.execPath, [...STOCKD_NODE_FLAGS, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...STOCKD_NODE_ENV } });
    x.proc = proc;
    proc.stdout?.on('data', prefixer(x.id, color, tty));
    proc.stderr?.on('data', prefixer(x.id, color, tty));
    x.exited = new Promise((resolve) =>
      proc.once('exit', (code, signal) => {
        if (!this.stopping) {
          process.stdout.write(`[${x.id}] exited (code ${code ?? '-'}, signal ${signal ?? '-'}); stopping the others\n`);
          void this.stopAll(`${x.id} exited`).then(() => process.exit(1));
        }
        resolve();
      }),
    );
  }

  /** The leader every node agrees on, or null when none within LEADER_WAIT_MS (or stopping). */
  async waitForLeader(): Promise<string | null> {
    const certs = this.plan.certs;
    const credentials =
      certs === null
        ? undefined
        : clientChannelCredentials({ ca: path.join(certs, 'ca.crt'), cert: path.join(certs, 'clients', 'admin.crt'), key: path.join(certs, 'clients', 'admin.key') });
    const client = new StockraftClient({ endpoints: this.endpoints.split(','), deadline_ms: 2000, ...(credentials !== undefined ? { credentials } : {}) });
    const until = Date.now() + LEADER_WAIT_MS;
    let leader: string | null = null;
    while (!this.stopping && leader === null && Date.now() < until) {
      const all = await client.statusAll(1000);
      const ids = new Set(all.map((s) => s.status?.leader_id ?? ''));
      const only = [...ids][0];
      if (ids.size === 1 && only !== undefined && only !== '') leader = only;
      else await new Promise((r) => setTimeout(r, 200));
    }
    client.close();
    return leader;
  }
}

async function main(): Promise<void> {
  const plan = preparePlan();
  const cluster = new LocalCluster(plan);
  await checkPortsFree(cluster.nodes);
  process.on('SIGINT', () => void cluster.stopAll('Ctrl-C').then(() => process.exit(0)));
  process.on('SIGTERM', () => void cluster.stopAll('SIGTERM').then(() => process.exit(0)));
  cluster.startAll();
  const metrics_first = plan.base_port + METRICS_PORT_OFFSET;
  process.stdout.write(`starting ${plan.n} nodes: ${cluster.endpoints} (data in ${plan.data}, metrics on ports ${metrics_first}..${metrics_first + plan.n - 1})\n`);
  const leader = await cluster.waitForLeader();
  if (cluster.stopping) return;
  if (leader === null) {
    process.stdout.write(`no leader within ${LEADER_WAIT_MS} ms; see the logs above\n`);
    await cluster.stopAll('no leader');
    process.exit(1);
  }
  process.stdout.write(`\nleader elected: ${leader}\n${exampleSession(cluster.endpoints, plan.certs)}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`local-cluster: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
