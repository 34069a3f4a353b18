// Who a joining node listens to. A node started with --join has no membership until the
// leader adds it; until then the cluster id (derived from a member list, not a secret) is
// all a sender would need. So a joining node accepts peer traffic only from senders that
// prove they belong to the operator's cluster:
//   - a join token: a secret every member and the joiner read from --join-token-file;
//     members send, on every peer call, an HMAC of the token keyed to the receiving node's
//     id (a receiver learns nothing it could replay to another node, and never the token);
//   - or, without a token, the operator's member list (--initial-cluster): only senders it
//     names are accepted (in TLS mode the sender is proven by its node certificate).
// Once the node has learned its membership the raft transport's own member check applies
// and the gate is open. Without either, --join refuses to start.

import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';

/** Metadata key of the join proof on peer calls. Removed before handlers see the call. */
export const JOIN_PROOF_KEY = 'x-stockraft-join-proof';
/** A token shorter than this is too easy to guess; longer than the max is not a token. */
export const JOIN_TOKEN_BYTES_MIN = 16;
export const JOIN_TOKEN_BYTES_MAX = 1024;

/** The secret itself never leaves this object: no getter, and its string form is a mark. */
export class JoinToken {
  readonly #secret: Buffer;

  constructor(secret: Buffer) {
    this.#secret = Buffer.from(secret);
  }

  /** What a member sends to node `receiver_id`. */
  proofFor(receiver_id: string): string {
    return createHmac('sha256', this.#secret).update(`stockraft-join-v1\n${receiver_id}`).digest('base64');
  }

  /** Whether one of the presented values is the proof for `self_id` (constant time). */
  accepts(self_id: string, presented: readonly (string | Buffer)[]): boolean {
    const want = Buffer.from(this.proofFor(self_id), 'utf8');
    let ok = false;
    for (const v of presented) {
      const got = Buffer.from(typeof v === 'string' ? v : v.toString('utf8'), 'utf8');
      if (got.length === want.length && timingSafeEqual(got, want)) ok = true;
    }
    return ok;
  }

  toString(): string {
    return '[join token]';
  }

  toJSON(): string {
    return '[join token]';
  }
}

/** Reads --join-token-file: the whole file, surrounding white space trimmed, is the token.
 * Errors name the file and the sizes, never the content. */
export function readJoinTokenFile(file: string): JoinToken {
  let size: number;
  try {
    size = statSync(file).size;
  } catch (err) {
    throw new Error(`--join-token-file ${file}: cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  // Checked before reading, so a wrong path to a huge file is not read into memory.
  if (size > JOIN_TOKEN_BYTES_MAX + 2) throw new Error(`--join-token-file ${file}: ${size} bytes, limit ${JOIN_TOKEN_BYTES_MAX}`);
  const text = readFileSync(file, 'utf8').trim();
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes < JOIN_TOKEN_BYTES_MIN) throw new Error(`--join-token-file ${file}: token is ${bytes} bytes, at least ${JOIN_TOKEN_BYTES_MIN} needed (e.g. \`openssl rand -base64 32\`)`);
  if (bytes > JOIN_TOKEN_BYTES_MAX) throw new Error(`--join-token-file ${file}: token is ${bytes} bytes, limit ${JOIN_TOKEN_BYTES_MAX}`);
  if (/\s/.test(text)) throw new Error(`--join-token-file ${file}: token must be one word (no white space inside)`);
  return new JoinToken(Buffer.from(text, 'utf8'));
}

/** How a joining node admits senders while its membership is empty. */
export type JoinAdmission =
  | { readonly kind: 'token'; readonly token: JoinToken }
  | { readonly kind: 'members'; readonly ids: ReadonlySet<string> };

/** The admission of a node: null when it does not join (bootstrapped or restored nodes
 * know their members). Throws the start-up refusal when --join has neither. */
export function joinAdmission(join: boolean, token: JoinToken | null, member_ids: readonly string[]): JoinAdmission | null {
  if (!join) return null;
  if (token !== null) return { kind: 'token', token };
  if (member_ids.length > 0) return { kind: 'members', ids: new Set(member_ids) };
  throw new Error(
    '--join needs a way to tell the real cluster from anyone else while this node has no membership: ' +
      'give --join-token-file FILE (the secret the members also read) or --initial-cluster id=host:port,... (the members it accepts)',
  );
}

export type JoinRefusal = { readonly details: string } | null;

/** Metadata-time check of a peer call on a joining node (token admission). */
export function checkJoinProof(adm: JoinAdmission, self_id: string, presented: readonly (string | Buffer)[]): JoinRefusal {
  if (adm.kind !== 'token') return null;
  if (presented.length === 0) return { details: 'this node is joining and accepts peer traffic only with the cluster\'s join token (--join-token-file on the members): none presented' };
  if (!adm.token.accepts(self_id, presented)) return { details: 'this node is joining and the join proof presented does not match its --join-token-file' };
  return null;
}

/** Message-time check on a joining node (member-list admission): the sender a raft message
 * claims must be one the operator listed. */
export function checkJoinSender(adm: JoinAdmission, sender: string | null): JoinRefusal {
  if (adm.kind !== 'members') return null;
  if (sender !== null && adm.ids.has(sender)) return null;
  return { details: `this node is joining and accepts only the members named by --initial-cluster (${[...adm.ids].join(', ')}): sender '${sender ?? '(none)'}' is not one` };
}
