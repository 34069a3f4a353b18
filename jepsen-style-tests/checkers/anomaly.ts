// One finding of a checker. `kind` is a stable name a report can group by.

export type AnomalyKind =
  | 'non-linearizable'
  | 'negative-available'
  | 'reserved-above-on-hand'
  | 'oversell'
  | 'conservation'
  | 'lost-write'
  | 'double-apply'
  | 'failed-op-applied'
  | 'settled-twice'
  | 'event-after-final'
  | 'event-chain'
  | 'head-hash-mismatch'
  | 'history-mismatch'
  | 'unexpected-expiry'
  /** Expiry workload: seen EXPIRED before its deadline minus the skew bound. */
  | 'early-expiry'
  /** Expiry workload: still PENDING well after its deadline while a majority was up. */
  | 'late-expiry'
  /** Expiry workload: a view or refusal reports values that do not fit the reservation. */
  | 'expiry-report-mismatch'
  /** A node process exited without being told to. */
  | 'node-crash'
  /** The cluster did not converge after the faults were healed. */
  | 'no-convergence'
  /** Commerce: a position's backordered units above its backorder limit, or units held
   * beyond what the position has on hand. */
  | 'backorder-limit'
  /** Commerce: a customer certainly held more units of a SKU than its limit. */
  | 'customer-limit'
  /** Commerce: a CUSTOMER_LIMIT refusal reports values the history does not allow. */
  | 'customer-limit-report'
  /** Commerce: a wait-list granted out of arrival order, or arrival order against real time. */
  | 'wait-order'
  /** Commerce: a position or event reports derived values that do not follow from it. */
  | 'commerce-report-mismatch';

export interface Anomaly {
  readonly kind: AnomalyKind;
  readonly detail: string;
  readonly position?: string;
  readonly op_id?: string;
  readonly node?: string;
}

/** Reports are bounded: beyond this many anomalies of one kind only the count grows. */
export const ANOMALIES_PER_KIND_MAX = 50;

export class AnomalyList {
  readonly items: Anomaly[] = [];
  readonly counts = new Map<AnomalyKind, number>();

  add(a: Anomaly): void {
    const n = (this.counts.get(a.kind) ?? 0) + 1;
    this.counts.set(a.kind, n);
    if (n <= ANOMALIES_PER_KIND_MAX) this.items.push(a);
  }

  get total(): number {
    let t = 0;
    for (const n of this.counts.values()) t += n;
    return t;
  }

  countsObject(): Record<string, number> {
    return Object.fromEntries([...this.counts.entries()].sort());
  }
}
