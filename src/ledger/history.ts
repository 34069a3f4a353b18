// The per-position hash chain and its verifier.
//
// Every event's hash is SHA-256 (hex) over a canonical encoding of all its fields but the
// hash itself: the text `stockraft-event-v1\n` followed by the JSON array
//   [sku, location, seq, log_index, time_ms, kind, op_id, reservation_id,
//    delta_on_hand, delta_reserved, on_hand, reserved, prev_hash]
// JSON of an array of strings and safe integers has exactly one form, so the encoding is
// canonical. Commerce events (rules version 4) may carry optional fields; each present one
// is appended to the array as a name and its value, in the order of COMMERCE_EVENT_FIELDS
// (e.g. [..., prev_hash, "in_transit", 5, "variance", -2]), so an event without them
// hashes exactly as before. prev_hash is the previous event's hash of the same position ('' for seq 1).
//
// The ledger-wide head hash is a second chain, advanced once per applied entry that
// appended events: SHA-256 over `stockraft-head-v1\n<previous head>\n<log index>\n` and the
// entry's event hashes joined by '\n'. Replicas that applied the same entries hold the same
// head; comparing one value compares every event ever appended.
//
// The admin history (operators' actions, kind 'ADMIN') is one more chain of its own:
// SHA-256 over `stockraft-admin-event-v1\n` followed by the JSON array
//   [seq, log_index, time_ms, op_id, action, principal, target, detail, prev_hash]
// with prev_hash the previous admin event's hash ('' for seq 1). An entry's admin event
// hashes join the head after its position events' hashes.

import { hash as nodeHash } from 'node:crypto';
import { BALANCE_MAX } from './limits.js';
import { positionId } from './keys.js';
import { detach } from './strings.js';
import type { AdminEvent, EventKind, HistoryHorizon, LedgerEvent } from './types.js';
import { ADMIN_ACTIONS } from './types.js';

export const EVENT_KINDS: readonly EventKind[] = [
  'ADJUST',
  'RESERVE',
  'COMMIT',
  'RELEASE',
  'EXPIRE',
  'EXTEND',
  'POLICY',
  'BACKORDER_FILL',
  'WAIT',
  'GRANT',
  'WAIT_EXPIRE',
  'TRANSFER_OUT',
  'TRANSFER_IN',
  'RECEIVE',
  'COUNT',
  'LOW_STOCK',
];

/** The optional event fields of rules version 4, in hash order. */
export const COMMERCE_EVENT_FIELDS = ['in_transit', 'delta_in_transit', 'variance', 'customer_id', 'transfer_id', 'backordered'] as const;
export type CommerceEventFields = Partial<Pick<LedgerEvent, (typeof COMMERCE_EVENT_FIELDS)[number]>>;

/** The hash text's tail for an event's optional fields: '' when it has none. */
export function commerceHashTail(e: CommerceEventFields): string {
  let tail = '';
  for (const f of COMMERCE_EVENT_FIELDS) {
    const v = e[f];
    if (v !== undefined) tail += `,"${f}",${J(v)}`;
  }
  return tail;
}
const EVENT_KIND_SET: ReadonlySet<string> = new Set(EVENT_KINDS);

/** Head hash of a ledger that has appended nothing yet. */
export const GENESIS_HEAD = '0'.repeat(64);

export function sha256Hex(text: string): string {
  return nodeHash('sha256', text, 'hex');
}

export type EventFields = Omit<LedgerEvent, 'hash'>;

/** The documented definition, for any input (the verifier's path). */
export function eventHash(e: EventFields): string {
  return sha256Hex(
    'stockraft-event-v1\n' +
      JSON.stringify([
        e.sku,
        e.location,
        e.seq,
        e.log_index,
        e.time_ms,
        e.kind,
        e.op_id,
        e.reservation_id,
        e.delta_on_hand,
        e.delta_reserved,
        e.on_hand,
        e.reserved,
        e.prev_hash,
      ]).slice(0, -1) +
      commerceHashTail(e) +
      ']',
  );
}

const J = JSON.stringify;

/** JSON of an id: printable ASCII needs quoting only, unless it holds '"' or '\\'. */
function quoteId(id: string): string {
  return id.indexOf('"') === -1 && id.indexOf('\\') === -1 ? `"${id}"` : J(id);
}

/** The same hash as eventHash, built faster for apply's hot path (no array, one flat
 * string). Only for validated fields: sku and location match [A-Za-z0-9._:/-], ids are
 * printable ASCII, kind is an EventKind, prev_hash is hex or '', numbers are safe integers;
 * for those the text is byte-for-byte the JSON that eventHash hashes (tests hold the two
 * together). */
export function eventHashOf(
  sku: string,
  location: string,
  seq: number,
  log_index: number,
  time_ms: number,
  kind: EventKind,
  op_id: string,
  reservation_id: string,
  delta_on_hand: number,
  delta_reserved: number,
  on_hand: number,
  reserved: number,
  prev_hash: string,
  tail = '',
): string {
  return sha256Hex(
    `stockraft-event-v1\n["${sku}","${location}",${seq},${log_index},${time_ms},"${kind}",${quoteId(op_id)},${quoteId(reservation_id)},${delta_on_hand},${delta_reserved},${on_hand},${reserved},"${prev_hash}"${tail}]`,
  );
}

export type AdminEventFields = Omit<AdminEvent, 'hash'>;

/** Hash of an admin event (the documented definition above). */
export function adminEventHash(e: AdminEventFields): string {
  return sha256Hex(
    'stockraft-admin-event-v1\n' +
      JSON.stringify([e.seq, e.log_index, e.time_ms, e.op_id, e.action, e.principal, e.target, e.detail, e.prev_hash]),
  );
}

/** Advances the ledger-wide head by one entry's events, position events first, then admin
 * events (unchanged when there are none). */
export function advanceHead(
  prev_head: string,
  log_index: number,
  events: readonly LedgerEvent[],
  admin_events: readonly AdminEvent[] = [],
): string {
  if (events.length === 0 && admin_events.length === 0) return prev_head;
  let text = `stockraft-head-v1\n${prev_head}\n${log_index}`;
  for (const e of events) text += '\n' + e.hash;
  for (const e of admin_events) text += '\n' + e.hash;
  return sha256Hex(text);
}

/** The admin chain's stored end: seq 0 and '' before the first admin event. */
export interface AdminHead {
  readonly seq: number;
  readonly head: string;
}

const ADMIN_ACTION_SET: ReadonlySet<string> = new Set(ADMIN_ACTIONS);

/** Prefix of the reason of a verify failure in the admin chain (whose sku and location
 * are '', which no position can have; `chain` says 'admin'). */
export const ADMIN_CHAIN_LABEL = '(admin history)';

/** A position's stored chain end: what state says the last event is. */
export interface PositionHead {
  readonly sku: string;
  readonly location: string;
  readonly seq: number;
  readonly head: string;
}

export type VerifyResult =
  | {
      readonly ok: true;
      readonly events: number;
      readonly positions: number;
      readonly admin_events: number;
      /** Positions whose chain started at a history horizon (pruned history); absent when
       * none did. */
      readonly horizons?: number;
    }
  | {
      readonly ok: false;
      /** Which chain broke: a position's (sku, location), or the admin history (sku and
       * location are then '', reason starts with ADMIN_CHAIN_LABEL). */
      readonly chain?: 'position' | 'admin';
      readonly sku: string;
      readonly location: string;
      readonly seq: number;
      readonly reason: string;
    };

const HEX64 = /^[0-9a-f]{64}$/;

function isSafeNonNegative(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function isSafeInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v);
}

interface ChainEnd {
  readonly sku: string;
  readonly location: string;
  seq: number;
  hash: string;
  on_hand: number;
  reserved: number;
  log_index: number;
  time_ms: number;
  /** Reserved may pass on_hand (backorders, rules version 4): after a POLICY event or an
   * event with `backordered` (the POLICY event may be pruned), or from a horizon that
   * already had it so. */
  backorders?: boolean;
}

/** A chain end that is no longer current is kept until finish(): its texts are detached
 * (strings.ts). Decoded events' texts are slices of their whole chunk's text, so one kept
 * hash pinned its chunk: verifying a 20M-event backup (1M positions) grew by about the
 * bytes read, 3.6 GB after 4 GB, where the chain ends themselves need ~300 MB. */
function settle(end: ChainEnd): void {
  end.hash = detach(end.hash);
}

/** Incremental verifier, for callers that stream events from storage: push events in
 * history key order, then finish() with the stored per-position heads. Stops at the first
 * break; the result names the position, the seq and what is wrong. Memory: one small
 * record per position. */
export class HistoryVerifier {
  private readonly ends = new Map<string, ChainEnd>();
  private current: ChainEnd | null = null;
  private failure: VerifyResult | null = null;
  private count = 0;
  private admin_count = 0;
  private admin_end = { seq: 0, hash: '', log_index: 0, time_ms: 0 };
  private horizons = 0;

  /** Returns the failure once one is found (and keeps returning it), else null. Admin
   * events (kind 'ADMIN') go to the admin chain, wherever they come in the stream. */
  push(raw: LedgerEvent | AdminEvent | HistoryHorizon): VerifyResult | null {
    if (this.failure !== null) return this.failure;
    if ((raw as { kind?: unknown }).kind === 'ADMIN') return this.pushAdmin(raw as AdminEvent);
    if ((raw as { kind?: unknown }).kind === 'HORIZON') return this.pushHorizon(raw as HistoryHorizon);
    const e = raw as unknown as Record<string, unknown>;
    const sku = typeof e.sku === 'string' ? e.sku : '';
    const location = typeof e.location === 'string' ? e.location : '';
    const seq = typeof e.seq === 'number' ? e.seq : -1;
    const bad = (reason: string): VerifyResult => (this.failure = { ok: false, sku, location, seq, reason });
    if (typeof e.sku !== 'string' || typeof e.location !== 'string') return bad('event has no sku/location strings');
    if (!isSafeNonNegative(e.seq) || e.seq < 1) return bad(`seq must be an integer >= 1, got ${String(e.seq)}`);
    for (const f of ['log_index', 'time_ms', 'on_hand', 'reserved'] as const) {
      if (!isSafeNonNegative(e[f])) return bad(`${f} must be a safe non-negative integer, got ${String(e[f])}`);
    }
    for (const f of ['delta_on_hand', 'delta_reserved'] as const) {
      if (!isSafeInt(e[f])) return bad(`${f} must be a safe integer, got ${String(e[f])}`);
    }
    for (const f of ['op_id', 'reservation_id', 'prev_hash', 'hash'] as const) {
      if (typeof e[f] !== 'string') return bad(`${f} must be a string`);
    }
    if (typeof e.kind !== 'string' || !EVENT_KIND_SET.has(e.kind)) return bad(`unknown event kind ${String(e.kind)}`);
    const ev = raw as LedgerEvent;

    const id = positionId(sku, location);
    let end = this.current;
    if (end === null || end.sku !== sku || end.location !== location) {
      if (this.ends.has(id)) return bad('events of this position are not contiguous in key order');
      if (end !== null && (end.sku > sku || (end.sku === sku && end.location > location))) {
        return bad(`position out of key order (after ${end.sku}@${end.location})`);
      }
      if (end !== null) settle(end);
      end = { sku: detach(sku), location: detach(location), seq: 0, hash: '', on_hand: 0, reserved: 0, log_index: 0, time_ms: 0 };
      this.ends.set(id, end);
      this.current = end;
    }
    if (ev.seq !== end.seq + 1) return bad(`seq ${ev.seq} follows seq ${end.seq}: a gap or a repeat`);
    if (ev.prev_hash !== end.hash) return bad(`prev_hash does not match the hash of seq ${end.seq}${end.seq > 0 && this.horizon_of === end ? ' (the history horizon)' : ''}`);
    if (!HEX64.test(ev.hash)) return bad('hash is not 64 lowercase hex digits');
    if (eventHash(ev) !== ev.hash) return bad('hash does not match the event fields (event altered)');
    if (ev.log_index < end.log_index) return bad(`log_index ${ev.log_index} goes back from ${end.log_index}`);
    if (ev.time_ms < end.time_ms) return bad(`time_ms ${ev.time_ms} goes back from ${end.time_ms}`);
    if (ev.on_hand !== end.on_hand + ev.delta_on_hand) {
      return bad(`on_hand ${ev.on_hand} != previous ${end.on_hand} + delta ${ev.delta_on_hand}`);
    }
    if (ev.reserved !== end.reserved + ev.delta_reserved) {
      return bad(`reserved ${ev.reserved} != previous ${end.reserved} + delta ${ev.delta_reserved}`);
    }
    // Only a backorder reserve takes reserved past on_hand, and its event says so.
    if (ev.kind === 'POLICY' || ev.backordered !== undefined) end.backorders = true;
    if ((ev.reserved > ev.on_hand && end.backorders !== true) || ev.on_hand > BALANCE_MAX) {
      return bad(`quantities break 0 <= reserved <= on_hand <= ${BALANCE_MAX} (reserved may pass on_hand only after a POLICY or backorder event): on_hand ${ev.on_hand}, reserved ${ev.reserved}`);
    }
    end.seq = ev.seq;
    end.hash = ev.hash;
    end.on_hand = ev.on_hand;
    end.reserved = ev.reserved;
    end.log_index = ev.log_index;
    end.time_ms = ev.time_ms;
    this.count++;
    return null;
  }

  /** The position whose chain started at a horizon most recently (for the message). */
  private horizon_of: ChainEnd | null = null;

  /** A position's retained history starts at its horizon (the last pruned event's seq,
   * hash and quantities): it must come before the position's first event, and the chain
   * continues from it as from an event. */
  private pushHorizon(raw: HistoryHorizon): VerifyResult | null {
    const h = raw as unknown as Record<string, unknown>;
    const sku = typeof h.sku === 'string' ? h.sku : '';
    const location = typeof h.location === 'string' ? h.location : '';
    const seq = typeof h.seq === 'number' ? h.seq : -1;
    const bad = (reason: string): VerifyResult => (this.failure = { ok: false, sku, location, seq, reason: `horizon: ${reason}` });
    if (typeof h.sku !== 'string' || typeof h.location !== 'string') return bad('has no sku/location strings');
    for (const f of ['seq', 'log_index', 'time_ms', 'on_hand', 'reserved'] as const) {
      if (!isSafeNonNegative(h[f])) return bad(`${f} must be a safe non-negative integer, got ${String(h[f])}`);
    }
    if (raw.seq < 1) return bad('seq must be >= 1');
    if (typeof raw.hash !== 'string' || !HEX64.test(raw.hash)) return bad('hash is not 64 lowercase hex digits');
    if (raw.on_hand > BALANCE_MAX) return bad(`quantities break on_hand <= ${BALANCE_MAX}`);
    const id = positionId(sku, location);
    if (this.ends.has(id)) return bad('comes after events of its position (a horizon starts a chain)');
    const prev = this.current;
    if (prev !== null && (prev.sku > sku || (prev.sku === sku && prev.location > location))) return bad(`position out of key order (after ${prev.sku}@${prev.location})`);
    if (prev !== null) settle(prev);
    const end: ChainEnd = { sku: detach(sku), location: detach(location), seq: raw.seq, hash: raw.hash, on_hand: raw.on_hand, reserved: raw.reserved, log_index: raw.log_index, time_ms: raw.time_ms };
    // A horizon past a backorder carries it (the POLICY event may be pruned).
    if (raw.reserved > raw.on_hand) end.backorders = true;
    this.ends.set(id, end);
    this.current = end;
    this.horizon_of = end;
    this.horizons++;
    return null;
  }

  private pushAdmin(raw: AdminEvent): VerifyResult | null {
    const e = raw as unknown as Record<string, unknown>;
    const seq = typeof e.seq === 'number' ? e.seq : -1;
    const bad = (reason: string): VerifyResult =>
      (this.failure = { ok: false, chain: 'admin', sku: '', location: '', seq, reason: `${ADMIN_CHAIN_LABEL}: ${reason}` });
    const end = this.admin_end;
    if (!isSafeNonNegative(e.seq) || e.seq < 1) return bad(`seq must be an integer >= 1, got ${String(e.seq)}`);
    for (const f of ['log_index', 'time_ms'] as const) {
      if (!isSafeNonNegative(e[f])) return bad(`${f} must be a safe non-negative integer, got ${String(e[f])}`);
    }
    for (const f of ['op_id', 'principal', 'target', 'detail', 'prev_hash', 'hash'] as const) {
      if (typeof e[f] !== 'string') return bad(`${f} must be a string`);
    }
    if (typeof e.action !== 'string' || !ADMIN_ACTION_SET.has(e.action)) return bad(`unknown admin action ${String(e.action)}`);
    if (raw.seq !== end.seq + 1) return bad(`seq ${raw.seq} follows seq ${end.seq}: a gap or a repeat`);
    if (raw.prev_hash !== end.hash) return bad(`prev_hash does not match the hash of seq ${end.seq}`);
    if (!HEX64.test(raw.hash)) return bad('hash is not 64 lowercase hex digits');
    if (adminEventHash(raw) !== raw.hash) return bad('hash does not match the event fields (event altered)');
    if (raw.log_index < end.log_index) return bad(`log_index ${raw.log_index} goes back from ${end.log_index}`);
    if (raw.time_ms < end.time_ms) return bad(`time_ms ${raw.time_ms} goes back from ${end.time_ms}`);
    this.admin_end = { seq: raw.seq, hash: raw.hash, log_index: raw.log_index, time_ms: raw.time_ms };
    this.admin_count++;
    return null;
  }

  /** Compares the chain ends with the stored heads (when given) and the admin chain's end
   * with the stored admin head (when given), and returns the verdict. */
  finish(heads?: Iterable<PositionHead>, admin_head?: AdminHead): VerifyResult {
    if (this.failure !== null) return this.failure;
    if (admin_head !== undefined && (admin_head.seq !== this.admin_end.seq || admin_head.head !== this.admin_end.hash)) {
      return (this.failure = {
        ok: false,
        chain: 'admin',
        sku: '',
        location: '',
        seq: admin_head.seq,
        reason: `${ADMIN_CHAIN_LABEL}: stored head (seq ${admin_head.seq}) does not match the chain end (seq ${this.admin_end.seq})`,
      });
    }
    if (heads !== undefined) {
      const seen = new Set<string>();
      for (const h of heads) {
        const id = positionId(h.sku, h.location);
        seen.add(id);
        const end = this.ends.get(id);
        if (end === undefined) {
          return (this.failure = { ok: false, sku: h.sku, location: h.location, seq: h.seq, reason: 'stored position has no history' });
        }
        if (end.seq !== h.seq || end.hash !== h.head) {
          return (this.failure = {
            ok: false,
            sku: h.sku,
            location: h.location,
            seq: h.seq,
            reason: `stored head (seq ${h.seq}) does not match the chain end (seq ${end.seq})`,
          });
        }
      }
      for (const end of this.ends.values()) {
        if (!seen.has(positionId(end.sku, end.location))) {
          return (this.failure = { ok: false, sku: end.sku, location: end.location, seq: end.seq, reason: 'history of a position that state does not hold' });
        }
      }
    }
    const ok = { ok: true as const, events: this.count, positions: this.ends.size, admin_events: this.admin_count };
    return this.horizons > 0 ? { ...ok, horizons: this.horizons } : ok;
  }
}

/** Recomputes every chain from events given in history key order (each position's events
 * contiguous and in seq order, admin events in seq order) and, when heads are given, checks
 * that every stored position head (and the admin head, when given) matches its chain end.
 * Reports the first break. */
export function verifyHistory(
  events: Iterable<LedgerEvent | AdminEvent | HistoryHorizon>,
  heads?: Iterable<PositionHead>,
  admin_head?: AdminHead,
): VerifyResult {
  const v = new HistoryVerifier();
  for (const e of events) {
    const f = v.push(e);
    if (f !== null) return f;
  }
  return v.finish(heads, admin_head);
}
