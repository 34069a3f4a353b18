// One unary call with a plain gRPC client, for tests that must see what a server
// answered (code, details, trailing metadata) with no SDK retry in between.

import * as grpc from '@grpc/grpc-js';
import { clusterService, inventoryService } from '../../src/wire/protos.js';

export interface RawReply {
  readonly err: grpc.ServiceError | null;
  readonly reply: unknown;
  readonly ms: number;
}

/** One unary call with a plain gRPC client: what the server answered, nothing retried. */
export function raw(address: string, service: 'Inventory' | 'Cluster', method: string, request: object, timeout_ms: number, md = new grpc.Metadata()): Promise<RawReply> {
  const svc = service === 'Inventory' ? inventoryService().service : clusterService().service;
  const def = svc[method] as grpc.MethodDefinition<object, unknown>;
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  const started = Date.now();
  return new Promise((resolve) => {
    client.makeUnaryRequest(def.path, def.requestSerialize, def.responseDeserialize, request, md, { deadline: Date.now() + timeout_ms }, (err, reply) => {
      client.close();
      resolve({ err: err ?? null, reply, ms: Date.now() - started });
    });
  });
}

