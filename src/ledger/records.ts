// The records the ledger keeps in memory and writes to the 'state' sublevel, and the strict
// parsers that rebuild them on load (a restart or a restored snapshot). Records are
// immutable: a change replaces the record, so the same object can be handed to the node as
// a KvWrite value, returned in a result, and kept in memory without copies.

import { FP_KEY_PREFIX } from './fingerprint.js';
import { BALANCE_MAX, TTL_MS_MAX } from './limits.js';
import { isRulesVersionField, RULES_VERSION_FIELD_MAX } from './rules.js';
import { detach } from './strings.js';
import { isValidId, isValidLocation, isValidQuantity, isValidSku, isValidText } from './validate.js';
import type { CommandResult, Line, Position, ReservationState, ReservationView } from './types.js';
import { RESULT_CODES } from './types.js';

export interface PositionRecord extends Position {
  /** Hash of the position's latest event ('' before the first). */
  readonly head: string;
  /** Seq of the last pruned event (history retention); absent while the full history is
   * kept. */
  readonly horizon_seq?: number;
}

/** The archived mark under HISTORY_MARK_KEY: history at or below this log index has been
 * exported by an operator and may be pruned. Absent until the first mark. */
export interface HistoryMarkRecord {
  readonly v: 1;
  readonly archived_through_index: number;
}

export interface ReservationRecord extends ReservationView {
  /** The reserve's ttl_ms, kept so a replayed reserve can be compared. */
  readonly ttl_ms: number;
  /** Log time at which the reservation became final; -1 while PENDING or WAITING. */
  readonly final_ms: number;
  /** Commerce (rules version 4): the reserve's place in arrival order (log index *
   * ENTRY_COMMANDS_MAX + its index in the entry), which orders wait-lists and backorder
   * fills; absent on reservations that neither wait nor backorder. */
  readonly arrival?: number;
  /** Commerce: the fingerprint key (fingerprint.ts) of a reserve that set commerce fields,
   * compared on a replay (its lines may be allocation picks, not the request's). */
  readonly request_fp?: string;
}

export interface OutcomeRecord {
  readonly result: CommandResult;
  /** Canonical content of the command that produced the result (see fingerprint.ts). */
  readonly fp: string;
  /** Log time at which the command was applied. */
  readonly at_ms: number;
  /** Log index of the entry that applied it; absent in records written before it was
   * kept (read as 0: such outcomes predate every leader-checked command). */
  readonly at_index?: number;
}

export interface MetaRecord {
  readonly v: 1;
  readonly time_ms: number;
  readonly log_index: number;
  readonly head_hash: string;
  /** Highest log index among the outcomes that left memory for the 'outcomes' sublevel
   * (absent: none yet). A leader-checked command with a lower checked_index is refused:
   * an outcome applied after its check may have left memory before it applied. */
  readonly pruned_index?: number;
}

/** The cluster version (rules.ts), under CLUSTER_VERSION_KEY; absent while it was never
 * raised (version 1). `log_index` is the entry that raised it. */
export interface ClusterVersionRecord {
  readonly v: 1;
  readonly version: number;
  readonly log_index: number;
}

/** The admin history's chain end, under ADMIN_HEAD_KEY; absent before the first admin
 * event. */
export interface AdminHeadRecord {
  readonly v: 1;
  readonly seq: number;
  readonly head: string;
}

/** Commerce fields of a position record (rules version 4), each present only when > 0. */
export const COMMERCE_POSITION_FIELDS = ['backordered', 'in_transit', 'backorder_limit', 'low_stock_threshold'] as const;

const RESULT_CODE_SET: ReadonlySet<string> = new Set(RESULT_CODES);
const STATES: ReadonlySet<string> = new Set(['PENDING', 'COMMITTED', 'RELEASED', 'EXPIRED', 'WAITING']);
const HEX64 = /^[0-9a-f]{64}$/;
const FP_KEY = /^#[0-9a-f]{32}$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isNat(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

export class StateCorruption extends Error {
  constructor(key: string, reason: string) {
    super(`ledger state key ${JSON.stringify(key)}: ${reason}`);
    this.name = 'StateCorruption';
  }
}

/** Throws unless 0 <= reserved <= on_hand <= BALANCE_MAX, available = on_hand - reserved,
 * and the head is consistent with seq. Called on every position the ledger writes.
 * where names the caller, or is the log index applying it (a number, so apply's hot path
 * builds no text unless it throws). */
export function assertPosition(p: PositionRecord, where: string | number): void {
  if (!isNat(p.on_hand) || !isNat(p.reserved) || !isNat(p.seq) || !Number.isSafeInteger(p.available)) {
    throw new Error(`ledger invariant broken at ${whereText(where)}: quantities of ${p.sku}@${p.location} are not safe integers`);
  }
  // Backorders (rules version 4): reserved may pass on_hand by `backordered`, within the
  // backorder limit; reserved - backordered <= on_hand always.
  const bo = p.backordered ?? 0;
  const over = p.reserved > p.on_hand ? p.reserved - p.on_hand : 0;
  if (bo !== over || p.on_hand > BALANCE_MAX || !isNat(bo) || bo > (p.backorder_limit ?? 0)) {
    throw new Error(
      `ledger invariant broken at ${whereText(where)}: 0 <= reserved <= on_hand + backordered, on_hand <= ${BALANCE_MAX}, backordered = max(0, reserved - on_hand) <= backorder_limit fails for ${p.sku}@${p.location} ` +
        `(on_hand ${p.on_hand}, reserved ${p.reserved}, backordered ${bo}, backorder_limit ${p.backorder_limit ?? 0})`,
    );
  }
  if (p.available !== (over > 0 ? 0 : p.on_hand - p.reserved)) {
    throw new Error(`ledger invariant broken at ${whereText(where)}: available ${p.available} != max(0, on_hand - reserved) for ${p.sku}@${p.location}`);
  }
  if (p.seq < 1 || p.head.length !== 64) {
    throw new Error(`ledger invariant broken at ${whereText(where)}: ${p.sku}@${p.location} has seq ${p.seq} and head ${JSON.stringify(p.head)}`);
  }
}

function whereText(where: string | number): string {
  return typeof where === 'number' ? `log index ${where}` : where;
}

export function parsePosition(key: string, v: unknown): PositionRecord {
  if (!isRecord(v)) throw new StateCorruption(key, 'position value is not an object');
  if (!isValidSku(v.sku) || !isValidLocation(v.location)) throw new StateCorruption(key, 'position has an invalid sku or location');
  if (key !== `p!${v.sku}!${v.location}`) throw new StateCorruption(key, 'position key does not match its sku and location');
  // Not detached here (strings.ts): the record is read once and let go. The names are
  // detached where they are kept (PositionTable.findOrAdd) and the head is kept as bytes;
  // a copy here cost ~5% of a 1M-position restart.
  const rec: PositionRecord = {
    sku: v.sku,
    location: v.location,
    on_hand: v.on_hand as number,
    reserved: v.reserved as number,
    available: v.available as number,
    seq: v.seq as number,
    head: typeof v.head === 'string' ? v.head : '',
  };
  for (const f of COMMERCE_POSITION_FIELDS) {
    const x = v[f];
    if (x === undefined) continue;
    if (!isNat(x) || x === 0) throw new StateCorruption(key, `position ${f} must be absent or an integer >= 1, got ${String(x)}`);
    (rec as unknown as Record<string, unknown>)[f] = x;
  }
  if (v.horizon_seq !== undefined) {
    if (!isNat(v.horizon_seq) || v.horizon_seq < 1 || !isNat(v.seq) || v.horizon_seq >= v.seq) {
      throw new StateCorruption(key, `position horizon_seq must be an integer 1..seq-1, got ${String(v.horizon_seq)}`);
    }
    return { ...checkedPosition(key, rec), horizon_seq: v.horizon_seq };
  }
  return checkedPosition(key, rec);
}

function checkedPosition(key: string, rec: PositionRecord): PositionRecord {
  if (!HEX64.test(rec.head)) throw new StateCorruption(key, 'position head is not 64 hex digits');
  try {
    assertPosition(rec, 'load');
  } catch (err) {
    throw new StateCorruption(key, (err as Error).message);
  }
  return rec;
}

function parseLines(key: string, field: string, v: unknown, allow_empty: boolean): Line[] {
  if (!Array.isArray(v) || (!allow_empty && v.length === 0)) throw new StateCorruption(key, `${field} is not a list of lines`);
  return v.map((l: unknown, i) => {
    if (!isRecord(l) || !isValidSku(l.sku) || !isValidLocation(l.location) || !isValidQuantity(l.quantity)) {
      throw new StateCorruption(key, `${field}[${i}] is not a valid line`);
    }
    return { sku: detach(l.sku), location: detach(l.location), quantity: l.quantity };
  });
}

export function parseReservation(key: string, v: unknown): ReservationRecord {
  if (!isRecord(v)) throw new StateCorruption(key, 'reservation value is not an object');
  if (!isValidId(v.reservation_id) || key !== `r!${v.reservation_id}`) throw new StateCorruption(key, 'reservation id does not match its key');
  if (typeof v.state !== 'string' || !STATES.has(v.state)) throw new StateCorruption(key, `unknown reservation state ${String(v.state)}`);
  if (!isValidText(v.order_ref)) throw new StateCorruption(key, 'order_ref is not valid text');
  if (!isNat(v.created_ms) || !isNat(v.deadline_ms) || v.deadline_ms < v.created_ms) throw new StateCorruption(key, 'bad created_ms/deadline_ms');
  if (!isNat(v.ttl_ms) || v.ttl_ms > TTL_MS_MAX) throw new StateCorruption(key, 'bad ttl_ms');
  const state = v.state as ReservationState;
  if (typeof v.final_ms !== 'number' || !Number.isSafeInteger(v.final_ms) || (state === 'PENDING' || state === 'WAITING') !== (v.final_ms === -1)) {
    throw new StateCorruption(key, `final_ms ${String(v.final_ms)} does not fit state ${state}`);
  }
  const rec: ReservationRecord = {
    reservation_id: detach(v.reservation_id),
    state,
    lines: parseLines(key, 'lines', v.lines, false),
    order_ref: detach(v.order_ref),
    created_ms: v.created_ms,
    deadline_ms: v.deadline_ms,
    committed_lines: parseLines(key, 'committed_lines', v.committed_lines, true),
    ttl_ms: v.ttl_ms,
    final_ms: v.final_ms,
  };
  return parseReservationCommerce(key, v, rec);
}

/** The commerce fields of a reservation record (rules version 4), each optional. */
function parseReservationCommerce(key: string, v: Record<string, unknown>, rec: ReservationRecord): ReservationRecord {
  if (v.customer_id === undefined && v.backordered_lines === undefined && v.wait_deadline_ms === undefined && v.arrival === undefined && v.request_fp === undefined) return rec;
  const out: Record<string, unknown> = { ...rec };
  if (v.customer_id !== undefined) {
    if (!isValidId(v.customer_id)) throw new StateCorruption(key, 'customer_id is not a valid id');
    out.customer_id = detach(v.customer_id);
  }
  if (v.backordered_lines !== undefined) out.backordered_lines = parseLines(key, 'backordered_lines', v.backordered_lines, false);
  for (const f of ['wait_deadline_ms', 'arrival'] as const) {
    if (v[f] !== undefined && !isNat(v[f])) throw new StateCorruption(key, `${f} is not a non-negative integer`);
    if (v[f] !== undefined) out[f] = v[f];
  }
  if (v.request_fp !== undefined) {
    if (typeof v.request_fp !== 'string' || !FP_KEY.test(v.request_fp)) throw new StateCorruption(key, 'request_fp is not a fingerprint key');
    out.request_fp = detach(v.request_fp);
  }
  return out as unknown as ReservationRecord;
}

/** `id_at`: where the op id starts in the key (2 for 'o!<id>' in state, 0 for an
 * archived outcome in the 'outcomes' sublevel). */
export function parseOutcome(key: string, v: unknown, id_at = 2): OutcomeRecord {
  if (!isRecord(v)) throw new StateCorruption(key, 'outcome value is not an object');
  if (!isValidId(key.slice(id_at))) throw new StateCorruption(key, 'outcome key holds an invalid op id');
  if (typeof v.fp !== 'string' || !isNat(v.at_ms)) throw new StateCorruption(key, 'outcome lacks fp/at_ms');
  if (v.at_index !== undefined && !isNat(v.at_index)) throw new StateCorruption(key, `outcome at_index ${String(v.at_index)} is not a non-negative integer`);
  if (v.fp.startsWith(FP_KEY_PREFIX) && !FP_KEY.test(v.fp)) throw new StateCorruption(key, `outcome fp ${JSON.stringify(v.fp)} is neither a fingerprint text nor '#' and 32 hex digits`);
  const r = v.result;
  if (!isRecord(r) || typeof r.code !== 'string' || !RESULT_CODE_SET.has(r.code) || r.code === 'INVALID_ARGUMENT') {
    throw new StateCorruption(key, 'outcome result has no recordable code');
  }
  if (r.replay !== false) throw new StateCorruption(key, 'a stored outcome must have replay: false');
  // The result is returned to clients as stored; its inner shape was written by apply.
  // Nothing is detached here: compactOutcome(rec, true) detaches what it keeps of a
  // one-position result (most outcomes); other results are rare and kept as decoded.
  const rec: OutcomeRecord = { result: r as unknown as CommandResult, fp: v.fp, at_ms: v.at_ms };
  return v.at_index === undefined ? rec : { ...rec, at_index: v.at_index };
}

export function parseMeta(key: string, v: unknown): MetaRecord {
  if (!isRecord(v) || v.v !== 1) throw new StateCorruption(key, 'meta is not a version 1 record');
  if (!isNat(v.time_ms) || !isNat(v.log_index)) throw new StateCorruption(key, 'meta lacks time_ms/log_index');
  if (typeof v.head_hash !== 'string' || !HEX64.test(v.head_hash)) throw new StateCorruption(key, 'meta head_hash is not 64 hex digits');
  if (v.pruned_index !== undefined && (!isNat(v.pruned_index) || v.pruned_index > v.log_index)) {
    throw new StateCorruption(key, `meta pruned_index ${String(v.pruned_index)} is not an integer 0..log_index`);
  }
  const m: MetaRecord = { v: 1, time_ms: v.time_ms, log_index: v.log_index, head_hash: v.head_hash };
  return v.pruned_index === undefined ? m : { ...m, pruned_index: v.pruned_index };
}

export function parseAdminHead(key: string, v: unknown): AdminHeadRecord {
  if (!isRecord(v) || v.v !== 1) throw new StateCorruption(key, 'admin head is not a version 1 record');
  if (!isNat(v.seq) || v.seq < 1) throw new StateCorruption(key, `admin head seq must be an integer >= 1, got ${String(v.seq)}`);
  if (typeof v.head !== 'string' || !HEX64.test(v.head)) throw new StateCorruption(key, 'admin head hash is not 64 hex digits');
  return { v: 1, seq: v.seq, head: v.head };
}

export function parseHistoryMark(key: string, v: unknown): HistoryMarkRecord {
  if (!isRecord(v) || v.v !== 1) throw new StateCorruption(key, 'history mark is not a version 1 record');
  if (!isNat(v.archived_through_index) || v.archived_through_index < 1) {
    throw new StateCorruption(key, `archived_through_index must be an integer >= 1, got ${String(v.archived_through_index)}`);
  }
  return { v: 1, archived_through_index: v.archived_through_index };
}

export function parseClusterVersion(key: string, v: unknown): ClusterVersionRecord {
  if (!isRecord(v) || v.v !== 1) throw new StateCorruption(key, 'cluster version is not a version 1 record');
  if (!isRulesVersionField(v.version) || v.version < 2) throw new StateCorruption(key, `cluster version must be an integer 2..${RULES_VERSION_FIELD_MAX}, got ${String(v.version)}`);
  if (!isNat(v.log_index) || v.log_index < 1) throw new StateCorruption(key, `cluster version log_index must be an integer >= 1, got ${String(v.log_index)}`);
  return { v: 1, version: v.version, log_index: v.log_index };
}
