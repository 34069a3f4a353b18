// Starts the echo server process (driver side).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startProc, stopProc, type Proc } from '../lib/procs.js';
import type { EchoSizes } from '../load/spec.js';

const SERVER_JS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'echo-server.js');

export interface EchoReference {
  readonly endpoint: string;
  readonly proc: Proc;
  stop(): Promise<void>;
}

export async function startEcho(sizes: EchoSizes): Promise<EchoReference> {
  const proc = startProc('echo', process.execPath, [SERVER_JS, String(sizes.response_bytes)]);
  const line = await proc.waitForLine(/^listening \d+$/, 15_000);
  const port = Number(line.split(' ')[1]);
  return { endpoint: `127.0.0.1:${port}`, proc, stop: () => stopProc(proc) };
}
