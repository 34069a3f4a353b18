// The node's gRPC server advertises receive windows that hold a whole batch of peer
// messages: grpc-js alone leaves HTTP/2's 64 KiB, which held a leader's appends back for
// seconds under load (see src/server/http2-windows.ts).
import t from 'tap';
import http2 from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import { SESSION_WINDOW_BYTES, STREAM_WINDOW_BYTES, widenHttp2ServerWindows } from '../../src/server/http2-windows.js';

async function windowsOf(): Promise<{ stream: number | undefined; session: number | undefined }> {
  const server = new grpc.Server();
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
  const client = http2.connect(`http://127.0.0.1:${port}`);
  try {
    await new Promise<void>((resolve, reject) => {
      client.once('remoteSettings', () => resolve());
      client.once('error', reject);
    });
    // The connection window arrives as a WINDOW_UPDATE right after the settings.
    for (let i = 0; i < 50 && (client.state.remoteWindowSize ?? 0) < SESSION_WINDOW_BYTES; i++) await new Promise((r) => setTimeout(r, 10));
    return { stream: client.remoteSettings.initialWindowSize, session: client.state.remoteWindowSize };
  } finally {
    client.close();
    server.forceShutdown();
  }
}

t.test('without the wrapper a grpc-js server keeps the 64 KiB defaults', async (t) => {
  const w = await windowsOf();
  t.equal(w.stream, 65535, 'stream window');
  t.ok((w.session ?? 0) < SESSION_WINDOW_BYTES, `connection window ${w.session}`);
});

t.test('after widenHttp2ServerWindows every new server advertises the wide windows', async (t) => {
  widenHttp2ServerWindows();
  widenHttp2ServerWindows(); // a second call changes nothing
  const w = await windowsOf();
  t.equal(w.stream, STREAM_WINDOW_BYTES, 'stream window holds one transport batch');
  t.equal(w.session, SESSION_WINDOW_BYTES, 'connection window');
});
