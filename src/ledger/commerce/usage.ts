// Per-customer usage of SKUs with a customer limit (rules version 4): for each (sku,
// customer) the reservations that count against the limit (WAITING and PENDING with their
// units, COMMITTED with the units sold), with their creation time. A reservation is
// tracked only when its SKU had a limit at reserve time. Entries older than the window go
// when the pair is next written; with no window (for ever) they stay.

import type { KvWrite } from '../types.js';
import { usageKey, type UsageEntry, type UsageRecord } from './records.js';

export class UsageTable {
  private readonly by_key = new Map<string, UsageRecord>();

  /** Units counted for the pair at time now_ms under window_ms (0: for ever). */
  used(sku: string, customer_id: string, now_ms: number, window_ms: number): number {
    const r = this.by_key.get(usageKey(sku, customer_id));
    if (r === undefined) return 0;
    let used = 0;
    for (const [, created_ms, units] of r.entries) if (window_ms === 0 || created_ms > now_ms - window_ms) used += units;
    return used;
  }

  /** Sets the units of a reservation (0 removes it), dropping entries out of the window. */
  set(writes: KvWrite[], sku: string, customer_id: string, reservation_id: string, created_ms: number, units: number, now_ms: number, window_ms: number): void {
    const key = usageKey(sku, customer_id);
    const old = this.by_key.get(key);
    const entries: UsageEntry[] = [];
    let found = false;
    for (const e of old?.entries ?? []) {
      if (e[0] === reservation_id) {
        found = true;
        if (units > 0) entries.push([e[0], e[1], units]);
      } else if (window_ms === 0 || e[1] > now_ms - window_ms) entries.push(e);
    }
    if (!found && units > 0) entries.push([reservation_id, created_ms, units]);
    if (entries.length === 0) {
      if (old === undefined) return;
      this.by_key.delete(key);
      writes.push({ type: 'del', sublevel: 'state', key });
      return;
    }
    const rec: UsageRecord = { v: 1, sku, customer_id, entries };
    this.by_key.set(key, rec);
    writes.push({ type: 'put', sublevel: 'state', key, value: rec });
  }

  /** Whether the pair tracks this reservation. */
  has(sku: string, customer_id: string, reservation_id: string): boolean {
    const r = this.by_key.get(usageKey(sku, customer_id));
    return r !== undefined && r.entries.some((e) => e[0] === reservation_id);
  }

  load(key: string, rec: UsageRecord): void {
    this.by_key.set(key, rec);
  }

  records(): IterableIterator<[string, UsageRecord]> {
    return this.by_key.entries();
  }
}
