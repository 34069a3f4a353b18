// The Watch index (the 'events' sub-level, see storage-level.ts): keys, the rows of one
// read, and the per-event form snapshots carry.
//
// An event's key is eventKey(log index, ordinal in its entry): 14 hex digits, '/', 6 hex
// digits, so key order is log order. Format 4 stores one record per raft entry under its
// 14 digits (entryEventsKey), holding the history keys of its events in order
// (storage-values.ts); format 3 stored one record per event under the event's key, holding
// its history key, or the event itself (msgpack map: what a restore writes). An entry's
// record sorts before its events' keys and after every key of a lower log index, so both
// forms read as one log.

import { decodeEntryEvents, decodeValue, isBinaryValue } from './storage-values.js';
import { StorageError, unpack } from './storage-records.js';
import type { LedgerEvent } from '../ledger/types.js';

export const ENTRY_KEY_CHARS = 14;
const ORDINAL_CHARS = 6;
export const EVENT_KEY_CHARS = ENTRY_KEY_CHARS + 1 + ORDINAL_CHARS;
const enc = new TextEncoder();
const dec = new TextDecoder();

/** Key of one entry's Watch record (the first part of its events' keys). */
export function entryEventsKey(log_index: number): string {
  return log_index.toString(16).padStart(ENTRY_KEY_CHARS, '0');
}

/** Key of an event: its entry's key and its ordinal in the entry. */
function ordinalKey(entry_key: string, ordinal: number): string {
  return `${entry_key}/${ordinal.toString(16).padStart(ORDINAL_CHARS, '0')}`;
}

export function eventKey(log_index: number, ordinal: number): string {
  return ordinalKey(entryEventsKey(log_index), ordinal);
}

/** Whether bytes start a msgpack map (fixmap, map16 or map32). */
function isMsgpackMap(v: Uint8Array): boolean {
  const b = v[0];
  return b !== undefined && ((b >= 0x80 && b <= 0x8f) || b === 0xde || b === 0xdf);
}

/** A Watch record in the format 3 form: an entry's record becomes one record per event
 * (its key and history key). */
export function* portableWatchRecords(k: Uint8Array, v: Uint8Array): Generator<['events', Uint8Array, Uint8Array]> {
  if (!isBinaryValue(v)) {
    yield ['events', k, v];
    return;
  }
  const entry = dec.decode(k);
  const keys = decodeEntryEvents(v);
  for (let i = 0; i < keys.length; i++) yield ['events', enc.encode(ordinalKey(entry, i)), enc.encode(keys[i]!)];
}

/** Rows of a Watch read being gathered, at most `limit`: events found whole, and history
 * keys to look up. */
export class WatchRows {
  private readonly keys: string[] = [];
  private readonly values: (LedgerEvent | undefined)[] = [];
  private readonly pointer_keys: string[] = [];
  private readonly pointed_at: number[] = [];

  constructor(private readonly limit: number) {}

  full(): boolean {
    return this.keys.length >= this.limit;
  }

  /** Adds the events of one Watch record under `key`, those after `after_key` only. */
  add(key: string, v: Uint8Array, after_key: string | null): void {
    if (key.length === ENTRY_KEY_CHARS) {
      let history_keys: string[];
      try {
        history_keys = decodeEntryEvents(v);
      } catch (err) {
        throw new StorageError(`corrupt data dir: Watch record ${key}: ${err instanceof Error ? err.message : String(err)}`);
      }
      for (let i = 0; i < history_keys.length && !this.full(); i++) {
        const event_key = ordinalKey(key, i);
        if (after_key === null || event_key > after_key) this.point(event_key, history_keys[i]!);
      }
      return;
    }
    if (after_key !== null && key <= after_key) return;
    if (isMsgpackMap(v)) {
      this.keys.push(key);
      this.values.push(unpack(v) as LedgerEvent);
      return;
    }
    // A history key: text that starts with a SKU character or '!', never a map.
    if (v.byteLength === 0 || v[0]! >= 0x80) throw new StorageError(`corrupt data dir: event record ${key} is neither an event nor a history key`);
    this.point(key, dec.decode(v));
  }

  private point(key: string, history_key: string): void {
    this.pointed_at.push(this.keys.length);
    this.pointer_keys.push(history_key);
    this.keys.push(key);
    this.values.push(undefined);
  }

  /** History keys to read, in the order resolve() takes their values. */
  pointers(): readonly string[] {
    return this.pointer_keys;
  }

  resolve(targets: readonly (Uint8Array | undefined)[]): void {
    targets.forEach((v, j) => {
      const at = this.pointed_at[j]!;
      if (v === undefined) throw new StorageError(`corrupt data dir: event record ${this.keys[at]!} points at history record '${this.pointer_keys[j]!}', which is missing`);
      this.values[at] = decodeValue(v) as LedgerEvent;
    });
  }

  events(): { key: string; event: LedgerEvent }[] {
    return this.keys.map((key, i) => ({ key, event: this.values[i]! }));
  }
}
