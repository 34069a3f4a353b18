// Load-generator side of the echo reference.
import * as grpc from '@grpc/grpc-js';
import type { PointSpec } from '../load/spec.js';
import type { Session } from '../load/session.js';
import { ECHO_BYTES_MAX, ECHO_SERVICE } from './echo-def.js';
import { channelOptions, deadlineIn, makeClients } from './channels.js';

const EchoClient = grpc.makeGenericClientConstructor(ECHO_SERVICE, 'Echo');

export function echoSession(spec: PointSpec): Session {
  const n = spec.echo.request_bytes;
  if (!Number.isInteger(n) || n < 0 || n > ECHO_BYTES_MAX) {
    throw new Error(`echo.request_bytes: must be an integer in 0..${ECHO_BYTES_MAX}, got ${n}`);
  }
  const request = Buffer.alloc(n, 0x61);
  const clients = makeClients(spec.endpoints, spec.channels_per_endpoint, (a) => new EchoClient(a, grpc.credentials.createInsecure(), channelOptions()));
  return {
    op(client: number): Promise<number> {
      const c = clients[client % clients.length];
      return new Promise((resolve, reject) => {
        c.makeUnaryRequest(
          '/stockraft.bench.Echo/Unary',
          (b: Buffer) => b,
          (b: Buffer) => b,
          request,
          { deadline: deadlineIn(spec.deadline_ms) },
          (err: grpc.ServiceError | null) => (err ? reject(err) : resolve(1)),
        );
      });
    },
    async close(): Promise<void> {
      for (const c of clients) c.close();
    },
  };
}
