// Binary layouts of the ledger's hot stored values (data dir format 4, storage-level.ts): a
// position event in 'history'; a position, a reservation and an OK outcome in 'state' (and
// archived outcomes in 'outcomes'); the Watch index of one raft entry's events in 'events'. Every other value, and every hot one
// a layout cannot carry exactly, is msgpack as before.
//
// Why: a reserve writes a position, an event, its reservation, its outcome (which holds the
// reservation again) and the Watch index on every node, and
// msgpackr's generic object packing (field names and all) was ~15% of a busy node's time.
// A layout writes the known fields at fixed places with no names: the event shrinks from
// ~330 bytes to ~150 and packs in a fraction of the time.
//
// Every binary value starts with 0xc1, the one byte msgpack never uses, then a layout tag;
// a reader tells the two apart by the first byte, so a data dir holding both (one written
// before the layouts, or a received snapshot, which always travels in msgpack, see
// toPortable) reads as one. Numbers are IEEE doubles little-endian (exact for the safe
// integers the ledger keeps); text is a 16-bit length and ASCII bytes; hashes are their
// 32 bytes. Layouts:
//
//   event (tag 1)     [0xc1, 1, kind code, flags (bit 0: prev_hash is ''), seq, log_index,
//                      time_ms, delta_on_hand, delta_reserved, on_hand, reserved (7 doubles),
//                      hash (32 bytes), prev_hash (32 bytes unless flag 0), sku, location,
//                      op_id, reservation_id (texts)]
//   position (tag 2)  [0xc1, 2, flags (bit 0: horizon_seq present), on_hand, reserved, seq,
//                      horizon_seq (if flag 0) (doubles), head (32 bytes), sku, location]
//                      (available = on_hand - reserved)
//   reservation       [0xc1, 3, state code, 0, created_ms, deadline_ms, ttl_ms, final_ms
//   (tag 3)            (doubles), reservation_id, order_ref (texts), lines, committed_lines]
//                      where lines are [count (u16), count x (quantity (double), sku,
//                      location)]
//   outcome (tag 4)   [0xc1, 4, flags (bit 0: at_index present, bit 1: a reservation),
//                      at_ms, at_index (if flag 0) (doubles), fp (text), count (u16), count x
//                      position (on_hand, reserved, seq (doubles), sku, location), the
//                      reservation's layout after its two tag bytes (if flag 1)]: an OK,
//                      not replayed result (positions, reservation or null), in 'state'
//                      (o!) and 'outcomes'; available = on_hand - reserved
//   entry events      [0xc1, 16, count (u32 LE), count texts]: the history keys of one raft
//   (tag 16)          entry's events, in order; stored under the entry's 14 hex digits
//                      (see storage-level.ts, eventKey)
//
// Extensible: a record with a field the layout does not know (counted: a layout takes only
// a record with exactly its fields), a text that is not ASCII, or a hash that is not 64
// lowercase hex digits is written in msgpack instead, which every reader takes. A new
// layout takes a new tag; a reader that meets a tag it does not know refuses the record
// with its tag named rather than guessing.

import { Packr } from 'msgpackr';
import type { EventKind, LedgerEvent, Line, Position, ReservationState } from '../ledger/types.js';
import type { OutcomeRecord, PositionRecord, ReservationRecord } from '../ledger/records.js';

const packr = new Packr({ useRecords: false, moreTypes: false });

export const BINARY_VALUE_TAG = 0xc1;
export const LAYOUT_EVENT = 1;
export const LAYOUT_POSITION = 2;
export const LAYOUT_RESERVATION = 3;
export const LAYOUT_OUTCOME = 4;
export const LAYOUT_ENTRY_EVENTS = 16;
const RESERVATION_STATES: readonly ReservationState[] = ['PENDING', 'COMMITTED', 'RELEASED', 'EXPIRED'];
const RESERVATION_FIELDS = 9;
const LINE_FIELDS = 3;
const RESULT_FIELDS = 4;
const RESULT_POSITION_FIELDS = 6;
const LIST_MAX = 0xffff;

const KIND_CODES: readonly EventKind[] = ['ADJUST', 'RESERVE', 'COMMIT', 'RELEASE', 'EXPIRE', 'EXTEND'];
const EVENT_FIELDS = 14;
const POSITION_FIELDS = 7;
const HASH_BYTES = 32;
const TEXT_BYTES_MAX = 0xffff;
/** History keys in one entry's Watch index (an entry's events are bounded far below). */
const ENTRY_EVENTS_MAX = 1_000_000;

export class ValueDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ValueDecodeError';
  }
}

function kindCode(kind: string): number {
  switch (kind) {
    case 'ADJUST':
      return 0;
    case 'RESERVE':
      return 1;
    case 'COMMIT':
      return 2;
    case 'RELEASE':
      return 3;
    case 'EXPIRE':
      return 4;
    case 'EXTEND':
      return 5;
    default:
      return -1;
  }
}

/** Enumerable fields of a ledger record, counted without allocating. The ledger's records
 * are object literals, whose prototype (Object.prototype) has no enumerable field. */
function fieldCount(o: object): number {
  let n = 0;
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  for (const _ in o) n++;
  return n;
}

const HEX64 = /^[0-9a-f]{64}$/;

function isText(s: unknown): s is string {
  return typeof s === 'string' && s.length <= TEXT_BYTES_MAX;
}

function isNum(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v);
}

/** Bytes a text takes in a layout when it is ASCII (one byte a character). */
const textBytes = (s: string): number => 2 + s.length;

/** Writes a text; -1 when it is not ASCII (the record then goes in msgpack). One pass:
 * checking first would walk the text twice. */
function writeText(b: Buffer, at: number, s: string): number {
  if (at < 0) return -1;
  b.writeUInt16LE(s.length, at);
  at += 2;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f) return -1;
    b[at + i] = c;
  }
  return at + s.length;
}

/** Writes a hash (checked: 64 lowercase hex digits) as its 32 bytes, natively. */
function writeHash(b: Buffer, at: number, hex: string): number {
  if (b.write(hex, at, HASH_BYTES, 'hex') !== HASH_BYTES) throw new Error(`hash ${hex} did not write as ${HASH_BYTES} bytes`);
  return at + HASH_BYTES;
}

/** The event in its layout, or null when the layout cannot carry it exactly. */
function encodeEvent(e: LedgerEvent): Buffer | null {
  if (fieldCount(e) !== EVENT_FIELDS) return null;
  const code = kindCode(e.kind);
  const { sku, location, op_id, reservation_id, hash, prev_hash } = e;
  if (code < 0 || !isText(sku) || !isText(location) || !isText(op_id) || !isText(reservation_id)) return null;
  if (typeof hash !== 'string' || !HEX64.test(hash) || (prev_hash !== '' && (typeof prev_hash !== 'string' || !HEX64.test(prev_hash)))) return null;
  if (!isNum(e.seq) || !isNum(e.log_index) || !isNum(e.time_ms) || !isNum(e.delta_on_hand) || !isNum(e.delta_reserved) || !isNum(e.on_hand) || !isNum(e.reserved)) return null;
  const first = prev_hash === '';
  const size = 4 + 7 * 8 + HASH_BYTES * (first ? 1 : 2) + textBytes(sku) + textBytes(location) + textBytes(op_id) + textBytes(reservation_id);
  const b = Buffer.allocUnsafe(size);
  b[0] = BINARY_VALUE_TAG;
  b[1] = LAYOUT_EVENT;
  b[2] = code;
  b[3] = first ? 1 : 0;
  b.writeDoubleLE(e.seq, 4);
  b.writeDoubleLE(e.log_index, 12);
  b.writeDoubleLE(e.time_ms, 20);
  b.writeDoubleLE(e.delta_on_hand, 28);
  b.writeDoubleLE(e.delta_reserved, 36);
  b.writeDoubleLE(e.on_hand, 44);
  b.writeDoubleLE(e.reserved, 52);
  let at = writeHash(b, 60, hash);
  if (!first) at = writeHash(b, at, prev_hash);
  at = writeText(b, writeText(b, writeText(b, writeText(b, at, sku), location), op_id), reservation_id);
  if (at < 0) return null;
  if (at !== size) throw new Error(`event layout wrote ${at} of ${size} bytes`);
  return b;
}

/** The position record in its layout, or null when the layout cannot carry it exactly. */
function encodePosition(p: PositionRecord): Buffer | null {
  const fields = fieldCount(p);
  const has_horizon = p.horizon_seq !== undefined;
  if (fields !== POSITION_FIELDS + (has_horizon ? 1 : 0)) return null;
  if (has_horizon && !isNum(p.horizon_seq)) return null;
  const { sku, location, head } = p;
  if (!isText(sku) || !isText(location) || typeof head !== 'string' || !HEX64.test(head)) return null;
  if (!isNum(p.on_hand) || !isNum(p.reserved) || !isNum(p.seq) || p.available !== p.on_hand - p.reserved) return null;
  const nums = has_horizon ? 4 : 3;
  const size = 3 + nums * 8 + HASH_BYTES + textBytes(sku) + textBytes(location);
  const b = Buffer.allocUnsafe(size);
  b[0] = BINARY_VALUE_TAG;
  b[1] = LAYOUT_POSITION;
  b[2] = has_horizon ? 1 : 0;
  b.writeDoubleLE(p.on_hand, 3);
  b.writeDoubleLE(p.reserved, 11);
  b.writeDoubleLE(p.seq, 19);
  if (has_horizon) b.writeDoubleLE(p.horizon_seq!, 27);
  const at = writeText(b, writeText(b, writeHash(b, 3 + nums * 8, head), sku), location);
  if (at < 0) return null;
  if (at !== size) throw new Error(`position layout wrote ${at} of ${size} bytes`);
  return b;
}

/** A layout being written: sized up front from the record, texts checked as they go. */
class Writer {
  at = 0;
  ok = true;
  constructor(readonly b: Buffer) {}
  u8(v: number): void {
    this.b[this.at++] = v;
  }
  u16(v: number): void {
    this.b.writeUInt16LE(v, this.at);
    this.at += 2;
  }
  num(v: number): void {
    this.b.writeDoubleLE(v, this.at);
    this.at += 8;
  }
  text(s: string): void {
    this.at = writeText(this.b, this.at, s);
    if (this.at < 0) throw NOT_ASCII;
  }
  done(what: string): Buffer {
    if (this.at !== this.b.byteLength) throw new Error(`${what} layout wrote ${this.at} of ${this.b.byteLength} bytes`);
    return this.b;
  }
}

/** Thrown inside a layout writer for a text that is not ASCII (the record goes in msgpack). */
const NOT_ASCII = new Error('text is not ASCII');

/** Bytes of a list of lines, or -1 when the layout cannot carry it. */
function linesBytes(lines: unknown): number {
  if (!Array.isArray(lines) || lines.length > LIST_MAX) return -1;
  let n = 2;
  for (const l of lines as Line[]) {
    if (typeof l !== 'object' || l === null || fieldCount(l) !== LINE_FIELDS || !isText(l.sku) || !isText(l.location) || !isNum(l.quantity)) return -1;
    n += 8 + textBytes(l.sku) + textBytes(l.location);
  }
  return n;
}

function writeLines(w: Writer, lines: readonly Line[]): void {
  w.u16(lines.length);
  for (const l of lines) {
    w.num(l.quantity);
    w.text(l.sku);
    w.text(l.location);
  }
}

/** Bytes of a reservation record's layout after its two tag bytes, or -1. */
function reservationBytes(r: ReservationRecord): number {
  if (typeof r !== 'object' || r === null || fieldCount(r) !== RESERVATION_FIELDS) return -1;
  if (RESERVATION_STATES.indexOf(r.state) < 0 || !isText(r.reservation_id) || !isText(r.order_ref)) return -1;
  if (!isNum(r.created_ms) || !isNum(r.deadline_ms) || !isNum(r.ttl_ms) || !isNum(r.final_ms)) return -1;
  const lines = linesBytes(r.lines);
  const committed = linesBytes(r.committed_lines);
  if (lines < 0 || committed < 0) return -1;
  return 2 + 4 * 8 + textBytes(r.reservation_id) + textBytes(r.order_ref) + lines + committed;
}

function writeReservation(w: Writer, r: ReservationRecord): void {
  w.u8(RESERVATION_STATES.indexOf(r.state));
  w.u8(0);
  w.num(r.created_ms);
  w.num(r.deadline_ms);
  w.num(r.ttl_ms);
  w.num(r.final_ms);
  w.text(r.reservation_id);
  w.text(r.order_ref);
  writeLines(w, r.lines);
  writeLines(w, r.committed_lines);
}

function encodeReservation(r: ReservationRecord): Buffer | null {
  const body = reservationBytes(r);
  if (body < 0) return null;
  const w = new Writer(Buffer.allocUnsafe(2 + body));
  w.u8(BINARY_VALUE_TAG);
  w.u8(LAYOUT_RESERVATION);
  writeReservation(w, r);
  return w.done('reservation');
}

/** Bytes of the positions of an OK result, or -1. */
function positionsBytes(positions: unknown): number {
  if (!Array.isArray(positions) || positions.length > LIST_MAX) return -1;
  let n = 2;
  for (const p of positions as Position[]) {
    if (typeof p !== 'object' || p === null || fieldCount(p) !== RESULT_POSITION_FIELDS || !isText(p.sku) || !isText(p.location)) return -1;
    if (!isNum(p.on_hand) || !isNum(p.reserved) || !isNum(p.seq) || p.available !== p.on_hand - p.reserved) return -1;
    n += 3 * 8 + textBytes(p.sku) + textBytes(p.location);
  }
  return n;
}

function encodeOutcome(o: OutcomeRecord): Buffer | null {
  const has_index = o.at_index !== undefined;
  if (fieldCount(o) !== 3 + (has_index ? 1 : 0) || !isText(o.fp) || !isNum(o.at_ms) || (has_index && !isNum(o.at_index))) return null;
  const r = o.result;
  if (typeof r !== 'object' || r === null || r.code !== 'OK' || r.replay !== false || fieldCount(r) !== RESULT_FIELDS) return null;
  const positions = positionsBytes(r.positions);
  const res = r.reservation === null ? 0 : reservationBytes(r.reservation as ReservationRecord);
  if (positions < 0 || res < 0) return null;
  const w = new Writer(Buffer.allocUnsafe(3 + 8 + (has_index ? 8 : 0) + textBytes(o.fp) + positions + res));
  w.u8(BINARY_VALUE_TAG);
  w.u8(LAYOUT_OUTCOME);
  w.u8((has_index ? 1 : 0) | (r.reservation === null ? 0 : 2));
  w.num(o.at_ms);
  if (has_index) w.num(o.at_index!);
  w.text(o.fp);
  w.u16(r.positions.length);
  for (const p of r.positions) {
    w.num(p.on_hand);
    w.num(p.reserved);
    w.num(p.seq);
    w.text(p.sku);
    w.text(p.location);
  }
  if (r.reservation !== null) writeReservation(w, r.reservation as ReservationRecord);
  return w.done('outcome');
}

/** A state or outcomes value in its layout by key (r!: reservation, o! or an archived
 * outcome: outcome), or null. */
function encodeRecord(sublevel: 'state' | 'outcomes', key: string, value: unknown): Buffer | null {
  try {
    if (sublevel === 'outcomes') return encodeOutcome(value as OutcomeRecord);
    if (key.charCodeAt(1) !== 33 /* '!' */) return null;
    const c = key.charCodeAt(0);
    if (c === 112 /* 'p' */) return encodePosition(value as PositionRecord);
    if (c === 114 /* 'r' */) return encodeReservation(value as ReservationRecord);
    if (c === 111 /* 'o' */) return encodeOutcome(value as OutcomeRecord);
    return null;
  } catch (err) {
    if (err === NOT_ASCII) return null;
    throw err;
  }
}

/** Encodes a ledger value written to `sublevel` under `key`: a layout for a history event,
 * a position, a reservation or an OK outcome, msgpack for everything else. */
export function encodeValue(sublevel: 'state' | 'history' | 'outcomes', key: string, value: unknown): Uint8Array {
  const b = sublevel === 'history' ? (key.charCodeAt(0) !== 33 /* '!': admin history */ ? encodeEvent(value as LedgerEvent) : null) : encodeRecord(sublevel, key, value);
  return b !== null ? b : packr.pack(value);
}

/** The Watch index of one entry's events: their history keys in order, or null when a key
 * is not ASCII (the caller then stores each event on its own). */
export function encodeEntryEvents(history_keys: readonly string[]): Buffer | null {
  if (history_keys.length > ENTRY_EVENTS_MAX) return null;
  let size = 6;
  for (const k of history_keys) {
    if (!isText(k)) return null;
    size += textBytes(k);
  }
  const b = Buffer.allocUnsafe(size);
  b[0] = BINARY_VALUE_TAG;
  b[1] = LAYOUT_ENTRY_EVENTS;
  b.writeUInt32LE(history_keys.length, 2);
  let at = 6;
  for (const k of history_keys) at = writeText(b, at, k);
  return at < 0 ? null : b;
}

const asBuf = (v: Uint8Array): Buffer => (Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength));

/** Whether a stored value is in a binary layout (else msgpack). */
export function isBinaryValue(v: Uint8Array): boolean {
  return v[0] === BINARY_VALUE_TAG;
}

class Reader {
  at: number;
  constructor(
    readonly b: Buffer,
    at: number,
  ) {
    this.at = at;
  }
  need(n: number): void {
    if (this.at + n > this.b.byteLength) throw new ValueDecodeError(`binary value of ${this.b.byteLength} bytes ends inside a field at byte ${this.at}`);
  }
  num(): number {
    this.need(8);
    const v = this.b.readDoubleLE(this.at);
    this.at += 8;
    if (!Number.isSafeInteger(v)) throw new ValueDecodeError(`binary value holds ${v} where a safe integer belongs`);
    return v;
  }
  hash(): string {
    this.need(HASH_BYTES);
    const s = this.b.toString('hex', this.at, this.at + HASH_BYTES);
    this.at += HASH_BYTES;
    return s;
  }
  text(): string {
    this.need(2);
    const n = this.b.readUInt16LE(this.at);
    this.at += 2;
    this.need(n);
    const s = this.b.toString('latin1', this.at, this.at + n);
    this.at += n;
    return s;
  }
  end(what: string): void {
    if (this.at !== this.b.byteLength) throw new ValueDecodeError(`${what} layout holds ${this.b.byteLength - this.at} bytes past its end`);
  }
}

function decodeEvent(b: Buffer): LedgerEvent {
  const r = new Reader(b, 4);
  const kind = KIND_CODES[b[2]!];
  if (kind === undefined) throw new ValueDecodeError(`event layout has kind code ${String(b[2])}`);
  const first = (b[3]! & 1) === 1;
  const seq = r.num();
  const log_index = r.num();
  const time_ms = r.num();
  const delta_on_hand = r.num();
  const delta_reserved = r.num();
  const on_hand = r.num();
  const reserved = r.num();
  const hash = r.hash();
  const prev_hash = first ? '' : r.hash();
  const sku = r.text();
  const location = r.text();
  const op_id = r.text();
  const reservation_id = r.text();
  r.end('event');
  return { sku, location, seq, log_index, time_ms, kind, op_id, reservation_id, delta_on_hand, delta_reserved, on_hand, reserved, prev_hash, hash };
}

function decodePosition(b: Buffer): PositionRecord {
  const r = new Reader(b, 3);
  const has_horizon = (b[2]! & 1) === 1;
  const on_hand = r.num();
  const reserved = r.num();
  const seq = r.num();
  const horizon_seq = has_horizon ? r.num() : 0;
  const head = r.hash();
  const sku = r.text();
  const location = r.text();
  r.end('position');
  const rec: PositionRecord = { sku, location, on_hand, reserved, available: on_hand - reserved, seq, head };
  return has_horizon ? { ...rec, horizon_seq } : rec;
}

function readLines(r: Reader): Line[] {
  r.need(2);
  const n = r.b.readUInt16LE(r.at);
  r.at += 2;
  const out = new Array<Line>(n);
  for (let i = 0; i < n; i++) {
    const quantity = r.num();
    const sku = r.text();
    const location = r.text();
    out[i] = { sku, location, quantity };
  }
  return out;
}

function readReservation(r: Reader): ReservationRecord {
  r.need(2);
  const state = RESERVATION_STATES[r.b[r.at]!];
  if (state === undefined) throw new ValueDecodeError(`reservation layout has state code ${String(r.b[r.at])}`);
  r.at += 2;
  const created_ms = r.num();
  const deadline_ms = r.num();
  const ttl_ms = r.num();
  const final_ms = r.num();
  const reservation_id = r.text();
  const order_ref = r.text();
  const lines = readLines(r);
  const committed_lines = readLines(r);
  return { reservation_id, state, lines, order_ref, created_ms, deadline_ms, committed_lines, ttl_ms, final_ms };
}

function decodeReservation(b: Buffer): ReservationRecord {
  const r = new Reader(b, 2);
  const res = readReservation(r);
  r.end('reservation');
  return res;
}

function decodeOutcome(b: Buffer): OutcomeRecord {
  const r = new Reader(b, 3);
  const flags = b[2]!;
  const at_ms = r.num();
  const at_index = (flags & 1) === 1 ? r.num() : undefined;
  const fp = r.text();
  r.need(2);
  const n = b.readUInt16LE(r.at);
  r.at += 2;
  const positions = new Array<Position>(n);
  for (let i = 0; i < n; i++) {
    const on_hand = r.num();
    const reserved = r.num();
    const seq = r.num();
    const sku = r.text();
    const location = r.text();
    positions[i] = { sku, location, on_hand, reserved, available: on_hand - reserved, seq };
  }
  const reservation = (flags & 2) === 2 ? readReservation(r) : null;
  r.end('outcome');
  const rec: OutcomeRecord = { result: { code: 'OK', replay: false, positions, reservation }, fp, at_ms };
  return at_index === undefined ? rec : { ...rec, at_index };
}

/** The history keys of an entry's Watch index (tag 16). */
export function decodeEntryEvents(v: Uint8Array): string[] {
  const b = asBuf(v);
  if (b.byteLength < 6 || b[0] !== BINARY_VALUE_TAG || b[1] !== LAYOUT_ENTRY_EVENTS) throw new ValueDecodeError(`not an entry events record (${b.byteLength} bytes, tags ${String(b[0])} ${String(b[1])})`);
  const n = b.readUInt32LE(2);
  if (n > ENTRY_EVENTS_MAX) throw new ValueDecodeError(`entry events record counts ${n} events, limit ${ENTRY_EVENTS_MAX}`);
  const r = new Reader(b, 6);
  const out = new Array<string>(n);
  for (let i = 0; i < n; i++) out[i] = r.text();
  r.end('entry events');
  return out;
}

/** Decodes a stored ledger value: its binary layout, or msgpack (an entry's Watch index
 * decodes as its list of history keys). */
export function decodeValue(v: Uint8Array): unknown {
  if (v[0] !== BINARY_VALUE_TAG) return packr.unpack(v);
  const b = asBuf(v);
  if (b.byteLength < 2) throw new ValueDecodeError('binary value of 1 byte');
  switch (b[1]) {
    case LAYOUT_EVENT:
      return decodeEvent(b);
    case LAYOUT_POSITION:
      return decodePosition(b);
    case LAYOUT_RESERVATION:
      return decodeReservation(b);
    case LAYOUT_OUTCOME:
      return decodeOutcome(b);
    case LAYOUT_ENTRY_EVENTS:
      return decodeEntryEvents(b);
    default:
      throw new ValueDecodeError(`binary value has layout tag ${String(b[1])}, which this build does not know (a newer build wrote it?)`);
  }
}

/** The msgpack form of a stored value (what builds before the layouts wrote and read):
 * snapshots and backups travel in it. */
export function toPortable(v: Uint8Array): Uint8Array {
  if (v[0] !== BINARY_VALUE_TAG) return v;
  if (v[1] === LAYOUT_ENTRY_EVENTS) throw new ValueDecodeError('an entry events record has no msgpack form: expand it into one record an event');
  return packr.pack(decodeValue(v));
}
