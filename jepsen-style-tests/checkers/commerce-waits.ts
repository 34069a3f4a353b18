// Wait-lists: grants in arrival order per position. The final event history is the
// ledger's own record of each queue: WAIT appends a reservation, GRANT must take the head,
// and RELEASE / WAIT_EXPIRE / EXPIRE of a waiting reservation takes it out. Arrival order
// must also respect real time: a reserve that was answered WAITING before another waiting
// reserve was sent is ahead of it. Every reserve answered WAITING has its WAIT event.
// A WAIT_EXPIRE takes out a reservation that is waiting, and not before its wait ran out:
// the WAIT event's entry time plus the wait_ms the reserve asked for.

import type { LedgerEvent } from '../../src/ledger/types.js';
import { positionKey, type Operation } from '../history.js';
import type { AnomalyList } from './anomaly.js';
import { completeMs, okView } from './commerce-facts.js';

const LEAVE_KINDS: ReadonlySet<LedgerEvent['kind']> = new Set(['RELEASE', 'WAIT_EXPIRE', 'EXPIRE']);

function eventsByPosition(events: readonly LedgerEvent[]): Map<string, LedgerEvent[]> {
  const out = new Map<string, LedgerEvent[]>();
  for (const e of events) {
    const k = positionKey(e.sku, e.location);
    const list = out.get(k) ?? [];
    list.push(e);
    out.set(k, list);
  }
  return out;
}

interface QueueReplay {
  readonly arrivals: Map<string, Map<string, number>>;
  readonly grants: number;
  readonly wait_expiries: number;
}

/** Replays each position's queue; returns the WAIT event order per position. `wait_ms_by_id`
 * is the wait each reserve asked for (reservation id -> wait_ms). */
function replayQueues(events: readonly LedgerEvent[], wait_ms_by_id: ReadonlyMap<string, number>, out: AnomalyList): QueueReplay {
  const arrivals = new Map<string, Map<string, number>>();
  let grants = 0;
  let wait_expiries = 0;
  for (const [k, list] of eventsByPosition(events)) {
    const queue: string[] = [];
    const order = new Map<string, number>();
    const joined_ms = new Map<string, number>();
    arrivals.set(k, order);
    for (const e of list) {
      const kind = e.kind;
      const rid = e.reservation_id;
      if (kind === 'WAIT') {
        if (order.has(rid)) out.add({ kind: 'wait-order', position: k, op_id: rid, detail: `reservation ${rid} joined the queue twice (seq ${e.seq})` });
        order.set(rid, order.size);
        joined_ms.set(rid, e.time_ms);
        queue.push(rid);
      } else if (kind === 'WAIT_EXPIRE') {
        wait_expiries++;
        const wait_ms = wait_ms_by_id.get(rid);
        const joined = joined_ms.get(rid);
        if (!queue.includes(rid)) {
          out.add({ kind: 'wait-order', position: k, op_id: rid, detail: `WAIT_EXPIRE of ${rid} (seq ${e.seq}) which was not waiting` });
        } else if (wait_ms !== undefined && joined !== undefined && e.time_ms < joined + wait_ms) {
          out.add({ kind: 'wait-order', position: k, op_id: rid, detail: `WAIT_EXPIRE of ${rid} (seq ${e.seq}) at ${e.time_ms} ms, before its wait ran out at ${joined + wait_ms} ms (joined ${joined} ms, wait_ms ${wait_ms})` });
        }
        if (queue.includes(rid)) queue.splice(queue.indexOf(rid), 1);
      } else if (kind === 'GRANT') {
        grants++;
        if (queue[0] !== rid) {
          const where = queue.indexOf(rid);
          out.add({ kind: 'wait-order', position: k, op_id: rid, detail: `GRANT of ${rid} (seq ${e.seq}) ${where < 0 ? 'which was not waiting' : `at queue place ${where + 1}`} while ${queue[0] ?? 'nobody'} was the head` });
        }
        if (queue.includes(rid)) queue.splice(queue.indexOf(rid), 1);
      } else if (LEAVE_KINDS.has(kind) && queue.includes(rid)) {
        queue.splice(queue.indexOf(rid), 1);
      }
    }
  }
  return { arrivals, grants, wait_expiries };
}

/** Waiting reserves per position (the single line of a waiting reserve names it). */
function waiters(ops: readonly Operation[]): Map<string, Operation[]> {
  const out = new Map<string, Operation[]>();
  for (const o of ops) {
    const v = okView(o);
    if (o.args.f !== 'reserve' || v === null || v.state !== 'WAITING' || v.lines.length !== 1) continue;
    const k = positionKey(v.lines[0].sku, v.lines[0].location);
    const list = out.get(k) ?? [];
    list.push(o);
    out.set(k, list);
  }
  return out;
}

/** The wait_ms each reserve asked for, by reservation id. */
function waitsAsked(ops: readonly Operation[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const o of ops) if (o.args.f === 'reserve' && o.args.wait_ms !== undefined) out.set(o.args.reservation_id, o.args.wait_ms);
  return out;
}

export function checkWaitLists(ops: readonly Operation[], events: readonly LedgerEvent[] | null, out: AnomalyList): { waiting: number; grants: number; wait_expiries: number } {
  const byPos = waiters(ops);
  let waiting = 0;
  for (const list of byPos.values()) waiting += list.length;
  if (events === null) return { waiting, grants: 0, wait_expiries: 0 };
  const { arrivals, grants, wait_expiries } = replayQueues(events, waitsAsked(ops), out);
  for (const [k, list] of byPos) {
    const order = arrivals.get(k) ?? new Map<string, number>();
    const rid = (o: Operation): string => (o.args.f === 'reserve' ? o.args.reservation_id : '');
    for (const o of list) {
      if (!order.has(rid(o))) out.add({ kind: 'wait-order', position: k, op_id: rid(o), detail: `reserve op ${o.id} was answered WAITING but ${k} has no WAIT event for it` });
    }
    // Real-time order: a answered before b was sent must be ahead of b.
    const sorted = [...list].sort((a, b) => completeMs(a) - completeMs(b));
    for (const a of sorted) {
      for (const b of list) {
        if (a === b || !(completeMs(a) < b.invoke.time_ms)) continue;
        const ia = order.get(rid(a));
        const ib = order.get(rid(b));
        if (ia !== undefined && ib !== undefined && ia > ib) {
          out.add({ kind: 'wait-order', position: k, op_id: rid(b), detail: `${rid(a)} was answered WAITING before ${rid(b)} was sent, yet queued behind it` });
        }
      }
    }
  }
  return { waiting, grants, wait_expiries };
}
