#!/usr/bin/env -S MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=131072 node --max-semi-space-size=32
// stockd: one Stockraft node. Parses flags (and --config), opens the data dir, starts the
// raft loop, serves the peer, client and operator services on ONE gRPC port, serves
// /metrics over HTTP when asked, and on SIGTERM drains and closes cleanly.
//
// Exit codes: 0 clean stop, 1 fatal error while running, 2 bad configuration, 3 the data
// dir was refused (another node's or cluster's, in use, full disk, no permission, corrupt)
// or the admin audit file cannot be continued.

import { missingNodeEnv, missingNodeFlags } from './node-flags.js';
import * as grpc from '@grpc/grpc-js';
import http from 'node:http';
import path from 'node:path';
import { pino } from 'pino';
import { buildCommand, ConfigError, resolveConfig, type StockdConfig } from './stockd-config.js';
import { bootNode } from './boot.js';
import { NodeMetrics } from '../node/node-metrics.js';
import { compactHeap, IDLE_GC_DEFAULTS, startIdleGc, type IdleGcHandle } from './idle-gc.js';
import { loadMallocTrim, memoryReclaimer } from './malloc-trim.js';
import { NodeSecurity } from './security/index.js';
import { PEER_SERVER_OPTIONS, raftServiceClient } from '../node/transport-grpc.js';
import { registerClientServices, type ClientServices } from './client-services.js';
import { widenHttp2ServerWindows } from './http2-windows.js';
import { testServiceImpl } from './test-service.js';
import { recordAdminEvent } from './admin-history.js';
import { ADMIN_RECORD_TIMEOUT_MS_MIN, HOOK_BODY_BYTES_MAX, HOOK_MS_MAX, MALLOC_TRIM_DELAY_MS, SERVER_SHUTDOWN_GRACE_MS } from './limits.js';
import { StorageError } from '../node/storage-level.js';
import type { StockNodeImpl } from '../node/stock-node.js';

function startMetricsServer(cfg: StockdConfig, node: StockNodeImpl, metrics: NodeMetrics, log: pino.Logger): Promise<http.Server> {
  const [host, port] = splitAddress(cfg.metrics_listen!);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    let body_bytes = 0;
    req.on('data', (c: Buffer) => {
      body_bytes += c.length;
      if (body_bytes > HOOK_BODY_BYTES_MAX) req.destroy();
    });
    if (req.method === 'GET' && url.pathname === '/metrics') {
      metrics.registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': metrics.registry.contentType });
          res.end(text);
        },
        (err: unknown) => {
          res.writeHead(500);
          res.end(String(err));
        },
      );
      return;
    }
    if (cfg.test_hooks && req.method === 'POST' && (url.pathname === '/test/clock-offset' || url.pathname === '/test/fsync-delay')) {
      const ms = Number(url.searchParams.get('ms'));
      const lo = url.pathname === '/test/clock-offset' ? -HOOK_MS_MAX : 0;
      if (!Number.isInteger(ms) || ms < lo || ms > HOOK_MS_MAX) {
        res.writeHead(400);
        res.end(`ms must be an integer in ${lo}..${HOOK_MS_MAX}, got ${String(url.searchParams.get('ms'))}\n`);
        return;
      }
      if (url.pathname === '/test/clock-offset') node.clock_offset_ms = ms;
      else node.setFsyncDelay(ms);
      log.warn({ hook: url.pathname, ms }, 'test hook applied');
      res.writeHead(200);
      res.end('ok\n');
      return;
    }
    res.writeHead(404);
    res.end('not found\n');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

function splitAddress(a: string): [string, number] {
  const i = a.lastIndexOf(':');
  return [a.slice(0, i).replace(/^\[|\]$/g, ''), Number(a.slice(i + 1))];
}

function fail(message: string, code: number): never {
  process.stderr.write(`stockd: ${message}\n`);
  process.exit(code);
}

function loadConfig(): StockdConfig {
  const cmd = buildCommand();
  cmd.parse(process.argv);
  try {
    return resolveConfig(cmd);
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err), 2);
  }
}

function noteMissingRuntimeSettings(log: pino.Logger): void {
  const missing = missingNodeFlags(process.execArgv, process.env.NODE_OPTIONS ?? '');
  if (missing.length > 0) log.info({ missing }, 'started without the recommended Node.js flags (see docs/configuration.md): more CPU goes to garbage collection');
  const missing_env = missingNodeEnv(process.env);
  if (missing_env.length > 0) log.info({ missing: missing_env }, 'started without the recommended environment (see docs/configuration.md): malloc may keep more memory');
}

function openSecurity(cfg: StockdConfig, log: pino.Logger): NodeSecurity {
  try {
    const security = new NodeSecurity(cfg.security, {
      info: (m) => log.info(m),
      warn: (m) => log.warn(m),
      error: (m) => log.error(m),
    });
    security.configureJoin(cfg.id, cfg.join, Object.keys(cfg.initial_cluster));
    return security;
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err), 2);
  }
}

async function bootOrExit(cfg: StockdConfig, log: pino.Logger, metrics: NodeMetrics, security: NodeSecurity): Promise<StockNodeImpl> {
  try {
    return await bootNode(cfg, { log, metrics, peer_credentials: (id) => security.peerCredentials(id) });
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    log.fatal({ err: msg }, 'refusing to start');
    fail(`refusing to start: ${msg}`, err instanceof StorageError || err instanceof ConfigError ? 3 : 1);
  }
}

interface Serving {
  readonly server: grpc.Server;
  readonly client_services: ClientServices;
  readonly port: number;
}

/** Binds the node's one gRPC port: peers, clients, operators (and test hooks). */
async function serveGrpc(cfg: StockdConfig, node: StockNodeImpl, security: NodeSecurity, metrics: NodeMetrics, log: pino.Logger): Promise<Serving> {
  // Channelz (grpc-js's call-tracing registry) is off: nothing here reads it, and it costs
  // every call bookkeeping on the one thread that also runs raft and the ledger.
  // Receive windows that hold a whole batch of peer messages (see http2-windows.ts).
  widenHttp2ServerWindows();
  const server = new grpc.Server({ ...PEER_SERVER_OPTIONS, 'grpc.enable_channelz': 0 });
  server.addService(raftServiceClient('Raft').service, node.transport.service());
  if (cfg.test_hooks) server.addService(raftServiceClient('StockTest').service, testServiceImpl(node));
  const client_services = registerClientServices(server, node, { registry: metrics.registry, forward_credentials: security.forwardCredentials() });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(cfg.listen, security.serverCredentials(), (err, p) => (err ? reject(err) : resolve(p))),
  ).catch((err: unknown) => {
    log.fatal({ err: String(err), listen: cfg.listen }, 'cannot listen');
    fail(`cannot listen on ${cfg.listen}: ${String(err)}`, 2);
  });
  return { server, client_services, port };
}

function startIdleCollection(cfg: StockdConfig, node: StockNodeImpl, log: pino.Logger): IdleGcHandle {
  const malloc_trim = loadMallocTrim();
  if (!malloc_trim.available && cfg.idle_gc_mib > 0) log.info({ reason: malloc_trim.reason }, 'idle compaction runs without malloc_trim: free C heap pages stay resident');
  const reclaim = memoryReclaimer(malloc_trim, compactHeap, MALLOC_TRIM_DELAY_MS);
  const idleCollect = async (): Promise<void> => {
    // Entries above the log's trailing share are garbage once compacted away.
    await node.trimLog();
    await reclaim.all();
  };
  return startIdleGc(
    { ...IDLE_GC_DEFAULTS, growth_bytes_min: cfg.idle_gc_mib * 1024 * 1024, rss_growth_bytes_min: 2 * cfg.idle_gc_mib * 1024 * 1024 },
    cfg.idle_gc_mib > 0 ? idleCollect : undefined,
    () => node.status().role === 'leader',
    (f) => log.info({ heap_committed_mib_before: Math.round(f.before_bytes / 1048576), heap_committed_mib_after: Math.round(f.after_bytes / 1048576), took_ms: Math.round(f.took_ms) }, 'idle: log trimmed and heap compacted'),
  );
}

/** Reloads security files on SIGHUP; returns the function that removes the handler. */
function reloadOnSighup(cfg: StockdConfig, node: StockNodeImpl, security: NodeSecurity, log: pino.Logger): () => void {
  return security.installSighup((changes) => {
    log.warn({ changes }, 'roles changed');
    // Replicated record, best effort: only a leader can propose. A follower's reload stays
    // in its own audit file (docs/security.md "Admin history").
    if (node.status().role === 'leader') {
      void recordAdminEvent(node, 'roles_reload', 'operator (SIGHUP)', cfg.id, JSON.stringify(changes), Date.now() + ADMIN_RECORD_TIMEOUT_MS_MIN);
    }
  });
}

interface Running {
  readonly node: StockNodeImpl;
  readonly serving: Serving;
  readonly idle_gc: IdleGcHandle;
  readonly metrics_server: http.Server | null;
  readonly unhook: () => void;
}

async function shutDown(cfg: StockdConfig, r: Running): Promise<void> {
  r.idle_gc.stop();
  await r.node.close(cfg.drain_ms);
  r.serving.client_services.close();
  r.unhook();
  r.metrics_server?.close();
  await new Promise<void>((resolve) => {
    const t = setTimeout(() => {
      r.serving.server.forceShutdown();
      resolve();
    }, SERVER_SHUTDOWN_GRACE_MS);
    r.serving.server.tryShutdown(() => {
      clearTimeout(t);
      resolve();
    });
  });
}

/** On SIGTERM or SIGINT: drain, close, exit 0 (1 if closing failed). */
function stopOnSignals(cfg: StockdConfig, r: Running, log: pino.Logger): void {
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'draining');
    shutDown(cfg, r).then(
      () => {
        log.info({}, 'stopped');
        process.exit(0);
      },
      (err: unknown) => {
        log.error({ err: String(err) }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

async function main(): Promise<void> {
  const cfg = loadConfig();
  const log = pino({ level: cfg.log_level, base: { node: cfg.id } });
  noteMissingRuntimeSettings(log);
  const security = openSecurity(cfg, log);
  const metrics = new NodeMetrics(cfg.id, { process_metrics: true, data_dir: cfg.data_dir });
  const node = await bootOrExit(cfg, log, metrics, security);
  // Membership for the access decision: only current members may forward callers' calls,
  // and a node with no members yet is still joining (join-gate.ts).
  security.attachCluster({
    isMember: (id) => node.status().members.some((m) => m.id === id),
    joining: () => node.status().members.length === 0,
  });
  // Admin actions (membership, transfers, snapshots, backups, role reloads) and who made
  // them: a hash-chained JSON-lines trail beside the node's data (docs/security.md).
  try {
    security.enableAudit(cfg.id, path.join(cfg.data_dir, 'admin-audit.jsonl'));
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    log.fatal({ err: msg }, 'refusing to start');
    fail(`refusing to start: ${msg}`, 3);
  }
  security.registerMetrics(metrics.registry);
  const serving = await serveGrpc(cfg, node, security, metrics, log);
  node.trace = cfg.log_level === 'trace';
  node.start();
  const metrics_server = cfg.metrics_listen === null ? null : await startMetricsServer(cfg, node, metrics, log);
  const idle_gc = startIdleCollection(cfg, node, log);
  log.info({ listen: cfg.listen, port: serving.port, advertise: cfg.advertise, metrics: cfg.metrics_listen, pid: process.pid, idle_gc: idle_gc.enabled }, 'stockd serving');
  const unhook = reloadOnSighup(cfg, node, security, log);
  stopOnSignals(cfg, { node, serving, idle_gc, metrics_server, unhook }, log);
}

void main();
