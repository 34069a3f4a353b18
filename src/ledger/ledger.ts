// The inventory state machine. apply() is pure and deterministic: it reads no clock, no
// randomness and no I/O, only the entry and the state left by earlier entries, so every
// replica that applies the same log reaches the same state and head hash. It returns the
// results, the events it appended and the key/value writes the node persists atomically
// with the applied index (see keys.ts for the layout).
//
// Order within one entry: log time advances to max(previous, entry.time_ms); reservations
// whose deadline is <= that time expire in (deadline, id) order; outcomes and final
// reservations past the retention window are pruned; then each command runs in order.

import { adminEventHash, advanceHead, eventHashOf, GENESIS_HEAD, type AdminHead, type PositionHead } from './history.js';
import { ExpiryHeap } from './expiry-heap.js';
import { fingerprint } from './fingerprint.js';
import {
  ADMIN_HEAD_KEY,
  adminHistoryKey,
  META_KEY,
  OUTCOME_PREFIX,
  POSITION_PREFIX,
  RESERVATION_PREFIX,
  historyKey,
  outcomeKey,
  positionId,
  positionKey,
  reservationKey,
} from './keys.js';
import {
  BALANCE_MAX,
  ENTRY_COMMANDS_MAX,
  OUTCOME_RETENTION_MS_DEFAULT,
  OUTCOME_RETENTION_MS_MAX,
  OUTCOME_RETENTION_MS_MIN,
  TIME_MS_MAX,
} from './limits.js';
import { compactOutcome, expandOutcome, isReserveFp, outcomeCode, type StoredOutcome } from './outcome-store.js';
import { PruneQueue } from './prune-queue.js';
import { detach } from './strings.js';
import {
  assertPosition,
  parseAdminHead,
  parseMeta,
  parseOutcome,
  parsePosition,
  parseReservation,
  StateCorruption,
  type AdminHeadRecord,
  type MetaRecord,
  type OutcomeRecord,
  type PositionRecord,
  type ReservationRecord,
} from './records.js';
import type {
  AdminEvent,
  ApplyOutput,
  Command,
  CommandResult,
  EventKind,
  KvWrite,
  LedgerEntry,
  LedgerEvent,
  Line,
  Position,
  ReservationView,
  ShortLine,
} from './types.js';
import { validateCommand } from './validate.js';

export interface LedgerOptions {
  /** How long (log time) an op outcome and a final reservation are kept. Part of the
   * replicated state machine: every node of a cluster must use the same value. */
  readonly outcome_retention_ms?: number;
}

type AdjustCmd = Extract<Command, { kind: 'adjust' }>;
type ReserveCmd = Extract<Command, { kind: 'reserve' }>;
type CommitCmd = Extract<Command, { kind: 'commit' }>;
type ReleaseCmd = Extract<Command, { kind: 'release' }>;
type ExtendCmd = Extract<Command, { kind: 'extend' }>;
type AdminCmd = Extract<Command, { kind: 'admin' }>;

/** Per-apply scratch: what this entry appended and must write. */
interface Batch {
  readonly log_index: number;
  readonly time_ms: number;
  readonly events: LedgerEvent[];
  readonly admin_events: AdminEvent[];
  readonly writes: KvWrite[];
}

const NO_LINES: readonly Line[] = Object.freeze([]);

/** Fingerprint of a successful reserve's outcome: the content lives in the reservation
 * record. Never a fingerprint() output (those are JSON arrays). */
export const RESERVE_FP = '=reservation';

function failure(
  code: 'POSITION_NOT_FOUND' | 'RESERVATION_NOT_FOUND' | 'RESERVATION_COMMITTED' | 'RESERVATION_RELEASED' | 'RESERVATION_EXPIRED' | 'ALREADY_EXISTS_DIFFERENT' | 'LINE_NOT_RESERVED' | 'QUANTITY_EXCEEDS_RESERVED' | 'BALANCE_LIMIT',
  detail: string,
): CommandResult {
  return { code, replay: false, detail };
}

function finalStateCode(state: ReservationRecord['state']): 'RESERVATION_COMMITTED' | 'RESERVATION_RELEASED' | 'RESERVATION_EXPIRED' {
  switch (state) {
    case 'COMMITTED':
      return 'RESERVATION_COMMITTED';
    case 'RELEASED':
      return 'RESERVATION_RELEASED';
    case 'EXPIRED':
      return 'RESERVATION_EXPIRED';
    case 'PENDING':
      throw new Error('a PENDING reservation has no final state code');
  }
}

export class Ledger {
  readonly outcome_retention_ms: number;
  private readonly positions = new Map<string, PositionRecord>();
  private readonly reservations = new Map<string, ReservationRecord>();
  /** Compact forms (outcome-store.ts); the stored form is expandOutcome() of each. */
  private readonly outcomes = new Map<string, StoredOutcome>();
  private readonly expiries = new ExpiryHeap();
  private readonly prunes = new PruneQueue();
  /** One copy of each location name: positions share few locations, so this saves a
   * string per position. Bounded by the number of positions. */
  private readonly location_names = new Map<string, string>();
  private open_reservations = 0;
  private time_ms = 0;
  private log_index = 0;
  private head_hash = GENESIS_HEAD;
  /** End of the admin history chain (seq 0, '' before the first admin event). */
  private admin_head: AdminHead = { seq: 0, head: '' };

  constructor(options: LedgerOptions = {}) {
    const r = options.outcome_retention_ms ?? OUTCOME_RETENTION_MS_DEFAULT;
    if (!Number.isSafeInteger(r) || r < OUTCOME_RETENTION_MS_MIN || r > OUTCOME_RETENTION_MS_MAX) {
      throw new RangeError(
        `outcome_retention_ms must be an integer ${OUTCOME_RETENTION_MS_MIN}..${OUTCOME_RETENTION_MS_MAX}, got ${String(r)}`,
      );
    }
    this.outcome_retention_ms = r;
  }

  // ---------------------------------------------------------------- reads

  getPosition(sku: string, location: string): Position | null {
    return this.positions.get(positionId(sku, location)) ?? null;
  }

  getReservation(reservation_id: string): ReservationView | null {
    return this.reservations.get(reservation_id) ?? null;
  }

  /** The recorded result of an op id or reservation id (replay: false), or null when the
   * id is unknown: never applied, applied as INVALID_ARGUMENT, or pruned. */
  getOutcome(op_id: string): CommandResult | null {
    return this.outcomes.get(op_id)?.result ?? null;
  }

  headHash(): string {
    return this.head_hash;
  }

  lastTimeMs(): number {
    return this.time_ms;
  }

  /** Log index of the last applied entry (0 before any). */
  lastLogIndex(): number {
    return this.log_index;
  }

  /** Earliest deadline of a PENDING reservation: the leader proposes an empty entry (a
   * time tick) once its clock reaches it. */
  nextExpiryMs(): number | null {
    // Discard superseded entries at the top; this changes no observable state.
    for (;;) {
      const top = this.expiries.peek();
      if (top === undefined) return null;
      const r = this.reservations.get(top.reservation_id);
      if (r !== undefined && r.state === 'PENDING' && r.deadline_ms === top.deadline_ms) return top.deadline_ms;
      this.expiries.pop();
    }
  }

  openReservations(): number {
    return this.open_reservations;
  }

  positionCount(): number {
    return this.positions.size;
  }

  reservationCount(): number {
    return this.reservations.size;
  }

  outcomeCount(): number {
    return this.outcomes.size;
  }

  /** Every position's chain end, for verifyHistory. */
  *positionHeads(): Iterable<PositionHead> {
    for (const p of this.positions.values()) yield { sku: p.sku, location: p.location, seq: p.seq, head: p.head };
  }

  /** The admin history's chain end, for verifyHistory. */
  adminHead(): AdminHead {
    return this.admin_head;
  }

  /** The 'state' sublevel as it should be on disk, in key order (tests and checks compare
   * it with what the writes produced). */
  stateEntries(): [string, unknown][] {
    const out: [string, unknown][] = [];
    for (const p of this.positions.values()) out.push([positionKey(p.sku, p.location), p]);
    for (const r of this.reservations.values()) out.push([reservationKey(r.reservation_id), r]);
    for (const [id, o] of this.outcomes) out.push([outcomeKey(id), expandOutcome(o)]);
    if (this.log_index > 0) out.push([META_KEY, this.meta()]);
    if (this.admin_head.seq > 0) out.push([ADMIN_HEAD_KEY, this.adminHeadRecord()]);
    out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return out;
  }

  private adminHeadRecord(): AdminHeadRecord {
    return { v: 1, seq: this.admin_head.seq, head: this.admin_head.head };
  }

  private meta(): MetaRecord {
    return { v: 1, time_ms: this.time_ms, log_index: this.log_index, head_hash: this.head_hash };
  }

  // ---------------------------------------------------------------- apply

  apply(log_index: number, entry: LedgerEntry): ApplyOutput {
    if (!Number.isSafeInteger(log_index) || log_index <= this.log_index) {
      throw new Error(`ledger apply: log_index must increase, got ${log_index} after ${this.log_index}`);
    }
    const t = entry.time_ms;
    if (!Number.isSafeInteger(t) || t < 0 || t > TIME_MS_MAX) {
      throw new Error(`ledger apply: entry time_ms must be an integer 0..${TIME_MS_MAX}, got ${String(t)}`);
    }
    if (!Array.isArray(entry.commands) || entry.commands.length > ENTRY_COMMANDS_MAX) {
      throw new Error(`ledger apply: an entry holds 0..${ENTRY_COMMANDS_MAX} commands`);
    }
    const time_ms = t > this.time_ms ? t : this.time_ms;
    const batch: Batch = { log_index, time_ms, events: [], admin_events: [], writes: [] };
    this.time_ms = time_ms;
    this.log_index = log_index;

    this.expireDue(batch);
    this.pruneDue(batch);
    const results: CommandResult[] = new Array<CommandResult>(entry.commands.length);
    for (let i = 0; i < entry.commands.length; i++) results[i] = this.applyCommand(batch, entry.commands[i]);

    this.head_hash = advanceHead(this.head_hash, log_index, batch.events, batch.admin_events);
    batch.writes.push({ type: 'put', sublevel: 'state', key: META_KEY, value: this.meta() });
    return { results, events: batch.events, admin_events: batch.admin_events, writes: batch.writes };
  }

  private applyCommand(batch: Batch, cmd: Command): CommandResult {
    const v = validateCommand(cmd);
    if (!v.ok) return { code: 'INVALID_ARGUMENT', replay: false, field: v.field, limit: v.limit, value: v.value };
    const id = cmd.kind === 'reserve' ? cmd.reservation_id : cmd.op_id;
    const prior = this.outcomes.get(id);
    if (prior !== undefined) {
      if (this.sameContent(prior, id, cmd)) return { ...prior.result, replay: true } as CommandResult;
      return failure('ALREADY_EXISTS_DIFFERENT', `id ${id} was already used by a different command (${prior.result.code})`);
    }
    let result: CommandResult;
    let tied = false;
    switch (cmd.kind) {
      case 'adjust':
        result = this.adjust(batch, cmd);
        break;
      case 'reserve':
        result = this.reserve(batch, cmd);
        // A successful reserve's outcome lives as long as its reservation (an open
        // reservation's id must stay taken), so it is pruned with the reservation.
        tied = result.code === 'OK';
        break;
      case 'commit':
        result = this.commit(batch, cmd);
        break;
      case 'release':
        result = this.release(batch, cmd);
        break;
      case 'extend':
        result = this.extend(batch, cmd);
        break;
      case 'admin':
        result = this.admin(batch, cmd);
        break;
    }
    // A reservation keeps the content of its reserve, so its outcome needs no fingerprint.
    const rec: OutcomeRecord = { result, fp: tied ? RESERVE_FP : fingerprint(cmd), at_ms: batch.time_ms };
    this.outcomes.set(id, compactOutcome(rec));
    batch.writes.push({ type: 'put', sublevel: 'state', key: outcomeKey(id), value: rec });
    if (!tied) this.prunes.push({ due_ms: batch.time_ms + this.outcome_retention_ms, what: 'o', id });
    return result;
  }

  /** Whether cmd repeats the command recorded under id (a replay). */
  private sameContent(prior: StoredOutcome, id: string, cmd: Command): boolean {
    if (!isReserveFp(prior, RESERVE_FP)) return prior.fp === fingerprint(cmd);
    const r = this.reservations.get(id);
    if (r === undefined) throw new Error(`ledger invariant broken: outcome ${id} refers to a reservation that does not exist`);
    if (cmd.kind !== 'reserve' || cmd.ttl_ms !== r.ttl_ms || cmd.order_ref !== r.order_ref || cmd.lines.length !== r.lines.length) return false;
    for (let i = 0; i < r.lines.length; i++) {
      const a = cmd.lines[i];
      const b = r.lines[i];
      if (a.sku !== b.sku || a.location !== b.location || a.quantity !== b.quantity) return false;
    }
    return true;
  }

  /** Appends one event to a position's chain and replaces the position record. */
  private change(
    batch: Batch,
    id: string,
    prev: PositionRecord | null,
    sku: string,
    location: string,
    kind: EventKind,
    op_id: string,
    reservation_id: string,
    delta_on_hand: number,
    delta_reserved: number,
  ): Position {
    if (prev !== null) {
      // Keep the position's own (interned) name strings, not the command's copies.
      sku = prev.sku;
      location = prev.location;
    }
    const on_hand = (prev === null ? 0 : prev.on_hand) + delta_on_hand;
    const reserved = (prev === null ? 0 : prev.reserved) + delta_reserved;
    const seq = (prev === null ? 0 : prev.seq) + 1;
    const prev_hash = prev === null ? '' : prev.head;
    const hash = eventHashOf(sku, location, seq, batch.log_index, batch.time_ms, kind, op_id, reservation_id, delta_on_hand, delta_reserved, on_hand, reserved, prev_hash);
    const event: LedgerEvent = {
      sku,
      location,
      seq,
      log_index: batch.log_index,
      time_ms: batch.time_ms,
      kind,
      op_id,
      reservation_id,
      delta_on_hand,
      delta_reserved,
      on_hand,
      reserved,
      prev_hash,
      hash,
    };
    const rec: PositionRecord = { sku, location, on_hand, reserved, available: on_hand - reserved, seq, head: hash };
    assertPosition(rec, `log index ${batch.log_index}`);
    this.positions.set(id, rec);
    batch.events.push(event);
    batch.writes.push(
      { type: 'put', sublevel: 'state', key: positionKey(sku, location), value: rec },
      { type: 'put', sublevel: 'history', key: historyKey(sku, location, seq), value: event },
    );
    // Results get a view without the head: a recorded result then keeps neither the
    // superseded record nor its hash alive, and stored outcomes stay smaller.
    return { sku, location, on_hand, reserved, available: rec.available, seq };
  }

  private adjust(batch: Batch, cmd: AdjustCmd): CommandResult {
    const pid = positionId(cmd.sku, cmd.location);
    const pos = this.positions.get(pid) ?? null;
    const on_hand = pos === null ? 0 : pos.on_hand;
    const expected = cmd.expected_on_hand;
    if (expected !== undefined && expected !== null && expected !== on_hand) {
      return { code: 'ON_HAND_MISMATCH', replay: false, expected_on_hand: expected, on_hand };
    }
    if (cmd.delta < 0) {
      if (pos === null) return failure('POSITION_NOT_FOUND', `no position ${cmd.sku}@${cmd.location} to shrink`);
      if (pos.available < -cmd.delta) {
        return {
          code: 'INSUFFICIENT_STOCK',
          replay: false,
          short_lines: [{ sku: cmd.sku, location: cmd.location, requested: -cmd.delta, available: pos.available }],
        };
      }
    } else if (on_hand + cmd.delta > BALANCE_MAX) {
      return failure('BALANCE_LIMIT', `on_hand ${on_hand} + ${cmd.delta} of ${cmd.sku}@${cmd.location} would pass ${BALANCE_MAX}`);
    }
    const location = pos === null ? this.internLocation(cmd.location) : pos.location;
    const rec = this.change(batch, pid, pos, cmd.sku, location, 'ADJUST', cmd.op_id, '', cmd.delta, 0);
    return { code: 'OK', replay: false, positions: [rec], reservation: null };
  }

  private internLocation(location: string): string {
    const known = this.location_names.get(location);
    if (known !== undefined) return known;
    const kept = detach(location); // may be a slice of a decoded value's text (strings.ts)
    this.location_names.set(kept, kept);
    return kept;
  }

  private reserve(batch: Batch, cmd: ReserveCmd): CommandResult {
    const lines = cmd.lines;
    const found: PositionRecord[] = new Array<PositionRecord>(lines.length);
    const ids: string[] = new Array<string>(lines.length);
    let missing: string[] | null = null;
    let short: ShortLine[] | null = null;
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i];
      const pid = (ids[i] = positionId(l.sku, l.location));
      const pos = this.positions.get(pid);
      if (pos === undefined) {
        (missing ??= []).push(`lines[${i}] ${l.sku}@${l.location}`);
        continue;
      }
      found[i] = pos;
      if (pos.available < l.quantity) {
        (short ??= []).push({ sku: l.sku, location: l.location, requested: l.quantity, available: pos.available });
      }
    }
    if (missing !== null) return failure('POSITION_NOT_FOUND', `no position for ${missing.join(', ')}`);
    if (short !== null) return { code: 'INSUFFICIENT_STOCK', replay: false, short_lines: short };
    const id = cmd.reservation_id;
    const after: Position[] = new Array<Position>(lines.length);
    // The reservation keeps lines that share the positions' own name strings, not the
    // command's copies.
    const kept: Line[] = new Array<Line>(lines.length);
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i];
      const pos = found[i];
      kept[i] = { sku: pos.sku, location: pos.location, quantity: l.quantity };
      after[i] = this.change(batch, ids[i], pos, l.sku, l.location, 'RESERVE', id, id, 0, l.quantity);
    }
    const res: ReservationRecord = {
      reservation_id: id,
      state: 'PENDING',
      lines: kept,
      order_ref: cmd.order_ref,
      created_ms: batch.time_ms,
      deadline_ms: batch.time_ms + cmd.ttl_ms,
      committed_lines: NO_LINES,
      ttl_ms: cmd.ttl_ms,
      final_ms: -1,
    };
    this.putReservation(batch, res);
    this.open_reservations++;
    this.expiries.push(res); // the record is its own heap entry
    return { code: 'OK', replay: false, positions: after, reservation: res };
  }

  private putReservation(batch: Batch, res: ReservationRecord): void {
    this.reservations.set(res.reservation_id, res);
    batch.writes.push({ type: 'put', sublevel: 'state', key: reservationKey(res.reservation_id), value: res });
  }

  /** The PENDING reservation a commit/release/extend acts on, or the failure to return. */
  private pending(reservation_id: string): ReservationRecord | CommandResult {
    const res = this.reservations.get(reservation_id);
    if (res === undefined) return failure('RESERVATION_NOT_FOUND', `no reservation ${reservation_id} (never made, or final and pruned)`);
    if (res.state !== 'PENDING') return failure(finalStateCode(res.state), `reservation ${reservation_id} is ${res.state}`);
    return res;
  }

  /** Moves a PENDING reservation to a final state: every line leaves reserved, and sold[i]
   * ('all': every reserved unit; null: none)
   * units of line i leave on_hand as well. */
  private finish(
    batch: Batch,
    res: ReservationRecord,
    state: 'COMMITTED' | 'RELEASED' | 'EXPIRED',
    kind: EventKind,
    op_id: string,
    sold: readonly number[] | 'all' | null,
  ): { positions: Position[]; reservation: ReservationRecord } {
    const positions: Position[] = new Array<Position>(res.lines.length);
    let committed: Line[] | null = null;
    for (let i = 0; i < res.lines.length; i++) {
      const l = res.lines[i];
      const pid = positionId(l.sku, l.location);
      const pos = this.positions.get(pid);
      if (pos === undefined) throw new Error(`ledger invariant broken: reservation ${res.reservation_id} holds ${l.sku}@${l.location}, which does not exist`);
      const s = sold === null ? 0 : sold === 'all' ? l.quantity : sold[i];
      positions[i] = this.change(batch, pid, pos, l.sku, l.location, kind, op_id, res.reservation_id, 0 - s, -l.quantity);
      if (s > 0) (committed ??= []).push(s === l.quantity ? l : { sku: l.sku, location: l.location, quantity: s });
    }
    const reservation: ReservationRecord = {
      reservation_id: res.reservation_id,
      state,
      lines: res.lines,
      order_ref: res.order_ref,
      created_ms: res.created_ms,
      deadline_ms: res.deadline_ms,
      committed_lines: committed ?? NO_LINES,
      ttl_ms: res.ttl_ms,
      final_ms: batch.time_ms,
    };
    this.putReservation(batch, reservation);
    this.open_reservations--;
    this.prunes.push({ due_ms: batch.time_ms + this.outcome_retention_ms, what: 'r', id: res.reservation_id });
    return { positions, reservation };
  }

  private commit(batch: Batch, cmd: CommitCmd): CommandResult {
    const res = this.pending(cmd.reservation_id);
    if (!('reservation_id' in res)) return res;
    let sold: number[] | 'all' = 'all';
    if (cmd.lines !== undefined && cmd.lines !== null && cmd.lines.length > 0) {
      sold = new Array<number>(res.lines.length).fill(0);
      for (let i = 0; i < cmd.lines.length; i++) {
        const c = cmd.lines[i];
        const at = res.lines.findIndex((l) => l.sku === c.sku && l.location === c.location);
        if (at < 0) {
          return failure('LINE_NOT_RESERVED', `lines[${i}] ${c.sku}@${c.location} is not a line of reservation ${res.reservation_id}`);
        }
        if (c.quantity > res.lines[at].quantity) {
          return failure(
            'QUANTITY_EXCEEDS_RESERVED',
            `lines[${i}] ${c.sku}@${c.location} sells ${c.quantity} but reservation ${res.reservation_id} holds ${res.lines[at].quantity}`,
          );
        }
        sold[at] = c.quantity;
      }
    }
    const done = this.finish(batch, res, 'COMMITTED', 'COMMIT', cmd.op_id, sold);
    return { code: 'OK', replay: false, positions: done.positions, reservation: done.reservation };
  }

  private release(batch: Batch, cmd: ReleaseCmd): CommandResult {
    const res = this.pending(cmd.reservation_id);
    if (!('reservation_id' in res)) return res;
    const done = this.finish(batch, res, 'RELEASED', 'RELEASE', cmd.op_id, null);
    return { code: 'OK', replay: false, positions: done.positions, reservation: done.reservation };
  }

  /** The deadline becomes max(deadline, now + ttl_ms): an Extend never shortens a
   * reservation. Each line's position records an EXTEND event (no quantity change). */
  private extend(batch: Batch, cmd: ExtendCmd): CommandResult {
    const res = this.pending(cmd.reservation_id);
    if (!('reservation_id' in res)) return res;
    const deadline_ms = Math.max(res.deadline_ms, batch.time_ms + cmd.ttl_ms);
    const positions: Position[] = new Array<Position>(res.lines.length);
    for (let i = 0; i < res.lines.length; i++) {
      const l = res.lines[i];
      const pid = positionId(l.sku, l.location);
      const pos = this.positions.get(pid);
      if (pos === undefined) throw new Error(`ledger invariant broken: reservation ${res.reservation_id} holds ${l.sku}@${l.location}, which does not exist`);
      positions[i] = this.change(batch, pid, pos, l.sku, l.location, 'EXTEND', cmd.op_id, res.reservation_id, 0, 0);
    }
    const reservation: ReservationRecord = {
      reservation_id: res.reservation_id,
      state: res.state,
      lines: res.lines,
      order_ref: res.order_ref,
      created_ms: res.created_ms,
      deadline_ms,
      committed_lines: res.committed_lines,
      ttl_ms: res.ttl_ms,
      final_ms: res.final_ms,
    };
    this.putReservation(batch, reservation);
    if (deadline_ms !== res.deadline_ms) this.expiries.push(reservation);
    return { code: 'OK', replay: false, positions, reservation };
  }

  /** Appends one event to the admin history. Changes no stock; always OK once valid. */
  private admin(batch: Batch, cmd: AdminCmd): CommandResult {
    const seq = this.admin_head.seq + 1;
    const fields = {
      kind: 'ADMIN' as const,
      seq,
      log_index: batch.log_index,
      time_ms: batch.time_ms,
      op_id: cmd.op_id,
      action: cmd.action,
      principal: cmd.principal,
      target: cmd.target,
      detail: cmd.detail,
      prev_hash: this.admin_head.head,
    };
    const event: AdminEvent = { ...fields, hash: adminEventHash(fields) };
    this.admin_head = { seq, head: event.hash };
    batch.admin_events.push(event);
    batch.writes.push(
      { type: 'put', sublevel: 'state', key: ADMIN_HEAD_KEY, value: this.adminHeadRecord() },
      { type: 'put', sublevel: 'history', key: adminHistoryKey(seq), value: event },
    );
    return { code: 'OK', replay: false, positions: [], reservation: null };
  }

  /** Expires every PENDING reservation whose deadline is <= the entry's time. Bounded by
   * the number of open reservations (each expires once). */
  private expireDue(batch: Batch): void {
    for (;;) {
      const top = this.expiries.peek();
      if (top === undefined || top.deadline_ms > batch.time_ms) return;
      this.expiries.pop();
      const res = this.reservations.get(top.reservation_id);
      if (res === undefined || res.state !== 'PENDING' || res.deadline_ms !== top.deadline_ms) continue; // superseded
      this.finish(batch, res, 'EXPIRED', 'EXPIRE', '', null);
    }
  }

  /** Forgets outcomes and final reservations older than the retention window. Everything
   * due goes at once, so which records exist depends only on the log, never on order. */
  private pruneDue(batch: Batch): void {
    for (;;) {
      const e = this.prunes.shiftDue(batch.time_ms);
      if (e === undefined) return;
      if (e.what === 'r') {
        const res = this.reservations.get(e.id);
        if (res === undefined || res.state === 'PENDING') throw new Error(`ledger invariant broken: prune of reservation ${e.id} that is not final`);
        this.reservations.delete(e.id);
        batch.writes.push({ type: 'del', sublevel: 'state', key: reservationKey(e.id) });
      }
      if (!this.outcomes.delete(e.id)) throw new Error(`ledger invariant broken: prune of outcome ${e.id} that does not exist`);
      batch.writes.push({ type: 'del', sublevel: 'state', key: outcomeKey(e.id) });
    }
  }

  // ---------------------------------------------------------------- invariants and load

  /** Full check, O(positions + reservations): every position satisfies
   * 0 <= reserved <= on_hand; reserved equals the sum of its PENDING reservation lines;
   * every reservation has its reserve outcome; reservation lines name existing positions.
   * Throws on the first violation. apply checks the positions it touches; load and tests
   * call this. */
  checkInvariants(): void {
    const pending = new Map<string, number>();
    let open = 0;
    for (const r of this.reservations.values()) {
      const o = this.outcomes.get(r.reservation_id);
      if (o === undefined || outcomeCode(o) !== 'OK') {
        throw new Error(`ledger invariant broken: reservation ${r.reservation_id} has no successful reserve outcome`);
      }
      if (r.state !== 'PENDING') continue;
      open++;
      for (const l of r.lines) {
        const id = positionId(l.sku, l.location);
        if (!this.positions.has(id)) throw new Error(`ledger invariant broken: reservation ${r.reservation_id} holds missing position ${l.sku}@${l.location}`);
        pending.set(id, (pending.get(id) ?? 0) + l.quantity);
      }
    }
    for (const [id, o] of this.outcomes) {
      if (isReserveFp(o, RESERVE_FP) && !this.reservations.has(id)) throw new Error(`ledger invariant broken: reserve outcome ${id} without its reservation`);
    }
    if (open !== this.open_reservations) throw new Error(`ledger invariant broken: ${open} PENDING reservations, counter says ${this.open_reservations}`);
    for (const [id, p] of this.positions) {
      assertPosition(p, 'check');
      if (id !== positionId(p.sku, p.location)) throw new Error(`ledger invariant broken: position ${id} keyed wrongly`);
      const want = pending.get(id) ?? 0;
      if (p.reserved !== want) {
        throw new Error(`ledger invariant broken: ${p.sku}@${p.location} has reserved ${p.reserved} but its PENDING reservations hold ${want}`);
      }
    }
  }

  /** Rebuilds a ledger from the 'state' sublevel's key/values (what the writes left there,
   * in any order). The result equals the ledger that wrote them: same reads, same head
   * hash, same future. Throws StateCorruption naming the key on anything malformed, and
   * an invariant error when the records disagree with each other. */
  static load(state: Iterable<readonly [key: string, value: unknown]>, options: LedgerOptions = {}): Ledger {
    const loader = Ledger.loader(options);
    for (const [key, value] of state) loader.add(key, value);
    return loader.finish();
  }

  /** The same as load(), fed one record at a time, so a restart can stream the state
   * sub-level into the ledger without first gathering a million records in one array.
   * add() after finish() throws. */
  static loader(options: LedgerOptions = {}): LedgerLoader {
    const l = new Ledger(options);
    let meta: MetaRecord | null = null;
    let finished = false;
    const add = (key: string, value: unknown): void => {
      if (finished) throw new Error('ledger loader: add() after finish()');
      if (typeof key !== 'string') throw new StateCorruption(String(key), 'key is not a string');
      if (key.startsWith(POSITION_PREFIX)) {
        const parsed = parsePosition(key, value);
        const p = { ...parsed, location: l.internLocation(parsed.location) };
        l.positions.set(positionId(p.sku, p.location), p);
      } else if (key.startsWith(RESERVATION_PREFIX)) {
        const r = parseReservation(key, value);
        l.reservations.set(r.reservation_id, r);
        if (r.state === 'PENDING') l.open_reservations++;
      } else if (key.startsWith(OUTCOME_PREFIX)) {
        l.outcomes.set(detach(key.slice(OUTCOME_PREFIX.length)), compactOutcome(parseOutcome(key, value), true));
      } else if (key === META_KEY) {
        meta = parseMeta(key, value);
      } else if (key === ADMIN_HEAD_KEY) {
        const a = parseAdminHead(key, value);
        l.admin_head = { seq: a.seq, head: a.head };
      } else {
        throw new StateCorruption(key, 'unknown key in ledger state');
      }
    };
    const finish = (): Ledger => {
      if (finished) throw new Error('ledger loader: finish() twice');
      finished = true;
      const m = meta as MetaRecord | null;
      if (m === null) {
        if (l.positions.size + l.reservations.size + l.outcomes.size + l.admin_head.seq > 0) throw new StateCorruption(META_KEY, 'state has records but no meta');
        return l;
      }
      l.time_ms = m.time_ms;
      l.log_index = m.log_index;
      l.head_hash = m.head_hash;
      l.checkInvariants();
      l.rebuildQueues();
      return l;
    };
    return { add, finish };
  }

  /** Rebuilds the derived queues after a load: the expiry heap, and the prune queue in due
   * order. Entries due at the same time keep the order they are gathered in (outcomes,
   * then final reservations, each in map order); the pruned set never depends on that
   * order because everything due goes at once. A counting sort over the distinct due
   * times (few: one per applied entry time) avoids a comparison sort of a million
   * entries. */
  private rebuildQueues(): void {
    const dues: number[] = [];
    const ids: string[] = [];
    const kinds: ('o' | 'r')[] = [];
    for (const [id, o] of this.outcomes) {
      if (this.reservations.has(id)) continue; // pruned with its reservation
      dues.push(o.at_ms + this.outcome_retention_ms);
      ids.push(id);
      kinds.push('o');
    }
    for (const r of this.reservations.values()) {
      if (r.state === 'PENDING') {
        this.expiries.push(r);
        continue;
      }
      dues.push(r.final_ms + this.outcome_retention_ms);
      ids.push(r.reservation_id);
      kinds.push('r');
    }
    const distinct = Float64Array.from(new Set(dues)).sort();
    const slot = new Map<number, number>();
    for (let i = 0; i < distinct.length; i++) slot.set(distinct[i], i);
    const starts = new Uint32Array(distinct.length + 1);
    for (const d of dues) starts[slot.get(d)! + 1]++;
    for (let i = 1; i < starts.length; i++) starts[i] += starts[i - 1];
    const order = new Uint32Array(dues.length);
    for (let i = 0; i < dues.length; i++) order[starts[slot.get(dues[i])!]++] = i;
    for (const i of order) this.prunes.push({ due_ms: dues[i], what: kinds[i], id: ids[i] });
  }
}

/** Incremental Ledger.load: add() every state record (any order), then finish(). */
export interface LedgerLoader {
  add(key: string, value: unknown): void;
  finish(): Ledger;
}

