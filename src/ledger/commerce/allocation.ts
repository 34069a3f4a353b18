// Allocation of a reserve line across candidate locations (rules version 4). Pure: given
// each candidate's available units, picks deterministically.
//   PRIORITY        candidates in the listed order
//   MOST_AVAILABLE  by available descending, ties by location name ascending
// split=false: the first candidate (in that order) that holds the whole quantity;
// split=true: greedily in that order until the quantity is met.

import type { AllocationStrategy } from '../types.js';

export interface Candidate {
  readonly location: string;
  /** Units the line may take here (0 for a location without the position). */
  readonly available: number;
}

export interface Pick {
  readonly location: string;
  readonly quantity: number;
}

export type AllocationResult =
  | { readonly ok: true; readonly picks: readonly Pick[] }
  /** `available`: the total over the candidates (split) or the best single one. */
  | { readonly ok: false; readonly available: number };

export function orderCandidates(candidates: readonly Candidate[], strategy: AllocationStrategy): Candidate[] {
  if (strategy === 'PRIORITY') return [...candidates];
  return [...candidates].sort((a, b) => b.available - a.available || (a.location < b.location ? -1 : a.location > b.location ? 1 : 0));
}

export function allocate(candidates: readonly Candidate[], quantity: number, strategy: AllocationStrategy, split: boolean): AllocationResult {
  const ordered = orderCandidates(candidates, strategy);
  if (!split) {
    let best = 0;
    for (const c of ordered) {
      if (c.available >= quantity) return { ok: true, picks: [{ location: c.location, quantity }] };
      if (c.available > best) best = c.available;
    }
    return { ok: false, available: best };
  }
  const picks: Pick[] = [];
  let left = quantity;
  let total = 0;
  for (const c of ordered) {
    total += c.available;
    if (left === 0 || c.available === 0) continue;
    const take = Math.min(left, c.available);
    picks.push({ location: c.location, quantity: take });
    left -= take;
  }
  return left === 0 ? { ok: true, picks } : { ok: false, available: total };
}
