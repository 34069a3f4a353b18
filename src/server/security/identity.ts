// Who a verified TLS certificate names. Node certificates carry OU=node and the member id
// in CN (gen-certs.sh); anything else names a client principal by its CN. A client
// certificate can therefore never pass for a cluster member, even from the same CA.

import { X509Certificate } from 'node:crypto';
import { PRINCIPAL_RE } from './roles.js';

export type CertIdentity =
  | { readonly kind: 'node'; readonly id: string }
  | { readonly kind: 'client'; readonly name: string };

export const NODE_OU = 'node';

/** Subject fields of an X509Certificate, as (key, value) pairs in order. */
function subjectFields(cert: X509Certificate): Array<[string, string]> {
  // Node prints the subject one attribute per line: "O=stockraft\nOU=node\nCN=n1".
  const out: Array<[string, string]> = [];
  for (const line of cert.subject.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out.push([line.slice(0, eq), line.slice(eq + 1)]);
  }
  return out;
}

export type IdentityResult =
  | { readonly ok: true; readonly identity: CertIdentity }
  | { readonly ok: false; readonly reason: string };

export function identityOfCert(cert: X509Certificate): IdentityResult {
  const fields = subjectFields(cert);
  const cns = fields.filter(([k]) => k === 'CN').map(([, v]) => v);
  const ous = fields.filter(([k]) => k === 'OU').map(([, v]) => v);
  if (cns.length !== 1 || cns[0] === undefined) return { ok: false, reason: `certificate subject must have exactly one CN, has ${cns.length}` };
  const cn = cns[0];
  if (!PRINCIPAL_RE.test(cn)) return { ok: false, reason: `certificate CN must match ${PRINCIPAL_RE.source}` };
  if (ous.includes(NODE_OU)) {
    // The member id must also be in the SAN, so that a peer dialling this node by id can
    // check it (see tls.ts checkPeerServerIdentity).
    const sans = (cert.subjectAltName ?? '').split(',').map((s) => s.trim());
    if (!sans.includes(`DNS:${cn}`)) return { ok: false, reason: `node certificate for '${cn}' lacks SAN DNS:${cn}` };
    return { ok: true, identity: { kind: 'node', id: cn } };
  }
  return { ok: true, identity: { kind: 'client', name: cn } };
}

/** True when `cert` was issued and signed by one of `cas` and is within its validity now.
 * Used for peer certificates when the peer CA differs from the client CA: the TLS layer
 * only proves the certificate chains to one of the CAs it trusts. */
export function issuedBy(cert: X509Certificate, cas: readonly X509Certificate[], now_ms: number): boolean {
  const from = Date.parse(cert.validFrom);
  const to = Date.parse(cert.validTo);
  if (!(now_ms >= from && now_ms <= to)) return false;
  return cas.some((ca) => cert.checkIssued(ca) && cert.verify(ca.publicKey));
}

/** Splits a PEM bundle into certificates (a CA file may hold several). */
export function parsePemBundle(pem: Buffer | string, file: string, count_max = 100): X509Certificate[] {
  const text = typeof pem === 'string' ? pem : pem.toString('utf8');
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new Error(`${file}: no PEM certificate found`);
  if (blocks.length > count_max) throw new Error(`${file}: ${blocks.length} certificates, limit ${count_max}`);
  return blocks.map((b, i) => {
    try {
      return new X509Certificate(b);
    } catch (err) {
      throw new Error(`${file}: certificate ${i + 1} does not parse: ${(err as Error).message}`);
    }
  });
}
