// Paged reads from storage for operators and verifiers: a position's event history, the
// admin history, the positions themselves, and a consistent backup of the whole ledger.

import type { AdminEvent, HistoryHorizon, LedgerEvent, Position } from '../ledger/types.js';
import { adminHistoryKey, adminHistoryRangeEnd, historyKey, historyRangeEnd, horizonKey, POSITION_PREFIX } from '../ledger/keys.js';
import { snapshotChunksAsync } from '../ledger/snapshot.js';
import { unpack, type LevelStorage } from './storage-level.js';
import { NodeError } from './node-api.js';
import type { NodeState } from './node-state.js';
import { BACKUP_CHUNK_BYTES, LISTING_ROWS_MAX } from './limits.js';

export interface AdminListing {
  readonly events: readonly AdminEvent[];
  readonly head: { readonly seq: number; readonly head: string };
}

/** A page of a position's events; `horizon` is set when after_seq was below it. */
export interface EventPage {
  readonly events: readonly LedgerEvent[];
  readonly horizon: HistoryHorizon | null;
}

/** Reads of one page that may meet a prune between reading the horizon and the events. */
const EVENT_PAGE_TRIES_MAX = 3;

export class Listings {
  constructor(
    private readonly state: NodeState,
    private readonly storage: LevelStorage,
  ) {}

  async listEvents(sku: string, location: string, after_seq: number, limit: number): Promise<readonly LedgerEvent[]> {
    checkAfterSeq(after_seq);
    checkLimit(limit);
    const values = await this.storage.historyRange(historyKey(sku, location, after_seq + 1), historyRangeEnd(sku, location), limit);
    return values as LedgerEvent[];
  }

  /** The position's history horizon (null: full history kept, or no such position). */
  async historyHorizon(sku: string, location: string): Promise<HistoryHorizon | null> {
    const key = horizonKey(sku, location);
    const [h] = await this.storage.historyRange(key, key, 1);
    return h === undefined ? null : (h as HistoryHorizon);
  }

  /** Events with seq > after_seq; below the horizon, from the horizon on, naming it. */
  async listEventsPage(sku: string, location: string, after_seq: number, limit: number): Promise<EventPage> {
    checkAfterSeq(after_seq);
    checkLimit(limit);
    // A prune may land between the two reads: then the events start past the horizon
    // read first, and the page is read again.
    for (let i = 0; i < EVENT_PAGE_TRIES_MAX; i++) {
      const h = await this.historyHorizon(sku, location);
      const below = h !== null && after_seq < h.seq;
      const from = below ? h.seq : after_seq;
      const events = (await this.storage.historyRange(historyKey(sku, location, from + 1), historyRangeEnd(sku, location), limit)) as LedgerEvent[];
      if (events.length === 0 || events[0]!.seq === from + 1) return { events, horizon: below ? h : null };
    }
    throw new NodeError('no_leader', `history of ${sku}@${location} is being pruned: retry`);
  }

  async listAdminEvents(after_seq: number, limit: number): Promise<AdminListing> {
    checkAfterSeq(after_seq);
    checkLimit(limit);
    // The head is read first: events listed after it may be newer, never fewer.
    const head = this.state.ledger.adminHead();
    const values = await this.storage.historyRange(adminHistoryKey(after_seq + 1), adminHistoryRangeEnd(), limit);
    return { events: values as AdminEvent[], head };
  }

  async listPositions(after: { readonly sku: string; readonly location: string } | null, limit: number): Promise<readonly Position[]> {
    checkLimit(limit);
    const gt = after ? `${POSITION_PREFIX}${after.sku}!${after.location}` : POSITION_PREFIX;
    // 'p"' is the first key past every 'p!...' key.
    const rows = await this.storage.stateRange(gt, 'p"', limit);
    return rows.map(([, v]) => {
      const p = v as Position;
      return { sku: p.sku, location: p.location, on_hand: p.on_hand, reserved: p.reserved, available: p.available, seq: p.seq };
    });
  }

  /** The ledger's state and history from one consistent LevelDB view, in the ledger
   * snapshot format (self-checking chunks); see restore.ts for the file around them. */
  async *backupChunks(): AsyncIterable<Uint8Array> {
    const view = await this.storage.openSnapshot();
    const dec = new TextDecoder();
    async function* records(): AsyncGenerator<readonly ['state' | 'history' | 'outcomes', string, unknown]> {
      for await (const [name, k, v] of view.records) {
        if (name === 'state' || name === 'history' || name === 'outcomes') yield [name, dec.decode(k), unpack(v)] as const;
      }
    }
    try {
      yield* snapshotChunksAsync(records(), BACKUP_CHUNK_BYTES);
    } finally {
      await view.close();
    }
  }
}

function checkAfterSeq(after_seq: number): void {
  if (!Number.isSafeInteger(after_seq) || after_seq < 0) throw new NodeError('invalid', `after_seq must be a non-negative integer, got ${after_seq}`);
}

function checkLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > LISTING_ROWS_MAX) throw new NodeError('invalid', `limit must be 1..${LISTING_ROWS_MAX}, got ${limit}`);
}
