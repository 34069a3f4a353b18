// Shared set-up of the security tests: certificates made at test time with
// cluster-scripts/gen-certs.sh into a fresh temp dir, and a gRPC server on 127.0.0.1:0
// that serves every service of the protos with recording stub handlers behind NodeSecurity.

import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { NodeSecurity, type SecurityFlags } from '../../src/server/security/node-security.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const MESSAGE_BYTES_MAX = 4 * 1024 * 1024;

export function requireOpenssl(): void {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
  } catch {
    throw new Error('the security tests need openssl on PATH (apt-get install openssl)');
  }
}

export interface CertDir {
  readonly dir: string;
  file(rel: string): string;
  cleanup(): void;
}

export function makeCerts(nodes = 'n1,n2,n3', clients = 'admin,orders,stock,reader,n2'): CertDir {
  requireOpenssl();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stockraft-sec-'));
  execFileSync('bash', [path.join(ROOT, 'cluster-scripts/gen-certs.sh'), '--out', dir, '--nodes', nodes, '--clients', clients, '--test-extras'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return { dir, file: (rel) => path.join(dir, rel), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export const QUIET = { info: () => {}, warn: () => {}, error: () => {} };

const LOADER: protoLoader.Options = { keepCase: true, longs: Number, enums: String, defaults: true, arrays: true, oneofs: true };

/** Every contract a node serves: ours from proto/, the health service's from the
 * grpc-health-check package that serves it (absolute paths). */
export const PROTO_FILES: readonly string[] = [
  ...['stockraft/v1/inventory.proto', 'stockraft/raft/raft.proto'].map((f) => path.join(ROOT, 'proto', f)),
  healthProtoPath,
];

export function loadProtos(): grpc.GrpcObject {
  const def = protoLoader.loadSync([...PROTO_FILES], LOADER);
  return grpc.loadPackageDefinition(def);
}

export function serviceCtor(pkg: grpc.GrpcObject, dotted: string): grpc.ServiceClientConstructor {
  let cur: unknown = pkg;
  for (const part of dotted.split('.')) cur = (cur as Record<string, unknown>)[part];
  return cur as grpc.ServiceClientConstructor;
}

export const SERVICES = ['stockraft.v1.Inventory', 'stockraft.v1.Cluster', 'stockraft.raft.Raft', 'grpc.health.v1.Health'];

export interface StubServer {
  readonly address: string;
  readonly security: NodeSecurity;
  /** Paths of calls whose handler ran, with the principal metadata seen and messages. */
  readonly seen: Array<{ path: string; principal: string | null; messages: unknown[] }>;
  close(): Promise<void>;
}

type AnyCall = grpc.ServerUnaryCall<unknown, unknown> | grpc.ServerReadableStream<unknown, unknown> | grpc.ServerWritableStream<unknown, unknown>;

/** Starts a server with every method stubbed: unary and client-streaming calls answer with
 * an empty message, server streams stay open until the client cancels. */
export async function startStubServer(flags: SecurityFlags): Promise<StubServer> {
  const security = new NodeSecurity(flags, QUIET);
  const pkg = loadProtos();
  const server = new grpc.Server({ 'grpc.max_receive_message_length': MESSAGE_BYTES_MAX });
  const seen: StubServer['seen'] = [];
  for (const name of SERVICES) {
    const svc = serviceCtor(pkg, name).service;
    const impl: grpc.UntypedServiceImplementation = {};
    for (const [method, def] of Object.entries(svc)) {
      const record = (call: AnyCall, messages: unknown[]) => {
        const p = call.metadata.get('x-stockraft-principal');
        const entry = { path: def.path, principal: typeof p[0] === 'string' ? p[0] : null, messages };
        seen.push(entry);
        return entry;
      };
      if (!def.requestStream && !def.responseStream) {
        impl[method] = (call: grpc.ServerUnaryCall<unknown, unknown>, cb: grpc.sendUnaryData<unknown>) => {
          record(call, [call.request]);
          cb(null, {});
        };
      } else if (def.requestStream) {
        impl[method] = (call: grpc.ServerReadableStream<unknown, unknown>, cb: grpc.sendUnaryData<unknown>) => {
          const entry = record(call, []);
          call.on('data', (m: unknown) => entry.messages.push(m));
          call.on('end', () => cb(null, {}));
          call.on('error', () => {});
        };
      } else {
        impl[method] = (call: grpc.ServerWritableStream<unknown, unknown>) => {
          record(call, [call.request]);
          // Headers now, so a client can tell an accepted stream from a refused one.
          call.sendMetadata(new grpc.Metadata());
          call.on('cancelled', () => call.end());
          call.on('error', () => {});
        };
      }
    }
    server.addService(svc, impl);
  }
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', security.serverCredentials(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return {
    address: `127.0.0.1:${port}`,
    security,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
        setTimeout(() => server.forceShutdown(), 2000).unref();
      }),
  };
}

export function writeFile(dir: string, name: string, text: string): string {
  const f = path.join(dir, name);
  writeFileSync(f, text);
  return f;
}

/** Makes a unary call by path and resolves with the status code (0 for OK). */
export function unaryCode(client: grpc.Client, svc: grpc.ServiceDefinition, method: string, request: unknown, metadata = new grpc.Metadata()): Promise<{ code: number; details: string }> {
  const def = svc[method];
  if (def === undefined) throw new Error(`no method ${method}`);
  return new Promise((resolve) => {
    client.makeUnaryRequest(def.path, def.requestSerialize, def.responseDeserialize, request, metadata, { deadline: Date.now() + 10_000 }, (err) => {
      resolve(err ? { code: err.code, details: err.details } : { code: 0, details: '' });
    });
  });
}

/** stockd processes and gRPC clients a test starts, ended together by `close()` (kill -9 of
 * exactly those pids, then the certificates' directory). */
export interface NodeProcs {
  readonly children: ChildProcess[];
  /** Starts `stockd --id id ...args`, logging to `<certs dir>/<id>-<n>.log`. */
  startNode(id: string, args: readonly string[]): ChildProcess;
  /** Remembers a client so that close() closes it. */
  track<C extends grpc.Client>(c: C): C;
  close(): Promise<void>;
}

export function nodeProcs(certs: CertDir): NodeProcs {
  const stockd = path.join(ROOT, 'dist/src/server/main.js');
  const children: ChildProcess[] = [];
  const clients: grpc.Client[] = [];
  return {
    children,
    startNode(id, args) {
      const log = openSync(path.join(certs.dir, `${id}-${children.length}.log`), 'a');
      const child = spawn(process.execPath, [stockd, '--id', id, '--log-level', 'info', ...args], { stdio: ['ignore', log, log] });
      closeSync(log);
      children.push(child);
      return child;
    },
    track(c) {
      clients.push(c);
      return c;
    },
    async close() {
      for (const c of clients) c.close();
      await Promise.all(
        children.map(
          (c) =>
            new Promise<void>((resolve) => {
              if (c.exitCode !== null || c.signalCode !== null) return resolve();
              c.once('exit', () => resolve());
              c.kill('SIGKILL');
            }),
        ),
      );
      certs.cleanup();
    },
  };
}
