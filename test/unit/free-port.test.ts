// Ports for test and bench processes come from outside the kernel's ephemeral range, where
// outgoing connections cannot take them between the pick and the node's own listen.

import net from 'node:net';
import t from 'tap';
import { ephemeralRange, freePort, freePorts, pickRange } from '../../src/util/free-port.js';

t.test('the pick range lies below the ephemeral range, else above it, else nowhere', async (t) => {
  t.same(pickRange({ low: 32_768, high: 60_999 }), { low: 10_000, high: 32_767 });
  t.same(pickRange({ low: 1_024, high: 49_151 }), { low: 49_152, high: 65_535 }, 'a low ephemeral range: above it');
  t.equal(pickRange({ low: 1_024, high: 65_000 }), null, 'no room on either side: the kernel picks');
});

t.test('freePort gives distinct bindable ports outside the ephemeral range', async (t) => {
  const eph = ephemeralRange();
  const ports = await freePorts(20);
  t.equal(new Set(ports).size, 20, 'all distinct');
  const outside = ports.every((p) => p < eph.low || p > eph.high);
  t.ok(outside, `none in ${eph.low}..${eph.high}: ${ports.join(',')}`);
  // Held ports are skipped: a port bound here is never handed out.
  const held = net.createServer();
  const held_port = await freePort();
  await new Promise<void>((r) => held.listen(held_port, '127.0.0.1', () => r()));
  t.teardown(() => held.close());
  const more = await freePorts(20);
  t.notOk(more.includes(held_port), 'a bound port is not handed out again');
  for (const p of more.slice(0, 3)) {
    const s = net.createServer();
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(p, '127.0.0.1', () => resolve());
    });
    await new Promise<void>((r) => s.close(() => r()));
  }
  t.pass('handed-out ports can be bound');
});

t.test('freePorts refuses a count outside its limit, naming it', async (t) => {
  await t.rejects(freePorts(0), /freePorts: n must be in 1\.\.64, got 0/);
  await t.rejects(freePorts(65), /got 65/);
});
