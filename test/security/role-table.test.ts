// Each role calling each method: the decision is OK inside the role's rights,
// PERMISSION_DENIED naming the missing role outside them, and UNAUTHENTICATED without a
// valid identity. The expectations are written out by hand here, independently of
// method-table.ts, so a wrong entry there fails this test.

import t from 'tap';
import * as grpc from '@grpc/grpc-js';
import { decide, decideOps, principalHas, type AccessState } from '../../src/server/security/authorizer.js';
import { METHOD_RULES, ruleFor } from '../../src/server/security/method-table.js';
import { parseRolesFile } from '../../src/server/security/roles.js';
import { hashToken, parseTokenFile } from '../../src/server/security/tokens.js';
import { ALLOWED, FORWARDABLE, NODE_ALLOWED, PEER_ONLY } from './expected-rights.js';

const INV = '/stockraft.v1.Inventory/';
const CLU = '/stockraft.v1.Cluster/';
const allowed = ALLOWED;

const tokens = parseTokenFile(['reader', 'order', 'stock', 'admin', 'nobody'].map((r) => `${r} ${hashToken('tok-' + r)}`).join('\n'));
const state: AccessState = {
  mode: 'enforced',
  client_cas: [],
  peer_cas: [],
  tokens,
  roles: parseRolesFile('reader reader\norder order\nstock stock\nadmin admin\n'),
};
const asToken = (who: string) => ({ cert_der: null, authorization: [`Bearer tok-${who}`] });

t.test('each role against each method', (t) => {
  const methods = [...METHOD_RULES.keys()];
  for (const role of Object.keys(allowed)) {
    for (const m of methods) {
      const d = decide(state, m, asToken(role));
      if (allowed[role]?.has(m)) {
        t.ok(d.ok, `${role} may call ${m}`);
      } else {
        t.match(d, { ok: false, code: grpc.status.PERMISSION_DENIED }, `${role} may not call ${m}`);
        if (!d.ok) t.match(d.details, PEER_ONLY.includes(m) ? /node certificate/ : /needs role '/, 'the refusal names what is missing');
      }
    }
  }
  t.end();
});

t.test('refusal messages name the missing role and the caller', (t) => {
  const d = decide(state, INV + 'Reserve', asToken('reader'));
  t.match(d, { ok: false, details: /Reserve needs role 'order' \(or 'admin'\); principal 'reader' \(by token\) has roles \[reader\]/ });
  const e = decide(state, CLU + 'AddLearner', asToken('order'));
  t.match(e, { ok: false, details: /needs role 'admin'; principal 'order'/ });
  const n = decide(state, INV + 'GetPosition', asToken('nobody'));
  t.match(n, { ok: false, code: grpc.status.PERMISSION_DENIED, details: /has roles \[\]/ }, 'a known token without roles may do nothing');
  t.end();
});

t.test('no identity or a bad token is UNAUTHENTICATED; health stays public', (t) => {
  t.match(decide(state, INV + 'GetPosition', { cert_der: null, authorization: [] }), { ok: false, code: grpc.status.UNAUTHENTICATED });
  t.match(decide(state, INV + 'GetPosition', { cert_der: null, authorization: ['Bearer wrong'] }), { ok: false, code: grpc.status.UNAUTHENTICATED, details: /not recognised/ });
  t.match(decide(state, '/grpc.health.v1.Health/Check', { cert_der: null, authorization: [] }), { ok: true, principal: { kind: 'anonymous' } });
  t.match(decide(state, '/grpc.health.v1.Health/Check', { cert_der: null, authorization: ['Bearer wrong'] }), { ok: false, code: grpc.status.UNAUTHENTICATED }, 'a bad token is refused even where none is needed');
  const noTokens: AccessState = { ...state, tokens: null };
  t.match(decide(noTokens, INV + 'GetPosition', asToken('admin')), { ok: false, code: grpc.status.UNAUTHENTICATED, details: /no --auth-tokens/ });
  const open: AccessState = { ...state, mode: 'open' };
  t.match(decide(open, '/stockraft.raft.Raft/Stream', { cert_der: null, authorization: [] }), { ok: true }, 'open mode lets everything through');
  t.end();
});

t.test('Submit checks every op against its own role', (t) => {
  const d = decide(state, INV + 'Submit', asToken('order'));
  t.ok(d.ok);
  if (!d.ok) return t.end();
  t.equal(decideOps(d.principal, INV + 'Submit', ['reserve', 'commit', 'release', 'extend']), null);
  t.match(decideOps(d.principal, INV + 'Submit', ['reserve', 'adjust']), { code: grpc.status.PERMISSION_DENIED, details: /ops\[1\] \(adjust\) needs role 'stock'/ });
  const s = decide(state, INV + 'Submit', asToken('stock'));
  if (s.ok) t.match(decideOps(s.principal, INV + 'Submit', ['adjust', 'reserve']), { details: /ops\[1\] \(reserve\) needs role 'order'/ });
  const a = decide(state, INV + 'Submit', asToken('admin'));
  if (a.ok) t.equal(decideOps(a.principal, INV + 'Submit', ['adjust', 'reserve']), null);
  t.end();
});

t.test('a node principal holds only peer (plus its roles); leader-routed methods are the forwardable ones', (t) => {
  const node = { kind: 'node', name: 'node:n2', node_id: 'n2', roles: [] } as const;
  for (const cap of ['read', 'order', 'stock', 'admin', 'peer'] as const) t.equal(principalHas(node, cap), cap === 'peer', `node without roles: ${cap}`);
  t.equal(principalHas({ ...node, roles: ['reader'] }, 'read'), true, 'a node the roles file names as reader reads');
  t.equal(principalHas({ ...node, roles: ['reader'] }, 'stock'), false);
  for (const [m, rule] of METHOD_RULES) {
    t.equal(rule.forward, FORWARDABLE.includes(m), `${m} forwardable: ${FORWARDABLE.includes(m)}`);
    t.equal(rule.any_of.length === 0 || rule.any_of.some((c) => principalHas(node, c)), NODE_ALLOWED.has(m), `node rights on ${m}`);
  }
  t.equal(ruleFor('/stockraft.v1.Cluster/NoSuchMethod').forward, false, 'an unknown method is never forwardable');
  t.end();
});
