// Builds histories for the checker self-tests, record by record, with a monotonic clock.

import type { CommandResult, DetailCode, LedgerEvent, Position } from '../../src/ledger/types.js';
import type { ClientRecord, HistoryRecord, OpArgs, OpResult, Resolution } from '../../jepsen-style-tests/history.js';

export class HistoryBuilder {
  readonly records: HistoryRecord[] = [];
  private readonly open = new Map<number, OpArgs>();
  private t = 0;

  private next(): { index: number; time_ms: number } {
    this.t += 1;
    return { index: this.records.length, time_ms: this.t };
  }

  invoke(process: number, args: OpArgs): this {
    if (this.open.has(process)) throw new Error(`builder: process ${process} already has an open call`);
    this.open.set(process, args);
    const r: ClientRecord = { ...this.next(), type: 'invoke', process, op: args.f, args };
    this.records.push(r);
    return this;
  }

  private complete(process: number, type: 'ok' | 'fail' | 'info', result?: OpResult, error?: string): this {
    const args = this.open.get(process);
    if (args === undefined) throw new Error(`builder: process ${process} has no open call`);
    this.open.delete(process);
    const r: ClientRecord = { ...this.next(), type, process, op: args.f, args, ...(result ? { result } : {}), ...(error ? { error } : {}) };
    this.records.push(r);
    return this;
  }

  ok(process: number, result: OpResult): this {
    return this.complete(process, 'ok', result);
  }

  fail(process: number, result?: OpResult): this {
    return this.complete(process, 'fail', result, result === undefined ? 'UNAVAILABLE' : undefined);
  }

  info(process: number): this {
    return this.complete(process, 'info', undefined, 'DEADLINE_EXCEEDED');
  }

  /** invoke + ok in one step (a call with no concurrency). */
  call(process: number, args: OpArgs, result: OpResult): this {
    return this.invoke(process, args).ok(process, result);
  }

  nemesis(name: string, phase: 'start' | 'end', majority_connected: boolean, at_ms?: number): this {
    const n = this.next();
    if (at_ms !== undefined) this.t = Math.max(this.t, at_ms);
    this.records.push({
      index: n.index,
      time_ms: at_ms ?? n.time_ms,
      type: 'info',
      process: 'nemesis',
      op: 'nemesis',
      args: { name, phase, detail: '' },
      majority_connected,
    });
    return this;
  }

  resolve(op_id: string, result: Resolution): this {
    this.records.push({ ...this.next(), type: 'ok', process: 'resolver', op: 'outcome', args: { op_id }, result });
    return this;
  }

  /** Moves the clock forward (for availability tests). */
  wait(ms: number): this {
    this.t += ms;
    return this;
  }
}

export function pos(sku: string, location: string, on_hand: number, reserved: number): Position {
  return { sku, location, on_hand, reserved, available: on_hand - reserved, seq: 0 };
}

export function okCmd(positions: Position[] = []): OpResult {
  return { kind: 'command', result: { code: 'OK', replay: false, positions, reservation: null } };
}

export function refused(code: DetailCode): OpResult {
  return { kind: 'command', result: { code, replay: false, detail: code } };
}

export function short(sku: string, location: string, requested: number, available: number): OpResult {
  return { kind: 'command', result: { code: 'INSUFFICIENT_STOCK', replay: false, short_lines: [{ sku, location, requested, available }] } };
}

export function readOf(p: Position | null): OpResult {
  return { kind: 'read', position: p };
}

export function cmdResult(r: OpResult): CommandResult {
  if (r.kind !== 'command') throw new Error('builder: not a command result');
  return r.result;
}

/** Builds a consistent hash-chained event list for one position from (kind, op, deltas). */
export function chain(
  sku: string,
  location: string,
  steps: { kind: LedgerEvent['kind']; op_id: string; reservation_id?: string; d_on_hand: number; d_reserved: number }[],
): LedgerEvent[] {
  const out: LedgerEvent[] = [];
  let on_hand = 0;
  let reserved = 0;
  let prev = '';
  steps.forEach((s, i) => {
    on_hand += s.d_on_hand;
    reserved += s.d_reserved;
    const hash = `h-${sku}-${i + 1}-${s.op_id}`;
    out.push({
      sku,
      location,
      seq: i + 1,
      log_index: 10 + i,
      time_ms: 1000 + i,
      kind: s.kind,
      op_id: s.op_id,
      reservation_id: s.reservation_id ?? '',
      delta_on_hand: s.d_on_hand,
      delta_reserved: s.d_reserved,
      on_hand,
      reserved,
      prev_hash: prev,
      hash,
    });
    prev = hash;
  });
  return out;
}
