// Projects whole-ledger operations onto single positions, so that each position can be
// checked for linearizability on its own. A multi-line reserve becomes one reserve per
// line; commit, release and extend follow the positions of the reservation they name
// (known from the reserve's arguments). Per-position linearizability is a necessary
// condition of ledger linearizability; cross-position atomicity is checked by invariants.

import type { CommandResult, Line } from '../../src/ledger/types.js';
import { positionKey, type Operation } from '../history.js';
import type { Observation, PosOp } from './position-model.js';

export interface PositionOp {
  /** Operation id in the paired history. */
  readonly op_id: number;
  readonly process: number;
  readonly call_index: number;
  /** Index of the completion record; Infinity when the outcome was learned afterwards
   * (GetOutcome) or never (unknown outcome). */
  readonly return_index: number;
  /** Must the search place this op? False for unknown outcomes: they may never have
   * taken effect. */
  readonly required: boolean;
  readonly op: PosOp;
  readonly obs: Observation;
  readonly label: string;
}

function afterFor(result: CommandResult | undefined, sku: string, location: string): Observation['after'] {
  if (result === undefined || result.code !== 'OK') return null;
  const p = result.positions.find((x) => x.sku === sku && x.location === location);
  return p === undefined ? null : { on_hand: p.on_hand, reserved: p.reserved };
}

function isShort(result: CommandResult | undefined, line: Line): boolean {
  if (result === undefined || result.code !== 'INSUFFICIENT_STOCK') return false;
  return result.short_lines.some((s) => s.sku === line.sku && s.location === line.location);
}

/** Splits operations by position key. Reads and failed-without-result ops are handled
 * here: a `fail` with no result never happened; a read without a value observed nothing. */
export function projectByPosition(ops: readonly Operation[]): Map<string, PositionOp[]> {
  const reservations = new Map<string, readonly Line[]>();
  for (const o of ops) {
    if (o.args.f === 'reserve') reservations.set(o.args.reservation_id, o.args.lines);
  }
  const out = new Map<string, PositionOp[]>();
  const push = (key: string, p: PositionOp): void => {
    let list = out.get(key);
    if (list === undefined) out.set(key, (list = []));
    list.push(p);
  };
  for (const o of ops) {
    const unknown = o.type === 'info';
    if (o.type === 'fail' && o.result === undefined) continue;
    const openEnded = unknown || o.resolved || o.complete === null;
    const base = {
      op_id: o.id,
      process: o.process,
      call_index: o.invoke.index,
      return_index: openEnded ? Infinity : (o.complete as { index: number }).index,
      required: !unknown,
    };
    const cmd = o.result !== undefined && o.result.kind === 'command' ? o.result.result : undefined;
    const code = unknown || cmd === undefined ? null : cmd.code;
    const obsBase: Observation = { code, after: null, short: false, multi_line: false, read: null };
    const a = o.args;
    switch (a.f) {
      case 'read': {
        if (unknown || o.result === undefined || o.result.kind !== 'read') continue;
        const pos = o.result.position;
        push(positionKey(a.sku, a.location), {
          ...base,
          op: { kind: 'read' },
          obs: { ...obsBase, code: 'OK', read: pos === null ? null : { on_hand: pos.on_hand, reserved: pos.reserved } },
          label: `read ${a.sku}@${a.location}`,
        });
        break;
      }
      case 'adjust':
        push(positionKey(a.sku, a.location), {
          ...base,
          op: { kind: 'adjust', delta: a.delta, expected_on_hand: a.expected_on_hand ?? null },
          obs: { ...obsBase, after: afterFor(cmd, a.sku, a.location) },
          label: `adjust ${a.op_id} ${a.delta > 0 ? '+' : ''}${a.delta}`,
        });
        break;
      case 'reserve':
        for (const line of a.lines) {
          push(positionKey(line.sku, line.location), {
            ...base,
            op: { kind: 'reserve', rid: a.reservation_id, quantity: line.quantity },
            obs: {
              ...obsBase,
              after: afterFor(cmd, line.sku, line.location),
              short: isShort(cmd, line),
              multi_line: a.lines.length > 1,
            },
            label: `reserve ${a.reservation_id} ${line.quantity}`,
          });
        }
        break;
      case 'commit':
      case 'release':
      case 'extend': {
        const lines = reservations.get(a.reservation_id);
        if (lines === undefined) continue; // names a reservation nobody tried: nothing to place
        for (const line of lines) {
          let op: PosOp;
          if (a.f === 'commit') {
            let sold: number | null = null;
            if (a.lines !== undefined) {
              sold = a.lines
                .filter((l) => l.sku === line.sku && l.location === line.location)
                .reduce((s, l) => s + l.quantity, 0);
            }
            op = { kind: 'commit', rid: a.reservation_id, sold };
          } else {
            op = { kind: a.f, rid: a.reservation_id };
          }
          push(positionKey(line.sku, line.location), {
            ...base,
            op,
            obs: { ...obsBase, after: afterFor(cmd, line.sku, line.location) },
            label: `${a.f} ${a.op_id} of ${a.reservation_id}`,
          });
        }
        break;
      }
    }
  }
  return out;
}
