// The bytes of a ledger entry inside a raft entry: msgpack of
// { time_ms, commands, rules_version?, prune? }: prune when the leader prunes history (a
// list of horizons; see retention.ts). An entry without rules_version (written before
// entries carried it) decodes as it was written and applies as version 1 (rules.ts).
// decodeEntry checks the envelope and rebuilds each command with exactly the fields of its
// kind, so nothing unexpected reaches state. It does not judge field values: a committed
// entry must apply on every replica, and apply answers bad values with INVALID_ARGUMENT.
// Bytes that are not a ledger entry at all throw, naming what is wrong.

import { Packr } from 'msgpackr';
import { ENTRY_BYTES_MAX, ENTRY_COMMANDS_MAX, TIME_MS_MAX } from './limits.js';
import { detach } from './strings.js';
import { isRulesVersionField, RULES_VERSION_FIELD_MAX } from './rules.js';
import type { AllocationLine, Command, HistoryHorizon, LedgerEntry, Line } from './types.js';

const packr = new Packr({ useRecords: false, mapsAsObjects: true, moreTypes: false });

export class EntryDecodeError extends Error {
  constructor(reason: string) {
    super(`ledger entry decode: ${reason}`);
    this.name = 'EntryDecodeError';
  }
}

export function encodeEntry(entry: LedgerEntry): Uint8Array {
  if (!Number.isSafeInteger(entry.time_ms) || entry.time_ms < 0 || entry.time_ms > TIME_MS_MAX) {
    throw new RangeError(`ledger entry time_ms must be an integer 0..${TIME_MS_MAX}, got ${String(entry.time_ms)}`);
  }
  if (entry.commands.length > ENTRY_COMMANDS_MAX) {
    throw new RangeError(`ledger entry holds at most ${ENTRY_COMMANDS_MAX} commands, got ${entry.commands.length}`);
  }
  const rv = entry.rules_version;
  if (rv !== undefined && !isRulesVersionField(rv)) {
    throw new RangeError(`ledger entry rules_version must be an integer 1..${RULES_VERSION_FIELD_MAX}, got ${String(rv)}`);
  }
  const out: Record<string, unknown> = { time_ms: entry.time_ms, commands: entry.commands };
  if (rv !== undefined) out.rules_version = rv;
  if (entry.prune !== undefined && entry.prune.length > 0) out.prune = entry.prune;
  const bytes = packr.pack(out);
  if (bytes.length > ENTRY_BYTES_MAX) {
    throw new RangeError(`ledger entry encodes to ${bytes.length} bytes, limit ${ENTRY_BYTES_MAX}`);
  }
  // msgpackr packs into a shared buffer of several MiB and hands out views of it. The raft
  // log keeps an entry's bytes until compaction, and a view would keep the whole shared
  // buffer with it: measured on a leader loaded through Submit, its log held 110 MiB for
  // 70 MiB of entries. The copy owns exactly its bytes.
  return bytes.byteLength === bytes.buffer.byteLength ? bytes : new Uint8Array(bytes);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

/** Strings kept in ledger state must not pin the entry's text (see strings.ts). */
function own(v: unknown): unknown {
  return typeof v === 'string' ? detach(v) : v;
}

function copyLines(v: unknown): Line[] {
  if (!Array.isArray(v)) return v as Line[]; // validation reports the field
  return v.map((l: unknown) => (isRecord(l) ? { sku: own(l.sku), location: own(l.location), quantity: l.quantity } : l) as Line);
}

function copyAllocations(v: unknown): AllocationLine[] {
  if (!Array.isArray(v)) return v as AllocationLine[]; // validation reports the field
  return v.map((a: unknown) =>
    (isRecord(a)
      ? { sku: own(a.sku), locations: Array.isArray(a.locations) ? a.locations.map(own) : a.locations, quantity: a.quantity, strategy: own(a.strategy), split: a.split }
      : a) as AllocationLine,
  );
}

/** The id stamp fields (id time, leader's check) when present; values unchecked. */
function withStamp(out: Command, c: Record<string, unknown>): Command {
  const has_time = c.id_time_ms !== undefined && c.id_time_ms !== null;
  const has_check = c.checked_index !== undefined && c.checked_index !== null;
  if (!has_time && !has_check) return out;
  const o = out as unknown as Record<string, unknown>;
  if (has_time) o.id_time_ms = c.id_time_ms;
  if (has_check) o.checked_index = c.checked_index;
  return out;
}

/** Rebuilds a command with only its kind's fields (values unchecked; see validate.ts). */
function copyCommand(c: Record<string, unknown>): Command {
  return withStamp(copyKindFields(c), c);
}

function copyKindFields(c: Record<string, unknown>): Command {
  switch (c.kind) {
    case 'adjust': {
      const out: Record<string, unknown> = {
        kind: 'adjust',
        op_id: own(c.op_id),
        sku: own(c.sku),
        location: own(c.location),
        delta: c.delta,
        reason: own(c.reason),
        reference: own(c.reference),
      };
      if (c.expected_on_hand !== undefined && c.expected_on_hand !== null) out.expected_on_hand = c.expected_on_hand;
      return out as unknown as Command;
    }
    case 'reserve': {
      const out: Record<string, unknown> = { kind: 'reserve', reservation_id: own(c.reservation_id), lines: copyLines(c.lines), ttl_ms: c.ttl_ms, order_ref: own(c.order_ref) };
      // Commerce fields (rules version 4), only when set, so old entries decode as before.
      if (c.allocations !== undefined && c.allocations !== null) out.allocations = copyAllocations(c.allocations);
      if (c.customer_id !== undefined && c.customer_id !== null) out.customer_id = own(c.customer_id);
      if (c.backorder !== undefined && c.backorder !== null) out.backorder = c.backorder;
      if (c.wait_ms !== undefined && c.wait_ms !== null) out.wait_ms = c.wait_ms;
      return out as unknown as Command;
    }
    case 'set_position_policy':
      return { kind: c.kind, op_id: own(c.op_id), sku: own(c.sku), location: own(c.location), backorder_limit: c.backorder_limit, low_stock_threshold: c.low_stock_threshold } as unknown as Command;
    case 'set_sku_policy':
      return { kind: c.kind, op_id: own(c.op_id), sku: own(c.sku), customer_limit: c.customer_limit, customer_window_ms: c.customer_window_ms } as unknown as Command;
    case 'transfer':
      return {
        kind: c.kind,
        op_id: own(c.op_id),
        sku: own(c.sku),
        from_location: own(c.from_location),
        to_location: own(c.to_location),
        quantity: c.quantity,
        reference: own(c.reference),
      } as unknown as Command;
    case 'receive_transfer':
      return { kind: c.kind, op_id: own(c.op_id), transfer_id: own(c.transfer_id), received: c.received } as unknown as Command;
    case 'count':
      return { kind: c.kind, op_id: own(c.op_id), sku: own(c.sku), location: own(c.location), counted: c.counted, reference: own(c.reference) } as unknown as Command;
    case 'commit': {
      const out: Record<string, unknown> = { kind: 'commit', op_id: own(c.op_id), reservation_id: own(c.reservation_id) };
      if (c.lines !== undefined && c.lines !== null) out.lines = copyLines(c.lines);
      return out as unknown as Command;
    }
    case 'release':
      return { kind: 'release', op_id: own(c.op_id), reservation_id: own(c.reservation_id), reason: own(c.reason) } as unknown as Command;
    case 'extend':
      return { kind: 'extend', op_id: own(c.op_id), reservation_id: own(c.reservation_id), ttl_ms: c.ttl_ms } as unknown as Command;
    case 'admin':
      return {
        kind: 'admin',
        op_id: own(c.op_id),
        action: own(c.action),
        principal: own(c.principal),
        target: own(c.target),
        detail: own(c.detail),
      } as unknown as Command;
    default:
      // Unknown kind: kept so that apply answers INVALID_ARGUMENT naming 'kind'.
      return { kind: c.kind } as unknown as Command;
  }
}

export function decodeEntry(bytes: Uint8Array): LedgerEntry {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) throw new EntryDecodeError('no bytes');
  let raw: unknown;
  try {
    raw = packr.unpack(bytes);
  } catch (err) {
    throw new EntryDecodeError(`not msgpack (${(err as Error).message.slice(0, 120)})`);
  }
  if (!isRecord(raw)) throw new EntryDecodeError('top level is not a map');
  const t = raw.time_ms;
  if (typeof t !== 'number' || !Number.isSafeInteger(t) || t < 0 || t > TIME_MS_MAX) {
    throw new EntryDecodeError(`time_ms must be an integer 0..${TIME_MS_MAX}, got ${String(t)}`);
  }
  const cmds = raw.commands;
  if (!Array.isArray(cmds)) throw new EntryDecodeError('commands is not an array');
  if (cmds.length > ENTRY_COMMANDS_MAX) throw new EntryDecodeError(`${cmds.length} commands, limit ${ENTRY_COMMANDS_MAX}`);
  const commands: Command[] = new Array<Command>(cmds.length);
  for (let i = 0; i < cmds.length; i++) {
    const c: unknown = cmds[i];
    if (!isRecord(c) || typeof c.kind !== 'string') throw new EntryDecodeError(`commands[${i}] is not a map with a string kind`);
    commands[i] = copyCommand(c);
  }
  const rv = raw.rules_version;
  if (rv !== undefined && !isRulesVersionField(rv)) throw new EntryDecodeError(`rules_version must be an integer 1..${RULES_VERSION_FIELD_MAX}, got ${String(rv)}`);
  const versioned = rv === undefined ? {} : { rules_version: rv };
  if (raw.prune === undefined) return { time_ms: t, commands, ...versioned };
  if (!Array.isArray(raw.prune)) throw new EntryDecodeError('prune is not an array');
  // Values are left to apply (retention.ts), which refuses a bad list whole.
  return { time_ms: t, commands, ...versioned, prune: raw.prune.map(copyHorizon) };
}

/** Rebuilds a prune item with only a horizon's fields (values unchecked). */
function copyHorizon(h: unknown): HistoryHorizon {
  if (!isRecord(h)) return h as HistoryHorizon;
  return {
    kind: h.kind,
    sku: own(h.sku),
    location: own(h.location),
    seq: h.seq,
    log_index: h.log_index,
    time_ms: h.time_ms,
    on_hand: h.on_hand,
    reserved: h.reserved,
    hash: own(h.hash),
  } as unknown as HistoryHorizon;
}
