// What every stockctl command shares: the global options, the SDK client built from them,
// the output, and the exit codes.

import type { Command } from 'commander';
import type * as grpc from '@grpc/grpc-js';
import { StockraftClient } from '../client/index.js';
import { bearerTokenInterceptor, clientChannelCredentials } from '../client/index.js';
import { makeOutput, type Output } from './output.js';
import { parseEndpoints, parseInteger, UsageError } from './args.js';

/** Exit statuses: 0 success; 1 the call failed (cluster unreachable, refused by gRPC);
 * 2 the ledger refused the operation (a result code other than OK, or not found);
 * 3 a check found a mismatch (verify, verify-backup); 64 bad usage. */
export const EXIT_OK = 0;
export const EXIT_CALL_FAILED = 1;
export const EXIT_REFUSED = 2;
export const EXIT_MISMATCH = 3;
export const EXIT_USAGE = 64;

export class Exit extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'Exit';
  }
}

export interface GlobalOptions {
  endpoints?: string;
  json?: boolean;
  deadlineMs?: string;
  ca?: string;
  cert?: string;
  key?: string;
  token?: string;
  insecure?: boolean;
}

export interface Ctx {
  readonly out: Output;
  readonly endpoints: string[];
  /** A client over all endpoints (made on first use, closed at exit). */
  client(): StockraftClient;
  /** A client talking to exactly one endpoint. */
  clientFor(endpoint: string): StockraftClient;
  close(): void;
}

export function contextOf(cmd: Command): Ctx {
  const o = cmd.optsWithGlobals<GlobalOptions>();
  const endpoints = parseEndpoints(o.endpoints);
  const deadline_ms = o.deadlineMs === undefined ? 10_000 : parseInteger('--deadline-ms', o.deadlineMs, 1, 600_000);
  let credentials: grpc.ChannelCredentials | undefined;
  if (o.ca !== undefined) {
    if (o.insecure === true) throw new UsageError('--insecure and --ca exclude each other');
    credentials = clientChannelCredentials({ ca: o.ca, ...(o.cert !== undefined ? { cert: o.cert } : {}), ...(o.key !== undefined ? { key: o.key } : {}) });
  } else if (o.cert !== undefined || o.key !== undefined) throw new UsageError('--cert and --key need --ca');
  const interceptors = o.token === undefined ? [] : [bearerTokenInterceptor(o.token)];
  const made: StockraftClient[] = [];
  const make = (eps: string[]): StockraftClient => {
    const c = new StockraftClient({ endpoints: eps, deadline_ms, interceptors, ...(credentials !== undefined ? { credentials } : {}) });
    made.push(c);
    return c;
  };
  let main: StockraftClient | null = null;
  return {
    out: makeOutput(o.json === true),
    endpoints,
    client: () => (main ??= make(endpoints)),
    clientFor: (endpoint) => make([endpoint]),
    close: () => {
      for (const c of made) c.close();
    },
  };
}
