// History archives: older history exported to files before retention prunes it, checkable
// offline. A directory holds
//   archive-000001.ndjson, archive-000002.ndjson, ...   newline-delimited JSON
//   MANIFEST.json                                       written last
// Each file: a header line {format, file, prev_file_hash, before_index}, then records in
// history key order (per position: its horizon when history before it was pruned already,
// then its events in seq order; a position may continue in the next file), then a footer
// line {end: true, records, hash}. `hash` is SHA-256 over every line before the footer
// (header included, each with its '\n'); the next file's header names it as
// prev_file_hash, and the manifest names the last one, so a changed, dropped, reordered or
// truncated file breaks the file chain. Records are checked by the ledger's own verifier
// (history.ts): event hashes, per-position chains, quantity arithmetic. Every event of an
// archive has log_index < before_index, and the archive holds every event of the exported
// positions below it from their horizon on; `archived_through_index` (before_index - 1) is
// what `stockctl history mark-archived` sets.

import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, writeFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { HistoryVerifier } from '../ledger/history.js';
import { positionId } from '../ledger/keys.js';
import type { HistoryHorizon, LedgerEvent } from '../ledger/types.js';

export const ARCHIVE_FORMAT = 'stockraft-history-archive-v1';
export const MANIFEST_FILE = 'MANIFEST.json';
/** Records per file: files stay a few tens of MiB. */
export const ARCHIVE_FILE_RECORDS_MAX = 100_000;
/** Files one archive holds at most (a bound for the reader's loop). */
export const ARCHIVE_FILES_MAX = 1_000_000;
/** A line longer than this is not a record this format writes. */
const LINE_BYTES_MAX = 64 * 1024;

export interface ArchiveManifest {
  readonly format: typeof ARCHIVE_FORMAT;
  readonly files: number;
  readonly last_file_hash: string;
  readonly before_index: number;
  readonly archived_through_index: number;
  readonly positions: number;
  readonly events: number;
  readonly horizons: number;
}

export function archiveFileName(n: number): string {
  return `archive-${String(n).padStart(6, '0')}.ndjson`;
}

/** Writes an archive directory record by record (in history key order). */
export class ArchiveWriter {
  private file: FileHandle | null = null;
  private file_no = 0;
  private in_file = 0;
  private hash: Hash | null = null;
  private prev_file_hash = '';
  private positions = 0;
  private events = 0;
  private horizons = 0;
  private last_position = '';

  constructor(
    readonly dir: string,
    readonly before_index: number,
  ) {
    if (!Number.isSafeInteger(before_index) || before_index < 2) throw new RangeError(`before_index must be an integer >= 2, got ${before_index}`);
  }

  async add(record: LedgerEvent | HistoryHorizon): Promise<void> {
    if (record.kind !== 'HORIZON' && record.log_index >= this.before_index) throw new RangeError(`event ${record.sku}@${record.location} seq ${record.seq} is at log index ${record.log_index}, not below ${this.before_index}`);
    if (this.file === null || this.in_file >= ARCHIVE_FILE_RECORDS_MAX) await this.nextFile();
    const id = positionId(record.sku, record.location);
    if (id !== this.last_position) {
      this.positions++;
      this.last_position = id;
    }
    if (record.kind === 'HORIZON') this.horizons++;
    else this.events++;
    await this.line(JSON.stringify(record));
    this.in_file++;
  }

  private async line(text: string): Promise<void> {
    const l = text + '\n';
    this.hash?.update(l);
    await this.file?.write(l);
  }

  private async nextFile(): Promise<void> {
    await this.closeFile();
    if (this.file_no === 0) await mkdir(this.dir, { recursive: true });
    this.file_no++;
    this.file = await open(path.join(this.dir, archiveFileName(this.file_no)), 'wx');
    this.hash = createHash('sha256');
    this.in_file = 0;
    await this.line(JSON.stringify({ format: ARCHIVE_FORMAT, file: this.file_no, prev_file_hash: this.prev_file_hash, before_index: this.before_index }));
  }

  private async closeFile(): Promise<void> {
    if (this.file === null || this.hash === null) return;
    const hash = this.hash.digest('hex');
    await this.file.write(JSON.stringify({ end: true, records: this.in_file, hash }) + '\n');
    await this.file.sync();
    await this.file.close();
    this.prev_file_hash = hash;
    this.file = null;
    this.hash = null;
  }

  /** Ends the last file and writes the manifest (through a rename: it appears whole). */
  async finish(): Promise<ArchiveManifest> {
    if (this.file_no === 0) await this.nextFile();
    await this.closeFile();
    const manifest: ArchiveManifest = {
      format: ARCHIVE_FORMAT,
      files: this.file_no,
      last_file_hash: this.prev_file_hash,
      before_index: this.before_index,
      archived_through_index: this.before_index - 1,
      positions: this.positions,
      events: this.events,
      horizons: this.horizons,
    };
    const tmp = path.join(this.dir, `${MANIFEST_FILE}.partial`);
    await writeFile(tmp, JSON.stringify(manifest, null, 2) + '\n', { flag: 'w' });
    await rename(tmp, path.join(this.dir, MANIFEST_FILE));
    return manifest;
  }
}

export type ArchiveVerdict =
  | { readonly ok: true; readonly manifest: ArchiveManifest; readonly ends: ReadonlyMap<string, { readonly sku: string; readonly location: string; readonly seq: number; readonly hash: string }> }
  | { readonly ok: false; readonly reason: string };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

async function readManifest(dir: string): Promise<ArchiveManifest> {
  const m: unknown = JSON.parse(await readFile(path.join(dir, MANIFEST_FILE), 'utf8'));
  if (!isRecord(m) || m.format !== ARCHIVE_FORMAT) throw new Error(`${MANIFEST_FILE} is not a ${ARCHIVE_FORMAT} manifest`);
  for (const f of ['files', 'before_index', 'archived_through_index', 'positions', 'events', 'horizons'] as const) {
    if (typeof m[f] !== 'number' || !Number.isSafeInteger(m[f]) || (m[f] as number) < 0) throw new Error(`${MANIFEST_FILE}: ${f} is not a non-negative integer`);
  }
  if ((m.files as number) < 1 || (m.files as number) > ARCHIVE_FILES_MAX) throw new Error(`${MANIFEST_FILE}: files must be 1..${ARCHIVE_FILES_MAX}`);
  if (m.archived_through_index !== (m.before_index as number) - 1) throw new Error(`${MANIFEST_FILE}: archived_through_index must be before_index - 1`);
  if (typeof m.last_file_hash !== 'string') throw new Error(`${MANIFEST_FILE}: last_file_hash is not a string`);
  return m as unknown as ArchiveManifest;
}

type Ends = Map<string, { sku: string; location: string; seq: number; hash: string }>;

interface FileCheck {
  readonly verifier: HistoryVerifier;
  readonly ends: Ends;
  readonly manifest: ArchiveManifest;
}

/** Checks one file; returns its hash, or throws with the reason. */
async function checkFile(dir: string, n: number, prev_hash: string, c: FileCheck): Promise<string> {
  const name = archiveFileName(n);
  const lines = createInterface({ input: createReadStream(path.join(dir, name), { encoding: 'utf8' }), crlfDelay: Infinity });
  const hash = createHash('sha256');
  let line_no = 0;
  let records = 0;
  let footer: Record<string, unknown> | null = null;
  for await (const line of lines) {
    line_no++;
    const at = `${name} line ${line_no}`;
    if (footer !== null) throw new Error(`${at}: text after the footer`);
    if (line.length > LINE_BYTES_MAX) throw new Error(`${at}: line longer than ${LINE_BYTES_MAX} bytes`);
    const v: unknown = JSON.parse(line);
    if (!isRecord(v)) throw new Error(`${at}: not a JSON object`);
    if (line_no === 1) {
      if (v.format !== ARCHIVE_FORMAT || v.file !== n || v.before_index !== c.manifest.before_index) throw new Error(`${at}: header does not name ${ARCHIVE_FORMAT} file ${n} before index ${c.manifest.before_index}`);
      if (v.prev_file_hash !== prev_hash) throw new Error(`${at}: prev_file_hash does not match the hash of the file before (files changed, dropped or reordered)`);
    } else if (v.end === true) {
      footer = v;
      continue;
    } else {
      records++;
      const rec = v as unknown as LedgerEvent | HistoryHorizon;
      if (rec.kind !== 'HORIZON' && !(typeof rec.log_index === 'number' && rec.log_index < c.manifest.before_index)) throw new Error(`${at}: event at log index ${String(rec.log_index)} is not below ${c.manifest.before_index}`);
      const f = c.verifier.push(rec);
      if (f !== null && !f.ok) throw new Error(`${at}: ${f.sku}@${f.location} seq ${f.seq}: ${f.reason}`);
      c.ends.set(positionId(rec.sku, rec.location), { sku: rec.sku, location: rec.location, seq: rec.seq, hash: rec.hash });
    }
    hash.update(line + '\n');
  }
  if (footer === null) throw new Error(`${name}: no footer (file truncated)`);
  const digest = hash.digest('hex');
  if (footer.records !== records) throw new Error(`${name}: footer counts ${String(footer.records)} records, the file holds ${records}`);
  if (footer.hash !== digest) throw new Error(`${name}: footer hash does not match the file's lines (file altered)`);
  return digest;
}

/** Verifies an archive directory offline: manifest, file chain, every record chain. */
export async function verifyArchive(dir: string): Promise<ArchiveVerdict> {
  try {
    const manifest = await readManifest(dir);
    const names = (await readdir(dir)).filter((f) => /^archive-\d{6}\.ndjson$/.test(f));
    if (names.length !== manifest.files) throw new Error(`${MANIFEST_FILE} names ${manifest.files} files, the directory holds ${names.length}`);
    const c: FileCheck = { verifier: new HistoryVerifier(), ends: new Map(), manifest };
    let prev = '';
    for (let n = 1; n <= manifest.files; n++) prev = await checkFile(dir, n, prev, c);
    if (prev !== manifest.last_file_hash) throw new Error(`${MANIFEST_FILE}: last_file_hash does not match the last file (files dropped or altered)`);
    const fin = c.verifier.finish();
    if (!fin.ok) throw new Error(`${fin.sku}@${fin.location} seq ${fin.seq}: ${fin.reason}`);
    if (fin.events !== manifest.events || fin.positions !== manifest.positions || (fin.horizons ?? 0) !== manifest.horizons) {
      throw new Error(`${MANIFEST_FILE} counts ${manifest.positions} positions, ${manifest.events} events, ${manifest.horizons} horizons; the files hold ${fin.positions}, ${fin.events}, ${fin.horizons ?? 0}`);
    }
    return { ok: true, manifest, ends: c.ends };
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
}
