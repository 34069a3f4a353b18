import t from 'tap';
import * as net from 'node:net';
import { LinkProxy } from '../../jepsen-style-tests/proxy.js';

async function echoServer(): Promise<net.Server> {
  const s = net.createServer((c) => c.pipe(c));
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  return s;
}

function roundTrip(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = net.connect(port, '127.0.0.1');
    let got = '';
    c.on('data', (d) => {
      got += d.toString();
      if (got.length >= text.length) {
        c.destroy();
        resolve(got);
      }
    });
    c.on('error', reject);
    c.on('close', () => resolve(got));
    c.write(text);
  });
}

t.test('the proxy passes, delays, slows and cuts a link', async (t) => {
  const echo = await echoServer();
  const proxy = new LinkProxy('a>b', (echo.address() as net.AddressInfo).port);
  const port = await proxy.listen();
  t.teardown(async () => {
    await proxy.close();
    await new Promise<void>((r) => echo.close(() => r()));
  });
  t.equal(await roundTrip(port, 'hello'), 'hello', 'up');
  proxy.set({ kind: 'delay', delay_ms: 30 });
  t.equal(await roundTrip(port, 'delayed'), 'delayed', 'delay keeps bytes');
  proxy.set({ kind: 'slow', bytes_per_s: 10_000 });
  t.equal(await roundTrip(port, 'x'.repeat(200)), 'x'.repeat(200), 'slow keeps bytes');
  proxy.set({ kind: 'cut' });
  t.equal(await roundTrip(port, 'lost'), '', 'cut: closed without an answer');
  t.equal(proxy.connections(), 0);
  proxy.set({ kind: 'up' });
  t.equal(await roundTrip(port, 'back'), 'back', 'healed');
  t.throws(() => proxy.set({ kind: 'delay', delay_ms: -1 }), /delay_ms/);
});
