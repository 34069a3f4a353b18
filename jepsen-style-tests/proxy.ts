// A TCP proxy for one directed peer link (connections that node A opens towards node B).
// The nemesis sets its mode:
//   up    - bytes pass through;
//   cut   - open connections are destroyed and new ones are closed on accept, so the
//           sender sees a dead peer and reconnects with backoff;
//   delay - every chunk is held for delay_ms before being passed on (order kept);
//   slow  - both directions are limited to bytes_per_s.
// Queues are bounded: a side whose queued bytes exceed QUEUE_BYTES_MAX is paused.

import * as net from 'node:net';

export type LinkMode =
  | { readonly kind: 'up' }
  | { readonly kind: 'cut' }
  | { readonly kind: 'delay'; readonly delay_ms: number }
  | { readonly kind: 'slow'; readonly bytes_per_s: number };

const QUEUE_BYTES_MAX = 8 * 1024 * 1024;
const CONNECTIONS_MAX = 64;
const DELAY_MS_MAX = 60_000;

interface Pending {
  readonly at_ms: number;
  readonly chunk: Buffer;
}

/** One direction of one proxied connection: from `src` to `dst`, shaped by the link mode. */
class Pipe {
  private readonly queue: Pending[] = [];
  private queued_bytes = 0;
  private timer: NodeJS.Timeout | null = null;
  /** For slow mode: when the link is free to send the next byte. */
  private free_at_ms = 0;

  constructor(
    private readonly src: net.Socket,
    private readonly dst: net.Socket,
    private readonly mode: () => LinkMode,
  ) {
    src.on('data', (chunk: Buffer) => this.push(chunk));
  }

  private push(chunk: Buffer): void {
    const m = this.mode();
    const now = Date.now();
    let at = now;
    if (m.kind === 'delay') at = now + m.delay_ms;
    if (m.kind === 'slow') {
      this.free_at_ms = Math.max(this.free_at_ms, now) + (chunk.length * 1000) / m.bytes_per_s;
      at = this.free_at_ms;
    }
    if (m.kind === 'cut') return;
    if (at <= now && this.queue.length === 0) {
      if (!this.dst.destroyed) this.dst.write(chunk);
      return;
    }
    this.queue.push({ at_ms: at, chunk });
    this.queued_bytes += chunk.length;
    if (this.queued_bytes > QUEUE_BYTES_MAX) this.src.pause();
    this.schedule();
  }

  private schedule(): void {
    if (this.timer !== null || this.queue.length === 0) return;
    const wait = Math.max(0, this.queue[0].at_ms - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush();
    }, wait);
  }

  private flush(): void {
    const now = Date.now();
    while (this.queue.length > 0 && this.queue[0].at_ms <= now) {
      const p = this.queue.shift()!;
      this.queued_bytes -= p.chunk.length;
      if (!this.dst.destroyed) this.dst.write(p.chunk);
    }
    if (this.queued_bytes <= QUEUE_BYTES_MAX / 2 && this.src.isPaused()) this.src.resume();
    this.schedule();
  }

  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.queue.length = 0;
    this.queued_bytes = 0;
  }
}

export class LinkProxy {
  private server: net.Server | null = null;
  private mode: LinkMode = { kind: 'up' };
  private readonly conns = new Set<{ a: net.Socket; b: net.Socket; pipes: Pipe[] }>();
  port = 0;

  constructor(
    readonly name: string,
    private readonly target_port: number,
  ) {}

  async listen(port = 0): Promise<number> {
    const server = net.createServer((client) => this.accept(client));
    server.maxConnections = CONNECTIONS_MAX;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as net.AddressInfo).port;
    return this.port;
  }

  get current(): LinkMode {
    return this.mode;
  }

  set(mode: LinkMode): void {
    if (mode.kind === 'delay' && !(mode.delay_ms >= 0 && mode.delay_ms <= DELAY_MS_MAX)) {
      throw new Error(`proxy ${this.name}: delay_ms must be in 0..${DELAY_MS_MAX}, got ${mode.delay_ms}`);
    }
    if (mode.kind === 'slow' && !(mode.bytes_per_s >= 1)) {
      throw new Error(`proxy ${this.name}: bytes_per_s must be >= 1, got ${mode.bytes_per_s}`);
    }
    this.mode = mode;
    if (mode.kind === 'cut') {
      for (const c of [...this.conns]) this.drop(c);
    }
  }

  connections(): number {
    return this.conns.size;
  }

  private accept(client: net.Socket): void {
    if (this.mode.kind === 'cut') {
      client.destroy();
      return;
    }
    const upstream = net.connect(this.target_port, '127.0.0.1');
    const c = { a: client, b: upstream, pipes: [] as Pipe[] };
    c.pipes.push(new Pipe(client, upstream, () => this.mode), new Pipe(upstream, client, () => this.mode));
    this.conns.add(c);
    const end = (): void => this.drop(c);
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
  }

  private drop(c: { a: net.Socket; b: net.Socket; pipes: Pipe[] }): void {
    if (!this.conns.delete(c)) return;
    for (const p of c.pipes) p.stop();
    c.a.destroy();
    c.b.destroy();
  }

  async close(): Promise<void> {
    for (const c of [...this.conns]) this.drop(c);
    const s = this.server;
    this.server = null;
    if (s !== null) await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}
