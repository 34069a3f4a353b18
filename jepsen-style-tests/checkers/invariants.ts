// Ledger invariants over a whole run: what every read and every event must satisfy, what
// the final state must equal given the operations that were acknowledged, and that every
// node ends with the same history.

import type { CommandResult, LedgerEvent, Line, Position } from '../../src/ledger/types.js';
import { positionKey, type FinalState, type Operation } from '../history.js';
import { AnomalyList, type Anomaly } from './anomaly.js';

export interface InvariantReport {
  readonly valid: boolean | 'unknown';
  readonly anomalies: readonly Anomaly[];
  readonly anomaly_counts: Record<string, number>;
  /** Why some checks could not run (e.g. no final state). */
  readonly skipped: readonly string[];
}

function checkQuantities(p: { on_hand: number; reserved: number }, where: string, position: string, out: AnomalyList): void {
  if (p.on_hand - p.reserved < 0 || p.reserved < 0) {
    out.add({ kind: 'negative-available', position, detail: `${where}: on_hand ${p.on_hand}, reserved ${p.reserved}` });
  }
  if (p.reserved > p.on_hand) {
    out.add({ kind: 'reserved-above-on-hand', position, detail: `${where}: reserved ${p.reserved} > on_hand ${p.on_hand}` });
  }
}

function commandResult(o: Operation): CommandResult | undefined {
  return o.result !== undefined && o.result.kind === 'command' ? o.result.result : undefined;
}

/** Units a commit sold per position: what the result reports, else what the call asked,
 * else the whole reservation. */
function soldLines(o: Operation, reservations: ReadonlyMap<string, readonly Line[]>): readonly Line[] {
  if (o.args.f !== 'commit') return [];
  const r = commandResult(o);
  if (r !== undefined && r.code === 'OK' && r.reservation !== null && r.reservation.committed_lines.length > 0) {
    return r.reservation.committed_lines;
  }
  return o.args.lines ?? reservations.get(o.args.reservation_id) ?? [];
}

interface Range {
  lo: number;
  hi: number;
}

function bump(m: Map<string, Range>, key: string, sure: boolean, delta: number): void {
  let r = m.get(key);
  if (r === undefined) m.set(key, (r = { lo: 0, hi: 0 }));
  if (sure) {
    r.lo += delta;
    r.hi += delta;
  } else if (delta < 0) {
    r.lo += delta;
  } else {
    r.hi += delta;
  }
}

export interface InvariantOptions {
  /** Workloads with short TTLs expect EXPIRED answers (checkers/expiry.ts judges them);
   * the others use TTLs longer than any run, so one is an anomaly. */
  readonly expiry_expected: boolean;
}

export function checkInvariants(ops: readonly Operation[], final: FinalState | null, options: InvariantOptions = { expiry_expected: false }): InvariantReport {
  const out = new AnomalyList();
  const skipped: string[] = [];
  const reservations = new Map<string, readonly Line[]>();
  for (const o of ops) if (o.args.f === 'reserve') reservations.set(o.args.reservation_id, o.args.lines);

  // 1. Every value a client saw.
  for (const o of ops) {
    if (o.result?.kind === 'read' && o.result.position !== null) {
      const p = o.result.position;
      checkQuantities(p, `read by process ${o.process} (op ${o.id})`, positionKey(p.sku, p.location), out);
    }
    const r = commandResult(o);
    if (r !== undefined && r.code === 'OK') {
      for (const p of r.positions) checkQuantities(p, `result of op ${o.id}`, positionKey(p.sku, p.location), out);
    }
    if (r !== undefined && r.code === 'RESERVATION_EXPIRED' && !options.expiry_expected) {
      out.add({ kind: 'unexpected-expiry', op_id: opLabel(o), detail: `op ${o.id} saw an expired reservation; runs use TTLs longer than the run` });
    }
  }

  // 2. Settled twice, as acknowledged to clients: a reservation both committed and released.
  const settled = new Map<string, Operation>();
  for (const o of ops) {
    if ((o.args.f === 'commit' || o.args.f === 'release') && o.type === 'ok') {
      const prev = settled.get(o.args.reservation_id);
      if (prev !== undefined) {
        out.add({
          kind: 'settled-twice',
          op_id: o.args.reservation_id,
          detail: `reservation ${o.args.reservation_id} acknowledged ${prev.args.f} (op ${prev.id}) and ${o.args.f} (op ${o.id})`,
        });
      } else {
        settled.set(o.args.reservation_id, o);
      }
    }
  }

  // 3. Oversell as acknowledged to clients: units sold per SKU never exceed units received
  //    by adjusts that were acknowledged or may have applied.
  const soldBySku = new Map<string, number>();
  const receivedBySku = new Map<string, number>();
  for (const o of ops) {
    if (o.args.f === 'adjust' && o.args.delta > 0 && (o.type === 'ok' || o.type === 'info')) {
      receivedBySku.set(o.args.sku, (receivedBySku.get(o.args.sku) ?? 0) + o.args.delta);
    }
    if (o.args.f === 'commit' && o.type === 'ok') {
      for (const l of soldLines(o, reservations)) soldBySku.set(l.sku, (soldBySku.get(l.sku) ?? 0) + l.quantity);
    }
  }
  for (const [sku, sold] of soldBySku) {
    const received = receivedBySku.get(sku) ?? 0;
    if (sold > received) {
      out.add({ kind: 'oversell', detail: `SKU ${sku}: acknowledged commits sold ${sold} units, at most ${received} were received` });
    }
  }

  if (final === null || final.nodes.length === 0) {
    skipped.push('no final state: conservation, exactly-once, event and head-hash checks skipped');
    return finish(out, skipped);
  }

  // Admin events (membership changes, transfers, snapshots: the membership nemesis makes
  // them) are not ledger operations and never count toward exactly-once, conservation or
  // a position's chain. Position histories do not carry them; the filter keeps it so.
  const nodes = final.nodes.map((n) => ({ ...n, events: n.events.filter((e) => (e as { kind: string }).kind !== 'ADMIN') }));

  // 4. Nodes agree.
  const ref = nodes[0];
  for (const n of nodes.slice(1)) {
    if (n.head_hash !== ref.head_hash) {
      out.add({ kind: 'head-hash-mismatch', node: n.id, detail: `node ${n.id} head ${n.head_hash} (applied ${n.applied_index}) != node ${ref.id} head ${ref.head_hash} (applied ${ref.applied_index})` });
    }
    compareEvents(ref, n, out);
  }

  // 5. Each position's event chain, and events against acknowledged operations.
  for (const n of nodes) checkEventChains(n.id, n.events, out);
  checkEventsAgainstOps(ops, ref.events, reservations, out);
  checkConservation(ops, ref.positions, ref.events, reservations, out);
  return finish(out, skipped);
}

/** Nodes agree (head hash, every position's events) and each position's chain holds
 * (seq, prev_hash, deltas); quantity bounds are left to the workload's own checker (the
 * commerce workload's backorders make reserved > on_hand legitimate). */
export function checkAgreement(final: FinalState, out: AnomalyList): void {
  const nodes = final.nodes.map((n) => ({ ...n, events: n.events.filter((e) => (e as { kind: string }).kind !== 'ADMIN') }));
  const ref = nodes[0];
  if (ref === undefined) return;
  for (const n of nodes.slice(1)) {
    if (n.head_hash !== ref.head_hash) {
      out.add({ kind: 'head-hash-mismatch', node: n.id, detail: `node ${n.id} head ${n.head_hash} (applied ${n.applied_index}) != node ${ref.id} head ${ref.head_hash} (applied ${ref.applied_index})` });
    }
    compareEvents(ref, n, out);
  }
  for (const n of nodes) checkEventChains(n.id, n.events, out, false);
}

function finish(out: AnomalyList, skipped: string[]): InvariantReport {
  return {
    valid: out.total > 0 ? false : skipped.length > 0 ? 'unknown' : true,
    anomalies: out.items,
    anomaly_counts: out.countsObject(),
    skipped,
  };
}

function opLabel(o: Operation): string {
  const a = o.args;
  if (a.f === 'reserve') return a.reservation_id;
  if (a.f === 'read' || a.f === 'get-reservation') return `${a.f}#${o.id}`;
  return a.op_id;
}

function eventsByPosition(events: readonly LedgerEvent[]): Map<string, LedgerEvent[]> {
  const m = new Map<string, LedgerEvent[]>();
  for (const e of events) {
    const k = positionKey(e.sku, e.location);
    let l = m.get(k);
    if (l === undefined) m.set(k, (l = []));
    l.push(e);
  }
  for (const l of m.values()) l.sort((a, b) => a.seq - b.seq);
  return m;
}

function compareEvents(a: FinalStateNode, b: FinalStateNode, out: AnomalyList): void {
  const ea = eventsByPosition(a.events);
  const eb = eventsByPosition(b.events);
  for (const k of new Set([...ea.keys(), ...eb.keys()])) {
    const la = ea.get(k) ?? [];
    const lb = eb.get(k) ?? [];
    const n = Math.min(la.length, lb.length);
    for (let i = 0; i < n; i++) {
      if (la[i].hash !== lb[i].hash) {
        out.add({ kind: 'history-mismatch', position: k, node: b.id, detail: `seq ${la[i].seq}: node ${a.id} hash ${la[i].hash}, node ${b.id} hash ${lb[i].hash}` });
        break;
      }
    }
    if (la.length !== lb.length) {
      out.add({ kind: 'history-mismatch', position: k, node: b.id, detail: `node ${a.id} has ${la.length} events, node ${b.id} has ${lb.length}` });
    }
  }
}

type FinalStateNode = FinalState['nodes'][number];

function checkEventChains(node: string, events: readonly LedgerEvent[], out: AnomalyList, quantities = true): void {
  for (const [k, list] of eventsByPosition(events)) {
    let prev: LedgerEvent | null = null;
    for (const e of list) {
      const expectSeq = prev === null ? 1 : prev.seq + 1;
      if (e.seq !== expectSeq) out.add({ kind: 'event-chain', node, position: k, detail: `seq ${e.seq} where ${expectSeq} expected` });
      const expectPrev = prev === null ? '' : prev.hash;
      if (e.prev_hash !== expectPrev) out.add({ kind: 'event-chain', node, position: k, detail: `seq ${e.seq} prev_hash ${e.prev_hash} != ${expectPrev}` });
      const baseOnHand = prev === null ? 0 : prev.on_hand;
      const baseReserved = prev === null ? 0 : prev.reserved;
      if (e.on_hand !== baseOnHand + e.delta_on_hand || e.reserved !== baseReserved + e.delta_reserved) {
        out.add({ kind: 'event-chain', node, position: k, detail: `seq ${e.seq}: quantities ${e.on_hand}/${e.reserved} do not follow from the previous event and the deltas` });
      }
      if (quantities) checkQuantities(e, `event seq ${e.seq} on node ${node}`, k, out);
      prev = e;
    }
  }
}

/** The event kind and matching rule for an operation's effect on one position. */
function expectedEvents(o: Operation, reservations: ReadonlyMap<string, readonly Line[]>): { kind: LedgerEvent['kind']; key: string; position: string }[] {
  const a = o.args;
  switch (a.f) {
    case 'read':
    case 'get-reservation':
      return [];
    case 'adjust':
      return [{ kind: 'ADJUST', key: a.op_id, position: positionKey(a.sku, a.location) }];
    case 'reserve':
      return a.lines.map((l) => ({ kind: 'RESERVE' as const, key: a.reservation_id, position: positionKey(l.sku, l.location) }));
    case 'commit':
    case 'release':
    case 'extend': {
      const kind = a.f === 'commit' ? 'COMMIT' : a.f === 'release' ? 'RELEASE' : 'EXTEND';
      return (reservations.get(a.reservation_id) ?? []).map((l) => ({ kind, key: a.op_id, position: positionKey(l.sku, l.location) }));
    }
    default:
      // Commerce commands: checkers/commerce.ts matches them to their events.
      return [];
  }
}

function eventKey(e: LedgerEvent): string {
  // A reserve's op id is its reservation id.
  const id = e.kind === 'RESERVE' ? e.reservation_id || e.op_id : e.op_id;
  return `${e.kind}|${id}|${positionKey(e.sku, e.location)}`;
}

function checkEventsAgainstOps(
  ops: readonly Operation[],
  events: readonly LedgerEvent[],
  reservations: ReadonlyMap<string, readonly Line[]>,
  out: AnomalyList,
): void {
  const count = new Map<string, number>();
  for (const e of events) {
    if (e.kind === 'EXPIRE') continue;
    const k = eventKey(e);
    count.set(k, (count.get(k) ?? 0) + 1);
  }
  for (const [k, n] of count) {
    if (n > 1) {
      const [kind, id, position] = k.split('|');
      out.add({ kind: 'double-apply', op_id: id, position, detail: `${kind} of ${id} appears ${n} times in the event history of ${position}` });
    }
  }
  for (const o of ops) {
    for (const ex of expectedEvents(o, reservations)) {
      const n = count.get(`${ex.kind}|${ex.key}|${ex.position}`) ?? 0;
      if (o.type === 'ok' && n === 0) {
        out.add({ kind: 'lost-write', op_id: ex.key, position: ex.position, detail: `acknowledged ${o.args.f} ${ex.key} (op ${o.id}) has no ${ex.kind} event on ${ex.position}` });
      }
      if (o.type === 'fail' && n > 0) {
        out.add({ kind: 'failed-op-applied', op_id: ex.key, position: ex.position, detail: `${o.args.f} ${ex.key} (op ${o.id}) ended in fail${o.resolved ? ' (resolved by GetOutcome)' : ''} but has a ${ex.kind} event on ${ex.position}` });
      }
    }
  }
  // Reservation life cycle per position: RESERVE, EXTEND*, then at most one final event.
  const life = new Map<string, LedgerEvent[]>();
  for (const e of [...events].sort((a, b) => a.log_index - b.log_index || a.seq - b.seq)) {
    if (e.kind === 'ADJUST' || e.reservation_id === '') continue;
    const k = `${e.reservation_id}|${positionKey(e.sku, e.location)}`;
    let l = life.get(k);
    if (l === undefined) life.set(k, (l = []));
    l.push(e);
  }
  for (const [k, list] of life) {
    let final: LedgerEvent | null = null;
    for (const e of list) {
      if (final !== null) {
        out.add({ kind: 'event-after-final', op_id: e.reservation_id, position: k.split('|')[1], detail: `reservation ${e.reservation_id}: ${e.kind} (seq ${e.seq}) after ${final.kind} (seq ${final.seq})` });
      }
      if (e.kind === 'COMMIT' || e.kind === 'RELEASE' || e.kind === 'EXPIRE') final = e;
    }
  }
}

function checkConservation(
  ops: readonly Operation[],
  positions: readonly Position[],
  events: readonly LedgerEvent[],
  reservations: ReadonlyMap<string, readonly Line[]>,
  out: AnomalyList,
): void {
  const onHand = new Map<string, Range>();
  const reserved = new Map<string, Range>();
  const settledSure = new Set<string>();
  const settledMaybe = new Set<string>();
  for (const o of ops) {
    if ((o.args.f === 'commit' || o.args.f === 'release') && (o.type === 'ok' || o.type === 'info')) {
      (o.type === 'ok' ? settledSure : settledMaybe).add(o.args.reservation_id);
    }
  }
  // Reservations that expired (not expected, reported elsewhere) are treated as settled.
  for (const e of events) if (e.kind === 'EXPIRE') settledSure.add(e.reservation_id);
  for (const o of ops) {
    if (o.type !== 'ok' && o.type !== 'info') continue;
    const sure = o.type === 'ok';
    const a = o.args;
    if (a.f === 'adjust') bump(onHand, positionKey(a.sku, a.location), sure, a.delta);
    if (a.f === 'commit') for (const l of soldLines(o, reservations)) bump(onHand, positionKey(l.sku, l.location), sure, -l.quantity);
    if (a.f === 'reserve') {
      const stillHeld = !settledSure.has(a.reservation_id) && !settledMaybe.has(a.reservation_id);
      for (const l of a.lines) {
        const k = positionKey(l.sku, l.location);
        if (settledSure.has(a.reservation_id)) bump(reserved, k, true, 0);
        else bump(reserved, k, sure && stillHeld, l.quantity);
      }
    }
  }
  const seen = new Set<string>();
  for (const p of positions) {
    const k = positionKey(p.sku, p.location);
    seen.add(k);
    const oh = onHand.get(k) ?? { lo: 0, hi: 0 };
    const rs = reserved.get(k) ?? { lo: 0, hi: 0 };
    if (p.on_hand < oh.lo || p.on_hand > oh.hi) {
      out.add({ kind: 'conservation', position: k, detail: `final on_hand ${p.on_hand}, acknowledged operations allow ${oh.lo}..${oh.hi}` });
    }
    if (p.reserved < rs.lo || p.reserved > rs.hi) {
      out.add({ kind: 'conservation', position: k, detail: `final reserved ${p.reserved}, acknowledged operations allow ${rs.lo}..${rs.hi}` });
    }
  }
  for (const [k, oh] of onHand) {
    if (!seen.has(k) && oh.lo > 0) {
      out.add({ kind: 'conservation', position: k, detail: `position missing from the final state; acknowledged operations put at least ${oh.lo} on hand` });
    }
  }
}
