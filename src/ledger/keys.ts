// LevelDB key layout of the ledger. Keys are strings whose lexicographic order is the
// intended iteration order. '!' separates parts: it sorts below every character a SKU or
// location may hold ([A-Za-z0-9._:/-]), so keys order by (sku, location) as a tuple and a
// position's keys are contiguous.
//
// sublevel 'state':
//   p!<sku>!<location>   PositionRecord
//   r!<reservation_id>   ReservationRecord
//   o!<op_id>            OutcomeRecord (op ids and reservation ids share one namespace)
//   m                    MetaRecord (log time, last applied index, head hash)
//   a                    AdminHeadRecord (admin history's last seq and hash)
//   h                    HistoryMarkRecord (history archived through this log index)
//   v                    ClusterVersionRecord (absent while the cluster version is 1)
//   k!<sku>              SkuPolicyRecord (commerce, commerce/records.ts)
//   t!<transfer_id>      TransferRecord (commerce)
//   u!<sku>!<customer>   UsageRecord (commerce: a customer's counted reservations)
// sublevel 'history':
//   <sku>!<location>!<seq as 16 decimal digits>   LedgerEvent
//   <sku>!<location>!0000000000000000             HistoryHorizon (seq 0 is never an
//                                                 event's: only a pruned position has it)
//   !admin!<seq as 16 decimal digits>             AdminEvent
// An admin key starts with '!', which no SKU may hold, so it can never be a position's
// key; it sorts before every position key, so the admin chain comes first in key order.

export const SEP = '!';
export const POSITION_PREFIX = 'p!';
export const RESERVATION_PREFIX = 'r!';
export const OUTCOME_PREFIX = 'o!';
export const META_KEY = 'm';
export const ADMIN_HEAD_KEY = 'a';
export const HISTORY_MARK_KEY = 'h';
export const CLUSTER_VERSION_KEY = 'v';
export const ADMIN_HISTORY_PREFIX = '!admin!';

/** 16 digits cover every sequence number below 2^53. */
const SEQ_DIGITS = 16;
const SEQ_PAD = '0'.repeat(SEQ_DIGITS);

/** In-memory map key of a position (also the middle of its state and history keys). */
export function positionId(sku: string, location: string): string {
  return sku + SEP + location;
}

export function positionKey(sku: string, location: string): string {
  return POSITION_PREFIX + sku + SEP + location;
}

export function reservationKey(reservation_id: string): string {
  return RESERVATION_PREFIX + reservation_id;
}

export function outcomeKey(op_id: string): string {
  return OUTCOME_PREFIX + op_id;
}

export function seqText(seq: number): string {
  if (!Number.isSafeInteger(seq) || seq < 0) throw new Error(`history seq must be a safe non-negative integer, got ${seq}`);
  const s = String(seq);
  return SEQ_PAD.slice(s.length) + s;
}

export function historyKey(sku: string, location: string, seq: number): string {
  return sku + SEP + location + SEP + seqText(seq);
}

/** Key of a position's history horizon: before its first retained event. */
export function horizonKey(sku: string, location: string): string {
  return historyKey(sku, location, 0);
}

/** First and last possible history keys of one position, for range reads
 * (gte/lte bounds): listEvents(sku, location, after_seq) reads from
 * historyKey(sku, location, after_seq + 1) to historyRangeEnd(sku, location). */
export function historyRangeEnd(sku: string, location: string): string {
  return sku + SEP + location + SEP + '9'.repeat(SEQ_DIGITS);
}

export function adminHistoryKey(seq: number): string {
  return ADMIN_HISTORY_PREFIX + seqText(seq);
}

/** Last possible admin history key (lte bound of a range read). */
export function adminHistoryRangeEnd(): string {
  return ADMIN_HISTORY_PREFIX + '9'.repeat(SEQ_DIGITS);
}
