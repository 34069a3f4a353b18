// A trivial grpc-js server for the echo reference. Run as its own process:
//   node dist/bench/targets/echo-server.js <response_bytes>
// It binds 127.0.0.1 on a port the OS picks and prints `listening <port>` on stdout.
import * as grpc from '@grpc/grpc-js';
import { ECHO_BYTES_MAX, ECHO_SERVICE } from './echo-def.js';

const response_bytes = Number(process.argv[2] ?? '160');
if (!Number.isInteger(response_bytes) || response_bytes < 0 || response_bytes > ECHO_BYTES_MAX) {
  throw new Error(`response_bytes: must be an integer in 0..${ECHO_BYTES_MAX}, got ${process.argv[2]}`);
}
const reply = Buffer.alloc(response_bytes, 0x2a);

// Same server-side setting as stockd (channelz off), so the ceiling is like for like.
const server = new grpc.Server({ 'grpc.enable_channelz': 0 });
server.addService(ECHO_SERVICE, {
  Unary: (_call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => callback(null, reply),
});
server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) throw err;
  process.stdout.write(`listening ${port}\n`);
});
const stop = (): void => server.tryShutdown(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
