// Outcomes past the dedup window leave memory for the 'outcomes' sublevel, where they stay
// for the life of the history: GetOutcome answers for any age, and a leader checking an
// unstamped command (one without an id time) finds an id used long ago. History retention
// drops those of archived, pruned history with it (retention.ts archivedOutcomePrunable). Key: the op id
// (or reservation id) itself; value: the OutcomeRecord as the state sublevel held it, with
// the fingerprint always in its digest form. A successful reserve's outcome held no
// fingerprint in memory (its reservation was its content); the reservation leaves memory
// with it, so its archived record carries the digest of the reserve rebuilt from the
// reservation record.

import { fingerprint, fingerprintDigest, fingerprintKey } from './fingerprint.js';
import { parseOutcome, type OutcomeRecord, type ReservationRecord } from './records.js';
import type { Command, CommandResult } from './types.js';

/** Fingerprint key of the reserve that made `res` (its id time plays no part). A commerce
 * reserve kept its own (its lines may be allocation picks, not the request's). */
export function reserveFingerprintKey(res: ReservationRecord): string {
  if (res.request_fp !== undefined) return res.request_fp;
  return fingerprintKey(fingerprint({ kind: 'reserve', reservation_id: res.reservation_id, lines: res.lines, ttl_ms: res.ttl_ms, order_ref: res.order_ref }));
}

/** The record an outcome leaves in the 'outcomes' sublevel. `tied_to` is the reservation of
 * a successful reserve's outcome (its content), null for every other outcome. */
export function archivedRecord(rec: OutcomeRecord, tied_to: ReservationRecord | null): OutcomeRecord {
  return tied_to === null ? rec : { ...rec, fp: reserveFingerprintKey(tied_to) };
}

/** The recorded result of an archived outcome (replay: false). Throws StateCorruption
 * naming the key on a malformed record. */
export function archivedResult(id: string, value: unknown): CommandResult {
  return parseOutcome(id, value, 0).result;
}

/** What a command under an id found in the archive gets: the recorded result as a replay
 * when the content is the same, ALREADY_EXISTS_DIFFERENT otherwise (as apply answers for
 * an outcome in memory). */
export function replayFromArchive(cmd: Command, id: string, value: unknown): CommandResult {
  const rec = parseOutcome(id, value, 0);
  if (fingerprintDigest(rec.fp).equals(fingerprintDigest(fingerprint(cmd)))) return { ...rec.result, replay: true } as CommandResult;
  return { code: 'ALREADY_EXISTS_DIFFERENT', replay: false, detail: `id ${id} was already used by a different command (${rec.result.code})` };
}
