// HTTP/2 flow-control windows of the node's gRPC server.
//
// A peer's raft messages reach this node on one HTTP/2 stream that the peer writes to, so
// how much it may send before this node acknowledges is this node's receive window. HTTP/2
// starts every stream and connection at 64 KiB, and grpc-js's server has no option to
// change that. A node acknowledges only when its event loop reads the socket, which under
// load happens between rounds that take up to a few hundred ms on a busy 2-CPU machine; a
// 1 MiB batch of appends then needs 16 such turns. Measured under Submit x100 from 256
// callers on 3 nodes (25,600 reserves in flight): the leader's writes to a follower waited
// 0.6-3.4 s for the window, its heartbeats queued behind them, the followers' election
// timers fired (8 pre-campaigns in 25 s) and the leadership changed. With windows that
// hold a whole batch (the transport's batch_bytes_max), a batch crosses in one go.
//
// grpc-js builds its HTTP/2 server through the `node:http2` module, so the windows are
// set by wrapping that module's server constructors once, before the gRPC server is made:
// the initial stream window through the SETTINGS every session sends, the connection
// window on every new session. What a fast sender can park in this node is bounded by
// the connection window per connection (and messages by the 4 MiB gRPC limit).

import http2 from 'node:http2';
import { DEFAULT_TRANSPORT_LIMITS } from '../node/transport-grpc.js';

/** Initial window of every stream: one transport batch of peer messages (its entry-byte
 * bound, 1 MiB, which stockd always uses) fits. */
export const STREAM_WINDOW_BYTES = DEFAULT_TRANSPORT_LIMITS.batch_bytes_max;
/** Window of every connection (all its streams together): four such batches. */
export const SESSION_WINDOW_BYTES = 4 * STREAM_WINDOW_BYTES;

type ServerFactory<O, S> = (options: O, ...rest: unknown[]) => S;
interface Http2Factories {
  createServer: ServerFactory<http2.ServerOptions | undefined, http2.Http2Server>;
  createSecureServer: ServerFactory<http2.SecureServerOptions | undefined, http2.Http2SecureServer>;
}

let installed = false;

/** Wraps `http2.createServer` and `createSecureServer` so that every server made from now
 * on (grpc-js's included) advertises STREAM_WINDOW_BYTES and opens SESSION_WINDOW_BYTES on
 * each connection. Idempotent. */
export function widenHttp2ServerWindows(): void {
  if (installed) return;
  installed = true;
  const mod = http2 as unknown as Http2Factories;
  const plain = mod.createServer;
  const secure = mod.createSecureServer;
  mod.createServer = (options, ...rest) => widen(plain(withStreamWindow(options), ...rest));
  mod.createSecureServer = (options, ...rest) => widen(secure(withStreamWindow(options), ...rest));
}

function withStreamWindow<O extends http2.ServerOptions>(options: O | undefined): O {
  const given = options ?? ({} as O);
  return { ...given, settings: { ...given.settings, initialWindowSize: Math.max(given.settings?.initialWindowSize ?? 0, STREAM_WINDOW_BYTES) } };
}

function widen<S extends http2.Http2Server | http2.Http2SecureServer>(server: S): S {
  server.on('session', (session: http2.ServerHttp2Session) => {
    try {
      session.setLocalWindowSize(SESSION_WINDOW_BYTES);
    } catch {
      // A session that closed before it could be widened keeps the default; nothing to do.
    }
  });
  return server;
}
