// The join gate: a joining node admits peer traffic only with proof of the join token (or,
// without one, only from the members the operator listed); members send the proof from
// their own copy of the file; without either, --join refuses to start. Against a real gRPC
// server on loopback with TLS, plus the pure parts.

import t from 'tap';
import * as grpc from '@grpc/grpc-js';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { checkJoinProof, checkJoinSender, JoinToken, joinAdmission, JOIN_TOKEN_BYTES_MAX, readJoinTokenFile } from '../../src/server/security/join-gate.js';
import { NodeSecurity } from '../../src/server/security/node-security.js';
import { loadProtos, makeCerts, QUIET, ROOT, serviceCtor, startStubServer, type StubServer } from './fixture.js';

const certs = makeCerts('n1,n2,n3,n4');
t.teardown(() => certs.cleanup());
const SECRET = 'k9Vv2f0P3s8x1QmZrT5wYb7N';
const tokenFile = path.join(certs.dir, 'join.token');
writeFileSync(tokenFile, SECRET + '\n');
const otherFile = path.join(certs.dir, 'other.token');
writeFileSync(otherFile, 'another-secret-of-enough-length\n');
const tls = (id: string) => ({ cert: certs.file(`nodes/${id}.crt`), key: certs.file(`nodes/${id}.key`), ca: certs.file('ca.crt'), roles: certs.file('roles.txt') });

t.test('token file: bounded, trimmed, never shown', (t) => {
  const tok = readJoinTokenFile(tokenFile);
  t.equal(String(tok), '[join token]');
  t.notOk(JSON.stringify({ tok }).includes(SECRET), 'the secret does not serialize');
  t.equal(tok.proofFor('n4'), new JoinToken(Buffer.from(SECRET)).proofFor('n4'), 'white space around the token is not part of it');
  t.not(tok.proofFor('n4'), tok.proofFor('n5'), 'the proof is bound to the receiving node');
  t.notOk(tok.proofFor('n4').includes(SECRET));
  const short = path.join(certs.dir, 'short.token');
  writeFileSync(short, 'abc');
  t.throws(() => readJoinTokenFile(short), /short.token: token is 3 bytes, at least 16 needed/);
  const big = path.join(certs.dir, 'big.token');
  writeFileSync(big, 'x'.repeat(JOIN_TOKEN_BYTES_MAX + 10));
  t.throws(() => readJoinTokenFile(big), new RegExp(`${JOIN_TOKEN_BYTES_MAX + 10} bytes, limit ${JOIN_TOKEN_BYTES_MAX}`));
  t.throws(() => readJoinTokenFile(path.join(certs.dir, 'missing')), /--join-token-file .*missing: cannot read: ENOENT/);
  const spaced = path.join(certs.dir, 'spaced.token');
  writeFileSync(spaced, 'two words of a long enough token');
  t.throws(() => readJoinTokenFile(spaced), /one word/);
  try {
    readJoinTokenFile(spaced);
  } catch (err) {
    t.notOk(String(err).includes('two words'), 'an error never quotes the file');
  }
  t.end();
});

t.test('admission: --join needs a token or a member list', (t) => {
  const tok = readJoinTokenFile(tokenFile);
  t.equal(joinAdmission(false, null, []), null, 'a node that does not join has no gate');
  t.throws(() => joinAdmission(true, null, []), /--join needs .*--join-token-file FILE .* or --initial-cluster/);
  t.match(joinAdmission(true, tok, ['n1']), { kind: 'token' }, 'the token wins over the list');
  const list = joinAdmission(true, null, ['n1', 'n2']);
  t.match(list, { kind: 'members' });
  if (list === null) return t.end();
  t.equal(checkJoinSender(list, 'n1'), null);
  t.match(checkJoinSender(list, 'n9'), { details: /named by --initial-cluster \(n1, n2\): sender 'n9' is not one/ });
  t.match(checkJoinSender(list, null), { details: /sender '\(none\)'/ });
  const adm = joinAdmission(true, tok, []);
  if (adm === null) return t.end();
  t.equal(checkJoinProof(adm, 'n4', [tok.proofFor('n4')]), null, 'the proof for this node');
  t.match(checkJoinProof(adm, 'n4', []), { details: /none presented/ });
  t.match(checkJoinProof(adm, 'n4', [tok.proofFor('n5')]), { details: /does not match/ }, 'a proof made for another node');
  t.match(checkJoinProof(adm, 'n4', [new JoinToken(Buffer.from('another-secret-of-enough-length')).proofFor('n4')]), { details: /does not match/ }, 'another token');
  t.throws(() => new NodeSecurity({ insecure: true, joinTokenFile: tokenFile }, QUIET), /--join-token-file needs TLS/);
  t.end();
});

const pkg = loadProtos();
const RAFT = serviceCtor(pkg, 'stockraft.raft.Raft').service;

function raftStream(c: grpc.Client, from: string): Promise<{ code: number; details: string }> {
  const def = RAFT['Stream']!;
  return new Promise((resolve) => {
    const call = c.makeClientStreamRequest(def.path, def.requestSerialize, def.responseDeserialize, new grpc.Metadata(), { deadline: Date.now() + 10_000 }, (err) => {
      resolve(err ? { code: err.code, details: err.details } : { code: 0, details: '' });
    });
    call.on('error', () => {});
    call.write({ cluster_id: 'c1', from, from_address: '127.0.0.1:1', messages: [] });
    call.end();
  });
}

t.test('a joining node (n4) admits only members that prove the token', async (t) => {
  const srv: StubServer = await startStubServer({ ...tls('n4'), joinTokenFile: tokenFile });
  const clients: grpc.Client[] = [];
  t.teardown(async () => {
    for (const c of clients) c.close();
    await srv.close();
  });
  let joined = false;
  srv.security.configureJoin('n4', true, []);
  srv.security.attachCluster({ isMember: () => joined, joining: () => !joined });
  const dial = (id: string, tokenFileOf: string | undefined): grpc.Client => {
    const sec = new NodeSecurity({ ...tls(id), joinTokenFile: tokenFileOf }, QUIET);
    const c = new grpc.Client(srv.address, sec.peerCredentials('n4'));
    clients.push(c);
    return c;
  };
  const ok = await raftStream(dial('n1', tokenFile), 'n1');
  t.equal(ok.code, 0, 'a member with the same token file gets through');
  const none = await raftStream(dial('n2', undefined), 'n2');
  t.equal(none.code, grpc.status.PERMISSION_DENIED, 'a member without the file is refused');
  t.match(none.details, /joining and accepts peer traffic only with the cluster's join token.*none presented/);
  const wrong = await raftStream(dial('n3', otherFile), 'n3');
  t.equal(wrong.code, grpc.status.PERMISSION_DENIED, 'another token is refused');
  t.match(wrong.details, /does not match/);
  t.equal(srv.seen.filter((s) => s.path.endsWith('/Stream')).length, 1, 'only the proven stream reached the transport');
  t.notOk(JSON.stringify(srv.seen).includes('x-stockraft-join-proof'), 'handlers never see the proof');
  joined = true;
  t.equal((await raftStream(dial('n2', undefined), 'n2')).code, 0, 'once it has members, the gate is open (the transport checks members)');
});

t.test('without a token, a joining node admits the listed members only', async (t) => {
  const srv: StubServer = await startStubServer(tls('n4'));
  const clients: grpc.Client[] = [];
  t.teardown(async () => {
    for (const c of clients) c.close();
    await srv.close();
  });
  srv.security.configureJoin('n4', true, ['n1']);
  srv.security.attachCluster({ isMember: () => false, joining: () => true });
  const dial = (id: string): grpc.Client => {
    const c = new grpc.Client(srv.address, new NodeSecurity(tls(id), QUIET).peerCredentials('n4'));
    clients.push(c);
    return c;
  };
  t.equal((await raftStream(dial('n1'), 'n1')).code, 0, 'n1 is listed');
  const r = await raftStream(dial('n2'), 'n2');
  t.equal(r.code, grpc.status.PERMISSION_DENIED, 'n2 is not');
  t.match(r.details, /named by --initial-cluster \(n1\): sender 'n2' is not one/);
});

t.test('stockd --join with neither a token nor a member list refuses to start, touching nothing', (t) => {
  const data = path.join(certs.dir, 'data-join');
  const r = spawnSync(process.execPath, [path.join(ROOT, 'dist/src/server/main.js'), '--id', 'n4', '--insecure', '--join', '--cluster-id', 'c-abc', '--data', data], { encoding: 'utf8', timeout: 30_000 });
  t.equal(r.status, 2, 'exit code 2 (configuration)');
  t.match(r.stderr, /--join needs a way to tell the real cluster .*--join-token-file FILE .*--initial-cluster/);
  t.notOk(existsSync(data), 'no data dir was created');
  const tokened = spawnSync(process.execPath, [path.join(ROOT, 'dist/src/server/main.js'), '--id', 'n4', '--insecure', '--join', '--cluster-id', 'c-abc', '--join-token-file', tokenFile, '--data', data], { encoding: 'utf8', timeout: 30_000 });
  t.equal(tokened.status, 2);
  t.match(tokened.stderr, /--join-token-file needs TLS/);
  t.notOk(tokened.stderr.includes(SECRET) || tokened.stdout.includes(SECRET), 'the token appears in no output');
  t.end();
});
