// History retention inside the state machine: checking an entry's prune list and turning
// it into writes. The leader decides what to prune (src/node/history-pruner.ts) and reads
// each new horizon from its own history; every replica applies the same list from the log,
// so all delete the same events. The list is checked whole first and applied all or
// nothing: a bad list changes nothing (the node logs the reason).
//
// Rules for one item (the position's new horizon):
//   - the position exists and is named once in the list;
//   - current horizon < seq < the position's latest seq (the latest event is always kept,
//     so a chain end stays on disk to continue from);
//   - log_index <= the archived mark, and < the entry's index; time_ms <= the entry's time
//     (the horizon is an event already applied and, by the operator's mark, archived);
//   - hash is 64 lowercase hex digits, 0 <= reserved <= on_hand <= BALANCE_MAX.
// And in all: at most HISTORY_PRUNE_POSITIONS_PER_ENTRY_MAX items and
// HISTORY_PRUNE_EVENTS_PER_ENTRY_MAX events deleted.

import { BALANCE_MAX, HISTORY_PRUNE_EVENTS_PER_ENTRY_MAX, HISTORY_PRUNE_POSITIONS_PER_ENTRY_MAX } from './limits.js';
import { historyKey, horizonKey } from './keys.js';
import type { PositionTable } from './position-table.js';
import type { HistoryHorizon, KvWrite } from './types.js';
import { isValidLocation, isValidSku } from './validate.js';

const HEX64 = /^[0-9a-f]{64}$/;

export interface PruneContext {
  readonly log_index: number;
  readonly time_ms: number;
  /** Events with log_index at or below it may be pruned (0: none). */
  readonly archived_through_index: number;
}

/** A checked prune list: the slot of each item, in list order, and the events it drops. */
export type PrunePlan =
  | { readonly ok: true; readonly items: readonly HistoryHorizon[]; readonly slots: readonly number[]; readonly events: number }
  | { readonly ok: false; readonly reason: string };

function isNat(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function checkItem(P: PositionTable, raw: unknown, ctx: PruneContext): { slot: number; item: HistoryHorizon } | string {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'is not a horizon record';
  const h = raw as Record<string, unknown>;
  if (h.kind !== 'HORIZON') return `kind must be 'HORIZON', got ${String(h.kind)}`;
  if (!isValidSku(h.sku) || !isValidLocation(h.location)) return 'sku or location is invalid';
  const slot = P.find(h.sku, h.location);
  if (slot < 0) return `position ${h.sku}@${h.location} does not exist`;
  const at = `${h.sku}@${h.location}`;
  for (const f of ['seq', 'log_index', 'time_ms', 'on_hand', 'reserved'] as const) {
    if (!isNat(h[f])) return `${at}: ${f} must be a safe non-negative integer, got ${String(h[f])}`;
  }
  const seq = h.seq as number;
  const log_index = h.log_index as number;
  if (seq <= P.horizon(slot) || seq >= P.seq(slot)) return `${at}: seq ${seq} must be above the horizon ${P.horizon(slot)} and below the latest seq ${P.seq(slot)}`;
  if (log_index > ctx.archived_through_index) return `${at}: log_index ${log_index} is above the archived mark ${ctx.archived_through_index}`;
  if (log_index < 1 || log_index >= ctx.log_index) return `${at}: log_index ${log_index} must be 1..${ctx.log_index - 1}`;
  if ((h.time_ms as number) > ctx.time_ms) return `${at}: time_ms ${String(h.time_ms)} is after the entry's ${ctx.time_ms}`;
  if (typeof h.hash !== 'string' || !HEX64.test(h.hash)) return `${at}: hash is not 64 lowercase hex digits`;
  if ((h.reserved as number) > (h.on_hand as number) || (h.on_hand as number) > BALANCE_MAX) return `${at}: quantities break 0 <= reserved <= on_hand`;
  const item: HistoryHorizon = {
    kind: 'HORIZON',
    sku: P.sku(slot),
    location: P.location(slot),
    seq,
    log_index,
    time_ms: h.time_ms as number,
    on_hand: h.on_hand as number,
    reserved: h.reserved as number,
    hash: h.hash,
  };
  return { slot, item };
}

/** Checks a whole prune list against the positions (no change made). */
export function planPrune(P: PositionTable, list: unknown, ctx: PruneContext): PrunePlan {
  if (!Array.isArray(list)) return { ok: false, reason: 'prune is not a list' };
  if (list.length > HISTORY_PRUNE_POSITIONS_PER_ENTRY_MAX) {
    return { ok: false, reason: `prune names ${list.length} positions, limit ${HISTORY_PRUNE_POSITIONS_PER_ENTRY_MAX}` };
  }
  const items: HistoryHorizon[] = [];
  const slots: number[] = [];
  const seen = new Set<number>();
  let events = 0;
  for (let i = 0; i < list.length; i++) {
    const r = checkItem(P, list[i], ctx);
    if (typeof r === 'string') return { ok: false, reason: `prune[${i}] ${r}` };
    if (seen.has(r.slot)) return { ok: false, reason: `prune[${i}] names ${r.item.sku}@${r.item.location} twice` };
    seen.add(r.slot);
    events += r.item.seq - P.horizon(r.slot);
    if (events > HISTORY_PRUNE_EVENTS_PER_ENTRY_MAX) {
      return { ok: false, reason: `prune drops more than ${HISTORY_PRUNE_EVENTS_PER_ENTRY_MAX} events (limit per entry) by prune[${i}]` };
    }
    items.push(r.item);
    slots.push(r.slot);
  }
  return { ok: true, items, slots, events };
}

/** The history writes of a checked plan: the dropped events' deletes and each new horizon.
 * The caller moves the horizons in the table and rewrites the position records. */
export function pruneWrites(P: PositionTable, plan: Extract<PrunePlan, { ok: true }>, writes: KvWrite[]): void {
  for (let i = 0; i < plan.items.length; i++) {
    const item = plan.items[i];
    // Bounded: planPrune capped the sum of (seq - horizon) over the list.
    for (let seq = P.horizon(plan.slots[i]) + 1; seq <= item.seq; seq++) {
      writes.push({ type: 'del', sublevel: 'history', key: historyKey(item.sku, item.location, seq) });
    }
    writes.push({ type: 'put', sublevel: 'history', key: horizonKey(item.sku, item.location), value: item });
  }
}

/** Whether an archived outcome (a value of the 'outcomes' sublevel, archive.ts) may be
 * dropped by history retention: it was applied at or below the archived mark and every
 * event its command appended is pruned (for each position of its result, the position's
 * horizon is at or past the seq the result names; a refusal appended none). Such an
 * outcome only answers for history that now lives in the archive. A record without its
 * apply index (written before outcomes kept it) or not shaped as apply writes it stays:
 * nothing ties it to the mark. Pure: every replica decides the same for the same state. */
export function archivedOutcomePrunable(value: unknown, archived_through_index: number, horizonSeq: (sku: string, location: string) => number): boolean {
  if (archived_through_index <= 0 || typeof value !== 'object' || value === null) return false;
  const v = value as { at_index?: unknown; result?: unknown };
  if (!isNat(v.at_index) || v.at_index < 1 || v.at_index > archived_through_index) return false;
  if (typeof v.result !== 'object' || v.result === null) return false;
  const positions = (v.result as { positions?: unknown }).positions;
  if (positions === undefined) return true;
  if (!Array.isArray(positions)) return false;
  for (const p of positions as unknown[]) {
    if (typeof p !== 'object' || p === null) return false;
    const { sku, location, seq } = p as { sku?: unknown; location?: unknown; seq?: unknown };
    if (typeof sku !== 'string' || typeof location !== 'string' || !isNat(seq)) return false;
    if (horizonSeq(sku, location) < seq) return false;
  }
  return true;
}
