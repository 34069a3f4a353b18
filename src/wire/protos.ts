// Loads the client-facing wire contract (proto/stockraft/v1/inventory.proto) once; the health service's
// contract comes with grpc-health-check.
// The same file runs in the repository (dist/src/wire/) and inside the @stockraft/client
// package (dist/wire/, with the protos copied to the package's proto/), so the proto
// directory is found by looking upwards for the nearest `proto/` holding the contract.
// Conversion options are chosen so code sees plain JS values: enums as their names (an
// unknown enum number stays a number and is refused), defaults filled in so absent scalars
// read as 0 / '' rather than undefined. int64 differs by side: the SDK reads replies with
// int64 as Number (the server only sends values within the limits of src/wire/limits.ts,
// all below 2^53); the server reads requests with int64 as decimal String, so the edge
// validation sees the exact value a caller sent (2^53 + 1 is not rounded to 2^53) and a
// refusal echoes it unchanged. The generated types in src/wire/generated/ are made with the
// SDK's options (scripts/gen-wire-types.mjs passes the same values).

import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The client-facing contracts, relative to the proto directory: the one list to change
 * when the protos move (packages/client/scripts/build.mjs copies the whole proto/ tree). */
export const INVENTORY_PROTO_FILE = 'stockraft/v1/inventory.proto';

/** Directories above this file searched for proto/: 3 reach the repository root from
 * dist/src/wire/, 2 the package root from dist/wire/; one more for slack, no further. */
const PROTO_DIR_LEVELS_MAX = 4;

function findProtoDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (let up = 1; up <= PROTO_DIR_LEVELS_MAX; up++) {
    const candidate = path.resolve(here, '../'.repeat(up), 'proto');
    if (existsSync(path.join(candidate, INVENTORY_PROTO_FILE))) return candidate;
  }
  throw new Error(`proto: no proto/${INVENTORY_PROTO_FILE} within ${PROTO_DIR_LEVELS_MAX} directories above ${here}`);
}

/** Found once at load: the layout does not change while the process runs. */
const PROTO_DIR = findProtoDir();

/** Options of the SDK (replies arrive with int64 as Number). */
export const PROTO_LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
  arrays: true,
  oneofs: true,
};

/** Options of the server: as PROTO_LOADER_OPTIONS but requests arrive with int64 as exact
 * decimal strings (src/wire/validate.ts checkInt turns them into numbers within limits). */
export const SERVER_PROTO_LOADER_OPTIONS: protoLoader.Options = { ...PROTO_LOADER_OPTIONS, longs: String };

/** Which side loads a contract: the loader options differ only in how int64 arrives. */
export type ProtoSide = 'client' | 'server';

/** gRPC message size limit for client calls, both directions (docs/ARCHITECTURE.md "Limits"). */
export const GRPC_MESSAGE_BYTES_MAX = 4 * 1024 * 1024;

export function protoPath(file: string): string {
  return path.join(PROTO_DIR, file);
}

/** Loaded definitions by side and file; immutable once loaded, so sharing them within a
 * process is safe (no per-node state). */
const cache = new Map<string, protoLoader.PackageDefinition>();

function definition(file: string, side: ProtoSide): protoLoader.PackageDefinition {
  const key = `${side}:${file}`;
  let def = cache.get(key);
  if (def === undefined) {
    def = protoLoader.loadSync(protoPath(file), side === 'server' ? SERVER_PROTO_LOADER_OPTIONS : PROTO_LOADER_OPTIONS);
    cache.set(key, def);
  }
  return def;
}

/** The loaded inventory contract (for server reflection). */
export function inventoryDefinition(): protoLoader.PackageDefinition {
  return definition(INVENTORY_PROTO_FILE, 'server');
}

export function loadInventoryProto(side: ProtoSide = 'client'): grpc.GrpcObject {
  return grpc.loadPackageDefinition(definition(INVENTORY_PROTO_FILE, side));
}

/** Walks a dotted name (e.g. 'grpc.health.v1.Health') through a loaded package. */
export function serviceOf(pkg: grpc.GrpcObject, dotted: string): grpc.ServiceClientConstructor {
  let cur: unknown = pkg;
  for (const part of dotted.split('.')) {
    if (typeof cur !== 'object' && typeof cur !== 'function') throw new Error(`proto: ${dotted} not found at ${part}`);
    cur = (cur as Record<string, unknown>)[part];
  }
  if (typeof cur !== 'function' || !('service' in cur)) throw new Error(`proto: ${dotted} is not a service`);
  return cur as grpc.ServiceClientConstructor;
}

/** stockraft.v1.Inventory as the SDK (default) or the server ('server') decodes it. */
export function inventoryService(side: ProtoSide = 'client'): grpc.ServiceClientConstructor {
  return serviceOf(loadInventoryProto(side), 'stockraft.v1.Inventory');
}

export function clusterService(side: ProtoSide = 'client'): grpc.ServiceClientConstructor {
  return serviceOf(loadInventoryProto(side), 'stockraft.v1.Cluster');
}
