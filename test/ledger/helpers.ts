// Shared fixtures for the ledger tests: command builders, a driver that applies entries
// with increasing log indexes, and an in-memory stand-in for the two LevelDB sublevels
// that applies the KvWrites exactly as the node would.

import { Ledger, type LedgerOptions } from '../../src/ledger/ledger.js';
import { fingerprintKey } from '../../src/ledger/fingerprint.js';
import { OUTCOME_PREFIX } from '../../src/ledger/keys.js';
import type { OutcomeRecord } from '../../src/ledger/records.js';
import type { ApplyOutput, Command, CommandResult, KvWrite, LedgerEvent, Line } from '../../src/ledger/types.js';

export class MemStore {
  readonly state = new Map<string, unknown>();
  readonly history = new Map<string, unknown>();
  /** Outcomes past the dedup window (the 'outcomes' sublevel). */
  readonly outcomes = new Map<string, unknown>();

  write(writes: readonly KvWrite[]): void {
    for (const w of writes) {
      const m = w.sublevel === 'state' ? this.state : w.sublevel === 'history' ? this.history : this.outcomes;
      if (w.type === 'put') m.set(w.key, w.value);
      else m.delete(w.key);
    }
  }

  /** The state records exactly as written, in key order (what a restart reads). */
  rawStateEntries(): [string, unknown][] {
    return [...this.state].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  /** The same, with each outcome's fingerprint in its digest form, as
   * Ledger.stateEntries() reports it (the ledger keeps only the digest), for comparisons. */
  stateEntries(): [string, unknown][] {
    return this.rawStateEntries().map(([k, v]) => {
      if (!k.startsWith(OUTCOME_PREFIX)) return [k, v];
      const o = v as OutcomeRecord;
      const rec = { result: o.result, fp: o.fp.startsWith('[') ? fingerprintKey(o.fp) : o.fp, at_ms: o.at_ms };
      return [k, o.at_index === undefined ? rec : { ...rec, at_index: o.at_index }];
    });
  }

  historyEvents(): LedgerEvent[] {
    return [...this.history].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((e) => e[1] as LedgerEvent);
  }

  /** The sublevels as snapshot records: state, history, then archived outcomes, each in
   * key order. */
  records(): [('state' | 'history' | 'outcomes'), string, unknown][] {
    const sorted = (m: Map<string, unknown>): [string, unknown][] => [...m].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return [
      ...this.rawStateEntries().map(([k, v]) => ['state', k, v] as ['state', string, unknown]),
      ...sorted(this.history).map(([k, v]) => ['history', k, v] as ['history', string, unknown]),
      ...sorted(this.outcomes).map(([k, v]) => ['outcomes', k, v] as ['outcomes', string, unknown]),
    ];
  }
}

/** A ledger with its store, applying one entry per call at increasing log indexes. */
export class Driver {
  readonly store = new MemStore();
  log_index = 0;
  /** Rules version the next entries name (undefined: none, i.e. version 1). */
  rules_version: number | undefined = undefined;
  constructor(public ledger: Ledger = new Ledger()) {
    this.log_index = ledger.lastLogIndex();
  }

  static withOptions(options: LedgerOptions): Driver {
    return new Driver(new Ledger(options));
  }

  entry(time_ms: number, commands: readonly Command[]): ApplyOutput {
    const entry = this.rules_version === undefined ? { time_ms, commands } : { time_ms, commands, rules_version: this.rules_version };
    const out = this.ledger.apply(++this.log_index, entry);
    this.store.write(out.writes);
    return out;
  }

  one(time_ms: number, command: Command): CommandResult {
    return this.entry(time_ms, [command]).results[0];
  }
}

/** Raises the cluster version to 3 (history retention, rules.ts). */
export const raise3: Command = { kind: 'admin', op_id: 'cv-3', action: 'cluster_version', principal: 'ops', target: '3', detail: '' };

export const line = (sku: string, location: string, quantity: number): Line => ({ sku, location, quantity });

export const adjust = (op_id: string, sku: string, location: string, delta: number, expected_on_hand?: number): Command =>
  expected_on_hand === undefined
    ? { kind: 'adjust', op_id, sku, location, delta, reason: 'count', reference: 'ref-1' }
    : { kind: 'adjust', op_id, sku, location, delta, reason: 'count', reference: 'ref-1', expected_on_hand };

export const reserve = (reservation_id: string, lines: Line[], ttl_ms = 60_000, order_ref = 'order-1'): Command => ({
  kind: 'reserve',
  reservation_id,
  lines,
  ttl_ms,
  order_ref,
});

export const commit = (op_id: string, reservation_id: string, lines?: Line[]): Command =>
  lines === undefined ? { kind: 'commit', op_id, reservation_id } : { kind: 'commit', op_id, reservation_id, lines };

export const release = (op_id: string, reservation_id: string, reason = 'cancelled'): Command => ({ kind: 'release', op_id, reservation_id, reason });

export const extend = (op_id: string, reservation_id: string, ttl_ms: number): Command => ({ kind: 'extend', op_id, reservation_id, ttl_ms });

/** Seeded xorshift32 so a failing property run replays exactly. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = (seed >>> 0) || 0x12345678;
  }
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }
  int(n: number): number {
    return this.next() % n;
  }
  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)];
  }
}
