// The history format: one JSON object per line in history.jsonl. Every client operation is
// an `invoke` record followed by exactly one completion from the same process:
//   ok   - the operation took effect (result code OK, or a read that returned a value);
//   fail - the operation certainly did not take effect (a business refusal such as
//          INSUFFICIENT_STOCK, which still tells the checkers what the node saw, or a call
//          refused before anything was proposed);
//   info - the outcome is unknown (timeout, connection lost, leader change).
// The nemesis writes `info` records with process 'nemesis' when a fault starts and ends;
// the resolver writes `ok` records with process 'resolver' carrying GetOutcome answers for
// operations that ended in `info`.

import type { CommandResult, LedgerEvent, Line, Position, ReservationView, ResultCode } from '../src/ledger/types.js';

export type CompletionType = 'ok' | 'fail' | 'info';
export type RecordType = 'invoke' | CompletionType;

/** A reserve line that lets the ledger choose the location (commerce workload). */
export interface AllocationArgs {
  readonly sku: string;
  readonly locations: readonly string[];
  readonly quantity: number;
  readonly strategy: 'PRIORITY' | 'MOST_AVAILABLE';
  readonly split: boolean;
}

export type OpArgs =
  | {
      readonly f: 'reserve';
      readonly reservation_id: string;
      readonly lines: readonly Line[];
      readonly ttl_ms: number;
      /** Commerce workload only (rules version 4). */
      readonly customer_id?: string;
      readonly backorder?: boolean;
      readonly wait_ms?: number;
      readonly allocations?: readonly AllocationArgs[];
    }
  | { readonly f: 'commit'; readonly op_id: string; readonly reservation_id: string; readonly lines?: readonly Line[] }
  | { readonly f: 'release'; readonly op_id: string; readonly reservation_id: string }
  | { readonly f: 'extend'; readonly op_id: string; readonly reservation_id: string; readonly ttl_ms: number }
  | {
      readonly f: 'adjust';
      readonly op_id: string;
      readonly sku: string;
      readonly location: string;
      readonly delta: number;
      readonly expected_on_hand?: number;
    }
  | { readonly f: 'read'; readonly sku: string; readonly location: string }
  /** GetReservation, linearizable (the expiry workload's way to watch a deadline pass). */
  | { readonly f: 'get-reservation'; readonly reservation_id: string }
  // The commerce workload's commands (rules version 4).
  | { readonly f: 'set-position-policy'; readonly op_id: string; readonly sku: string; readonly location: string; readonly backorder_limit: number; readonly low_stock_threshold: number }
  | { readonly f: 'set-sku-policy'; readonly op_id: string; readonly sku: string; readonly customer_limit: number; readonly customer_window_ms: number }
  | { readonly f: 'transfer'; readonly op_id: string; readonly sku: string; readonly from_location: string; readonly to_location: string; readonly quantity: number }
  | { readonly f: 'receive-transfer'; readonly op_id: string; readonly transfer_id: string; readonly received: number }
  | { readonly f: 'count'; readonly op_id: string; readonly sku: string; readonly location: string; readonly counted: number };

export type OpName = OpArgs['f'];

/** What a completion carries: the ledger's answer for commands, the position for reads. */
export type OpResult =
  | { readonly kind: 'command'; readonly result: CommandResult }
  | { readonly kind: 'read'; readonly position: Position | null }
  | { readonly kind: 'reservation'; readonly view: ReservationView | null };

export interface ClientRecord {
  readonly index: number;
  readonly type: RecordType;
  readonly process: number;
  /** Milliseconds since the run started, from the harness's monotonic clock: the real
   * time of the record, immune to wall-clock steps (results.json's started_wall_ms maps it
   * to wall time). Invoke is recorded before the call is sent, completion after the
   * answer arrives, so [invoke, complete] always contains the operation's effect. */
  readonly time_ms: number;
  readonly op: OpName;
  readonly args: OpArgs;
  readonly result?: OpResult;
  /** Transport error text for `fail` without a result and for `info`. */
  readonly error?: string;
  /** Node the call was sent to. */
  readonly node?: string;
}

export type NemesisPhase = 'start' | 'end';

export interface NemesisRecord {
  readonly index: number;
  readonly type: 'info';
  readonly process: 'nemesis';
  readonly time_ms: number;
  readonly op: 'nemesis';
  readonly args: { readonly name: string; readonly phase: NemesisPhase; readonly detail: string };
  /** After this change: could some node still reach a majority of voters (itself included)
   * through working links, with all of them running? */
  readonly majority_connected: boolean;
}

/** The answer of GetOutcome(op id) for an operation that ended in `info`. */
export type Resolution =
  | { readonly found: true; readonly result: CommandResult }
  | { readonly found: false };

export interface ResolveRecord {
  readonly index: number;
  readonly type: 'ok';
  readonly process: 'resolver';
  readonly time_ms: number;
  readonly op: 'outcome';
  readonly args: { readonly op_id: string };
  readonly result: Resolution;
}

export type HistoryRecord = ClientRecord | NemesisRecord | ResolveRecord;

/** Final state read from every node after the run. */
export interface NodeFinalState {
  readonly id: string;
  readonly head_hash: string;
  readonly applied_index: number;
  readonly positions: readonly Position[];
  /** Every event of every position the workload used, in seq order per position. */
  readonly events: readonly LedgerEvent[];
}

export interface FinalState {
  readonly nodes: readonly NodeFinalState[];
}

export function isClient(r: HistoryRecord): r is ClientRecord {
  return typeof r.process === 'number';
}

export function opIdOf(args: OpArgs): string | null {
  switch (args.f) {
    case 'reserve':
      return args.reservation_id;
    case 'read':
    case 'get-reservation':
      return null;
    default:
      return args.op_id;
  }
}

export function positionKey(sku: string, location: string): string {
  return `${sku}@${location}`;
}

export function resultCode(r: OpResult | undefined): ResultCode | null {
  return r !== undefined && r.kind === 'command' ? r.result.code : null;
}

/** An invoke paired with its completion (absent if the run ended first: treated as info). */
export interface Operation {
  readonly id: number;
  readonly process: number;
  readonly args: OpArgs;
  readonly invoke: ClientRecord;
  readonly complete: ClientRecord | null;
  /** Completion type after resolution: an info resolved by GetOutcome becomes ok/fail
   * (but its time interval stays open-ended). */
  readonly type: CompletionType;
  readonly result: OpResult | undefined;
  readonly resolved: boolean;
}

const PAIR_LIMIT = 5_000_000;

/** Pairs invocations with completions and applies GetOutcome resolutions. Throws on a
 * malformed history (a completion without invoke, a process with two open calls). */
export function pairOperations(history: readonly HistoryRecord[]): Operation[] {
  if (history.length > PAIR_LIMIT) {
    throw new Error(`history: ${history.length} records exceeds limit ${PAIR_LIMIT}`);
  }
  const open = new Map<number, ClientRecord>();
  const done: { invoke: ClientRecord; complete: ClientRecord | null }[] = [];
  const resolutions = new Map<string, Resolution>();
  let lastIndex = -1;
  for (const r of history) {
    if (r.index <= lastIndex) throw new Error(`history: record index ${r.index} not above ${lastIndex}`);
    lastIndex = r.index;
    if (r.process === 'resolver') {
      resolutions.set(r.args.op_id, r.result);
      continue;
    }
    if (!isClient(r)) continue;
    if (r.type === 'invoke') {
      if (open.has(r.process)) throw new Error(`history: process ${r.process} invoked twice without completion (index ${r.index})`);
      open.set(r.process, r);
    } else {
      const inv = open.get(r.process);
      if (inv === undefined) throw new Error(`history: ${r.type} at index ${r.index} for process ${r.process} without invoke`);
      if (inv.op !== r.op) throw new Error(`history: completion op ${r.op} does not match invoke op ${inv.op} (index ${r.index})`);
      open.delete(r.process);
      done.push({ invoke: inv, complete: r });
    }
  }
  for (const inv of open.values()) done.push({ invoke: inv, complete: null });
  done.sort((a, b) => a.invoke.index - b.invoke.index);
  return done.map(({ invoke, complete }, id) => {
    let type: CompletionType = complete === null ? 'info' : (complete.type as CompletionType);
    let result = complete?.result;
    let resolved = false;
    const opId = opIdOf(invoke.args);
    if (type === 'info' && opId !== null) {
      const res = resolutions.get(opId);
      if (res !== undefined) {
        resolved = true;
        if (res.found) {
          type = res.result.code === 'OK' ? 'ok' : 'fail';
          result = { kind: 'command', result: res.result };
        } else {
          type = 'fail';
          result = undefined;
        }
      }
    }
    return { id, process: invoke.process, args: invoke.args, invoke, complete, type, result, resolved };
  });
}

export function parseHistory(text: string): HistoryRecord[] {
  const out: HistoryRecord[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    try {
      out.push(JSON.parse(line) as HistoryRecord);
    } catch (e) {
      throw new Error(`history.jsonl line ${i + 1}: ${(e as Error).message}`);
    }
  }
  return out;
}
