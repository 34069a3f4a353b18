// Paged reads from storage for operators and verifiers: a position's event history, the
// admin history, the positions themselves, and a consistent backup of the whole ledger.

import type { AdminEvent, HistoryHorizon, LedgerEvent, Position } from '../ledger/types.js';
import { COMMERCE_POSITION_FIELDS } from '../ledger/records.js';
import { adminHistoryKey, adminHistoryRangeEnd, historyKey, historyRangeEnd, horizonKey, META_KEY, POSITION_PREFIX } from '../ledger/keys.js';
import { snapshotChunksAsync, type SnapshotRecord } from '../ledger/snapshot.js';
import { unpack, type LevelStorage, type SnapshotView } from './storage-level.js';
import { BACKUP_HEADER_KIND, NodeError, type BackupHeader, type BackupInfo } from './node-api.js';
import type { NodeState } from './node-state.js';
import { BACKUP_CHUNK_BYTES, BACKUP_META_PEEK_MAX, LISTING_ROWS_MAX } from './limits.js';

/** The 'state', 'history' and 'outcomes' records of a view, decoded, in key order. */
async function* ledgerRecords(view: SnapshotView): AsyncGenerator<SnapshotRecord> {
  const dec = new TextDecoder();
  for await (const [name, k, v] of view.records) {
    if (name === 'state' || name === 'history' || name === 'outcomes') yield [name, dec.decode(k), unpack(v)] as const;
  }
}

/** Reads records up to the ledger's meta record: state keys come first, in key order, and
 * only single-letter keys ('a' admin head, 'h' history mark) sort before the meta key 'm'
 * (keys.ts), so this reads at most BACKUP_META_PEEK_MAX records. Returns what it read (to
 * be passed on first). */
async function peekMeta(records: AsyncIterator<SnapshotRecord>): Promise<{ peeked: SnapshotRecord[]; meta: { log_index: number; time_ms: number } | null }> {
  const peeked: SnapshotRecord[] = [];
  while (peeked.length < BACKUP_META_PEEK_MAX) {
    const r = await records.next();
    if (r.done === true) break;
    peeked.push(r.value);
    const [sublevel, key, value] = r.value;
    if (sublevel === 'state' && key === META_KEY) {
      const m = value as { log_index: number; time_ms: number };
      return { peeked, meta: { log_index: m.log_index, time_ms: m.time_ms } };
    }
    if (sublevel !== 'state' || key > META_KEY) break;
  }
  return { peeked, meta: null };
}

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
    /** Named in every backup's header. */
    private readonly ids: { readonly node_id: string; readonly cluster_id: string },
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
      const view: Record<string, unknown> = { sku: p.sku, location: p.location, on_hand: p.on_hand, reserved: p.reserved, available: p.available, seq: p.seq };
      // Commerce fields (rules version 4), stored only when non-zero.
      for (const f of COMMERCE_POSITION_FIELDS) if (p[f] !== undefined) view[f] = p[f];
      return view as unknown as Position;
    });
  }

  /** The ledger's state and history from one consistent LevelDB view, in the ledger
   * snapshot format (self-checking chunks) whose first chunk carries a BackupHeader; see
   * restore.ts for the file around them. Records are read from LevelDB as chunks are
   * taken: memory holds one chunk, whatever the ledger's size. */
  async *backupChunks(info: BackupInfo): AsyncIterable<Uint8Array> {
    const commit_index = this.state.commit;
    const view = await this.storage.openSnapshot();
    try {
      const records = ledgerRecords(view)[Symbol.asyncIterator]();
      const { peeked, meta } = await peekMeta(records);
      const header: BackupHeader = {
        kind: BACKUP_HEADER_KIND,
        node_id: this.ids.node_id,
        cluster_id: this.ids.cluster_id,
        applied_index: view.applied.index,
        ledger_index: meta?.log_index ?? 0,
        log_time_ms: meta?.time_ms ?? 0,
        commit_index,
        read_barrier: info.read_barrier ? 1 : 0,
        taken_at_ms: Date.now(),
      };
      async function* all(): AsyncGenerator<SnapshotRecord> {
        yield* peeked;
        // Bounded by the view's records.
        for (;;) {
          const r = await records.next();
          if (r.done === true) return;
          yield r.value;
        }
      }
      yield* snapshotChunksAsync(all(), BACKUP_CHUNK_BYTES, header);
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
