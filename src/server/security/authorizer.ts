// The access decision for one call: who is calling (certificate or bearer token) and
// whether they may call this method. Runs before the handler sees the request, so nothing
// is validated, proposed or applied for a refused call.

import * as grpc from '@grpc/grpc-js';
import { X509Certificate, createHash } from 'node:crypto';
import { identityOfCert, issuedBy, type CertIdentity } from './identity.js';
import { OP_CAPABILITY, ruleFor, type MethodRule } from './method-table.js';
import { PRINCIPAL_RE, ROLE_FOR, rolesGrant, type AccessRole, type Capability, type RolesMap } from './roles.js';
import { checkBearer, type TokenTable } from './tokens.js';

export type Principal =
  /** A cluster member, proven by a node certificate from the peer CA. Holds 'peer' (the
   * raft service) and only what the roles file gives its name (`node:<id>`): a node's key,
   * even a retired one, is no client or operator. */
  | { readonly kind: 'node'; readonly name: string; readonly node_id: string; readonly roles: readonly AccessRole[] }
  | { readonly kind: 'user'; readonly name: string; readonly via: 'cert' | 'token'; readonly roles: readonly AccessRole[] }
  /** A caller a current member authenticated and forwarded to this node (the leader): the
   * caller's own roles apply (from this node's roles file), never the member's. */
  | { readonly kind: 'forwarded'; readonly name: string; readonly roles: readonly AccessRole[]; readonly by: Extract<Principal, { kind: 'node' }> }
  /** Nobody proved anything: either the method is public or the node runs open
   * (--insecure without --auth-tokens, development only), where it may do everything. */
  | { readonly kind: 'anonymous'; readonly name: 'anonymous'; readonly open: boolean };

/** The state the decision reads; replaced as a whole on reload. */
export interface AccessState {
  /** 'open': development mode, no identity needed. 'enforced': every non-public call
   * needs a verified certificate or a known token. */
  readonly mode: 'open' | 'enforced';
  /** CAs a client certificate must be issued by. */
  readonly client_cas: readonly X509Certificate[];
  /** CAs a node certificate must be issued by. */
  readonly peer_cas: readonly X509Certificate[];
  /** Null: token authentication is off, a presented token is refused. */
  readonly tokens: TokenTable | null;
  readonly roles: RolesMap;
}

export interface CallCredentials {
  /** DER of the client certificate as verified by the TLS layer (null: none, or not
   * verified against any trusted CA). */
  readonly cert_der: Buffer | null;
  /** Values of the `authorization` metadata key. */
  readonly authorization: readonly (string | Buffer)[];
  /** On a call marked forwarded by a member (FORWARDED_KEY): the principal that member
   * says it authenticated (its PRINCIPAL_KEY). Null or absent otherwise. */
  readonly forwarded_for?: string | null;
}

/** What the access decision needs to know about the cluster, from the running node. */
export interface ClusterView {
  /** Whether `node_id` is a current member (voter or learner): only members may forward. */
  isMember(node_id: string): boolean;
  /** True while this node's membership is empty (started with --join, not yet added). */
  joining(): boolean;
}

export type Decision =
  | { readonly ok: true; readonly principal: Principal; readonly rule: MethodRule }
  | { readonly ok: false; readonly code: grpc.status; readonly details: string; readonly principal?: string };

type Identify = { readonly ok: true; readonly principal: Principal | null } | { readonly ok: false; readonly details: string };

/** What a certificate proves under one AccessState, computed once: parsing and checking the
 * issuer's signature cost a millisecond or more, far too much to repeat on every call. */
type CertVerdict = ({ readonly ok: true; readonly identity: CertIdentity } | { readonly ok: false; readonly details: string }) & {
  readonly from_ms: number;
  readonly to_ms: number;
};

/** Verdicts per state (a reload makes a new state, so old verdicts are dropped with it). */
const verdicts = new WeakMap<AccessState, Map<string, CertVerdict>>();
export const CERT_VERDICTS_MAX = 4096;

function certVerdict(state: AccessState, der: Buffer, now_ms: number): CertVerdict {
  let cache = verdicts.get(state);
  if (cache === undefined) {
    cache = new Map();
    verdicts.set(state, cache);
  }
  const key = createHash('sha256').update(der).digest('base64');
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  let v: CertVerdict;
  try {
    const cert = new X509Certificate(der);
    const from_ms = Date.parse(cert.validFrom);
    const to_ms = Date.parse(cert.validTo);
    const id = identityOfCert(cert);
    if (!id.ok) v = { ok: false, details: id.reason, from_ms, to_ms };
    else if (id.identity.kind === 'node' && !issuedBy(cert, state.peer_cas, now_ms)) {
      v = { ok: false, details: `node certificate for '${id.identity.id}' is not issued by the peer CA`, from_ms, to_ms };
    } else if (id.identity.kind === 'client' && !issuedBy(cert, state.client_cas, now_ms)) {
      v = { ok: false, details: `client certificate for '${id.identity.name}' is not issued by the client CA`, from_ms, to_ms };
    } else v = { ok: true, identity: id.identity, from_ms, to_ms };
  } catch (err) {
    v = { ok: false, details: `certificate does not parse: ${(err as Error).message}`, from_ms: 0, to_ms: 0 };
  }
  // Bounded: a flood of distinct certificates cannot grow memory; start over when full.
  if (cache.size >= CERT_VERDICTS_MAX) cache.clear();
  cache.set(key, v);
  return v;
}

function identify(state: AccessState, creds: CallCredentials, now_ms: number): Identify {
  if (creds.authorization.length > 0) {
    // A presented token decides who calls, and must be valid, even beside a certificate
    // (a member forwarding a client's call keeps the client's token).
    if (state.tokens === null) return { ok: false, details: 'bearer tokens are not accepted by this node (no --auth-tokens)' };
    const t = checkBearer(creds.authorization, state.tokens);
    if (!t.ok) return { ok: false, details: t.reason };
    return { ok: true, principal: { kind: 'user', name: t.principal, via: 'token', roles: state.roles.get(t.principal) ?? [] } };
  }
  if (creds.cert_der === null) return { ok: true, principal: null };
  const v = certVerdict(state, creds.cert_der, now_ms);
  // Validity is re-checked on every call: a long-lived connection outlives its certificate.
  if (!(now_ms >= v.from_ms && now_ms <= v.to_ms)) return { ok: false, details: 'certificate is expired or not yet valid' };
  if (!v.ok) return { ok: false, details: v.details };
  if (v.identity.kind === 'node') {
    const name = `node:${v.identity.id}`;
    return { ok: true, principal: { kind: 'node', name, node_id: v.identity.id, roles: state.roles.get(name) ?? [] } };
  }
  const name = v.identity.name;
  return { ok: true, principal: { kind: 'user', name, via: 'cert', roles: state.roles.get(name) ?? [] } };
}

export function principalHas(p: Principal, cap: Capability): boolean {
  switch (p.kind) {
    case 'node':
      return cap === 'peer' || rolesGrant(p.roles, cap);
    case 'anonymous':
      return p.open;
    case 'user':
    case 'forwarded':
      return cap !== 'peer' && rolesGrant(p.roles, cap);
  }
}

function missing(any_of: readonly Capability[]): string {
  if (any_of.includes('peer')) return 'a node certificate (OU=node) issued by the peer CA';
  const roles = any_of.map((c) => (c === 'peer' ? 'peer' : `'${ROLE_FOR[c]}'`));
  const admin = any_of.includes('admin') ? '' : " (or 'admin')";
  return `role ${roles.join(' or ')}${admin}`;
}

function who(p: Principal): string {
  if (p.kind === 'user') return `principal '${p.name}' (by ${p.via}) has roles [${p.roles.join(', ')}]`;
  if (p.kind === 'forwarded') return `principal '${p.name}' (forwarded by ${p.by.name}) has roles [${p.roles.join(', ')}]`;
  if (p.kind === 'node') return `principal '${p.name}' (node certificate) has roles [${p.roles.join(', ')}]`;
  return `principal '${p.name}'`;
}

/** A member's right to forward: on a leader-routed method (MethodRule.forward), a current
 * member may act for the caller it authenticated; that caller's roles then decide. A
 * removed member, or any other method, gets only the node's own rights. */
function onBehalf(
  state: AccessState,
  method_path: string,
  node: Extract<Principal, { kind: 'node' }>,
  forwarded_for: string,
  cluster: ClusterView | null,
): { ok: true; principal: Principal } | Extract<Decision, { ok: false }> {
  if (!PRINCIPAL_RE.test(forwarded_for)) {
    return { ok: false, code: grpc.status.UNAUTHENTICATED, details: `${method_path}: ${node.name} forwarded a call for a malformed principal name`, principal: node.name };
  }
  if (cluster === null || !cluster.isMember(node.node_id)) {
    return {
      ok: false,
      code: grpc.status.PERMISSION_DENIED,
      details: `${method_path}: ${node.name} forwarded a call for '${forwarded_for}' but is not a current member of this cluster: only members may forward`,
      principal: node.name,
    };
  }
  return { ok: true, principal: { kind: 'forwarded', name: forwarded_for, roles: state.roles.get(forwarded_for) ?? [], by: node } };
}

export function decide(state: AccessState, method_path: string, creds: CallCredentials, now_ms = Date.now(), cluster: ClusterView | null = null): Decision {
  const rule = ruleFor(method_path);
  if (state.mode === 'open') return { ok: true, principal: { kind: 'anonymous', name: 'anonymous', open: true }, rule };
  const id = identify(state, creds, now_ms);
  if (!id.ok) {
    return { ok: false, code: grpc.status.UNAUTHENTICATED, details: `${method_path}: ${id.details}` };
  }
  if (rule.any_of.length === 0) {
    return { ok: true, principal: id.principal ?? { kind: 'anonymous', name: 'anonymous', open: false }, rule };
  }
  if (id.principal === null) {
    const how = state.tokens === null ? 'a client certificate issued by the cluster CA' : 'a client certificate issued by the cluster CA or an authorization bearer token';
    return { ok: false, code: grpc.status.UNAUTHENTICATED, details: `${method_path}: no valid credentials: present ${how}` };
  }
  let p = id.principal;
  const forwarded_for = creds.forwarded_for ?? null;
  if (p.kind === 'node' && forwarded_for !== null && rule.forward) {
    const f = onBehalf(state, method_path, p, forwarded_for, cluster);
    if (!f.ok) return f;
    p = f.principal;
  }
  if (!rule.any_of.some((cap) => principalHas(p, cap))) {
    return { ok: false, code: grpc.status.PERMISSION_DENIED, details: `${method_path} needs ${missing(rule.any_of)}; ${who(p)}`, principal: p.name };
  }
  return { ok: true, principal: p, rule };
}

/** Submit's second check, on the decoded request: each op needs its own capability.
 * Returns null when allowed. An op of unknown kind is left to validation. */
export function decideOps(p: Principal, method_path: string, op_kinds: readonly string[]): Extract<Decision, { ok: false }> | null {
  for (let i = 0; i < op_kinds.length; i++) {
    const kind = op_kinds[i] ?? '';
    const cap = OP_CAPABILITY[kind];
    if (cap === undefined || principalHas(p, cap)) continue;
    return { ok: false, code: grpc.status.PERMISSION_DENIED, details: `${method_path}: ops[${i}] (${kind}) needs ${missing([cap])}; ${who(p)}` };
  }
  return null;
}
