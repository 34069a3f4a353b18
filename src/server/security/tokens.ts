// Bearer tokens and the token file. The file stores only SHA-256 digests of tokens, so a
// leaked file does not reveal any token. A fast hash is enough because tokens are 256-bit
// random values made by `makeToken` (nobody picks them by hand): a slow password hash
// protects low-entropy secrets, and would cost every call milliseconds for nothing here.
//
// Token file format, one token per line, '#' starts a comment:
//   <principal> sha256:<64 hex digits>
// A principal may have several lines (rotation: add the new token, move clients, remove
// the old line, SIGHUP).

import { createHash, randomBytes } from 'node:crypto';
import { ConfigFileError, PRINCIPAL_RE, configLines } from './roles.js';

export const TOKEN_PREFIX = 'srt_';
/** A presented token longer than this is refused before hashing. */
export const TOKEN_BYTES_MAX = 512;
export const TOKEN_FILE_BYTES_MAX = 1024 * 1024;
export const TOKEN_FILE_ENTRIES_MAX = 10_000;
const DIGEST_RE = /^sha256:([0-9a-f]{64})$/;

export function hashToken(token: string): string {
  return 'sha256:' + createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A fresh token (43 base64url characters of randomness after the prefix). */
export function makeToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export function tokenFileLine(principal: string, token: string): string {
  if (!PRINCIPAL_RE.test(principal)) throw new Error(`principal must match ${PRINCIPAL_RE.source}, got '${principal}'`);
  return `${principal} ${hashToken(token)}`;
}

/** Digest -> principal. */
export type TokenTable = ReadonlyMap<string, string>;

export function parseTokenFile(text: string, file = 'tokens'): TokenTable {
  const table = new Map<string, string>();
  for (const { line, fields } of configLines(text, file, TOKEN_FILE_BYTES_MAX)) {
    if (fields.length !== 2) throw new ConfigFileError(file, line, `expected '<principal> sha256:<hex>', got ${fields.length} fields`);
    const [principal, digest] = fields as [string, string];
    if (!PRINCIPAL_RE.test(principal)) throw new ConfigFileError(file, line, `principal must match ${PRINCIPAL_RE.source}, got '${principal}'`);
    if (!DIGEST_RE.test(digest)) {
      throw new ConfigFileError(file, line, `digest must be 'sha256:' and 64 lowercase hex digits (never the token itself)`);
    }
    const other = table.get(digest);
    if (other !== undefined) throw new ConfigFileError(file, line, `the same token digest is listed for '${other}' and '${principal}'`);
    table.set(digest, principal);
    if (table.size > TOKEN_FILE_ENTRIES_MAX) throw new ConfigFileError(file, line, `more than ${TOKEN_FILE_ENTRIES_MAX} tokens`);
  }
  return table;
}

export type TokenCheck =
  | { readonly ok: true; readonly principal: string }
  | { readonly ok: false; readonly reason: string };

/** Reads `authorization: Bearer <token>` values. Exactly one value is accepted. */
export function checkBearer(values: readonly (string | Buffer)[], table: TokenTable): TokenCheck {
  if (values.length === 0) return { ok: false, reason: 'no credentials: present a client certificate or an authorization bearer token' };
  if (values.length > 1) return { ok: false, reason: `authorization metadata given ${values.length} times, expected once` };
  const raw = values[0];
  if (typeof raw !== 'string') return { ok: false, reason: 'authorization metadata must be text' };
  const m = /^Bearer ([!-~]+)$/.exec(raw);
  if (m === null || m[1] === undefined) return { ok: false, reason: "authorization metadata must be 'Bearer <token>'" };
  const token = m[1];
  if (Buffer.byteLength(token) > TOKEN_BYTES_MAX) return { ok: false, reason: `token longer than ${TOKEN_BYTES_MAX} bytes` };
  // A map lookup by digest does not leak the token through timing: an attacker cannot
  // steer the digest of a guess towards a stored one.
  const principal = table.get(hashToken(token));
  if (principal === undefined) return { ok: false, reason: 'token not recognised' };
  return { ok: true, principal };
}
