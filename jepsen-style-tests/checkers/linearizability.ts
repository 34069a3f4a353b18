// Linearizability of each position's history, by a Wing-Gong-Lowe search: walk the
// history's call/return entries in real-time order; at a call, try to linearize the op now
// (apply it to the sequential model and lift it out of the list); at a return whose op is
// not yet linearized, backtrack. Configurations (linearized set + model state) already
// explored are memoized, which makes the search polynomial on typical histories.
//
// Operations with an unknown outcome have no return entry: they may be linearized at any
// point after their call, or never. Operations whose outcome was learned after the run
// (GetOutcome) have their return at +infinity: they must be linearized, at any time after
// their call.
//
// A bound on steps and wall time turns an unfinished search into "unknown", never "valid".

import { seededU32 } from '../../src/util/rng.js';
import { PositionModel, type Undo } from './position-model.js';
import type { PositionOp } from './projection.js';

export type LinVerdict = true | false | 'unknown';

export interface PositionLinResult {
  readonly position: string;
  readonly valid: LinVerdict;
  readonly ops: number;
  readonly steps: number;
  readonly cache_entries: number;
  /** When invalid: the op whose return could not be reached, and the ops linearized
   * furthest into the history before the search gave up. */
  readonly stuck_at?: string;
  readonly linearized_prefix?: readonly string[];
  readonly reason?: string;
}

export interface LinBounds {
  readonly steps_max: number;
  readonly time_ms_max: number;
}

export const DEFAULT_LIN_BOUNDS: LinBounds = { steps_max: 20_000_000, time_ms_max: 60_000 };

interface Node {
  readonly isCall: boolean;
  readonly op: PositionOp;
  readonly opIndex: number;
  /** For a call: its return entry (null when the op has none). */
  match: Node | null;
  prev: Node | null;
  next: Node | null;
}


function buildList(ops: readonly PositionOp[]): Node {
  const entries: { at: number; tie: number; node: Node }[] = [];
  ops.forEach((op, opIndex) => {
    const call: Node = { isCall: true, op, opIndex, match: null, prev: null, next: null };
    entries.push({ at: op.call_index, tie: 0, node: call });
    if (op.required) {
      const ret: Node = { isCall: false, op, opIndex, match: null, prev: null, next: null };
      call.match = ret;
      // Returns at +infinity keep their relative call order at the end of the list.
      entries.push({ at: op.return_index, tie: op.call_index, node: ret });
    }
  });
  entries.sort((x, y) => (x.at === y.at ? x.tie - y.tie : x.at - y.at));
  const head: Node = { isCall: false, op: ops[0], opIndex: -1, match: null, prev: null, next: null };
  let prev = head;
  for (const e of entries) {
    prev.next = e.node;
    e.node.prev = prev;
    prev = e.node;
  }
  return head;
}

function lift(call: Node): void {
  call.prev!.next = call.next;
  if (call.next !== null) call.next.prev = call.prev;
  const ret = call.match;
  if (ret !== null) {
    ret.prev!.next = ret.next;
    if (ret.next !== null) ret.next.prev = ret.prev;
  }
}

function unlift(call: Node): void {
  const ret = call.match;
  if (ret !== null) {
    ret.prev!.next = ret;
    if (ret.next !== null) ret.next.prev = ret;
  }
  call.prev!.next = call;
  if (call.next !== null) call.next.prev = call;
}

/** Checks one position. `exact` memoizes on exact keys (slower, more memory); the default
 * hashes the linearized set and reservation states to 64 bits. */
export function checkPosition(
  position: string,
  ops: readonly PositionOp[],
  bounds: LinBounds = DEFAULT_LIN_BOUNDS,
  exact = false,
): PositionLinResult {
  if (ops.length === 0) return { position, valid: true, ops: 0, steps: 0, cache_entries: 0 };
  const head = buildList(ops);
  const rnd = seededU32(0x51ed270b); // per-op Zobrist words, the same every run
  const z1 = new Uint32Array(ops.length);
  const z2 = new Uint32Array(ops.length);
  for (let i = 0; i < ops.length; i++) {
    z1[i] = rnd();
    z2[i] = rnd();
  }
  const linearized = new Uint8Array(ops.length);
  let b1 = 0;
  let b2 = 0;
  let requiredLeft = ops.filter((o) => o.required).length;
  const model = new PositionModel();
  const cache = new Set<string>();
  const stack: { node: Node; undo: Undo }[] = [];
  let bestDepth = 0;
  let best: string[] = [];
  let stuckDepth = -1;
  let stuck: PositionOp | null = null;
  let steps = 0;
  const started = Date.now();
  let entry: Node | null = head.next;

  const setKey = (): string => {
    if (!exact) return `${b1}:${b2}|${model.key(false)}`;
    let bits = '';
    for (let i = 0; i < linearized.length; i += 4) {
      bits += ((linearized[i] | (linearized[i + 1] << 1) | (linearized[i + 2] << 2) | (linearized[i + 3] << 3)) & 15).toString(16);
    }
    return `${bits}|${model.key(true)}`;
  };
  const flip = (i: number): void => {
    linearized[i] ^= 1;
    b1 = (b1 ^ z1[i]) >>> 0;
    b2 = (b2 ^ z2[i]) >>> 0;
  };

  while (requiredLeft > 0) {
    if (++steps > bounds.steps_max || ((steps & 1023) === 0 && Date.now() - started > bounds.time_ms_max)) {
      return {
        position,
        valid: 'unknown',
        ops: ops.length,
        steps,
        cache_entries: cache.size,
        reason: `search bound hit: steps_max ${bounds.steps_max}, time_ms_max ${bounds.time_ms_max}`,
      };
    }
    if (entry === null) {
      // Every required op has a return entry that the walk reaches before the end.
      throw new Error(`linearizability: walk ended with ${requiredLeft} required ops unplaced at ${position}`);
    }
    if (entry.isCall) {
      const undo = model.apply(entry.op.op, entry.op.obs);
      if (undo !== null) {
        flip(entry.opIndex);
        const key = setKey();
        if (!cache.has(key)) {
          cache.add(key);
          stack.push({ node: entry, undo });
          if (entry.op.required) requiredLeft--;
          lift(entry);
          if (stack.length > bestDepth) {
            bestDepth = stack.length;
            best = stack.slice(-20).map((s) => s.node.op.label);
          }
          entry = head.next;
          continue;
        }
        flip(entry.opIndex);
        model.undo(undo);
      }
      entry = entry.next;
    } else {
      // A return of an op not yet linearized: the current order cannot work. Remember the
      // one met deepest into the search: that is where the history stops making sense.
      if (stack.length > stuckDepth) {
        stuckDepth = stack.length;
        stuck = entry.op;
      }
      const top = stack.pop();
      if (top === undefined) {
        const at = stuck ?? entry.op;
        return {
          position,
          valid: false,
          ops: ops.length,
          steps,
          cache_entries: cache.size,
          stuck_at: at.label,
          linearized_prefix: best,
          reason: `no linearization places ${at.label} (op ${at.op_id}, process ${at.process}) before its return; furthest order tried ends: ${best.join(', ')}`,
        };
      }
      model.undo(top.undo);
      flip(top.node.opIndex);
      if (top.node.op.required) requiredLeft++;
      unlift(top.node);
      entry = top.node.next;
    }
  }
  return { position, valid: true, ops: ops.length, steps, cache_entries: cache.size };
}

/** Checks every position independently. A hashed-memo "invalid" is confirmed with exact
 * memoization (the hash can only err towards invalid); if that search hits its bound the
 * position is "unknown". */
export function checkLinearizability(
  byPosition: ReadonlyMap<string, readonly PositionOp[]>,
  bounds: LinBounds = DEFAULT_LIN_BOUNDS,
): { valid: LinVerdict; positions: PositionLinResult[] } {
  const positions: PositionLinResult[] = [];
  for (const [key, ops] of [...byPosition.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    let r = checkPosition(key, ops, bounds, false);
    if (r.valid === false) {
      const confirmed = checkPosition(key, ops, bounds, true);
      r = confirmed.valid === true ? confirmed : confirmed.valid === 'unknown' ? confirmed : r;
    }
    positions.push(r);
  }
  const valid: LinVerdict = positions.some((p) => p.valid === false)
    ? false
    : positions.some((p) => p.valid === 'unknown')
      ? 'unknown'
      : true;
  return { valid, positions };
}
