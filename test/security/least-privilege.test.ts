// A node certificate is a peer, not a client: it may call the raft service and nothing
// else unless the roles file names it. A current member may forward a caller's call on a
// leader-routed method and the caller's own roles decide; a removed member may not.
// And the join gate: a joining node admits peers by a join token or by a member list.

import t from 'tap';
import * as grpc from '@grpc/grpc-js';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { decide, type AccessState, type ClusterView } from '../../src/server/security/authorizer.js';
import { METHOD_RULES } from '../../src/server/security/method-table.js';
import { parseRolesFile } from '../../src/server/security/roles.js';
import { NodeSecurity } from '../../src/server/security/node-security.js';
import { FORWARDABLE, PEER_ONLY, PUBLIC, READS } from './expected-rights.js';
import { makeCerts, QUIET } from './fixture.js';

const certs = makeCerts();
t.teardown(() => certs.cleanup());
const der = (rel: string): Buffer => new X509Certificate(readFileSync(certs.file(rel))).raw;
const base = new NodeSecurity({ cert: certs.file('nodes/n1.crt'), key: certs.file('nodes/n1.key'), ca: certs.file('ca.crt'), roles: certs.file('roles.txt') }, QUIET).state();
const state: AccessState = { ...base, roles: parseRolesFile('admin admin\nreader reader\nnode:n3 reader\n') };
const members = (ids: string[]): ClusterView => ({ isMember: (id) => ids.includes(id), joining: () => ids.length === 0 });
const cluster = members(['n1', 'n2', 'n3']);
const n2 = { cert_der: der('nodes/n2.crt'), authorization: [] };

t.test('a node certificate may call the raft service and the public methods only', (t) => {
  for (const m of METHOD_RULES.keys()) {
    const d = decide(state, m, n2, Date.now(), cluster);
    if (PEER_ONLY.includes(m) || PUBLIC.includes(m)) t.ok(d.ok, `node n2 may call ${m}`);
    else {
      t.match(d, { ok: false, code: grpc.status.PERMISSION_DENIED }, `node n2 may not call ${m}`);
      if (!d.ok) t.match(d.details, /principal 'node:n2' \(node certificate\) has roles \[\]/, 'the refusal names the node and its (no) roles');
    }
  }
  t.end();
});

t.test('a node listed in the roles file gets exactly those roles', (t) => {
  const n3 = { cert_der: der('nodes/n3.crt'), authorization: [] };
  for (const m of METHOD_RULES.keys()) {
    const d = decide(state, m, n3, Date.now(), cluster);
    t.equal(d.ok, READS.includes(m) || PEER_ONLY.includes(m) || PUBLIC.includes(m), `node:n3 (reader) on ${m}`);
  }
  t.end();
});

t.test('a current member forwards for the caller; the caller\'s roles decide', (t) => {
  for (const m of METHOD_RULES.keys()) {
    const asAdmin = decide(state, m, { ...n2, forwarded_for: 'admin' }, Date.now(), cluster);
    if (FORWARDABLE.includes(m)) {
      t.match(asAdmin, { ok: true, principal: { kind: 'forwarded', name: 'admin', by: { name: 'node:n2' } } }, `n2 forwards admin's ${m}`);
    } else if (!PEER_ONLY.includes(m) && !PUBLIC.includes(m)) {
      // Not leader-routed (reads, Backup, Snapshot...): the mark grants nothing.
      t.match(asAdmin, { ok: false, code: grpc.status.PERMISSION_DENIED }, `a forward mark on ${m} gives the node no rights`);
    }
  }
  const reader = decide(state, '/stockraft.v1.Cluster/Remove', { ...n2, forwarded_for: 'reader' }, Date.now(), cluster);
  t.match(reader, { ok: false, code: grpc.status.PERMISSION_DENIED, details: /needs role 'admin'; principal 'reader' \(forwarded by node:n2\) has roles \[reader\]/ }, 'a forwarded reader may not remove a member');
  const unknown = decide(state, '/stockraft.v1.Inventory/Adjust', { ...n2, forwarded_for: 'nobody-known' }, Date.now(), cluster);
  t.match(unknown, { ok: false, details: /principal 'nobody-known' \(forwarded by node:n2\) has roles \[\]/ }, 'a name the roles file does not know has no rights');
  t.end();
});

t.test('a removed member (or an unattached node) may not forward', (t) => {
  const m = '/stockraft.v1.Cluster/Remove';
  const retired = decide(state, m, { ...n2, forwarded_for: 'admin' }, Date.now(), members(['n1', 'n3']));
  t.match(retired, { ok: false, code: grpc.status.PERMISSION_DENIED, details: /node:n2 forwarded a call for 'admin' but is not a current member/ });
  const unattached = decide(state, m, { ...n2, forwarded_for: 'admin' }, Date.now(), null);
  t.match(unattached, { ok: false, code: grpc.status.PERMISSION_DENIED, details: /not a current member/ });
  const malformed = decide(state, m, { ...n2, forwarded_for: 'bad name' }, Date.now(), cluster);
  t.match(malformed, { ok: false, code: grpc.status.UNAUTHENTICATED, details: /malformed principal/ });
  t.end();
});

t.test('a client cannot use the forward mark; a token still decides over it', (t) => {
  const m = '/stockraft.v1.Cluster/Remove';
  const reader = decide(state, m, { cert_der: der('clients/reader.crt'), authorization: [], forwarded_for: 'admin' }, Date.now(), cluster);
  t.match(reader, { ok: false, code: grpc.status.PERMISSION_DENIED, details: /principal 'reader' \(by cert\)/ }, 'a client claiming to forward for admin is still itself');
  t.end();
});
