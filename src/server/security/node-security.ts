// A node's security configuration, built from stockd's flags (declared in the flag table,
// src/server/stockd-flags.ts): TLS material, token and role files, per-principal limits.
// It hands the node credentials with the access interceptor attached, credentials for
// dialling peers, and reloads files on SIGHUP.
//
// Modes (docs/security.md):
//   --cert/--key/--ca           TLS on the node's port, mutual TLS between members; every
//                               call needs a client certificate or a token; --roles needed.
//   --insecure                  plaintext, for local development and tests only (warns);
//                               with --auth-tokens (and --roles) tokens are still checked.
//   neither                     refused: a node never falls back to plaintext silently.

import * as grpc from '@grpc/grpc-js';
import { Counter, Gauge, type Registry } from 'prom-client';
import { readFileSync } from 'node:fs';
import type { AccessState, ClusterView } from './authorizer.js';
import { JOIN_PROOF_KEY, joinAdmission, readJoinTokenFile, type JoinAdmission, type JoinToken } from './join-gate.js';
import { AuditLog, auditDetail } from './audit.js';
import { accessInterceptor, type AccessSource } from './interceptor.js';
import { DEFAULT_PRINCIPAL_LIMITS, PrincipalLimits, type PrincipalLimitsConfig } from './limits.js';
import { diffRoles, parseRolesFile, type RoleChange, type RolesMap } from './roles.js';
import { NodeServerCredentials, anyNodeChannelCredentials, joinCaBundles, loadTlsMaterial, peerChannelCredentials, type TlsMaterial } from './tls.js';
import { parseTokenFile, type TokenTable } from './tokens.js';

export interface SecurityFlags {
  readonly cert?: string;
  readonly key?: string;
  readonly ca?: string;
  readonly peerCert?: string;
  readonly peerKey?: string;
  readonly peerCa?: string;
  readonly insecure?: boolean;
  readonly authTokens?: string;
  readonly roles?: string;
  readonly principalCallsMax?: number;
  readonly principalStreamsMax?: number;
  readonly joinTokenFile?: string;
}

export interface SecurityLog {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

const CONFIG_FILE_BYTES_MAX = 1024 * 1024;

function readConfig(file: string, flag: string): string {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (err) {
    throw new Error(`${flag} ${file}: cannot read: ${(err as Error).message}`);
  }
  if (buf.length > CONFIG_FILE_BYTES_MAX) throw new Error(`${flag} ${file}: ${buf.length} bytes, limit ${CONFIG_FILE_BYTES_MAX}`);
  return buf.toString('utf8');
}

interface Loaded {
  readonly client_tls: TlsMaterial | null;
  readonly peer_tls: TlsMaterial | null;
  readonly state: AccessState;
  readonly join_token: JoinToken | null;
}

function load(flags: SecurityFlags): Loaded {
  const tlsGiven = [flags.cert, flags.key, flags.ca].filter((x) => x !== undefined).length;
  const peerGiven = [flags.peerCert, flags.peerKey, flags.peerCa].some((x) => x !== undefined);
  if (flags.insecure === true && (tlsGiven > 0 || peerGiven)) throw new Error('--insecure cannot be combined with --cert/--key/--ca/--peer-*');
  if (flags.insecure !== true && tlsGiven === 0) {
    throw new Error('TLS is not configured: give --cert, --key and --ca, or --insecure to run plaintext for local development');
  }
  if (tlsGiven > 0 && tlsGiven < 3) throw new Error('--cert, --key and --ca must be given together');
  if ((flags.peerCert === undefined) !== (flags.peerKey === undefined)) throw new Error('--peer-cert and --peer-key must be given together');
  if (flags.insecure === true && flags.joinTokenFile !== undefined) {
    // Members send the proof only to a peer that proved its member id over TLS.
    throw new Error('--join-token-file needs TLS (--cert/--key/--ca): with --insecure peers are not authenticated; a --join node then accepts the members named by --initial-cluster');
  }

  let client_tls: TlsMaterial | null = null;
  let peer_tls: TlsMaterial | null = null;
  if (flags.cert !== undefined && flags.key !== undefined && flags.ca !== undefined) {
    client_tls = loadTlsMaterial({ cert: flags.cert, key: flags.key, ca: flags.ca }, { cert: '--cert', key: '--key', ca: '--ca' });
    peer_tls = loadTlsMaterial(
      { cert: flags.peerCert ?? flags.cert, key: flags.peerKey ?? flags.key, ca: flags.peerCa ?? flags.ca },
      { cert: flags.peerCert !== undefined ? '--peer-cert' : '--cert', key: flags.peerKey !== undefined ? '--peer-key' : '--key', ca: flags.peerCa !== undefined ? '--peer-ca' : '--ca' },
    );
  }
  const tokens: TokenTable | null = flags.authTokens === undefined ? null : parseTokenFile(readConfig(flags.authTokens, '--auth-tokens'), flags.authTokens);
  const enforced = client_tls !== null || tokens !== null;
  if (enforced && flags.roles === undefined) throw new Error('--roles FILE is required when callers are authenticated (TLS or --auth-tokens)');
  const roles: RolesMap = flags.roles === undefined ? new Map() : parseRolesFile(readConfig(flags.roles, '--roles'), flags.roles);
  const join_token = flags.joinTokenFile === undefined ? null : readJoinTokenFile(flags.joinTokenFile);
  return {
    client_tls,
    peer_tls,
    join_token,
    state: {
      mode: enforced ? 'enforced' : 'open',
      client_cas: client_tls?.ca_certs ?? [],
      peer_cas: peer_tls?.ca_certs ?? [],
      tokens,
      roles,
    },
  };
}

export interface ReloadReport {
  readonly role_changes: readonly RoleChange[];
  readonly tokens: number;
  readonly tls_reloaded: boolean;
}

export class NodeSecurity implements AccessSource {
  readonly limits: PrincipalLimits;
  private loaded: Loaded;
  private server_creds: NodeServerCredentials | null = null;
  private refusals = 0;
  private audit_log: AuditLog | null = null;
  private refused_metric: Counter<'code'> | null = null;
  private cluster_view: ClusterView | null = null;
  private join_gate: { readonly admission: JoinAdmission; readonly self_id: string } | null = null;

  constructor(
    private readonly flags: SecurityFlags,
    private readonly log: SecurityLog,
  ) {
    this.loaded = load(flags);
    const limits: PrincipalLimitsConfig = {
      calls_inflight_max: flags.principalCallsMax ?? DEFAULT_PRINCIPAL_LIMITS.calls_inflight_max,
      streams_open_max: flags.principalStreamsMax ?? DEFAULT_PRINCIPAL_LIMITS.streams_open_max,
    };
    this.limits = new PrincipalLimits(limits);
    if (this.loaded.client_tls === null) {
      log.warn('running WITHOUT TLS (--insecure): traffic and peers are not authenticated or encrypted; local development only');
      if (this.loaded.state.mode === 'open') log.warn('no --auth-tokens: every caller may do everything');
    }
  }

  get tls(): boolean {
    return this.loaded.client_tls !== null;
  }

  state(): AccessState {
    return this.loaded.state;
  }

  /** Connects the access decision to the running node: who is a member now (only members
   * may forward callers' calls) and whether it is still joining. */
  attachCluster(view: ClusterView): void {
    this.cluster_view = view;
  }

  cluster(): ClusterView | null {
    return this.cluster_view;
  }

  /** Sets how this node admits peers while it joins (join-gate.ts). Throws the start-up
   * refusal when `join` has neither a join token nor a member list. */
  configureJoin(self_id: string, join: boolean, member_ids: readonly string[]): void {
    const admission = joinAdmission(join, this.loaded.join_token, member_ids);
    this.join_gate = admission === null ? null : { admission, self_id };
    if (admission !== null) this.log.info(`joining: peers are admitted by ${admission.kind === 'token' ? 'the join token' : `the member list (${[...admission.ids].join(', ')})`} until this node is added`);
  }

  joinGate(): { readonly admission: JoinAdmission; readonly self_id: string } | null {
    const g = this.join_gate;
    // The token may have been reloaded (SIGHUP): the gate uses the current one.
    if (g !== null && g.admission.kind === 'token' && this.loaded.join_token !== null) return { admission: { kind: 'token', token: this.loaded.join_token }, self_id: g.self_id };
    return g;
  }

  /** Refused calls since start (for metrics). */
  refusedCalls(): number {
    return this.refusals;
  }

  /** Adds the security metrics to the node's registry. */
  registerMetrics(registry: Registry): void {
    this.refused_metric = new Counter({
      name: 'stockd_security_refused_calls_total',
      help: 'calls refused by the access check, by gRPC status (UNAUTHENTICATED, PERMISSION_DENIED, RESOURCE_EXHAUSTED)',
      labelNames: ['code'],
      registers: [registry],
    });
    const limits = this.limits;
    const self = this;
    new Gauge({
      name: 'stockd_tls_certificate_expiry_timestamp_seconds',
      help: 'with TLS: notAfter of the serving (--cert) and peer (--peer-cert) certificates, seconds since the epoch; follows SIGHUP reloads',
      labelNames: ['cert'],
      registers: [registry],
      collect() {
        this.reset();
        const { client_tls, peer_tls } = self.loaded;
        if (client_tls !== null) this.set({ cert: 'serving' }, Date.parse(client_tls.cert.validTo) / 1000);
        if (peer_tls !== null) this.set({ cert: 'peer' }, Date.parse(peer_tls.cert.validTo) / 1000);
      },
    });
    new Gauge({
      name: 'stockd_security_principals_active',
      help: 'principals holding at least one call or stream slot on this node',
      registers: [registry],
      collect() {
        this.set(limits.principalsHolding());
      },
    });
  }

  onRefused(method_path: string, code: grpc.status, details: string, peer: string): void {
    this.refusals++;
    this.refused_metric?.inc({ code: grpc.status[code] ?? String(code) });
    // Rogue peers retry constantly and scanners may flood: log the first 100 refusals,
    // then one in 100, so the log stays bounded.
    if (this.refusals <= 100 || this.refusals % 100 === 0) {
      this.log.warn(`refused ${method_path} from ${peer}: ${grpc.status[code]}: ${details}`);
    }
  }

  /** Starts the admin audit trail of this node: records go to the log, and to `file`
   * (JSON lines, hash-chained, rotated by size) when given. A torn last line is repaired
   * with a warning; a damaged complete line throws (the chain cannot continue from it). */
  enableAudit(node_id: string, file: string | null): AuditLog {
    this.audit_log = new AuditLog(node_id, file, (line) => this.log.info(`admin audit ${line}`), Date.now, { warn: (m) => this.log.warn(m) });
    return this.audit_log;
  }

  get audit(): AuditLog | null {
    return this.audit_log;
  }

  onAudited(principal: string, method_path: string, request: unknown, code: grpc.status): void {
    try {
      this.audit_log?.record({ principal, action: method_path, detail: auditDetail(request), outcome: grpc.status[code] ?? String(code) });
    } catch (err) {
      this.log.error(`admin audit record failed: ${(err as Error).message}`);
    }
  }

  /** Credentials for the node's port, with the access interceptor attached: bind with these
   * and every service on the port (peer, client, operator) is checked. */
  serverCredentials(): grpc.ServerCredentials {
    const l = this.loaded;
    let base: grpc.ServerCredentials;
    if (l.client_tls !== null && l.peer_tls !== null) {
      this.server_creds = new NodeServerCredentials(l.client_tls, joinCaBundles(l.client_tls.ca_pem, l.peer_tls.ca_pem));
      base = this.server_creds;
    } else {
      base = grpc.ServerCredentials.createInsecure();
    }
    return grpc.experimental.createServerCredentialsWithInterceptors(base, [accessInterceptor(this)]);
  }

  /** Credentials for dialling member `member_id` (mutual TLS; the remote must prove it is
   * that member), or plaintext with --insecure. */
  peerCredentials(member_id: string): grpc.ChannelCredentials {
    const p = this.loaded.peer_tls;
    if (p === null) return grpc.credentials.createInsecure();
    // Every peer call carries proof of the join token for that member (when this node has
    // the file): a joining node needs it; the others ignore it. Read at call time, so a
    // reloaded token applies to open channels too.
    const proof = grpc.credentials.createFromMetadataGenerator((_params, done) => {
      const md = new grpc.Metadata();
      const token = this.loaded.join_token;
      if (token !== null) md.set(JOIN_PROOF_KEY, token.proofFor(member_id));
      done(null, md);
    });
    return grpc.credentials.combineChannelCredentials(peerChannelCredentials(p, member_id), proof);
  }

  /** Credentials for node-to-node calls addressed by address only (forwarding to the leader). */
  forwardCredentials(): grpc.ChannelCredentials {
    const p = this.loaded.peer_tls;
    return p === null ? grpc.credentials.createInsecure() : anyNodeChannelCredentials(p);
  }

  /** Re-reads every file named by the flags. On any error nothing changes and it throws. */
  reload(): ReloadReport {
    const next = load(this.flags);
    if ((next.client_tls === null) !== (this.loaded.client_tls === null)) throw new Error('reload cannot switch TLS on or off');
    const role_changes = diffRoles(this.loaded.state.roles, next.state.roles);
    this.loaded = next;
    let tls_reloaded = false;
    if (this.server_creds !== null && next.client_tls !== null && next.peer_tls !== null) {
      // New connections use the new certificate; open ones keep theirs.
      this.server_creds.reload(next.client_tls, joinCaBundles(next.client_tls.ca_pem, next.peer_tls.ca_pem));
      tls_reloaded = true;
    }
    return { role_changes, tokens: next.state.tokens?.size ?? 0, tls_reloaded };
  }

  /** Reloads on SIGHUP; role changes go to `onRoleChanges` (the admin audit). Returns a
   * function that removes the handler. */
  installSighup(onRoleChanges: (changes: readonly RoleChange[]) => void = () => {}): () => void {
    const handler = (): void => {
      try {
        const r = this.reload();
        this.log.info(`security files reloaded: ${r.role_changes.length} role changes, ${r.tokens} tokens, tls ${r.tls_reloaded ? 'reloaded' : 'off'}`);
        for (const c of r.role_changes) {
          this.audit_log?.record({
            principal: 'operator (SIGHUP)',
            action: 'roles.reload',
            detail: auditDetail({ principal: c.principal, before: c.before, after: c.after }),
            outcome: 'OK',
          });
        }
        if (r.role_changes.length > 0) onRoleChanges(r.role_changes);
      } catch (err) {
        this.log.error(`security reload failed, keeping the previous configuration: ${(err as Error).message}`);
      }
    };
    process.on('SIGHUP', handler);
    return () => process.off('SIGHUP', handler);
  }
}
