// Loads the client-facing wire contracts (proto/stockraft/v1/inventory.proto,
// proto/grpc/health/v1/health.proto) once.
// Conversion options are chosen so handlers see plain JS values: int64 as Number (values
// beyond the limits of src/wire/limits.ts are rejected at the edge, all far below 2^53), enums as
// their names (an unknown enum number stays a number and is refused), defaults filled in
// so absent scalars read as 0 / '' rather than undefined.

import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** Repository root: this file compiles to dist/src/server/, the protos live in proto/. */
const PROTO_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../proto');

export const PROTO_LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
  arrays: true,
  oneofs: true,
};

/** gRPC message size limit for client calls, both directions (docs/ARCHITECTURE.md "Limits"). */
export const GRPC_MESSAGE_BYTES_MAX = 4 * 1024 * 1024;

export function protoPath(file: string): string {
  return path.join(PROTO_DIR, file);
}

const cache = new Map<string, protoLoader.PackageDefinition>();

function definition(file: string): protoLoader.PackageDefinition {
  let def = cache.get(file);
  if (def === undefined) {
    def = protoLoader.loadSync(protoPath(file), PROTO_LOADER_OPTIONS);
    cache.set(file, def);
  }
  return def;
}

export function loadHealthProto(): grpc.GrpcObject {
  return grpc.loadPackageDefinition(definition('grpc/health/v1/health.proto'));
}

export function loadInventoryProto(): grpc.GrpcObject {
  return grpc.loadPackageDefinition(definition('stockraft/v1/inventory.proto'));
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

export function inventoryService(): grpc.ServiceClientConstructor {
  return serviceOf(loadInventoryProto(), 'stockraft.v1.Inventory');
}

export function clusterService(): grpc.ServiceClientConstructor {
  return serviceOf(loadInventoryProto(), 'stockraft.v1.Cluster');
}
