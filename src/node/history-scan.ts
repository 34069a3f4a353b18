// Which history the retention policy drops next: the leader walks positions by slot from a
// cursor and, for each, reads its oldest retained events until one must stay. The result
// is a prune list for one entry (the ledger checks it again: retention.ts). Reads only; no
// decision here depends on anything but the ledger's state and the stored history, so a
// new leader continues where the old one stopped.
//
// An event may go when all hold:
//   - it is not its position's latest event (a chain end stays to continue from);
//   - its log index is at or below the operator's archived mark (`stockctl history
//     mark-archived`): nothing is pruned that was not exported first;
//   - it is older than `retain_ms` in log time, or more than `retain_events` events
//     behind the latest (whichever of the two is configured; either suffices).

import type { HistoryHorizon, LedgerEvent } from '../ledger/types.js';
import { HISTORY_PRUNE_EVENTS_PER_ENTRY_MAX, HISTORY_PRUNE_POSITIONS_PER_ENTRY_MAX } from '../ledger/limits.js';

export interface RetentionPolicy {
  /** Keep events younger than this in log time (null: no age bound). */
  readonly retain_ms: number | null;
  /** Keep at least the latest this many events of each position (null: no count bound). */
  readonly retain_events: number | null;
}

export interface ScanLedger {
  positionCount(): number;
  positionAt(slot: number): { readonly sku: string; readonly location: string; readonly seq: number; readonly horizon_seq: number };
  archivedThroughIndex(): number;
  lastTimeMs(): number;
}

/** Events of a position with seq > after_seq, in seq order, at most `limit`. */
export type ReadEvents = (sku: string, location: string, after_seq: number, limit: number) => Promise<readonly LedgerEvent[]>;

export interface ScanBudget {
  /** Positions looked at in one scan. */
  readonly positions_max: number;
  /** Events one prune list drops at most. */
  readonly events_max: number;
}

export interface ScanResult {
  readonly prune: HistoryHorizon[];
  readonly events: number;
  /** Slot to continue from; 0 after the last position (the walk starts over). */
  readonly next_slot: number;
}

/** Events one read fetches while looking for a position's new horizon. */
const SCAN_PAGE_EVENTS = 256;

export function retentionEnabled(p: RetentionPolicy): boolean {
  return p.retain_ms !== null || p.retain_events !== null;
}

function horizonOf(e: LedgerEvent): HistoryHorizon {
  return { kind: 'HORIZON', sku: e.sku, location: e.location, seq: e.seq, log_index: e.log_index, time_ms: e.time_ms, on_hand: e.on_hand, reserved: e.reserved, hash: e.hash };
}

/** The new horizon of one position (null: nothing to drop), dropping at most `events_max`. */
async function positionHorizon(
  pos: { readonly sku: string; readonly location: string; readonly seq: number; readonly horizon_seq: number },
  policy: RetentionPolicy,
  ctx: { readonly mark: number; readonly old_before_ms: number | null },
  events_max: number,
  read: ReadEvents,
): Promise<HistoryHorizon | null> {
  // Highest seq the count rule and the "keep the latest" rule allow; the age rule may
  // allow up to seq - 1 on its own.
  const by_count = policy.retain_events === null ? 0 : pos.seq - policy.retain_events;
  const upper = Math.min(pos.seq - 1, pos.horizon_seq + events_max);
  let last: LedgerEvent | null = null;
  let after = pos.horizon_seq;
  // Bounded: every page advances `after`, and it stops at `upper`.
  while (after < upper) {
    const page = await read(pos.sku, pos.location, after, Math.min(SCAN_PAGE_EVENTS, upper - after));
    if (page.length === 0) break;
    for (const e of page) {
      if (e.seq !== after + 1) throw new Error(`history of ${pos.sku}@${pos.location}: seq ${e.seq} follows ${after}`);
      const old = ctx.old_before_ms !== null && e.time_ms < ctx.old_before_ms;
      if (e.seq > upper || e.log_index > ctx.mark || !(old || e.seq <= by_count)) return last === null ? null : horizonOf(last);
      last = e;
      after = e.seq;
    }
  }
  return last === null ? null : horizonOf(last);
}

/** One scan from `from_slot`: the prune list of the positions looked at. */
export async function scanForPrune(ledger: ScanLedger, policy: RetentionPolicy, from_slot: number, budget: ScanBudget, read: ReadEvents): Promise<ScanResult> {
  const mark = ledger.archivedThroughIndex();
  const count = ledger.positionCount();
  const events_cap = Math.min(budget.events_max, HISTORY_PRUNE_EVENTS_PER_ENTRY_MAX);
  const prune: HistoryHorizon[] = [];
  let events = 0;
  if (!retentionEnabled(policy) || mark === 0 || count === 0) return { prune, events, next_slot: 0 };
  const ctx = { mark, old_before_ms: policy.retain_ms === null ? null : ledger.lastTimeMs() - policy.retain_ms };
  let slot = from_slot >= count ? 0 : from_slot;
  let looked = 0;
  // Bounded by positions_max positions, and by the prune list's limits.
  while (slot < count && looked < budget.positions_max && events < events_cap && prune.length < HISTORY_PRUNE_POSITIONS_PER_ENTRY_MAX) {
    const pos = ledger.positionAt(slot);
    const room = events_cap - events;
    const h = await positionHorizon(pos, policy, ctx, room, read);
    if (h !== null) {
      prune.push(h);
      events += h.seq - pos.horizon_seq;
      // Cut by the budget: the next scan starts at this position again.
      if (h.seq - pos.horizon_seq === room) break;
    }
    slot++;
    looked++;
  }
  return { prune, events, next_slot: slot >= count ? 0 : slot };
}
