// Unit tests of the pure parts: token hashing and the token file, the roles file and its
// diff, the per-principal limits, and the method table's coverage of the protos.

import t from 'tap';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { checkBearer, hashToken, makeToken, parseTokenFile, tokenFileLine } from '../../src/server/security/tokens.js';
import { diffRoles, parseRolesFile } from '../../src/server/security/roles.js';
import { PrincipalLimits } from '../../src/server/security/limits.js';
import { METHOD_RULES, ruleFor } from '../../src/server/security/method-table.js';
import { submitOpKinds, claimedSender } from '../../src/server/security/interceptor.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

t.test('tokens are stored hashed and checked by digest', (t) => {
  const token = makeToken();
  t.match(token, /^srt_[A-Za-z0-9_-]{43}$/);
  t.not(makeToken(), token, 'fresh tokens differ');
  const line = tokenFileLine('orders-svc', token);
  t.notOk(line.includes(token), 'the file line does not contain the token');
  t.equal(hashToken('abc'), 'sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', 'known SHA-256 vector');
  const table = parseTokenFile(`# comment\n${line}\n\n`);
  t.same(checkBearer([`Bearer ${token}`], table), { ok: true, principal: 'orders-svc' });
  t.match(checkBearer([`Bearer ${token}x`], table), { ok: false, reason: /not recognised/ });
  t.match(checkBearer([token], table), { ok: false, reason: /Bearer/ }, 'scheme required');
  t.match(checkBearer([], table), { ok: false, reason: /no credentials/ });
  t.match(checkBearer([`Bearer ${token}`, `Bearer ${token}`], table), { ok: false, reason: /2 times/ });
  t.match(checkBearer([`Bearer ${'a'.repeat(600)}`], table), { ok: false, reason: /512 bytes/ });
  t.match(checkBearer([Buffer.from('x')], table), { ok: false, reason: /text/ });
  t.end();
});

t.test('token file errors name the line and the problem', (t) => {
  t.throws(() => parseTokenFile('alice srt_plaintexttoken\n', 'tok'), /tok:1: digest must be/);
  t.throws(() => parseTokenFile(`al ice ${hashToken('x')}\n`, 'tok'), /tok:1: expected/);
  t.throws(() => parseTokenFile(`a ${hashToken('x')}\nb ${hashToken('x')}\n`, 'tok'), /tok:2: the same token digest is listed for 'a' and 'b'/);
  t.throws(() => parseTokenFile(`bad/name ${hashToken('x')}\n`, 'tok'), /tok:1: principal must match/);
  t.throws(() => tokenFileLine('bad name', 'x'), /principal must match/);
  t.end();
});

t.test('roles file parses, refuses bad lines, and diffs', (t) => {
  const a = parseRolesFile('# who what\nalice admin\nbob order reader\ncarol stock,reader\n', 'r');
  t.same(a.get('alice'), ['admin']);
  t.same(a.get('bob'), ['order', 'reader']);
  t.same(a.get('carol'), ['stock', 'reader']);
  t.throws(() => parseRolesFile('alice superuser\n', 'r'), /r:1: unknown role 'superuser'/);
  t.throws(() => parseRolesFile('alice\n', 'r'), /r:1: principal 'alice' has no roles/);
  t.throws(() => parseRolesFile('alice admin\nalice reader\n', 'r'), /r:2: principal 'alice' is listed twice/);
  t.throws(() => parseRolesFile('x'.repeat(1024 * 1024 + 1), 'r'), /limit 1048576/);
  const b = parseRolesFile('alice reader\nbob reader order\ndave admin\n', 'r');
  t.same(diffRoles(a, b), [
    { principal: 'alice', before: ['admin'], after: ['reader'] },
    { principal: 'carol', before: ['reader', 'stock'], after: [] },
    { principal: 'dave', before: [], after: ['admin'] },
  ]);
  t.same(diffRoles(a, a), [], 'no change, no diff');
  t.end();
});

t.test('per-principal limits refuse beyond the bound and free slots once', (t) => {
  const l = new PrincipalLimits({ calls_inflight_max: 2, streams_open_max: 1 });
  const a = l.acquire('p', 'call');
  const b = l.acquire('p', 'call');
  t.ok(a.ok && b.ok);
  t.match(l.acquire('p', 'call'), { ok: false, reason: /principal 'p' has 2 calls in flight, limit 2/ });
  t.ok(l.acquire('q', 'call').ok, 'other principals are not affected');
  const s = l.acquire('p', 'stream');
  t.ok(s.ok);
  t.match(l.acquire('p', 'stream'), { ok: false, reason: /open streams, limit 1/ });
  if (a.ok) {
    a.release();
    a.release(); // a call ended twice (status and cancel) frees one slot only
  }
  t.same(l.inUse('p'), { call: 1, stream: 1 });
  t.ok(l.acquire('p', 'call').ok);
  t.match(l.acquire('p', 'call'), { ok: false });
  t.throws(() => new PrincipalLimits({ calls_inflight_max: 0, streams_open_max: 1 }), /calls_inflight_max must be an integer in 1\.\.1000000, got 0/);
  t.end();
});

t.test('every rpc in the protos has an entry in the method table', (t) => {
  const found: string[] = [];
  // The health contract is the one grpc-health-check serves; a file that cannot be read
  // fails the test (skipping it would let its rpcs go unchecked).
  const files = [...['stockraft/v1/inventory.proto', 'stockraft/raft/raft.proto'].map((f) => path.join(ROOT, 'proto', f)), healthProtoPath];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const pkg = /^package\s+([\w.]+);/m.exec(text)?.[1] ?? '';
    // Walk service blocks and their rpc lines.
    for (const svc of text.matchAll(/service\s+(\w+)\s*\{([\s\S]*?)\n\}/g)) {
      for (const rpc of (svc[2] ?? '').matchAll(/rpc\s+(\w+)\s*\(/g)) found.push(`/${pkg}.${svc[1]}/${rpc[1]}`);
    }
  }
  t.ok(found.length >= 20, `found ${found.length} rpcs`);
  t.ok(found.includes('/grpc.health.v1.Health/Check'), 'the health service is among them');
  // grpc-health-check's contract is newer than the copy once vendored: List is served too.
  t.ok(found.includes('/grpc.health.v1.Health/List'), 'List, which grpc-health-check serves, is checked');
  for (const m of found) t.ok(METHOD_RULES.has(m), `${m} is in the method table`);
  t.same(ruleFor('/stockraft.v1.Inventory/SomethingNew').any_of, ['admin'], 'unknown methods need admin');
  t.end();
});

t.test('message inspection helpers', (t) => {
  t.same(submitOpKinds({ ops: [{ op: 'reserve', reserve: {} }, { adjust: { sku: 'a' } }, {}] }), ['reserve', 'adjust', '']);
  t.equal(submitOpKinds({}), null);
  t.equal(claimedSender('/stockraft.raft.Raft/Stream', { from: 'n2' }), 'n2');
  t.equal(claimedSender('/stockraft.raft.Raft/Stream', { messages: [] }), null);
  t.equal(claimedSender('/stockraft.raft.Raft/InstallSnapshot', { header: { from: 'n3' } }), 'n3');
  t.equal(claimedSender('/stockraft.raft.Raft/InstallSnapshot', { header: null, data: 'x' }), undefined);
  t.end();
});
