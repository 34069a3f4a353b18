// Inventory.Watch: relays the node's applied events to one stream, in log order, each with
// its ordinal within its log index so a caller can resume exactly after the last event it
// received (from_index + skip). A stream that falls too far behind is ended rather than
// buffered without bound. A start at or below the archived mark, or a catch-up the mark
// moved past, ends with OUT_OF_RANGE, reason COMPACTED, naming first_retained_index
// (HistoryCompactedError, mapped in edge.ts): resuming cannot help, so it is not UNAVAILABLE.

import * as grpc from '@grpc/grpc-js';
import type { LedgerEvent } from '../ledger/types.js';
import { HistoryCompactedError, type StockNode, type WatchHandle } from '../node/node-api.js';
import { EdgeStatusError, type StreamOut } from './edge.js';
import * as V from '../wire/validate.js';
import * as M from '../wire/map.js';
import type * as W from '../wire/types.js';
import { WATCH_BUFFER_EVENTS_MAX, WATCH_SKIP_EVENTS_MAX } from './limits.js';

/** Serves one Watch call; resolves when the caller cancels, rejects when the node ends
 * the watch or the stream falls behind. */
export function serveWatch(node: StockNode, req: W.WireWatchRequest, out: StreamOut<W.WireWatchEvent>): Promise<void> {
  const from_index = V.checkInt('from_index', req.from_index, 1, Number.MAX_SAFE_INTEGER);
  const skip = V.checkInt('skip', req.skip, 0, WATCH_SKIP_EVENTS_MAX);
  return new Promise<void>((resolve, reject) => new WatchRelay(from_index, skip, out, resolve, reject).start(node));
}

class WatchRelay {
  private readonly queue: W.WireWatchEvent[] = [];
  private index = -1;
  private ordinal = 0;
  private pumping = false;
  private ended = false;
  private end_error: Error | null = null;
  private handle: WatchHandle | null = null;

  constructor(
    private readonly from_index: number,
    private readonly skip: number,
    private readonly out: StreamOut<W.WireWatchEvent>,
    private readonly resolve: () => void,
    private readonly reject: (err: Error) => void,
  ) {}

  start(node: StockNode): void {
    this.out.onCancel(() => this.end(null));
    this.handle = node.watch(
      this.from_index,
      (event) => this.onEvent(event),
      (err) => this.end(err === null || err instanceof HistoryCompactedError ? err : new EdgeStatusError(grpc.status.UNAVAILABLE, `watch ended by the node: ${err.message}; resume from the last event received`)),
    );
    // The node may end the watch before `watch` returns, when there was no handle to close.
    if (this.ended) this.handle.close();
  }

  private onEvent(event: LedgerEvent): void {
    if (this.ended) return;
    if (event.log_index !== this.index) {
      if (event.log_index < this.index) {
        this.end(new Error(`watch: log index went back from ${this.index} to ${event.log_index}`));
        return;
      }
      this.index = event.log_index;
      this.ordinal = 0;
    } else this.ordinal++;
    if (this.index === this.from_index && this.ordinal < this.skip) return;
    if (this.queue.length >= WATCH_BUFFER_EVENTS_MAX) {
      this.end(new EdgeStatusError(grpc.status.RESOURCE_EXHAUSTED, `watcher fell more than ${WATCH_BUFFER_EVENTS_MAX} events behind: resume from the last event received`));
      return;
    }
    this.queue.push({ event: M.eventToWire(event), ordinal: this.ordinal });
    void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    while (this.queue.length > 0 && !this.out.cancelled()) await this.out.write(this.queue.shift() as W.WireWatchEvent);
    if (this.out.cancelled()) this.queue.length = 0;
    this.pumping = false;
    this.settle();
  }

  private end(err: Error | null): void {
    if (this.ended) return;
    this.ended = true;
    this.end_error = err;
    this.handle?.close();
    this.settle();
  }

  /** Settles the call once it has ended and every queued event went out. */
  private settle(): void {
    if (this.queue.length > 0 || this.pumping || !this.ended) return;
    if (this.end_error === null) this.resolve();
    else this.reject(this.end_error);
  }
}
