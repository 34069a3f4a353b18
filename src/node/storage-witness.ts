// A witness of the newest synced write, kept beside the database, to notice a data dir
// that lost its newest writes.
//
// A write-ahead log cut short (a truncated file, a rolled-back copy) reads back as a
// consistent, older database: LevelDB reports nothing and every record checksum holds.
// For raft that is lost durable data (acknowledged entries, a vote). So every synced
// write carries a sequence number (meta 'write_seq'), and once LevelDB says it is durable
// the same number goes into WITNESS_FILE with an ordinary write (no fsync of its own:
// it is written only after the database's fsync, so on disk it can only be behind the
// database, never ahead, whatever a power loss keeps). At open a database whose sequence
// is below the witness's has lost writes that completed: the node refuses to start.
// A witness that does not read back whole (torn by a power loss) proves nothing and is
// only reported.

import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { readU64, writeU64 } from './storage-records.js';

export const WITNESS_FILE = 'STOCKRAFT-WITNESS';
const MAGIC = 0x53574954; // 'SWIT'
const WITNESS_BYTES = 16;

export type WitnessReading = { readonly kind: 'absent' } | { readonly kind: 'torn'; readonly bytes: number } | { readonly kind: 'seq'; readonly seq: number };

export function readWitness(dir: string): WitnessReading {
  const file = path.join(dir, WITNESS_FILE);
  if (!existsSync(file)) return { kind: 'absent' };
  const b = readFileSync(file);
  if (b.byteLength !== WITNESS_BYTES || b.readUInt32BE(0) !== MAGIC || b.readUInt32BE(12) !== crc32(b.subarray(0, 12))) return { kind: 'torn', bytes: b.byteLength };
  return { kind: 'seq', seq: readU64(b, 4) };
}

export class Witness {
  private fd: number | null;
  private readonly buf = Buffer.alloc(WITNESS_BYTES);

  constructor(readonly dir: string) {
    const file = path.join(dir, WITNESS_FILE);
    // Not 'w': a crash between truncating and the first record would leave it empty.
    this.fd = openSync(file, existsSync(file) ? 'r+' : 'w');
  }

  /** Records that synced write `seq` is durable (a 16-byte positional write, no fsync). */
  record(seq: number): void {
    if (this.fd === null) return;
    this.buf.writeUInt32BE(MAGIC, 0);
    writeU64(this.buf, seq, 4);
    this.buf.writeUInt32BE(crc32(this.buf.subarray(0, 12)), 12);
    writeSync(this.fd, this.buf, 0, WITNESS_BYTES, 0);
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
