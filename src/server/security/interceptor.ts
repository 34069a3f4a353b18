// The gRPC server interceptor that puts the access decision in front of every handler on
// the node's port: identity and role checks when metadata arrives (before any message is
// decoded into a request), Submit's per-op check and the peer sender check on each decoded
// message (before the handler sees it), and the per-principal bounds.

import * as grpc from '@grpc/grpc-js';
import { decide, decideOps, type AccessState, type Principal } from './authorizer.js';
import { OP_CAPABILITY, ruleFor } from './method-table.js';
import type { PrincipalLimits } from './limits.js';

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
}

/** Metadata key carrying, on a call a member forwarded, the principal that member
 * authorized (the original caller). Removed from every call first and set only when the
 * caller is a member, so handlers can trust it. */
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

function checkMessage(method_path: string, p: Principal, message: unknown, per_op: boolean): { code: grpc.status; details: string } | null {
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
        const d = decide(source.state(), path, { cert_der: raw ?? null, authorization: metadata.get('authorization') });
        // Refused attempts at admin actions by a known caller are audited too; anonymous
        // refusals only go to the (throttled) refusal log, so they cannot flood the trail.
        audit = ruleFor(path).audit && (d.ok || d.code === grpc.status.PERMISSION_DENIED);
        audited_name = d.ok ? d.principal.name : d.principal ?? 'unauthenticated';
        let on_behalf: string | null = null;
        if (d.ok && d.principal.kind === 'node') {
          // A member forwarding a call names the principal it authorized: the audit trail
          // and the admin history keep who asked (it grants nothing; the member's own
          // rights apply).
          on_behalf = principalOf(metadata)?.slice(0, 128) ?? null;
          if (on_behalf !== null) audited_name = `${on_behalf} via ${d.principal.name}`;
        }
        if (!d.ok) {
          refuse(d.code, d.details);
          return;
        }
        // Members are not bounded per principal: a follower forwards many callers' calls
        // under its own name, and the leader's proposal bound already applies to them. In
        // open mode nobody has a name, so only the node-wide bounds apply.
        const bounded = d.principal.kind === 'user' || (d.principal.kind === 'anonymous' && !d.principal.open);
        if (bounded) {
          const slot = source.limits.acquire(d.principal.name, d.rule.watch_stream ? 'stream' : 'call');
          if (!slot.ok) {
            refuse(grpc.status.RESOURCE_EXHAUSTED, `${path}: ${slot.reason}`);
            return;
          }
          release = slot.release;
        }
        principal = d.principal;
        per_op = d.rule.per_op;
        metadata.remove(PRINCIPAL_KEY);
        metadata.set(PRINCIPAL_KEY, d.principal.name);
        metadata.remove(ON_BEHALF_KEY);
        if (on_behalf !== null) metadata.set(ON_BEHALF_KEY, on_behalf);
        next(metadata);
      })
      .withOnReceiveMessage((message, next) => {
        if (refused || principal === null) return;
        if (audit && first_message === null) first_message = message;
        const bad = checkMessage(path, principal, message, per_op);
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
