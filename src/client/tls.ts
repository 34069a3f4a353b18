// Credentials for clients of a TLS cluster (stockctl, order systems using the SDK): the
// cluster's CA, optionally a client certificate, and a bearer-token interceptor.

import * as grpc from '@grpc/grpc-js';
import { readFileSync } from 'node:fs';

/** Certificate and key files are small; a larger file is a wrong path, not a PEM. */
export const PEM_FILE_BYTES_MAX = 1024 * 1024;

/** Reads one certificate, key or CA file; errors name the flag, the file and the limit. */
export function readPem(file: string, flag: string): Buffer {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (err) {
    throw new Error(`${flag} ${file}: cannot read: ${(err as Error).message}`);
  }
  if (buf.length === 0) throw new Error(`${flag} ${file}: file is empty`);
  if (buf.length > PEM_FILE_BYTES_MAX) throw new Error(`${flag} ${file}: ${buf.length} bytes, limit ${PEM_FILE_BYTES_MAX}`);
  return buf;
}

export interface ClientTlsOptions {
  readonly ca: string;
  readonly cert?: string;
  readonly key?: string;
}

/** Credentials for stockctl and SDK users. The server's name is checked against the
 * address dialled (node certificates from gen-certs.sh name localhost and 127.0.0.1). */
export function clientChannelCredentials(opts: ClientTlsOptions): grpc.ChannelCredentials {
  const ca = readPem(opts.ca, '--ca');
  if ((opts.cert === undefined) !== (opts.key === undefined)) throw new Error('--cert and --key must be given together');
  if (opts.cert !== undefined && opts.key !== undefined) {
    return grpc.credentials.createSsl(ca, readPem(opts.key, '--key'), readPem(opts.cert, '--cert'));
  }
  return grpc.credentials.createSsl(ca);
}

/** Adds `authorization: Bearer <token>` to every call (works over plaintext too, unlike
 * call credentials, so --insecure development clusters with --auth-tokens can be used). */
export function bearerTokenInterceptor(token: string): grpc.Interceptor {
  if (token.length === 0 || !/^[!-~]+$/.test(token)) throw new Error('--token must be printable ASCII without spaces');
  return (options, nextCall) =>
    new grpc.InterceptingCall(nextCall(options), {
      start(metadata, listener, next) {
        metadata.set('authorization', `Bearer ${token}`);
        next(metadata, listener);
      },
    });
}
