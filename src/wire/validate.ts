// Turns incoming wire requests into ledger commands and read arguments, refusing anything
// outside the limits of src/wire/limits.ts with an EdgeError that names the field, the limit and the
// value. Nothing that fails here reaches the node.

import type { Command, Line } from '../ledger/types.js';
import type {
  WireAdjust,
  WireCommit,
  WireEnum,
  WireExtend,
  WireLine,
  WireOp,
  WireRelease,
  WireReserve,
} from './types.js';
import * as L from './limits.js';
import { ADDRESS_BYTES_MAX, NODE_ID_BYTES_MAX, addressProblem, nameProblem } from './names.js';
import { validateCommand } from '../ledger/validate.js';
import * as C from './validate-commerce.js';
import type { WireCount, WireReceiveTransfer, WireSetPositionPolicy, WireSetSkuPolicy, WireStockTransfer } from './types.js';

export class EdgeError extends Error {
  constructor(
    readonly field: string,
    readonly limit: string,
    readonly value: string,
  ) {
    super(`invalid ${field}: ${limit}, got ${value}`);
    this.name = 'EdgeError';
  }
}

const SHOWN_CHARS_MAX = 80;

/** A value as it appears in an error message: quoted, cut short, control chars escaped. */
export function shown(value: unknown): string {
  let text: string;
  if (typeof value === 'string') text = JSON.stringify(value);
  else if (value === undefined) text = 'nothing';
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > SHOWN_CHARS_MAX ? `${text.slice(0, SHOWN_CHARS_MAX)}... (${text.length} chars)` : text;
}

function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

export function checkString(field: string, value: unknown, min_bytes: number, max_bytes: number): string {
  if (typeof value !== 'string') throw new EdgeError(field, 'must be a string', shown(value));
  const n = byteLength(value);
  if (n < min_bytes || n > max_bytes) {
    throw new EdgeError(field, `must be ${min_bytes}..${max_bytes} bytes`, `${n} bytes ${shown(value)}`);
  }
  return value;
}

export function checkId(field: string, value: unknown): string {
  const s = checkString(field, value, 1, L.ID_BYTES_MAX);
  if (!L.ID_PATTERN.test(s)) throw new EdgeError(field, 'must be printable ASCII without spaces', shown(s));
  return s;
}

export function checkSku(field: string, value: unknown): string {
  const s = checkString(field, value, 1, L.SKU_BYTES_MAX);
  if (!L.KEY_PATTERN.test(s)) throw new EdgeError(field, 'must match [A-Za-z0-9._:/-]', shown(s));
  return s;
}

export function checkLocation(field: string, value: unknown): string {
  const s = checkString(field, value, 1, L.LOCATION_BYTES_MAX);
  if (!L.KEY_PATTERN.test(s)) throw new EdgeError(field, 'must match [A-Za-z0-9._:/-]', shown(s));
  return s;
}

export function checkText(field: string, value: unknown): string {
  return checkString(field, value, 0, L.TEXT_BYTES_MAX);
}

/** How the server's loader hands over an int64 (SERVER_PROTO_LOADER_OPTIONS: longs as
 * String): an optional minus and decimal digits, nothing else. */
const INT64_DECIMAL = /^-?[0-9]+$/;
/** Digits beyond any int64 (19 digits and a sign): longer text is refused without parsing. */
const INT64_DECIMAL_CHARS_MAX = 20;

/** An integer field within min..max (both safe integers). Takes a number (the SDK, uint32
 * fields) or the exact decimal string of an int64 as the server decodes it, so a refusal
 * names the value the caller sent, never a rounded one (2^53 + 1 stays ...993). */
export function checkInt(field: string, value: unknown, min: number, max: number): number {
  const refuse = (shown_value: string): EdgeError => new EdgeError(field, `must be an integer in ${min}..${max}`, shown_value);
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < min || value > max) throw refuse(shown(value));
    return value;
  }
  if (typeof value !== 'string' || value.length > INT64_DECIMAL_CHARS_MAX || !INT64_DECIMAL.test(value)) throw refuse(shown(value));
  const exact = BigInt(value);
  // An int64 is shown as the caller's number (no quotes), in its canonical decimal form.
  if (exact < BigInt(min) || exact > BigInt(max)) throw refuse(exact.toString());
  return Number(exact);
}

export function checkQuantity(field: string, value: unknown): number {
  return checkInt(field, value, 1, L.QUANTITY_MAX);
}

export function checkTtl(field: string, value: unknown): number {
  return checkInt(field, value, L.TTL_MS_MIN, L.TTL_MS_MAX);
}

function checkArray<T>(field: string, value: unknown, min: number, max: number): T[] {
  if (!Array.isArray(value)) throw new EdgeError(field, 'must be a list', shown(value));
  if (value.length < min || value.length > max) {
    throw new EdgeError(field, `must hold ${min}..${max} items`, `${value.length} items`);
  }
  return value as T[];
}

function checkObject<T>(field: string, value: unknown): T {
  if (value === null || typeof value !== 'object') throw new EdgeError(field, 'is required', shown(value));
  return value as T;
}

export function checkLines(field: string, value: unknown, min: number): Line[] {
  const raw = checkArray<WireLine>(field, value, min, L.LINES_MAX);
  const seen = new Set<string>();
  return raw.map((item, i) => {
    const f = `${field}[${i}]`;
    const line = checkObject<WireLine>(f, item);
    const sku = checkSku(`${f}.sku`, line.sku);
    const location = checkLocation(`${f}.location`, line.location);
    const key = `${sku}@${location}`;
    if (seen.has(key)) throw new EdgeError(f, 'each sku@location at most once', shown(key));
    seen.add(key);
    return { sku, location, quantity: checkQuantity(`${f}.quantity`, line.quantity) };
  });
}

/** The command with the request's id time when it carries one (absent: the leader
 * checks the id itself; see src/ledger/README.md "Exactly once"). */
function withIdTime(field: string, command: Command, id_time_ms: unknown): Command {
  if (id_time_ms === undefined || id_time_ms === null) return command;
  return { ...command, id_time_ms: checkInt(`${field}id_time_ms`, id_time_ms, 0, L.TIME_MS_MAX) };
}

export function adjustCommand(field: string, w: WireAdjust): Command {
  const delta = checkInt(`${field}delta`, w.delta, -L.QUANTITY_MAX, L.QUANTITY_MAX);
  if (delta === 0) throw new EdgeError(`${field}delta`, 'must not be zero', '0');
  const base = {
    kind: 'adjust' as const,
    op_id: checkId(`${field}op_id`, w.op_id),
    sku: checkSku(`${field}sku`, w.sku),
    location: checkLocation(`${field}location`, w.location),
    delta,
    reason: checkText(`${field}reason`, w.reason),
    reference: checkText(`${field}reference`, w.reference),
  };
  if (w.expected_on_hand === undefined || w.expected_on_hand === null) return withIdTime(field, base, w.id_time_ms);
  return withIdTime(field, { ...base, expected_on_hand: checkInt(`${field}expected_on_hand`, w.expected_on_hand, 0, L.BALANCE_MAX) }, w.id_time_ms);
}

export function reserveCommand(field: string, w: WireReserve): Command {
  const command = {
    kind: 'reserve' as const,
    reservation_id: checkId(`${field}reservation_id`, w.reservation_id),
    lines: checkLines(`${field}lines`, w.lines, C.reserveLinesMin(w)),
    ttl_ms: checkTtl(`${field}ttl_ms`, w.ttl_ms),
    order_ref: checkText(`${field}order_ref`, w.order_ref),
  };
  return withIdTime(field, C.withReserveCommerce(field, w, command), w.id_time_ms);
}

export function commitCommand(field: string, w: WireCommit): Command {
  const lines = checkLines(`${field}lines`, w.lines ?? [], 0);
  const base = {
    kind: 'commit' as const,
    op_id: checkId(`${field}op_id`, w.op_id),
    reservation_id: checkId(`${field}reservation_id`, w.reservation_id),
  };
  return withIdTime(field, lines.length === 0 ? base : { ...base, lines }, w.id_time_ms);
}

export function releaseCommand(field: string, w: WireRelease): Command {
  const command: Command = {
    kind: 'release',
    op_id: checkId(`${field}op_id`, w.op_id),
    reservation_id: checkId(`${field}reservation_id`, w.reservation_id),
    reason: checkText(`${field}reason`, w.reason),
  };
  return withIdTime(field, command, w.id_time_ms);
}

export function extendCommand(field: string, w: WireExtend): Command {
  const command: Command = {
    kind: 'extend',
    op_id: checkId(`${field}op_id`, w.op_id),
    reservation_id: checkId(`${field}reservation_id`, w.reservation_id),
    ttl_ms: checkTtl(`${field}ttl_ms`, w.ttl_ms),
  };
  return withIdTime(field, command, w.id_time_ms);
}

/** Runs the ledger's own validation over a command the edge built, so the edge refuses
 * exactly what apply would refuse (e.g. control characters in free text). */
export function ledgerChecked(field: string, command: Command): Command {
  const v = validateCommand(command);
  if (!v.ok) throw new EdgeError(`${field}${v.field}`, v.limit, v.value);
  return command;
}

/** One op checked as its own call would be (field names without an ops[i] prefix). */
export function singleOpCommand(w: WireOp): Command {
  return ledgerChecked('', opCommandUnchecked('', w, ''));
}

export function opCommand(field: string, w: WireOp): Command {
  return ledgerChecked(`${field}.${w?.op ?? ''}.`, opCommandUnchecked(field, w));
}

function opCommandUnchecked(field: string, w: WireOp, inner?: string): Command {
  const op = checkObject<WireOp>(field, w);
  const at = (kind: string): string => inner ?? `${field}.${kind}.`;
  switch (op.op) {
    case 'adjust':
      return adjustCommand(at('adjust'), checkObject<WireAdjust>(`${field}.adjust`, op.adjust));
    case 'reserve':
      return reserveCommand(at('reserve'), checkObject<WireReserve>(`${field}.reserve`, op.reserve));
    case 'commit':
      return commitCommand(at('commit'), checkObject<WireCommit>(`${field}.commit`, op.commit));
    case 'release':
      return releaseCommand(at('release'), checkObject<WireRelease>(`${field}.release`, op.release));
    case 'extend':
      return extendCommand(at('extend'), checkObject<WireExtend>(`${field}.extend`, op.extend));
    case 'set_position_policy':
      return C.setPositionPolicyCommand(at('set_position_policy'), checkObject<WireSetPositionPolicy>(`${field}.set_position_policy`, op.set_position_policy));
    case 'set_sku_policy':
      return C.setSkuPolicyCommand(at('set_sku_policy'), checkObject<WireSetSkuPolicy>(`${field}.set_sku_policy`, op.set_sku_policy));
    case 'transfer':
      return C.transferCommand(at('transfer'), checkObject<WireStockTransfer>(`${field}.transfer`, op.transfer));
    case 'receive_transfer':
      return C.receiveTransferCommand(at('receive_transfer'), checkObject<WireReceiveTransfer>(`${field}.receive_transfer`, op.receive_transfer));
    case 'count':
      return C.countCommand(at('count'), checkObject<WireCount>(`${field}.count`, op.count));
    default:
      throw new EdgeError(field, 'must set one of adjust, reserve, commit, release, extend, set_position_policy, set_sku_policy, transfer, receive_transfer, count', shown(op.op));
  }
}

/** The id that names a command's outcome: its op id, or the reservation id of a reserve. */
export function commandId(c: Command): string {
  return c.kind === 'reserve' ? c.reservation_id : c.op_id;
}

export function submitCommands(ops: unknown): Command[] {
  const list = checkArray<WireOp>('ops', ops, 1, L.SUBMIT_OPS_MAX);
  const commands = list.map((op, i) => opCommand(`ops[${i}]`, op));
  // One id names one intended operation: twice in one batch is a caller mistake the
  // ledger would answer as a replay or ALREADY_EXISTS_DIFFERENT; refuse it up front.
  const seen = new Map<string, number>();
  commands.forEach((c, i) => {
    const id = commandId(c);
    const first = seen.get(id);
    if (first !== undefined) throw new EdgeError(`ops[${i}]`, `id already used by ops[${first}] in this batch`, shown(id));
    seen.set(id, i);
  });
  return commands;
}

export type Consistency = 'LINEARIZABLE' | 'SERIALIZABLE';

/** UNSPECIFIED (absent, 0) is the default, linearizable; a number the loader could not
 * name (a newer or broken client) is refused. The numbers are those of the proto. */
export function checkConsistency(field: string, value: WireEnum | undefined): Consistency {
  if (value === undefined || value === 'CONSISTENCY_UNSPECIFIED' || value === 0) return 'LINEARIZABLE';
  if (value === 'CONSISTENCY_LINEARIZABLE' || value === 2) return 'LINEARIZABLE';
  if (value === 'CONSISTENCY_SERIALIZABLE' || value === 1) return 'SERIALIZABLE';
  throw new EdgeError(field, 'must be CONSISTENCY_UNSPECIFIED, CONSISTENCY_LINEARIZABLE or CONSISTENCY_SERIALIZABLE', shown(value));
}

export function checkPageLimit(field: string, value: unknown): number {
  if (value === 0 || value === undefined) return L.PAGE_LIMIT_DEFAULT;
  return checkInt(field, value, 1, L.PAGE_LIMIT_MAX);
}

export function checkNodeId(field: string, value: unknown): string {
  const s = checkString(field, value, 1, NODE_ID_BYTES_MAX);
  if (nameProblem(s) !== null) throw new EdgeError(field, 'must be 1..64 characters of [A-Za-z0-9._-]', shown(s));
  return s;
}

export function checkAddress(field: string, value: unknown): string {
  const s = checkString(field, value, 3, ADDRESS_BYTES_MAX);
  if (addressProblem(s) !== null) throw new EdgeError(field, 'must be host:port (a DNS name, IPv4 or [IPv6] host; port 0..65535)', shown(s));
  return s;
}

export function checkReadKeys(field: string, value: unknown): { sku: string; location: string }[] {
  const list = checkArray<{ sku: string; location: string }>(field, value, 1, L.READ_KEYS_MAX);
  return list.map((k, i) => {
    const key = checkObject<{ sku: string; location: string }>(`${field}[${i}]`, k);
    return { sku: checkSku(`${field}[${i}].sku`, key.sku), location: checkLocation(`${field}[${i}].location`, key.location) };
  });
}
