// The inventory state machine. apply() is pure and deterministic: it reads no clock, no
// randomness and no I/O, only the entry and the state left by earlier entries, so every
// replica that applies the same log reaches the same state and head hash. It returns the
// results, the events it appended and the key/value writes the node persists atomically
// with the applied index (see keys.ts for the layout).
//
// Order within one entry: log time advances to max(previous, entry.time_ms); reservations
// whose deadline is <= that time expire in (deadline, id) order, at most
// EXPIRIES_PER_ENTRY_MAX of them (a command that then touches one still due expires it
// first); outcomes and final reservations past the retention (the dedup window plus the id
// time's allowance ahead) leave memory, the outcomes for the 'outcomes' sublevel
// (archive.ts); then each command runs in order. Exactly-once across any age: README
// "Exactly once".

import { adminEventHash, advanceHead, eventHashOf, GENESIS_HEAD, type AdminHead, type PositionHead } from './history.js';
import { ExpiryHeap } from './expiry-heap.js';
import { fingerprint, fingerprintDigest, fingerprintKey, FP_KEY_PREFIX } from './fingerprint.js';
import {
  ADMIN_HEAD_KEY,
  adminHistoryKey,
  HISTORY_MARK_KEY,
  CLUSTER_VERSION_KEY,
  META_KEY,
  OUTCOME_PREFIX,
  POSITION_PREFIX,
  RESERVATION_PREFIX,
  historyKey,
  outcomeKey,
  positionKey,
  reservationKey,
} from './keys.js';
import {
  BALANCE_MAX,
  DEDUP_WINDOW_MS_DEFAULT,
  DEDUP_WINDOW_MS_MAX,
  DEDUP_WINDOW_MS_MIN,
  ENTRY_COMMANDS_MAX,
  EXPIRIES_PER_ENTRY_MAX,
  ID_TIME_AHEAD_MS_MAX,
  TIME_MS_MAX,
  WAIT_QUEUE_MAX,
} from './limits.js';
import { archivedRecord } from './archive.js';
import { OutcomeTable, RESERVE_FP } from './outcome-store.js';
import { PositionTable } from './position-table.js';
import { PruneQueue } from './prune-queue.js';
import { ReservationStore } from './reservation-store.js';
import { planPrune, pruneWrites } from './retention.js';
import {
  assertPosition,
  parseAdminHead,
  parseHistoryMark,
  parseClusterVersion,
  parseMeta,
  parseOutcome,
  parsePosition,
  parseReservation,
  StateCorruption,
  type AdminHeadRecord,
  type HistoryMarkRecord,
  type ClusterVersionRecord,
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
  HistoryHorizon,
  KvWrite,
  LedgerEntry,
  LedgerEvent,
  Line,
  Position,
  PruneOutcome,
  ReservationView,
  ShortLine,
  CommerceCommandKind,
} from './types.js';
import { commerceGate } from './commerce/gate.js';
import { Commerce, hasCommerceFields as positionHasCommerce } from './commerce/commerce.js';
import { commercePrecheck, count as countCmd, receiveTransfer, setPositionPolicy, setSkuPolicy, transfer as transferCmd } from './commerce/commands.js';
import { reserveCommerce } from './commerce/reserve.js';
import type { CommerceHost } from './commerce/host.js';
import { hasCommerceFields as reserveHasCommerce } from './fingerprint.js';
import { commerceHashTail, type CommerceEventFields } from './history.js';
import { renderValue, validateCommand } from './validate.js';
import { CLUSTER_VERSION_INITIAL, HISTORY_RETENTION_RULES_VERSION, ledgerRules, parseClusterVersionTarget, RulesVersionError, supportedRange, type LedgerRules, type RulesRange } from './rules.js';

export interface LedgerOptions {
  /** The dedup window in log time (DEDUP_WINDOW_MS_DEFAULT, stockd --dedup-window-ms): an
   * id time this much older than log time is refused; an outcome and a final reservation
   * stay in memory for the window plus the id time allowance (id_time_ahead_ms). Part of
   * the replicated state machine: every node of a cluster must use the same value. */
  readonly dedup_window_ms?: number;
  /** Reservations one entry expires at most (EXPIRIES_PER_ENTRY_MAX). Part of the
   * replicated state machine like the retention; only tests set it, to reach the bound
   * with few reservations. */
  readonly expiries_per_entry_max?: number;
  /** The newest rules version this replica applies (rules.ts; default RULES_VERSION_MAX).
   * Only a test hook lowers it, to stand for a replica that runs an older build. */
  readonly rules_version_max?: number;
  /** Waiting reservations per position (WAIT_QUEUE_MAX). Part of the replicated state
   * machine like expiries_per_entry_max; only tests set it, to reach the bound with few
   * reservations. */
  readonly wait_queue_max?: number;
}

type AdjustCmd = Extract<Command, { kind: 'adjust' }>;
type ReserveCmd = Extract<Command, { kind: 'reserve' }>;
type CommitCmd = Extract<Command, { kind: 'commit' }>;
type ReleaseCmd = Extract<Command, { kind: 'release' }>;
type ExtendCmd = Extract<Command, { kind: 'extend' }>;
type AdminCmd = Extract<Command, { kind: 'admin' }>;
type CommerceCmd = Extract<Command, { kind: CommerceCommandKind }>;

/** Per-apply scratch: what this entry appended and must write. */
interface Batch {
  readonly log_index: number;
  readonly time_ms: number;
  /** The rules of the entry's version. */
  readonly rules: LedgerRules;
  readonly events: LedgerEvent[];
  readonly admin_events: AdminEvent[];
  readonly writes: KvWrite[];
  /** Index of the command being applied (commerce arrival order). */
  cmd_index: number;
  /** Positions changed since the last commerce settle (filled only while commerce is
   * active; see commerce/commerce.ts). */
  touched: number[];
}

const NO_LINES: readonly Line[] = Object.freeze([]);

/** An event with its commerce fields (present ones only), in hash order. */
function withEventFields(e: LedgerEvent, extra: CommerceEventFields): LedgerEvent {
  const out: Record<string, unknown> = { ...e };
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) out[k] = v;
  return out as unknown as LedgerEvent;
}

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
    case 'WAITING':
      throw new Error(`a ${state} reservation has no final state code`);
  }
}

export class Ledger {
  readonly dedup_window_ms: number;
  /** How far an id time may be ahead of log time: min(ID_TIME_AHEAD_MS_MAX, window). */
  readonly id_time_ahead_ms: number;
  /** How long (log time) an outcome and a final reservation stay in memory: the window
   * plus id_time_ahead_ms, so an id is refused as too old before it leaves memory. */
  readonly outcome_retention_ms: number;
  readonly expiries_per_entry_max: number;
  /** The rules versions this replica applies. */
  readonly rules_range: RulesRange;
  /** Positions as columns by slot (position-table.ts). */
  private readonly positions = new PositionTable();
  /** Outcomes as columns by slot (outcome-store.ts); record() gives the stored form. */
  private readonly outcomes = new OutcomeTable(this.positions);
  /** Reservations, each kept in its reserve outcome's slot (reservation-store.ts). */
  private readonly reservations = new ReservationStore(this.outcomes);
  private readonly expiries = new ExpiryHeap();
  private readonly prunes = new PruneQueue();
  private open_reservations = 0;
  private time_ms = 0;
  private log_index = 0;
  private head_hash = GENESIS_HEAD;
  /** End of the admin history chain (seq 0, '' before the first admin event). */
  private admin_head: AdminHead = { seq: 0, head: '' };
  /** Highest apply index among outcomes that left memory (MetaRecord.pruned_index). */
  private pruned_index = 0;
  /** History at or below this log index is archived and may be pruned (0: none). */
  private archived_through_index = 0;
  /** The highest rules version entries may carry (rules.ts), and the entry that raised it
   * (0 while never raised). */
  private cluster_version = CLUSTER_VERSION_INITIAL;
  private cluster_version_index = 0;
  /** Commerce state (rules version 4); its hooks run only once it is active. */
  private readonly commerce: Commerce;

  private commerceHost(): CommerceHost {
    return {
      positions: this.positions,
      reservations: this.reservations,
      change: (batch, slot, kind, op_id, rid, d_on_hand, d_reserved, extra) => this.change(batch as Batch, slot, kind, op_id, rid, d_on_hand, d_reserved, extra),
      putReservation: (batch, res) => this.putReservation(batch as Batch, res),
      pushExpiry: (res) => this.expiries.push(res),
      addOpen: () => {
        this.open_reservations++;
      },
      pushFinal: (batch, id) => this.prunes.push({ due_ms: batch.time_ms + this.outcome_retention_ms, what: 'r', id }),
    };
  }

  constructor(options: LedgerOptions = {}) {
    const w = options.dedup_window_ms ?? DEDUP_WINDOW_MS_DEFAULT;
    if (!Number.isSafeInteger(w) || w < DEDUP_WINDOW_MS_MIN || w > DEDUP_WINDOW_MS_MAX) {
      throw new RangeError(`dedup_window_ms must be an integer ${DEDUP_WINDOW_MS_MIN}..${DEDUP_WINDOW_MS_MAX}, got ${String(w)}`);
    }
    this.dedup_window_ms = w;
    this.id_time_ahead_ms = Math.min(ID_TIME_AHEAD_MS_MAX, w);
    this.outcome_retention_ms = w + this.id_time_ahead_ms;
    const e = options.expiries_per_entry_max ?? EXPIRIES_PER_ENTRY_MAX;
    if (!Number.isSafeInteger(e) || e < 1 || e > EXPIRIES_PER_ENTRY_MAX) {
      throw new RangeError(`expiries_per_entry_max must be an integer 1..${EXPIRIES_PER_ENTRY_MAX}, got ${String(e)}`);
    }
    this.expiries_per_entry_max = e;
    this.rules_range = supportedRange(options.rules_version_max);
    const q = options.wait_queue_max ?? WAIT_QUEUE_MAX;
    if (!Number.isSafeInteger(q) || q < 1 || q > WAIT_QUEUE_MAX) {
      throw new RangeError(`wait_queue_max must be an integer 1..${WAIT_QUEUE_MAX}, got ${String(q)}`);
    }
    this.commerce = new Commerce(this.commerceHost(), q);
  }

  /** The cluster version: the rules version the leader proposes entries under. */
  clusterVersion(): number {
    return this.cluster_version;
  }

  /** The options this ledger was made with (a snapshot install loads with the same). */
  options(): LedgerOptions {
    const o: LedgerOptions = { dedup_window_ms: this.dedup_window_ms, expiries_per_entry_max: this.expiries_per_entry_max, rules_version_max: this.rules_range.max };
    return this.commerce.wait_queue_max === WAIT_QUEUE_MAX ? o : { ...o, wait_queue_max: this.commerce.wait_queue_max };
  }

  // ---------------------------------------------------------------- reads

  getPosition(sku: string, location: string): Position | null {
    const slot = this.positions.find(sku, location);
    if (slot < 0) return null;
    return this.commerce.active ? Commerce.view(this.commerce.decorate(slot, this.positions.record(slot))) : this.positions.view(slot);
  }

  getReservation(reservation_id: string): ReservationView | null {
    const r = this.reservations.get(reservation_id);
    if (r === undefined) return null;
    return this.commerce.active ? this.commerce.readView(r) : r;
  }

  /** The recorded result of an op id or reservation id (replay: false) while it is in
   * memory, or null: never applied, refused without a record, or archived (the node then
   * reads the 'outcomes' sublevel). */
  getOutcome(op_id: string): CommandResult | null {
    const slot = this.outcomes.find(op_id);
    return slot < 0 ? null : this.outcomes.result(slot);
  }

  /** What apply would answer for cmd from the outcome in memory under its id: the
   * recorded result as a replay, or ALREADY_EXISTS_DIFFERENT; null when the id has no
   * outcome in memory. The leader's check of an unstamped command uses it. */
  replayOf(cmd: Command): CommandResult | null {
    const id = cmd.kind === 'reserve' ? cmd.reservation_id : cmd.op_id;
    const prior = this.outcomes.find(id);
    if (prior < 0) return null;
    if (this.sameContent(prior, id, cmd)) return { ...this.outcomes.result(prior), replay: true } as CommandResult;
    return failure('ALREADY_EXISTS_DIFFERENT', `id ${id} was already used by a different command (${this.outcomes.code(prior)})`);
  }

  /** Highest apply index of an outcome that left memory (0: none). */
  prunedIndex(): number {
    return this.pruned_index;
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
    // Wait-list grants left by the per-entry bound are due now.
    if (this.commerce.active && this.commerce.hasGrantsDue()) return this.time_ms;
    // Discard superseded entries at the top; this changes no observable state.
    for (;;) {
      const top = this.expiries.peek();
      if (top === undefined) return null;
      const r = this.reservations.get(top.reservation_id);
      if (r !== undefined && (r.state === 'PENDING' || r.state === 'WAITING') && r.deadline_ms === top.deadline_ms) return top.deadline_ms;
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

  /** The operator's archived mark: history up to this log index may be pruned (0: none
   * may). Set by the admin action 'history_archived', never lowered. */
  archivedThroughIndex(): number {
    return this.archived_through_index;
  }

  /** Seq of a position's history horizon (0: full history), or -1 when it does not exist. */
  horizonSeq(sku: string, location: string): number {
    const slot = this.positions.find(sku, location);
    return slot < 0 ? -1 : this.positions.horizon(slot);
  }

  /** The position in slot `slot` (0..positionCount()-1, in creation order) with its latest
   * seq and horizon: the retention scan walks positions by slot. */
  positionAt(slot: number): { readonly sku: string; readonly location: string; readonly seq: number; readonly horizon_seq: number } {
    const P = this.positions;
    if (!Number.isInteger(slot) || slot < 0 || slot >= P.size) throw new RangeError(`position slot must be 0..${P.size - 1}, got ${slot}`);
    return { sku: P.sku(slot), location: P.location(slot), seq: P.seq(slot), horizon_seq: P.horizon(slot) };
  }

  /** Every position's chain end, for verifyHistory. */
  *positionHeads(): Iterable<PositionHead> {
    const P = this.positions;
    for (let slot = 0; slot < P.size; slot++) yield { sku: P.sku(slot), location: P.location(slot), seq: P.seq(slot), head: P.head(slot) };
  }

  /** The admin history's chain end, for verifyHistory. */
  adminHead(): AdminHead {
    return this.admin_head;
  }

  /** The 'state' sublevel as it should be on disk, in key order (tests and checks compare
   * it with what the writes produced). An outcome's fingerprint is in its digest form
   * (fingerprint.ts), as apply writes it; an outcome stored with the full text (before the
   * digest form) is reported with its digest too, since the text is not kept. */
  stateEntries(): [string, unknown][] {
    const out: [string, unknown][] = [];
    const P = this.positions;
    for (let slot = 0; slot < P.size; slot++) out.push([positionKey(P.sku(slot), P.location(slot)), this.positionRecord(slot)]);
    if (this.commerce.active) this.commerce.stateEntries(out);
    for (const r of this.reservations.values()) out.push([reservationKey(r.reservation_id), r]);
    for (const [id, slot] of this.outcomes.entries()) out.push([outcomeKey(id), this.outcomes.record(slot)]);
    if (this.log_index > 0) out.push([META_KEY, this.meta()]);
    if (this.admin_head.seq > 0) out.push([ADMIN_HEAD_KEY, this.adminHeadRecord()]);
    if (this.archived_through_index > 0) out.push([HISTORY_MARK_KEY, this.historyMarkRecord()]);
    if (this.cluster_version_index > 0) out.push([CLUSTER_VERSION_KEY, this.clusterVersionRecord()]);
    out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return out;
  }

  /** The stored form of a position, with its commerce fields. */
  private positionRecord(slot: number): PositionRecord {
    const rec = this.positions.record(slot);
    return this.commerce.active ? this.commerce.decorate(slot, rec) : rec;
  }

  private adminHeadRecord(): AdminHeadRecord {
    return { v: 1, seq: this.admin_head.seq, head: this.admin_head.head };
  }

  private historyMarkRecord(): HistoryMarkRecord {
    return { v: 1, archived_through_index: this.archived_through_index };
  }

  private clusterVersionRecord(): ClusterVersionRecord {
    return { v: 1, version: this.cluster_version, log_index: this.cluster_version_index };
  }

  private meta(): MetaRecord {
    const m: MetaRecord = { v: 1, time_ms: this.time_ms, log_index: this.log_index, head_hash: this.head_hash };
    return this.pruned_index === 0 ? m : { ...m, pruned_index: this.pruned_index };
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
    const rules = this.entryRules(log_index, entry);
    const time_ms = t > this.time_ms ? t : this.time_ms;
    const batch: Batch = { log_index, time_ms, rules, events: [], admin_events: [], writes: [], cmd_index: 0, touched: [] };
    this.time_ms = time_ms;
    this.log_index = log_index;

    this.expireDue(batch);
    if (this.commerce.active) this.commerce.settle(batch);
    this.pruneDue(batch);
    const prune = entry.prune === undefined ? undefined : batch.rules.history_retention ? this.pruneHistory(batch, entry.prune) : { ok: false as const, reason: `a prune list needs ledger rules version ${HISTORY_RETENTION_RULES_VERSION}; the entry is under version ${batch.rules.version}` };
    const results: CommandResult[] = new Array<CommandResult>(entry.commands.length);
    for (let i = 0; i < entry.commands.length; i++) {
      batch.cmd_index = i;
      results[i] = this.applyCommand(batch, entry.commands[i]);
      if (this.commerce.active) this.commerce.settle(batch);
    }

    this.head_hash = advanceHead(this.head_hash, log_index, batch.events, batch.admin_events);
    batch.writes.push({ type: 'put', sublevel: 'state', key: META_KEY, value: this.meta() });
    const out: ApplyOutput = { results, events: batch.events, admin_events: batch.admin_events, writes: batch.writes };
    return prune === undefined ? out : { ...out, prune };
  }

  /** Applies an entry's prune list (retention.ts): all of it, or nothing when any item
   * breaks a rule. Appends no events; the head hash does not move. */
  private pruneHistory(batch: Batch, list: readonly HistoryHorizon[]): PruneOutcome {
    const P = this.positions;
    const plan = planPrune(P, list, { log_index: batch.log_index, time_ms: batch.time_ms, archived_through_index: this.archived_through_index });
    if (!plan.ok) return plan;
    pruneWrites(P, plan, batch.writes);
    for (let i = 0; i < plan.slots.length; i++) {
      const slot = plan.slots[i];
      P.setHorizon(slot, plan.items[i].seq);
      batch.writes.push({ type: 'put', sublevel: 'state', key: positionKey(P.sku(slot), P.location(slot)), value: P.record(slot) });
    }
    return { ok: true, positions: plan.slots.length, events: plan.events };
  }

  /** The rules the entry applies under. Throws RulesVersionError, before anything
   * changes, for an entry this replica must not apply: proposed under a version it does
   * not know, above the cluster version (a leader never proposes so), or raising the
   * cluster version beyond what it knows. */
  private entryRules(log_index: number, entry: LedgerEntry): LedgerRules {
    const { min, max } = this.rules_range;
    const v = entry.rules_version ?? CLUSTER_VERSION_INITIAL;
    if (v < min || v > max) {
      throw new RulesVersionError(`entry ${log_index} was proposed under ledger rules version ${v}; this node applies versions ${min}..${max} (cluster version ${this.cluster_version}): run a build that supports version ${v}`);
    }
    if (v > this.cluster_version) {
      throw new RulesVersionError(`entry ${log_index} was proposed under ledger rules version ${v}, above the cluster version ${this.cluster_version}: no leader proposes so`);
    }
    for (const c of entry.commands as readonly unknown[]) {
      // Commands are unchecked here (validation answers for bad ones later).
      if (typeof c !== 'object' || c === null) continue;
      const { kind, action, target } = c as Record<string, unknown>;
      if (kind !== 'admin' || action !== 'cluster_version' || typeof target !== 'string') continue;
      const to = parseClusterVersionTarget(target);
      if (to !== null && to > this.cluster_version && to > max) {
        throw new RulesVersionError(`entry ${log_index} raises the cluster version from ${this.cluster_version} to ${to}; this node applies ledger rules versions ${min}..${max}: run a build that supports version ${to}`);
      }
    }
    return ledgerRules(v);
  }

  private applyCommand(batch: Batch, cmd: Command): CommandResult {
    const gated = commerceGate(batch.rules, cmd);
    if (gated !== null) return gated;
    const v = validateCommand(cmd);
    if (!v.ok) return { code: 'INVALID_ARGUMENT', replay: false, field: v.field, limit: v.limit, value: v.value };
    // Before rules version 3 the action does not exist (rules.ts).
    if (cmd.kind === 'admin' && cmd.action === 'history_archived' && !batch.rules.history_retention) {
      return { code: 'INVALID_ARGUMENT', replay: false, field: 'action', limit: `an action of ledger rules version ${batch.rules.version}: history_archived needs version ${HISTORY_RETENTION_RULES_VERSION}`, value: renderValue(cmd.action) };
    }
    const id = cmd.kind === 'reserve' ? cmd.reservation_id : cmd.op_id;
    const bad_stamp = this.stampInvalid(batch, cmd);
    if (bad_stamp !== null) return bad_stamp;
    const replay = this.replayOf(cmd);
    if (replay !== null) return replay;
    const too_old = this.tooOld(batch, cmd);
    if (too_old !== null) return too_old;
    const invalid = this.invalidAgainstState(cmd);
    if (invalid !== null) return invalid;
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
      case 'set_position_policy':
      case 'set_sku_policy':
      case 'transfer':
      case 'receive_transfer':
      case 'count':
        result = this.commerceCommand(batch, cmd);
        break;
    }
    // A reservation keeps the content of its reserve, so its outcome needs no fingerprint.
    // Any other outcome is stored with the digest form of its fingerprint (fingerprint.ts).
    let fp = RESERVE_FP;
    let digest: Buffer | null = null;
    if (!tied) {
      digest = fingerprintDigest(fingerprint(cmd));
      fp = FP_KEY_PREFIX + digest.toString('hex');
    }
    const rec: OutcomeRecord = { result, fp, at_ms: batch.time_ms, at_index: batch.log_index };
    // A position with commerce fields is kept whole (the compact form has no room for them).
    const whole = this.commerce.active && result.code === 'OK' && result.positions.length === 1 && positionHasCommerce(result.positions[0]);
    const slot = this.outcomes.add(id, rec, false, digest, whole ? -1 : -2);
    if (tied) this.reservations.place(id, slot);
    else this.reservations.assertPlaced();
    batch.writes.push({ type: 'put', sublevel: 'state', key: outcomeKey(id), value: rec });
    if (!tied) this.prunes.push({ due_ms: batch.time_ms + this.outcome_retention_ms, what: 'o', id });
    return result;
  }

  /** INVALID_ARGUMENT judged against state: after the replay check (a retried raise
   * replays its OK), and like every INVALID_ARGUMENT not recorded. */
  private invalidAgainstState(cmd: Command): CommandResult | null {
    if (cmd.kind === 'admin' && cmd.action === 'cluster_version' && !this.raisesClusterVersion(cmd.target)) {
      return { code: 'INVALID_ARGUMENT', replay: false, field: 'target', limit: `a decimal rules version above the cluster version ${this.cluster_version}`, value: cmd.target };
    }
    return this.commerce.active ? commercePrecheck(this.commerce, cmd) : null;
  }

  /** The commerce commands (rules version 4; commerce/commands.ts). */
  private commerceCommand(batch: Batch, cmd: CommerceCmd): CommandResult {
    this.commerce.active = true;
    switch (cmd.kind) {
      case 'set_position_policy':
        return setPositionPolicy(this.commerce, batch, cmd);
      case 'set_sku_policy':
        return setSkuPolicy(this.commerce, batch, cmd);
      case 'transfer':
        return transferCmd(this.commerce, batch, cmd);
      case 'receive_transfer':
        return receiveTransfer(this.commerce, batch, cmd);
      case 'count':
        return countCmd(this.commerce, batch, cmd);
    }
  }

  /** An id time too far ahead of log time, or a leader check from an index not yet
   * applied, is refused as INVALID_ARGUMENT (not recorded). */
  private stampInvalid(batch: Batch, cmd: Command): CommandResult | null {
    const t = cmd.id_time_ms;
    if (t !== undefined && t !== null && t > batch.time_ms + this.id_time_ahead_ms) {
      const limit = `at most log time + ${this.id_time_ahead_ms} ms (${batch.time_ms + this.id_time_ahead_ms})`;
      return { code: 'INVALID_ARGUMENT', replay: false, field: 'id_time_ms', limit, value: String(t) };
    }
    const c = cmd.checked_index;
    if (c !== undefined && c !== null && c >= batch.log_index) {
      return { code: 'INVALID_ARGUMENT', replay: false, field: 'checked_index', limit: `below the applying log index ${batch.log_index}`, value: String(c) };
    }
    return null;
  }

  /** OP_ID_TOO_OLD for an id (not in memory) whose time is the window or more behind log
   * time, or whose leader check is stale: an outcome applied after the checked index has
   * left memory since, and it may be this id's. Neither is recorded: the id may have an
   * archived outcome, which stays what it was. */
  private tooOld(batch: Batch, cmd: Command): CommandResult | null {
    const t = cmd.id_time_ms;
    const w = this.dedup_window_ms;
    if (t !== undefined && t !== null && batch.time_ms - t >= w) {
      const detail = `id time ${t} is ${batch.time_ms - t} ms behind log time ${batch.time_ms}, the dedup window is ${w} ms: use a new id, or ask GetOutcome for this one`;
      return { code: 'OP_ID_TOO_OLD', replay: false, id_time_ms: t, log_time_ms: batch.time_ms, window_ms: w, detail };
    }
    const c = cmd.checked_index;
    if (c !== undefined && c !== null && this.pruned_index > c) {
      const detail = `the leader checked this id at log index ${c}, and an outcome applied at index ${this.pruned_index} has left memory since: retry`;
      return { code: 'OP_ID_TOO_OLD', replay: false, id_time_ms: t ?? 0, log_time_ms: batch.time_ms, window_ms: w, detail };
    }
    return null;
  }

  /** Whether cmd repeats the command recorded under id (a replay). */
  private sameContent(prior: number, id: string, cmd: Command): boolean {
    if (!this.outcomes.isTied(prior)) return this.outcomes.sameFingerprint(prior, fingerprint(cmd));
    const r = this.outcomes.reservationAt(prior);
    if (r === undefined) throw new Error(`ledger invariant broken: outcome ${id} refers to a reservation that does not exist`);
    if (r.request_fp !== undefined) return cmd.kind === 'reserve' && reserveHasCommerce(cmd) && fingerprintKey(fingerprint(cmd)) === r.request_fp;
    if (cmd.kind === 'reserve' && reserveHasCommerce(cmd)) return false;
    if (cmd.kind !== 'reserve' || cmd.ttl_ms !== r.ttl_ms || cmd.order_ref !== r.order_ref || cmd.lines.length !== r.lines.length) return false;
    for (let i = 0; i < r.lines.length; i++) {
      const a = cmd.lines[i];
      const b = r.lines[i];
      if (a.sku !== b.sku || a.location !== b.location || a.quantity !== b.quantity) return false;
    }
    return true;
  }

  /** Appends one event to the chain of the position in `slot` and updates it. */
  private change(
    batch: Batch,
    slot: number,
    kind: EventKind,
    op_id: string,
    reservation_id: string,
    delta_on_hand: number,
    delta_reserved: number,
    extra?: CommerceEventFields,
  ): Position {
    const P = this.positions;
    // The position's own (interned) name strings, not the command's copies.
    const sku = P.sku(slot);
    const location = P.location(slot);
    const on_hand = P.onHand(slot) + delta_on_hand;
    const reserved = P.reserved(slot) + delta_reserved;
    const seq = P.seq(slot) + 1;
    const prev_hash = P.head(slot);
    const tail = extra === undefined ? '' : commerceHashTail(extra);
    const hash = eventHashOf(sku, location, seq, batch.log_index, batch.time_ms, kind, op_id, reservation_id, delta_on_hand, delta_reserved, on_hand, reserved, prev_hash, tail);
    const plain_event: LedgerEvent = {
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
    const event: LedgerEvent = extra === undefined || tail === '' ? plain_event : withEventFields(plain_event, extra);
    const horizon_seq = P.horizon(slot);
    const plain: PositionRecord = { sku, location, on_hand, reserved, available: on_hand - reserved, seq, head: hash };
    let rec: PositionRecord = horizon_seq > 0 ? { ...plain, horizon_seq } : plain;
    const commerce = this.commerce.active;
    const available_before = commerce ? Math.max(0, P.available(slot)) : 0;
    if (commerce) rec = this.commerce.decorate(slot, rec);
    assertPosition(rec, batch.log_index);
    P.set(slot, on_hand, reserved, seq, hash);
    batch.events.push(event);
    batch.writes.push(
      { type: 'put', sublevel: 'state', key: positionKey(sku, location), value: rec },
      { type: 'put', sublevel: 'history', key: historyKey(sku, location, seq), value: event },
    );
    if (!commerce) return { sku, location, on_hand, reserved, available: rec.available, seq }; // a view without the head
    batch.touched.push(slot);
    this.lowStock(batch, slot, available_before, rec.available, op_id, reservation_id);
    return Commerce.view(rec);
  }

  /** LOW_STOCK (no quantity change) when available went from >= the position's threshold
   * to below it. */
  private lowStock(batch: Batch, slot: number, before: number, after: number, op_id: string, reservation_id: string): void {
    const threshold = this.commerce.lowStockThreshold(slot);
    if (threshold > 0 && before >= threshold && after < threshold) this.change(batch, slot, 'LOW_STOCK', op_id, reservation_id, 0, 0);
  }

  private adjust(batch: Batch, cmd: AdjustCmd): CommandResult {
    const P = this.positions;
    let slot = P.find(cmd.sku, cmd.location);
    const on_hand = slot < 0 ? 0 : P.onHand(slot);
    const expected = cmd.expected_on_hand;
    if (expected !== undefined && expected !== null && expected !== on_hand) {
      return { code: 'ON_HAND_MISMATCH', replay: false, expected_on_hand: expected, on_hand };
    }
    if (cmd.delta < 0) {
      if (slot < 0) return failure('POSITION_NOT_FOUND', `no position ${cmd.sku}@${cmd.location} to shrink`);
      const available = P.available(slot);
      if (available < -cmd.delta) {
        return {
          code: 'INSUFFICIENT_STOCK',
          replay: false,
          short_lines: [{ sku: cmd.sku, location: cmd.location, requested: -cmd.delta, available }],
        };
      }
    } else if (on_hand + cmd.delta > BALANCE_MAX) {
      return failure('BALANCE_LIMIT', `on_hand ${on_hand} + ${cmd.delta} of ${cmd.sku}@${cmd.location} would pass ${BALANCE_MAX}`);
    }
    if (slot < 0) slot = P.add(cmd.sku, cmd.location);
    const view = this.change(batch, slot, 'ADJUST', cmd.op_id, '', cmd.delta, 0);
    return { code: 'OK', replay: false, positions: [view], reservation: null };
  }

  private reserve(batch: Batch, cmd: ReserveCmd): CommandResult {
    if (reserveHasCommerce(cmd)) {
      this.commerce.active = true;
      return reserveCommerce(this.commerce, batch, cmd);
    }
    const P = this.positions;
    const lines = cmd.lines;
    const found: number[] = new Array<number>(lines.length);
    let missing: string[] | null = null;
    let short: ShortLine[] | null = null;
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i];
      const slot = (found[i] = P.find(l.sku, l.location));
      if (slot < 0) {
        (missing ??= []).push(`lines[${i}] ${l.sku}@${l.location}`);
        continue;
      }
      const available = P.available(slot);
      if (available < l.quantity) {
        (short ??= []).push({ sku: l.sku, location: l.location, requested: l.quantity, available });
      }
    }
    if (missing !== null) return failure('POSITION_NOT_FOUND', `no position for ${missing.join(', ')}`);
    // A line on a position with a wait-list must not pass the queue (commerce/reserve.ts).
    if (this.commerce.active && this.commerce.anyWaiting(found)) return reserveCommerce(this.commerce, batch, cmd);
    if (short !== null) return { code: 'INSUFFICIENT_STOCK', replay: false, short_lines: short };
    const id = cmd.reservation_id;
    const after: Position[] = new Array<Position>(lines.length);
    // The reservation keeps lines that share the positions' own name strings, not the
    // command's copies.
    const kept: Line[] = new Array<Line>(lines.length);
    for (let i = 0; i < lines.length; i++) {
      const slot = found[i];
      kept[i] = { sku: P.sku(slot), location: P.location(slot), quantity: lines[i].quantity };
      after[i] = this.change(batch, slot, 'RESERVE', id, id, 0, lines[i].quantity);
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
    this.reservations.put(res);
    batch.writes.push({ type: 'put', sublevel: 'state', key: reservationKey(res.reservation_id), value: res });
  }

  /** The slot of a reservation line's position, which must exist. */
  private lineSlot(res: ReservationRecord, l: Line): number {
    const slot = this.positions.find(l.sku, l.location);
    if (slot < 0) throw new Error(`ledger invariant broken: reservation ${res.reservation_id} holds ${l.sku}@${l.location}, which does not exist`);
    return slot;
  }

  /** The PENDING reservation a commit/release/extend acts on, or the failure to return.
   * A reservation past its deadline that the per-entry bound left for a later entry
   * expires here, before the command, exactly as it would have at the top of the entry. */
  private pending(batch: Batch, reservation_id: string): ReservationRecord | CommandResult {
    const res = this.reservations.get(reservation_id);
    if (res === undefined) return failure('RESERVATION_NOT_FOUND', `no reservation ${reservation_id} (never made, or final and pruned)`);
    if (res.state === 'PENDING' && res.deadline_ms <= batch.time_ms) {
      // Its heap entry stays behind and is skipped as superseded when it comes up.
      this.finish(batch, res, 'EXPIRED', 'EXPIRE', '', null);
      return failure('RESERVATION_EXPIRED', `reservation ${reservation_id} is EXPIRED`);
    }
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
      const slot = this.lineSlot(res, l);
      const s = sold === null ? 0 : sold === 'all' ? l.quantity : sold[i];
      positions[i] = this.change(batch, slot, kind, op_id, res.reservation_id, 0 - s, -l.quantity);
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
    if (this.commerce.active) {
      // Commerce fields stay, but a final reservation has no unfilled lines.
      const { backordered_lines: _unfilled, ...kept } = res;
      Object.assign(reservation, { ...kept, ...reservation });
      this.commerce.onFinish(batch, res, reservation);
    }
    this.putReservation(batch, reservation);
    this.open_reservations--;
    this.prunes.push({ due_ms: batch.time_ms + this.outcome_retention_ms, what: 'r', id: res.reservation_id });
    return { positions, reservation };
  }

  private commit(batch: Batch, cmd: CommitCmd): CommandResult {
    const early = this.commerce.active ? this.commerce.beforeTouch(batch, 'commit', cmd.op_id, cmd.reservation_id) : null;
    if (early !== null) return early;
    const res = this.pending(batch, cmd.reservation_id);
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
    const early = this.commerce.active ? this.commerce.beforeTouch(batch, 'release', cmd.op_id, cmd.reservation_id) : null;
    if (early !== null) return early;
    const res = this.pending(batch, cmd.reservation_id);
    if (!('reservation_id' in res)) return res;
    const done = this.finish(batch, res, 'RELEASED', 'RELEASE', cmd.op_id, null);
    return { code: 'OK', replay: false, positions: done.positions, reservation: done.reservation };
  }

  /** The deadline becomes max(deadline, now + ttl_ms): an Extend never shortens a
   * reservation. Each line's position records an EXTEND event (no quantity change). */
  private extend(batch: Batch, cmd: ExtendCmd): CommandResult {
    const early = this.commerce.active ? this.commerce.beforeTouch(batch, 'extend', cmd.op_id, cmd.reservation_id) : null;
    if (early !== null) return early;
    const res = this.pending(batch, cmd.reservation_id);
    if (!('reservation_id' in res)) return res;
    const deadline_ms = Math.max(res.deadline_ms, batch.time_ms + cmd.ttl_ms);
    const positions: Position[] = new Array<Position>(res.lines.length);
    for (let i = 0; i < res.lines.length; i++) {
      positions[i] = this.change(batch, this.lineSlot(res, res.lines[i]), 'EXTEND', cmd.op_id, res.reservation_id, 0, 0);
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
    // Commerce fields (customer, unfilled lines, arrival...) stay as they were.
    if (this.commerce.active) Object.assign(reservation, { ...res, ...reservation });
    this.putReservation(batch, reservation);
    if (deadline_ms !== res.deadline_ms) this.expiries.push(reservation);
    return { code: 'OK', replay: false, positions, reservation };
  }

  private raisesClusterVersion(target: string): boolean {
    const to = parseClusterVersionTarget(target);
    return to !== null && to > this.cluster_version;
  }

  /** Appends one event to the admin history. Changes no stock; always OK once valid. A
   * cluster_version command (its target checked in applyCommand) also raises the cluster
   * version. */
  private admin(batch: Batch, cmd: AdminCmd): CommandResult {
    if (cmd.action === 'cluster_version') {
      // entryRules refused a target above this replica's range before anything changed.
      this.cluster_version = parseClusterVersionTarget(cmd.target)!;
      this.cluster_version_index = batch.log_index;
      batch.writes.push({ type: 'put', sublevel: 'state', key: CLUSTER_VERSION_KEY, value: this.clusterVersionRecord() });
    }
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
    if (cmd.action === 'history_archived') this.markArchived(batch, Number(cmd.target));
    batch.admin_events.push(event);
    batch.writes.push(
      { type: 'put', sublevel: 'state', key: ADMIN_HEAD_KEY, value: this.adminHeadRecord() },
      { type: 'put', sublevel: 'history', key: adminHistoryKey(seq), value: event },
    );
    return { code: 'OK', replay: false, positions: [], reservation: null };
  }

  /** The operator's archived mark moves up to `through_index` (validate.ts checked the
   * number), never past the entries before this one, never down. */
  private markArchived(batch: Batch, through_index: number): void {
    const mark = Math.min(through_index, batch.log_index - 1);
    if (mark <= this.archived_through_index) return;
    this.archived_through_index = mark;
    batch.writes.push({ type: 'put', sublevel: 'state', key: HISTORY_MARK_KEY, value: this.historyMarkRecord() });
  }

  /** Expires PENDING reservations whose deadline is <= the entry's time, in (deadline, id)
   * order, at most expiries_per_entry_max of them; the rest wait for the next entries
   * (see EXPIRIES_PER_ENTRY_MAX). Superseded heap entries cost a pop each, and each
   * reservation pushes at most one per Extend, so the loop ends. */
  private expireDue(batch: Batch): void {
    let expired = 0;
    const cap = Math.min(this.expiries_per_entry_max, batch.rules.expiries_per_entry_max);
    while (expired < cap) {
      const top = this.expiries.peek();
      if (top === undefined || top.deadline_ms > batch.time_ms) return;
      this.expiries.pop();
      const res = this.reservations.get(top.reservation_id);
      if (res === undefined || res.deadline_ms !== top.deadline_ms) continue; // superseded
      if (res.state === 'WAITING') this.commerce.waitExpire(batch, res);
      else if (res.state === 'PENDING') this.finish(batch, res, 'EXPIRED', 'EXPIRE', '', null);
      else continue; // superseded
      expired++;
    }
  }

  /** Moves outcomes and final reservations past the retention out of memory: the
   * reservation is forgotten, the outcome is written to the 'outcomes' sublevel (in this
   * entry's batch, so it is on disk exactly when it is no longer in 'state'). Everything
   * due goes at once, so which records exist depends only on the log, never on order. */
  private pruneDue(batch: Batch): void {
    for (;;) {
      const e = this.prunes.shiftDue(batch.time_ms);
      if (e === undefined) return;
      const slot = this.outcomes.find(e.id);
      let tied_to: ReservationRecord | null = null;
      if (e.what === 'r') {
        const res = slot < 0 ? undefined : this.outcomes.reservationAt(slot);
        if (res === undefined || res.state === 'PENDING' || res.state === 'WAITING') throw new Error(`ledger invariant broken: prune of reservation ${e.id} that is not final`);
        tied_to = res;
        this.reservations.drop(slot);
        batch.writes.push({ type: 'del', sublevel: 'state', key: reservationKey(e.id) });
      }
      if (slot < 0) throw new Error(`ledger invariant broken: prune of outcome ${e.id} that does not exist`);
      const rec = archivedRecord(this.outcomes.record(slot), tied_to);
      this.pruned_index = Math.max(this.pruned_index, this.outcomes.atIndex(slot));
      this.outcomes.delete(e.id);
      batch.writes.push({ type: 'del', sublevel: 'state', key: outcomeKey(e.id) }, { type: 'put', sublevel: 'outcomes', key: e.id, value: rec });
    }
  }

  // ---------------------------------------------------------------- invariants and load

  /** Full check, O(positions + reservations): every position satisfies
   * 0 <= reserved <= on_hand; reserved equals the sum of its PENDING reservation lines;
   * every reservation has its reserve outcome; reservation lines name existing positions.
   * Throws on the first violation. apply checks the positions it touches; load and tests
   * call this. */
  checkInvariants(): void {
    const P = this.positions;
    const pending = new Map<number, number>();
    let open = 0;
    for (const r of this.reservations.values()) {
      const o = this.outcomes.find(r.reservation_id);
      if (o < 0 || this.outcomes.code(o) !== 'OK') {
        throw new Error(`ledger invariant broken: reservation ${r.reservation_id} has no successful reserve outcome`);
      }
      if (r.state !== 'PENDING') continue;
      open++;
      for (const l of r.lines) {
        const slot = P.find(l.sku, l.location);
        if (slot < 0) throw new Error(`ledger invariant broken: reservation ${r.reservation_id} holds missing position ${l.sku}@${l.location}`);
        pending.set(slot, (pending.get(slot) ?? 0) + l.quantity);
      }
    }
    for (const [id, o] of this.outcomes.entries()) {
      if (this.outcomes.isTied(o) && this.outcomes.reservationAt(o) === undefined) throw new Error(`ledger invariant broken: reserve outcome ${id} without its reservation`);
    }
    if (open !== this.open_reservations) throw new Error(`ledger invariant broken: ${open} PENDING reservations, counter says ${this.open_reservations}`);
    if (this.commerce.active) this.commerce.checkInvariants();
    for (let slot = 0; slot < P.size; slot++) {
      const on_hand = P.onHand(slot);
      const reserved = P.reserved(slot);
      const seq = P.seq(slot);
      // The record is built only when the numbers look wrong, to say what is wrong.
      const plain = Number.isSafeInteger(on_hand) && Number.isSafeInteger(reserved) && Number.isSafeInteger(seq);
      if (!plain || reserved < 0 || reserved > on_hand || on_hand > BALANCE_MAX || seq < 1) assertPosition(this.positionRecord(slot), 'check');
      const want = pending.get(slot) ?? 0;
      if (reserved !== want) {
        const p = P.record(slot);
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
    // Reservations wait here until finish(): their outcomes may come later. Kept in the
    // order given, which the rebuilt queues follow.
    const loaded: ReservationRecord[] = [];
    let finished = false;
    const add = (key: string, value: unknown): void => {
      if (finished) throw new Error('ledger loader: add() after finish()');
      if (typeof key !== 'string') throw new StateCorruption(String(key), 'key is not a string');
      if (key.startsWith(POSITION_PREFIX)) {
        const p = parsePosition(key, value);
        // The slot may exist already: made for an outcome that names this position.
        const slot = l.positions.findOrAdd(p.sku, p.location);
        if (l.positions.seq(slot) !== 0) throw new StateCorruption(key, 'position given twice');
        l.positions.set(slot, p.on_hand, p.reserved, p.seq, p.head);
        if (p.horizon_seq !== undefined) l.positions.setHorizon(slot, p.horizon_seq);
        l.commerce.loadPosition(slot, p);
      } else if (key.startsWith(RESERVATION_PREFIX)) {
        const r = parseReservation(key, value);
        loaded.push(r);
        if (r.state === 'PENDING') l.open_reservations++;
      } else if (key.startsWith(OUTCOME_PREFIX)) {
        const rec = parseOutcome(key, value);
        const r = rec.result;
        // Outcomes sort before positions: make the slot of the position a one-position
        // result names now, so the outcome is kept compact; finish() checks that the
        // position's own record came too.
        let pslot = -1;
        if (r.code === 'OK' && r.positions.length === 1) {
          // Any strings will do: a name no position record matches fails finish().
          const p = r.positions[0] as Partial<Position>;
          // A position with commerce fields stays whole (pslot -1), as apply keeps it.
          if (positionHasCommerce(p as Position)) pslot = -1;
          else if (typeof p.sku === 'string' && typeof p.location === 'string') pslot = l.positions.findOrAdd(p.sku, p.location);
        }
        l.outcomes.add(key.slice(OUTCOME_PREFIX.length), rec, true, null, pslot);
      } else if (key === META_KEY) {
        meta = parseMeta(key, value);
      } else if (key === HISTORY_MARK_KEY) {
        l.archived_through_index = parseHistoryMark(key, value).archived_through_index;
      } else if (key === ADMIN_HEAD_KEY) {
        const a = parseAdminHead(key, value);
        l.admin_head = { seq: a.seq, head: a.head };
      } else if (key === CLUSTER_VERSION_KEY) {
        const c = parseClusterVersion(key, value);
        l.cluster_version = c.version;
        l.cluster_version_index = c.log_index;
      } else if (!l.commerce.load(key, value)) {
        throw new StateCorruption(key, 'unknown key in ledger state');
      }
    };
    const finish = (): Ledger => {
      if (finished) throw new Error('ledger loader: finish() twice');
      finished = true;
      for (let slot = 0; slot < l.positions.size; slot++) {
        if (l.positions.seq(slot) === 0) {
          const key = positionKey(l.positions.sku(slot), l.positions.location(slot));
          throw new StateCorruption(key, 'an outcome names this position, but state does not hold it');
        }
      }
      const m = meta as MetaRecord | null;
      if (m === null) {
        if (l.positions.size + loaded.length + l.outcomes.size + l.admin_head.seq + l.cluster_version_index > 0) throw new StateCorruption(META_KEY, 'state has records but no meta');
        return l;
      }
      l.placeLoaded(loaded);
      l.time_ms = m.time_ms;
      l.log_index = m.log_index;
      l.head_hash = m.head_hash;
      l.pruned_index = m.pruned_index ?? 0;
      if (l.cluster_version > l.rules_range.max) {
        throw new RulesVersionError(`the ledger state (applied index ${m.log_index}) is at cluster version ${l.cluster_version}, raised at entry ${l.cluster_version_index}; this node applies ledger rules versions ${l.rules_range.min}..${l.rules_range.max}: run a build that supports version ${l.cluster_version} (a cluster version is never lowered)`);
      }
      if (l.cluster_version_index > m.log_index) throw new StateCorruption(CLUSTER_VERSION_KEY, `raised at entry ${l.cluster_version_index}, beyond the applied index ${m.log_index}`);
      l.commerce.rebuild(loaded);
      l.checkInvariants();
      l.rebuildQueues(loaded);
      return l;
    };
    return { add, finish };
  }

  /** Puts each loaded reservation into its reserve outcome's slot. A reservation without
   * an outcome, or given twice, is corrupt state (its outcome would be pruned under it). */
  private placeLoaded(loaded: readonly ReservationRecord[]): void {
    for (const r of loaded) {
      const slot = this.outcomes.find(r.reservation_id);
      // parseReservation checked that the key is reservationKey(id).
      if (slot < 0 || this.outcomes.code(slot) !== 'OK') throw new StateCorruption(reservationKey(r.reservation_id), `reservation ${r.reservation_id} has no successful reserve outcome`);
      if (this.outcomes.reservationAt(slot) !== undefined) throw new StateCorruption(reservationKey(r.reservation_id), 'reservation given twice');
      this.reservations.load(slot, r);
    }
  }

  /** Rebuilds the derived queues after a load: the expiry heap, and the prune queue in due
   * order. Entries due at the same time keep the order they are gathered in (outcomes in
   * slot order, then final reservations in load order); the pruned set never depends on that
   * order because everything due goes at once. A counting sort over the distinct due
   * times (few: one per applied entry time) avoids a comparison sort of a million
   * entries. */
  private rebuildQueues(reservations: readonly ReservationRecord[]): void {
    const dues: number[] = [];
    const ids: string[] = [];
    const kinds: ('o' | 'r')[] = [];
    for (const [id, o] of this.outcomes.entries()) {
      if (this.outcomes.reservationAt(o) !== undefined) continue; // pruned with its reservation
      dues.push(this.outcomes.atMs(o) + this.outcome_retention_ms);
      ids.push(id);
      kinds.push('o');
    }
    for (const r of reservations) {
      if (r.state === 'PENDING' || r.state === 'WAITING') {
        this.expiries.push(r);
        continue;
      }
      dues.push(r.final_ms + this.outcome_retention_ms);
      ids.push(r.reservation_id);
      kinds.push('r');
    }
    const distinct = Float64Array.from(new Set(dues)).sort();
    // Bucket of each due by binary search over the distinct dues (no map of numbers).
    const bucket = new Uint32Array(dues.length);
    const starts = new Uint32Array(distinct.length + 1);
    for (let i = 0; i < dues.length; i++) {
      const d = dues[i];
      let lo = 0;
      let hi = distinct.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (distinct[mid] < d) lo = mid + 1;
        else hi = mid;
      }
      bucket[i] = lo;
      starts[lo + 1]++;
    }
    for (let i = 1; i < starts.length; i++) starts[i] += starts[i - 1];
    const order = new Uint32Array(dues.length);
    for (let i = 0; i < dues.length; i++) order[starts[bucket[i]]++] = i;
    for (const i of order) this.prunes.push({ due_ms: dues[i], what: kinds[i], id: ids[i] });
  }
}

/** Incremental Ledger.load: add() every state record (any order), then finish(). */
export interface LedgerLoader {
  add(key: string, value: unknown): void;
  finish(): Ledger;
}

