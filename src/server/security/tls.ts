// TLS material: loading and checking certificate files, and building gRPC credentials for
// the node's port (TLS; client certificates requested but optional, so token clients can
// connect) and for dialling peers (mutual TLS, the remote must prove the member id we
// dial). Client-side credentials live in src/client/tls.ts.

import * as grpc from '@grpc/grpc-js';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import type { PeerCertificate } from 'node:tls';
import { identityOfCert, parsePemBundle } from './identity.js';
import { readPem } from '../../client/tls.js';


export interface TlsFiles {
  readonly cert: string;
  readonly key: string;
  readonly ca: string;
}

export interface TlsMaterial {
  readonly files: TlsFiles;
  readonly cert_pem: Buffer;
  readonly key_pem: Buffer;
  readonly ca_pem: Buffer;
  readonly cert: X509Certificate;
  readonly ca_certs: readonly X509Certificate[];
}


/** Reads and checks a cert/key/CA triple; `flags` names the options for error messages. */
export function loadTlsMaterial(files: TlsFiles, flags: { cert: string; key: string; ca: string }, now_ms = Date.now()): TlsMaterial {
  const cert_pem = readPem(files.cert, flags.cert);
  const key_pem = readPem(files.key, flags.key);
  const ca_pem = readPem(files.ca, flags.ca);
  const certs = parsePemBundle(cert_pem, `${flags.cert} ${files.cert}`);
  const cert = certs[0];
  if (cert === undefined) throw new Error(`${flags.cert} ${files.cert}: no certificate`);
  const ca_certs = parsePemBundle(ca_pem, `${flags.ca} ${files.ca}`);
  let key;
  try {
    key = createPrivateKey(key_pem);
  } catch (err) {
    throw new Error(`${flags.key} ${files.key}: not a PEM private key: ${(err as Error).message}`);
  }
  if (!cert.checkPrivateKey(key)) throw new Error(`${flags.key} ${files.key} does not belong to the certificate ${flags.cert} ${files.cert}`);
  const to = Date.parse(cert.validTo);
  if (now_ms > to) throw new Error(`${flags.cert} ${files.cert}: certificate expired at ${cert.validTo}`);
  if (now_ms < Date.parse(cert.validFrom)) throw new Error(`${flags.cert} ${files.cert}: certificate not valid before ${cert.validFrom}`);
  return { files, cert_pem, key_pem, ca_pem, cert, ca_certs };
}

/** Server side of the node's one port. Client certificates are requested and verified by
 * the TLS layer against `trusted_ca_pem`, but not required: a client without one must then
 * present a bearer token, which the authorizer checks. An unverifiable certificate (other
 * CA, expired) does not fail the handshake; it simply yields no identity, and the call is
 * refused UNAUTHENTICATED by the authorizer. New material can be swapped in with reload(). */
export class NodeServerCredentials extends grpc.ServerCredentials {
  constructor(server: TlsMaterial, trusted_ca_pem: Buffer) {
    super(
      { requestCert: true, rejectUnauthorized: false, minVersion: 'TLSv1.2' },
      { ca: trusted_ca_pem, cert: [server.cert_pem], key: [server.key_pem] },
    );
  }

  reload(server: TlsMaterial, trusted_ca_pem: Buffer): void {
    this.updateSecureContextOptions({ ca: trusted_ca_pem, cert: [server.cert_pem], key: [server.key_pem] });
  }

  override _equals(other: grpc.ServerCredentials): boolean {
    return other === this;
  }
}

/** Concatenates CA bundles, dropping exact duplicates (same file given twice). */
export function joinCaBundles(...bundles: Buffer[]): Buffer {
  const unique: Buffer[] = [];
  for (const b of bundles) if (!unique.some((u) => u.equals(b))) unique.push(b);
  return Buffer.concat(unique.flatMap((b) => [b, Buffer.from('\n')]));
}

/** Checks that the node we dialled is the member we meant: its certificate (already
 * verified against the peer CA by TLS) must be a node certificate naming `member_id`.
 * Host names are not checked: members are known by id, their addresses may change. */
export function peerServerIdentityCheck(member_id: string): (host: string, cert: PeerCertificate) => Error | undefined {
  return (_host, cert) => {
    if (cert.raw === undefined) return new Error(`peer ${member_id}: presented no certificate`);
    const id = identityOfCert(new X509Certificate(cert.raw));
    if (!id.ok) return new Error(`peer ${member_id}: ${id.reason}`);
    if (id.identity.kind !== 'node') return new Error(`peer ${member_id}: certificate is not a node certificate (OU=node)`);
    if (id.identity.id !== member_id) return new Error(`peer certificate names member '${id.identity.id}', expected '${member_id}'`);
    return undefined;
  };
}

/** Credentials for dialling a node whose member id is not known in advance (e.g. calls
 * forwarded to the leader by address): any node certificate from the peer CA will do. */
export function anyNodeChannelCredentials(peer: TlsMaterial): grpc.ChannelCredentials {
  return grpc.credentials.createSsl(peer.ca_pem, peer.key_pem, peer.cert_pem, {
    checkServerIdentity: (_host, cert) => {
      if (cert.raw === undefined) return new Error('peer presented no certificate');
      const id = identityOfCert(new X509Certificate(cert.raw));
      if (!id.ok) return new Error(`peer: ${id.reason}`);
      if (id.identity.kind !== 'node') return new Error('peer certificate is not a node certificate (OU=node)');
      return undefined;
    },
  });
}

/** Credentials for dialling member `member_id` with this node's peer certificate. */
export function peerChannelCredentials(peer: TlsMaterial, member_id: string): grpc.ChannelCredentials {
  return grpc.credentials.createSsl(peer.ca_pem, peer.key_pem, peer.cert_pem, {
    checkServerIdentity: peerServerIdentityCheck(member_id),
  });
}

