// Watch streams: every event applied at log index >= a start, first from storage and then
// live, in order, with no gaps and no repeats.
//
// Each event has a storage key (log index, ordinal) that orders all events. A watcher
// remembers the last key it delivered. While it catches up from storage, live events are
// buffered (bounded); when a storage page comes back short, the buffer is drained past the
// last delivered key and the watcher goes live. A live watcher whose buffer overflows, or
// any watcher after the node installed a snapshot, falls back to catching up from
// storage, so slowness costs re-reads, never memory or gaps.
//
// History retention deletes events at or below the archived mark, and the mark moves up in
// memory (applied) before anything at or below it is deleted (the prune entries and the
// Watch record trimming both follow it). So a page read from storage is complete iff the
// first index the watcher still needs is above the mark read after the page: otherwise the
// watcher ends with HistoryCompactedError (never a silent gap, never "corrupt data dir"
// for a record retention dropped under the reader). A watcher whose last event is at the
// mark's own index ends too: later events of that index may be gone.

import type { LedgerEvent } from '../ledger/types.js';
import { HistoryCompactedError, type WatchHandle } from './node-api.js';

export interface KeyedEvent {
  readonly key: string;
  readonly event: LedgerEvent;
}

export interface EventSource {
  /** Events with key > after_key (or from `from_index` when after_key is null), in key
   * order, at most `limit`. */
  readEvents(from_index: number, after_key: string | null, limit: number): Promise<KeyedEvent[]>;
  /** The archived mark now: events at or below it may be pruned (0: none). */
  archivedThroughIndex(): number;
}

export const WATCH_PAGE_EVENTS = 1000;
export const WATCH_BUFFER_EVENTS_MAX = 10_000;
export const WATCHERS_MAX = 1024;

class Watcher implements WatchHandle {
  last_key: string | null = null;
  /** Log index of the last delivered event (meaningful once last_key is set). */
  last_index = 0;
  live = false;
  reading = false;
  closed = false;
  buffer: KeyedEvent[] = [];
  overflowed = false;

  constructor(
    private readonly hub: WatchHub,
    readonly from_index: number,
    readonly onEvent: (e: LedgerEvent) => void,
    readonly onEnd: (err: Error | null) => void,
  ) {}

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.buffer = [];
    this.hub.remove(this);
  }

  deliver(k: KeyedEvent): void {
    if (this.last_key !== null && k.key <= this.last_key) return;
    if (this.last_key === null && k.event.log_index < this.from_index) return;
    this.last_key = k.key;
    this.last_index = k.event.log_index;
    this.onEvent(k.event);
  }

  /** The first log index this watcher may still need from storage. */
  neededIndex(): number {
    return this.last_key === null ? this.from_index : this.last_index;
  }
}

export class WatchHub {
  private readonly watchers = new Set<Watcher>();

  constructor(private readonly source: EventSource) {}

  get count(): number {
    return this.watchers.size;
  }

  watch(from_index: number, onEvent: (e: LedgerEvent) => void, onEnd: (err: Error | null) => void): WatchHandle {
    if (!Number.isSafeInteger(from_index) || from_index < 0) throw new Error(`from_index must be a non-negative integer, got ${from_index}`);
    const mark = this.source.archivedThroughIndex();
    if (mark > 0 && from_index <= mark) throw new HistoryCompactedError(from_index, mark);
    if (this.watchers.size >= WATCHERS_MAX) throw new Error(`watch streams on this node: limit ${WATCHERS_MAX} reached`);
    const w = new Watcher(this, from_index, onEvent, onEnd);
    this.watchers.add(w);
    this.catchUp(w);
    return w;
  }

  remove(w: Watcher): void {
    this.watchers.delete(w);
  }

  /** Live events, after they are durably written (in key order). */
  publish(events: readonly KeyedEvent[]): void {
    if (events.length === 0) return;
    for (const w of this.watchers) {
      if (w.closed) continue;
      if (w.live) {
        for (const k of events) w.deliver(k);
        continue;
      }
      if (w.buffer.length + events.length > WATCH_BUFFER_EVENTS_MAX) {
        // Too far behind to buffer: forget the buffer, storage has everything.
        w.buffer = [];
        w.overflowed = true;
        continue;
      }
      for (const k of events) w.buffer.push(k);
    }
  }

  /** The node replaced its state (snapshot install): every watcher re-reads storage. */
  resync(): void {
    for (const w of this.watchers) {
      w.live = false;
      w.buffer = [];
      this.catchUp(w);
    }
  }

  private catchUp(w: Watcher): void {
    if (w.reading || w.closed) return;
    w.reading = true;
    w.live = false;
    void this.readLoop(w).catch((err: unknown) => {
      w.closed = true;
      this.watchers.delete(w);
      w.onEnd(err instanceof Error ? err : new Error(String(err)));
    });
  }

  private async readLoop(w: Watcher): Promise<void> {
    // Bounded by the events in storage: each page advances last_key or ends the loop.
    for (;;) {
      if (w.closed) return;
      w.buffer = [];
      w.overflowed = false;
      let page: KeyedEvent[];
      try {
        page = await this.source.readEvents(w.from_index, w.last_key, WATCH_PAGE_EVENTS);
      } catch (err) {
        if (w.closed) return;
        // A record retention deleted while the page was read is compaction, not damage.
        this.checkRetained(w);
        throw err;
      }
      if (w.closed) return;
      this.checkRetained(w);
      for (const k of page) w.deliver(k);
      if (page.length < WATCH_PAGE_EVENTS) {
        // Everything written before this read began is delivered; events written since
        // were published into the buffer (unless it overflowed: then read again).
        if (w.overflowed) continue;
        const buffered = w.buffer;
        w.buffer = [];
        for (const k of buffered) w.deliver(k);
        w.live = true;
        w.reading = false;
        return;
      }
    }
  }

  /** Throws HistoryCompactedError when events w still needs may have been pruned. */
  private checkRetained(w: Watcher): void {
    const mark = this.source.archivedThroughIndex();
    if (mark > 0 && w.neededIndex() <= mark) throw new HistoryCompactedError(w.neededIndex(), mark);
  }

  /** The node is closing: every stream ends. */
  closeAll(err: Error | null): void {
    for (const w of [...this.watchers]) {
      w.closed = true;
      this.watchers.delete(w);
      w.onEnd(err);
    }
  }
}
