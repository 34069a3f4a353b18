// A loopback port for a process a test or harness is about to start. The caller's listen is
// the real check; this only makes a clash unlikely.
//
// Ports come from below the kernel's ephemeral range (ip_local_port_range). A port in that
// range that was free a moment ago can be taken at any time by an outgoing connection of
// any process on the machine, and a test suite that runs files in parallel makes many of
// those: a node restarted on its old port, or started a second after its port was chosen,
// then fails with EADDRINUSE. Below the range only another explicit bind can take it.

import { readFileSync } from 'node:fs';
import net from 'node:net';

const PICK_ATTEMPTS_MAX = 256;
const PORT_LOWEST = 10_000;
/** Ports this process has already handed out, so two callers never get the same one. */
const handed_out = new Set<number>();

/** The kernel's ephemeral range, or Linux's default when it cannot be read. */
export function ephemeralRange(): { low: number; high: number } {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && Number.isInteger(high) && low! > 0 && high! >= low!) return { low: low!, high: high! };
  } catch {
    // Not Linux, or no /proc: fall through to the default.
  }
  return { low: 32_768, high: 60_999 };
}

/** The range free ports are picked from: below the ephemeral range, else above it. */
export function pickRange(eph: { low: number; high: number } = ephemeralRange()): { low: number; high: number } | null {
  if (eph.low - 1 - PORT_LOWEST >= 1000) return { low: PORT_LOWEST, high: eph.low - 1 };
  if (65_535 - (eph.high + 1) >= 1000) return { low: eph.high + 1, high: 65_535 };
  return null;
}

async function canBind(port: number): Promise<boolean> {
  const server = net.createServer();
  const ok = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => resolve(true));
  });
  if (ok) await new Promise<void>((resolve) => server.close(() => resolve()));
  return ok;
}

async function kernelPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function freePort(): Promise<number> {
  const range = pickRange();
  if (range === null) return kernelPort();
  for (let attempt = 0; attempt < PICK_ATTEMPTS_MAX; attempt++) {
    const port = range.low + Math.floor(Math.random() * (range.high - range.low + 1));
    if (handed_out.has(port)) continue;
    if (!(await canBind(port))) continue;
    handed_out.add(port);
    return port;
  }
  throw new Error(`freePort: no free loopback port in ${range.low}..${range.high} after ${PICK_ATTEMPTS_MAX} attempts`);
}

/** `n` distinct free loopback ports. */
export async function freePorts(n: number): Promise<number[]> {
  const PORTS_MAX = 64;
  if (!Number.isInteger(n) || n < 1 || n > PORTS_MAX) throw new Error(`freePorts: n must be in 1..${PORTS_MAX}, got ${n}`);
  const ports: number[] = [];
  for (let i = 0; i < n; i++) ports.push(await freePort());
  return ports;
}
