// A sequential model of ONE position (one SKU at one location) and the reservations that
// hold stock on it. The linearizability search feeds it operations projected onto the
// position; `apply` either accepts the operation with its observed outcome (returning an
// undo record, so the search can backtrack without copying state) or refuses it.
//
// Expiry is not modelled: workloads use reservation TTLs far longer than a run (and clock
// jumps of seconds), so an EXPIRED answer is an anomaly.

import type { ResultCode } from '../../src/ledger/types.js';

export type ResState = 'PENDING' | 'COMMITTED' | 'RELEASED';

/** What one operation observed on this position. `code: null` means the outcome is
 * unknown: the operation is applied only if it would succeed (not applying it at all is
 * the other possibility, which the search covers by never linearizing it). */
export interface Observation {
  readonly code: ResultCode | null;
  /** For OK commands: this position's quantities right after the operation, if reported. */
  readonly after: { readonly on_hand: number; readonly reserved: number } | null;
  /** Reserve refused with INSUFFICIENT_STOCK: was THIS line named short? */
  readonly short: boolean;
  /** The reservation spanned more than this position (a refusal may be about another). */
  readonly multi_line: boolean;
  /** Reads: the value returned (null = position not found). */
  readonly read: { readonly on_hand: number; readonly reserved: number } | null;
}

export type PosOp =
  | { readonly kind: 'adjust'; readonly delta: number; readonly expected_on_hand: number | null }
  | { readonly kind: 'reserve'; readonly rid: string; readonly quantity: number }
  /** sold: units leaving on_hand on this position (a partial commit sells less). */
  | { readonly kind: 'commit'; readonly rid: string; readonly sold: number | null }
  | { readonly kind: 'release'; readonly rid: string }
  | { readonly kind: 'extend'; readonly rid: string }
  | { readonly kind: 'read' };

interface Held {
  readonly quantity: number;
  state: ResState;
}

export type Undo =
  | { readonly t: 'none' }
  | { readonly t: 'qty'; readonly on_hand: number; readonly reserved: number; readonly exists: boolean }
  | { readonly t: 'res-add'; readonly rid: string; readonly reserved: number }
  | { readonly t: 'res-state'; readonly rid: string; readonly prev: ResState; readonly on_hand: number; readonly reserved: number };

const STATE_CODE: Record<ResState, ResultCode> = {
  PENDING: 'OK',
  COMMITTED: 'RESERVATION_COMMITTED',
  RELEASED: 'RESERVATION_RELEASED',
};

/** 32-bit FNV-1a with a seed, for order-independent (XOR) hashing of reservation states. */
function fnv(s: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export class PositionModel {
  exists = false;
  on_hand = 0;
  reserved = 0;
  private readonly held = new Map<string, Held>();
  private h1 = 0;
  private h2 = 0;

  /** A key equal for equal states when `exact`; otherwise a compact key whose reservation
   * part is a 64-bit hash (a collision can only make the search miss an order, i.e. err
   * towards "not linearizable", which the caller then confirms exactly). */
  key(exact: boolean): string {
    const base = `${this.exists ? 1 : 0},${this.on_hand},${this.reserved}`;
    if (!exact) return `${base},${this.h1},${this.h2}`;
    const parts = [...this.held.entries()].map(([rid, h]) => `${rid}=${h.state}`).sort();
    return `${base},${parts.join(';')}`;
  }

  private toggle(rid: string, state: ResState): void {
    const s = `${rid}\u0000${state}`;
    this.h1 = (this.h1 ^ fnv(s, 0x9e3779b9)) >>> 0;
    this.h2 = (this.h2 ^ fnv(s, 0x85ebca6b)) >>> 0;
  }

  /** Applies op with its observation, or returns null when this state cannot produce it. */
  apply(op: PosOp, obs: Observation): Undo | null {
    switch (op.kind) {
      case 'read':
        if (obs.read === null) return this.exists ? null : { t: 'none' };
        return this.exists && obs.read.on_hand === this.on_hand && obs.read.reserved === this.reserved ? { t: 'none' } : null;
      case 'adjust':
        return this.adjust(op.delta, op.expected_on_hand, obs);
      case 'reserve':
        return this.reserve(op.rid, op.quantity, obs);
      case 'commit':
      case 'release':
      case 'extend':
        return this.settle(op, obs);
    }
  }

  private afterMatches(obs: Observation): boolean {
    return obs.after === null || (obs.after.on_hand === this.on_hand && obs.after.reserved === this.reserved);
  }

  private adjust(delta: number, expected: number | null, obs: Observation): Undo | null {
    const possible: ResultCode[] = [];
    if (expected !== null && (!this.exists || expected !== this.on_hand)) possible.push('ON_HAND_MISMATCH');
    if (delta < 0 && !this.exists) possible.push('POSITION_NOT_FOUND', 'INSUFFICIENT_STOCK');
    if (delta < 0 && this.exists && this.on_hand + delta - this.reserved < 0) possible.push('INSUFFICIENT_STOCK');
    const succeeds = possible.length === 0;
    if (obs.code === null) {
      if (!succeeds) return null;
    } else if (obs.code === 'OK') {
      if (!succeeds) return null;
    } else {
      return possible.includes(obs.code) ? { t: 'none' } : null;
    }
    const undo: Undo = { t: 'qty', on_hand: this.on_hand, reserved: this.reserved, exists: this.exists };
    this.on_hand += delta;
    this.exists = true;
    if (!this.afterMatches(obs)) {
      this.undo(undo);
      return null;
    }
    return undo;
  }

  private reserve(rid: string, quantity: number, obs: Observation): Undo | null {
    if (this.held.has(rid)) {
      // A second reserve with the same id is a replay or a conflict: never a new hold.
      return obs.code === null || obs.code === 'OK' || obs.code === 'ALREADY_EXISTS_DIFFERENT' ? { t: 'none' } : null;
    }
    const available = this.on_hand - this.reserved;
    const fits = this.exists && available >= quantity;
    if (obs.code === 'INSUFFICIENT_STOCK') {
      if (obs.short) return fits ? null : { t: 'none' };
      // Refused because of another line: this one must have fitted (all lines are checked).
      return fits ? { t: 'none' } : null;
    }
    if (obs.code === 'POSITION_NOT_FOUND') {
      if (obs.multi_line) return { t: 'none' };
      return this.exists ? null : { t: 'none' };
    }
    if (obs.code !== null && obs.code !== 'OK') {
      // Any other refusal of a reserve (e.g. INVALID_ARGUMENT) changes nothing here.
      return obs.multi_line ? { t: 'none' } : null;
    }
    if (!fits) return null;
    this.held.set(rid, { quantity, state: 'PENDING' });
    this.toggle(rid, 'PENDING');
    const undo: Undo = { t: 'res-add', rid, reserved: this.reserved };
    this.reserved += quantity;
    if (!this.afterMatches(obs)) {
      this.undo(undo);
      return null;
    }
    return undo;
  }

  private settle(
    op: { readonly kind: 'commit'; readonly sold: number | null; readonly rid: string } | { readonly kind: 'release' | 'extend'; readonly rid: string },
    obs: Observation,
  ): Undo | null {
    const h = this.held.get(op.rid);
    const code: ResultCode = h === undefined ? 'RESERVATION_NOT_FOUND' : STATE_CODE[h.state];
    if (obs.code !== null && obs.code !== 'OK') {
      if (op.kind === 'commit' && obs.code === 'QUANTITY_EXCEEDS_RESERVED') {
        return h !== undefined && h.state === 'PENDING' && op.sold !== null && op.sold > h.quantity ? { t: 'none' } : null;
      }
      return obs.code === code ? { t: 'none' } : null;
    }
    if (h === undefined || h.state !== 'PENDING') return null;
    if (op.kind === 'extend') return this.afterMatches(obs) ? { t: 'none' } : null;
    const sold = op.kind === 'commit' ? (op.sold ?? h.quantity) : 0;
    if (sold > h.quantity) return null;
    const undo: Undo = { t: 'res-state', rid: op.rid, prev: h.state, on_hand: this.on_hand, reserved: this.reserved };
    const next: ResState = op.kind === 'commit' ? 'COMMITTED' : 'RELEASED';
    this.toggle(op.rid, h.state);
    this.toggle(op.rid, next);
    h.state = next;
    this.on_hand -= sold;
    this.reserved -= h.quantity;
    if (!this.afterMatches(obs)) {
      this.undo(undo);
      return null;
    }
    return undo;
  }

  undo(u: Undo): void {
    switch (u.t) {
      case 'none':
        return;
      case 'qty':
        this.on_hand = u.on_hand;
        this.reserved = u.reserved;
        this.exists = u.exists;
        return;
      case 'res-add':
        this.toggle(u.rid, 'PENDING');
        this.held.delete(u.rid);
        this.reserved = u.reserved;
        return;
      case 'res-state': {
        const h = this.held.get(u.rid);
        if (h === undefined) throw new Error(`position model: undo of unknown reservation ${u.rid}`);
        this.toggle(u.rid, h.state);
        this.toggle(u.rid, u.prev);
        h.state = u.prev;
        this.on_hand = u.on_hand;
        this.reserved = u.reserved;
        return;
      }
    }
  }
}
