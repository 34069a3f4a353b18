// The gRPC server interceptor that puts the access decision in front of every handler on
// the node's port: identity and role checks when metadata arrives (before any message is
// decoded into a request), Submit's per-op check and the peer sender check on each decoded
// message (before the handler sees it), and the per-principal bounds.

import * as grpc from '@grpc/grpc-js';
import { decide, decideOps, type AccessState, type ClusterView, type Principal } from './authorizer.js';
import { OP_CAPABILITY, ruleFor } from './method-table.js';
import type { PrincipalLimits } from './limits.js';
import { FORWARDED_KEY } from '../../wire/metadata.js';
import { checkJoinProof, checkJoinSender, JOIN_PROOF_KEY, type JoinAdmission } from './join-gate.js';

/** Metadata key carrying the authorized principal's name to handlers. Whatever a client
 * puts under this key is removed first, so handlers can trust it. */
export const PRINCIPAL_KEY = 'x-stockraft-principal';

export interface AccessSource {
  /** Read on every call, so a reload takes effect for the next call. */
  state(): AccessState;
  readonly limits: PrincipalLimits;
  /** Refusals are reported here (for logs and metrics); must not throw. */
  onRefused?(method_path: string, code: grpc.status, details: string, peer: string): void;
  /** Audited methods (MethodRule.audit) report here once the call ends; must not throw. */
  onAudited?(principal: string, method_path: string, request: unknown, code: grpc.status): void;
  /** The running node's view (null until attached: then no member may forward). */
  cluster?(): ClusterView | null;
  /** How this node admits peers while it joins (null: it does not join). */
  joinGate?(): { readonly admission: JoinAdmission; readonly self_id: string } | null;
}

/** Metadata key carrying, on a call a member forwarded, the principal that member
 * authorized (the original caller). Removed from every call first and set only when a
 * current member forwarded the call, so handlers can trust it. */
export const ON_BEHALF_KEY = 'x-stockraft-on-behalf';

/** Who made a call, for records: the principal, or 'caller via member' on a forwarded call. */
export function actingPrincipalOf(metadata: grpc.Metadata): string {
  const p = principalOf(metadata) ?? 'unknown';
  const v = metadata.get(ON_BEHALF_KEY);
  return v.length === 1 && typeof v[0] === 'string' && v[0] !== '' ? `${v[0]} via ${p}` : p;
}

/** The principal name set by the interceptor, or null when none (should not happen). */
export function principalOf(metadata: grpc.Metadata): string | null {
  const v = metadata.get(PRINCIPAL_KEY);
  return v.length === 1 && typeof v[0] === 'string' ? v[0] : null;
}

/** Names of the ops of a decoded SubmitRequest (`ops[i]` holds one Op oneof member). */
export function submitOpKinds(message: unknown): string[] | null {
  if (typeof message !== 'object' || message === null) return null;
  const ops = (message as { ops?: unknown }).ops;
  if (!Array.isArray(ops)) return null;
  return ops.map((op: unknown) => {
    if (typeof op !== 'object' || op === null) return '';
    const o = op as Record<string, unknown>;
    // proto-loader with oneofs: true names the set member in `op`; check the members too.
    if (typeof o['op'] === 'string') return o['op'];
    return Object.keys(OP_CAPABILITY).find((k) => o[k] !== undefined && o[k] !== null) ?? '';
  });
}

/** The sender a decoded raft message claims: Batch.from, or SnapshotChunk.header.from. */
export function claimedSender(method_path: string, message: unknown): string | null | undefined {
  if (typeof message !== 'object' || message === null) return null;
  const m = message as Record<string, unknown>;
  if (method_path.endsWith('/Stream')) return typeof m['from'] === 'string' ? m['from'] : null;
  const header = m['header'];
  if (header === null || header === undefined) return undefined; // later chunks: no header
  if (typeof header !== 'object') return null;
  const from = (header as Record<string, unknown>)['from'];
  return typeof from === 'string' ? from : null;
}

const RAFT_PREFIX = '/stockraft.raft.Raft/';

function checkMessage(method_path: string, p: Principal, message: unknown, per_op: boolean, join: JoinAdmission | null): { code: grpc.status; details: string } | null {
  if (join !== null && method_path.startsWith(RAFT_PREFIX)) {
    const from = claimedSender(method_path, message);
    const refusal = from === undefined ? null : checkJoinSender(join, from);
    if (refusal !== null) return { code: grpc.status.PERMISSION_DENIED, details: `${method_path}: ${refusal.details}` };
  }
  if (per_op) {
    const kinds = submitOpKinds(message);
    if (kinds !== null) {
      const refusal = decideOps(p, method_path, kinds);
      if (refusal !== null) return refusal;
    }
  }
  if (method_path.startsWith(RAFT_PREFIX) && p.kind === 'node') {
    // A member may only speak for itself: the sender named in the message must be the
    // member its certificate names. Checked before the transport steps anything.
    const from = claimedSender(method_path, message);
    if (from !== undefined && from !== p.node_id) {
      return {
        code: grpc.status.PERMISSION_DENIED,
        details: `${method_path}: message claims sender '${from ?? '(none)'}' but the peer certificate names '${p.node_id}'`,
      };
    }
  }
  return null;
}

/** The join gate while this node has no membership; null once it has learned it. */
function joinGateNow(source: AccessSource): { readonly admission: JoinAdmission; readonly self_id: string } | null {
  const gate = source.joinGate?.() ?? null;
  if (gate === null) return null;
  const cluster = source.cluster?.() ?? null;
  // Not yet attached to the node: it is starting and knows nothing, so keep the gate shut.
  return cluster === null || cluster.joining() ? gate : null;
}

export function accessInterceptor(source: AccessSource): grpc.ServerInterceptor {
  return (method, call) => new GuardedCall(source, method.path, call).intercept();
}

/** The access checks of one call: identity and rights when its metadata arrives, per-op
 * rights and the join gate on each message, the per-principal slot released and the audit
 * record written exactly once when it ends. */
class GuardedCall {
  private principal: Principal | null = null;
  private per_op = false;
  private refused = false;
  private release: (() => void) | null = null;
  private audit = false;
  private audited_name = 'unauthenticated';
  private first_message: unknown = null;
  private join: JoinAdmission | null = null;

  constructor(
    private readonly source: AccessSource,
    private readonly path: string,
    private readonly call: grpc.ServerInterceptingCallInterface,
  ) {}

  intercept(): grpc.ServerInterceptingCall {
    const listener = new grpc.ServerListenerBuilder()
      .withOnReceiveMetadata((metadata, next) => {
        if (this.admit(metadata)) next(metadata);
      })
      .withOnReceiveMessage((message, next) => {
        if (this.refused || this.principal === null) return;
        if (this.audit && this.first_message === null) this.first_message = message;
        const bad = checkMessage(this.path, this.principal, message, this.per_op, this.join);
        if (bad !== null) {
          this.refuse(bad.code, bad.details);
          return;
        }
        next(message);
      })
      .withOnReceiveHalfClose((next) => {
        if (!this.refused) next();
      })
      .withOnCancel(() => {
        this.release?.();
        this.reportAudit(grpc.status.CANCELLED);
      })
      .build();
    const responder = new grpc.ResponderBuilder()
      .withStart((next) => next(listener))
      .withSendStatus((status, next) => {
        this.release?.();
        this.reportAudit(status.code ?? grpc.status.UNKNOWN);
        next(status);
      })
      .build();
    return new grpc.ServerInterceptingCall(this.call, responder);
  }

  private reportAudit(code: grpc.status): void {
    if (!this.audit) return;
    this.audit = false; // once per call
    this.source.onAudited?.(this.audited_name, this.path, this.first_message, code);
  }

  private refuse(code: grpc.status, details: string): void {
    this.refused = true;
    this.release?.();
    this.source.onRefused?.(this.path, code, details, this.call.getPeer());
    this.reportAudit(code);
    this.call.sendStatus({ code, details });
  }

  /** Decides the call from its metadata; false when it was refused. On success the
   * metadata names the principal (and the caller a forwarded call acts for). */
  private admit(metadata: grpc.Metadata): boolean {
    const { source, path } = this;
    const raw = this.call.getAuthContext().sslPeerCertificate?.raw;
    const forwarded_for = metadata.get(FORWARDED_KEY).length > 0 ? principalOf(metadata) : null;
    const creds = { cert_der: raw ?? null, authorization: metadata.get('authorization'), forwarded_for };
    const d = decide(source.state(), path, creds, Date.now(), source.cluster?.() ?? null);
    // Refused attempts at admin actions by a known caller are audited too; anonymous
    // refusals only go to the (throttled) refusal log, so they cannot flood the trail.
    this.audit = ruleFor(path).audit && (d.ok || d.code === grpc.status.PERMISSION_DENIED);
    this.audited_name = d.ok ? d.principal.name : d.principal ?? 'unauthenticated';
    if (!d.ok) {
      this.refuse(d.code, d.details);
      return false;
    }
    const p = d.principal;
    // A forwarded call: handlers see the member under PRINCIPAL_KEY and the caller it
    // acts for under ON_BEHALF_KEY (records say 'caller via node:nX').
    if (p.kind === 'forwarded') this.audited_name = `${p.name} via ${p.by.name}`;
    if (!this.passJoinGate(metadata) || !this.takeSlot(p, d.rule.watch_stream)) return false;
    this.principal = p;
    this.per_op = d.rule.per_op;
    metadata.remove(PRINCIPAL_KEY);
    metadata.set(PRINCIPAL_KEY, p.kind === 'forwarded' ? p.by.name : p.name);
    metadata.remove(ON_BEHALF_KEY);
    metadata.remove(JOIN_PROOF_KEY);
    if (p.kind === 'forwarded') metadata.set(ON_BEHALF_KEY, p.name);
    return true;
  }

  /** Peer calls to a node still joining must carry a valid join proof. */
  private passJoinGate(metadata: grpc.Metadata): boolean {
    const gate = this.path.startsWith(RAFT_PREFIX) ? joinGateNow(this.source) : null;
    if (gate === null) return true;
    const refusal = checkJoinProof(gate.admission, gate.self_id, metadata.get(JOIN_PROOF_KEY));
    if (refusal !== null) {
      this.refuse(grpc.status.PERMISSION_DENIED, `${this.path}: ${refusal.details}`);
      return false;
    }
    this.join = gate.admission;
    return true;
  }

  /** Members are not bounded per principal, nor the callers they forward: the member that
   * took the call bounded its caller, and the leader's proposal bound applies. In open mode
   * nobody has a name, so only the node-wide bounds apply. */
  private takeSlot(p: Principal, watch_stream: boolean): boolean {
    const bounded = p.kind === 'user' || (p.kind === 'anonymous' && !p.open);
    if (!bounded) return true;
    const slot = this.source.limits.acquire(p.name, watch_stream ? 'stream' : 'call');
    if (!slot.ok) {
      this.refuse(grpc.status.RESOURCE_EXHAUSTED, `${this.path}: ${slot.reason}`);
      return false;
    }
    this.release = slot.release;
    return true;
  }
}
