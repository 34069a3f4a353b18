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
  return (method, call) => {
    const path = method.path;
    let principal: Principal | null = null;
    let per_op = false;
    let refused = false;
    let release: (() => void) | null = null;
    let audit = false;
    let audited_name = 'unauthenticated';
    let first_message: unknown = null;
    let join: JoinAdmission | null = null;
    const reportAudit = (code: grpc.status): void => {
      if (!audit) return;
      audit = false; // once per call
      source.onAudited?.(audited_name, path, first_message, code);
    };
    const refuse = (code: grpc.status, details: string): void => {
      refused = true;
      release?.();
      source.onRefused?.(path, code, details, call.getPeer());
      reportAudit(code);
      call.sendStatus({ code, details });
    };
    const listener = new grpc.ServerListenerBuilder()
      .withOnReceiveMetadata((metadata, next) => {
        const raw = call.getAuthContext().sslPeerCertificate?.raw;
        const forwarded_for = metadata.get(FORWARDED_KEY).length > 0 ? principalOf(metadata) : null;
        const creds = { cert_der: raw ?? null, authorization: metadata.get('authorization'), forwarded_for };
        const d = decide(source.state(), path, creds, Date.now(), source.cluster?.() ?? null);
        // Refused attempts at admin actions by a known caller are audited too; anonymous
        // refusals only go to the (throttled) refusal log, so they cannot flood the trail.
        audit = ruleFor(path).audit && (d.ok || d.code === grpc.status.PERMISSION_DENIED);
        audited_name = d.ok ? d.principal.name : d.principal ?? 'unauthenticated';
        if (!d.ok) {
          refuse(d.code, d.details);
          return;
        }
        const p = d.principal;
        // A forwarded call: handlers see the member under PRINCIPAL_KEY and the caller it
        // acts for under ON_BEHALF_KEY (records say 'caller via node:nX').
        const on_behalf = p.kind === 'forwarded' ? p.name : null;
        if (p.kind === 'forwarded') audited_name = `${p.name} via ${p.by.name}`;
        const gate = path.startsWith(RAFT_PREFIX) ? joinGateNow(source) : null;
        if (gate !== null) {
          const refusal = checkJoinProof(gate.admission, gate.self_id, metadata.get(JOIN_PROOF_KEY));
          if (refusal !== null) {
            refuse(grpc.status.PERMISSION_DENIED, `${path}: ${refusal.details}`);
            return;
          }
          join = gate.admission;
        }
        // Members are not bounded per principal, nor the callers they forward: the member
        // that took the call bounded its caller, and the leader's proposal bound applies.
        // In open mode nobody has a name, so only the node-wide bounds apply.
        const bounded = p.kind === 'user' || (p.kind === 'anonymous' && !p.open);
        if (bounded) {
          const slot = source.limits.acquire(p.name, d.rule.watch_stream ? 'stream' : 'call');
          if (!slot.ok) {
            refuse(grpc.status.RESOURCE_EXHAUSTED, `${path}: ${slot.reason}`);
            return;
          }
          release = slot.release;
        }
        principal = p;
        per_op = d.rule.per_op;
        metadata.remove(PRINCIPAL_KEY);
        metadata.set(PRINCIPAL_KEY, p.kind === 'forwarded' ? p.by.name : p.name);
        metadata.remove(ON_BEHALF_KEY);
        metadata.remove(JOIN_PROOF_KEY);
        if (on_behalf !== null) metadata.set(ON_BEHALF_KEY, on_behalf);
        next(metadata);
      })
      .withOnReceiveMessage((message, next) => {
        if (refused || principal === null) return;
        if (audit && first_message === null) first_message = message;
        const bad = checkMessage(path, principal, message, per_op, join);
        if (bad !== null) {
          refuse(bad.code, bad.details);
          return;
        }
        next(message);
      })
      .withOnReceiveHalfClose((next) => {
        if (!refused) next();
      })
      .withOnCancel(() => {
        release?.();
        reportAudit(grpc.status.CANCELLED);
      })
      .build();
    const responder = new grpc.ResponderBuilder()
      .withStart((next) => next(listener))
      .withSendStatus((status, next) => {
        release?.();
        reportAudit(status.code ?? grpc.status.UNKNOWN);
        next(status);
      })
      .build();
    return new grpc.ServerInterceptingCall(call, responder);
  };
}
