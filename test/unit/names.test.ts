import t from 'tap';
import { addressProblem, nameProblem } from '../../src/wire/names.js';

t.test('node and cluster ids: one rule', async (t) => {
  for (const ok of ['n1', 'node-2.eu_west', 'a'.repeat(64)]) t.equal(nameProblem(ok), null, ok);
  for (const bad of ['', 'a'.repeat(65), 'n 1', 'n/1', 'n:1', 'ü']) t.match(nameProblem(bad), /1\.\.64 characters of \[A-Za-z0-9._-\], got /, JSON.stringify(bad));
});

t.test('addresses: host:port with a DNS, IPv4 or bracketed IPv6 host', async (t) => {
  for (const ok of ['127.0.0.1:7401', 'localhost:0', 'db-1.example.org:65535', '[::1]:7401', '[fe80::1]:1']) t.equal(addressProblem(ok), null, ok);
  for (const bad of ['127.0.0.1', '127.0.0.1:65536', ':7401', 'host:port', '::1:7401', 'a b:1', `${'a'.repeat(300)}:1`]) {
    t.match(addressProblem(bad), /must be host:port .*got /, bad.slice(0, 40));
  }
});
