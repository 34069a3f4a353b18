// Durable storage of one node: a single classic-level (LevelDB) database with sub-levels
//   log      raft entries, key = 8-byte big-endian index (so key order is index order),
//            value = a fixed binary header, a CRC-32 and the entry's data bytes
//            (storage-records.ts)
//   meta     identity, hard state, compaction point, bootstrap membership, applied record,
//            the record a forced new cluster leaves (src/server/force-new-cluster.ts), each
//            msgpack behind a CRC-32 of key and value (storage-records.ts)
//   state    ledger state (positions, reservations, op outcomes), keys chosen by the ledger
//   history  ledger history (hash-chained events), keys chosen by the ledger
//   events   the Watch index: every applied position event in log order, so that watch
//            streams can resume from a log index without scanning every position. One
//            record per raft entry, key = the entry's 14 hex digits (entryEventsKey), value
//            = its events' history keys (storage-values.ts); an event's own key is
//            eventKey(log index, ordinal). Format 3 wrote one record per event under that
//            key, holding its history key or (a restore) the event; both are read (see
//            eventsFrom), and snapshots carry the per-event form
//   outcomes op outcomes past the dedup window, key = the op id (src/ledger/archive.ts):
//            never loaded at start, read by GetOutcome and the leader's id check
// The four ledger sub-levels (the snapshot key spaces) exist in generations: generation
// 0 under the names above, generation g > 0 under `<name>~<g>`; meta 'generation' names
// the live one. A received snapshot is written into a fresh generation while the node
// runs on the live one (staging: meta 'staging/<g>' says it is not live yet), and
// installed by one synced batch that switches 'generation', rewrites the log above the
// snapshot and the hard state, and marks the old generation 'retired/<g>'. A crash at
// any moment leaves either the old generation with its log or the new one with its log;
// generations that are staging or retired are deleted after the next open (see
// clearLeftovers).
// Ledger values are msgpack or, for the hot records, binary layouts (storage-values.ts).
// Raft entries and hard state go in one synced batch per Ready
// (group commit); ledger writes and the applied record go in one atomic batch per applied
// batch.
// The applied batch is not synced on its own: LevelDB's write-ahead log is sequential, so
// the next synced batch makes it durable, and `durableApplied` tells compaction how far
// that is known to have happened.

import { ClassicLevel } from 'classic-level';
import type { AbstractBatchOperation, AbstractSublevel } from 'abstract-level';
import { existsSync, readdirSync } from 'node:fs';
import { openFailureMessage } from './storage-open-error.js';
import { checkOpenedForDamage, refuseIfMarkedDamaged } from './storage-damage.js';
import { migrateFormat2, type AfterBatch } from './storage-migrate.js';
import { readWitness, Witness } from './storage-witness.js';
import type { ConfState, Entry, HardState, NodeId, SnapshotMeta } from '../raft/types.js';
import type { KvWrite, LedgerEvent } from '../ledger/types.js';
import { asBuffer, decodeEntryRecord, decodeMetaRecord, encodeEntryRecord, encodeMetaRecord, isMetaRecord, pack, readU64, StorageError, unpack, writeU64 } from './storage-records.js';
import { decodeValue, encodeEntryEvents, encodeValue, toPortable } from './storage-values.js';
import { ENTRY_KEY_CHARS, entryEventsKey, EVENT_KEY_CHARS, eventKey, portableWatchRecords, WatchRows } from './storage-watch.js';

export { pack, unpack, StorageError, encodeEntryRecord, decodeEntryRecord, entryEventsKey, eventKey };

/** Version 4: hot ledger values in binary layouts and one Watch record per raft entry
 * (storage-values.ts), beside msgpack values and per-event Watch records, which it reads as
 * well: a format 3 dir is taken as it is (only its identity record says 4 from then on, so
 * that a build of format 3 refuses it by name instead of failing on a layout it cannot
 * read). Version 3: every raft entry and meta record carries a CRC-32
 * (storage-records.ts). Version 2 (entries as a binary header and data, Watch copies of
 * events as pointers to their history records) is migrated at start (storage-migrate.ts). */
export const FORMAT_VERSION = 4;
/** The format whose dirs this build takes as they are (see FORMAT_VERSION). */
const FORMAT_READ_AS_IS = 3;
/** LevelDB's open files: 10 for itself, the rest its table cache (it raises anything below
 * 74, so this is the least it takes). On Linux LevelDB maps every open table file into
 * memory, and every page a read touches counts in the process's RSS until the table leaves
 * the cache: with the default (1,000) a snapshot send or a backup, which read every table,
 * left the whole database resident (2M events: ~490 MiB of a 632 MiB peak). 74 bounds that
 * part to 64 tables of ~2 MiB whatever the history (100 left ~210 MiB resident during a
 * send at 1M positions: 40% of the 500 MiB budget). A read of a table outside the cache
 * reopens it (a file open and its index block): rare, as the ledger's state is served from
 * memory and the log's tables are recent. */
export const LEVELDB_OPEN_FILES_MAX = 74;
/** Records fetched per iterator call when reading a whole sub-level. */
const READ_BATCH = 1000;
const enc = new TextEncoder();
const dec = new TextDecoder();

/** The chained batch's own entry points, which abstract-level defines for implementations
 * and classic-level implements: each hands one key and value (text or bytes) straight to
 * the native write batch. See writeOps for why they are called directly. */
interface NativeBatchOps {
  _put(key: string | Uint8Array, value: string | Uint8Array): void;
  _del(key: string | Uint8Array): void;
}

type Db = ClassicLevel<Uint8Array, Uint8Array>;
export type Sub = AbstractSublevel<Db, Uint8Array | Buffer, Uint8Array, Uint8Array>;
/** An operation on the root database, its key already carrying the sub-level prefix.
 * String keys and values say so (utf8): LevelDB takes them as they are, where a small
 * Uint8Array key (the sub-level's own prefixing makes one per operation) lives on the V8
 * heap and must be moved off it when the native side reads it, which cost ~1 us an
 * operation in the batches of a busy node. Text and bytes reach LevelDB as the same bytes
 * (utf8), whichever way an operation is written (see writeOps). */
type Op = AbstractBatchOperation<Db, string | Uint8Array, string | Uint8Array>;

export type SublevelName = 'state' | 'history' | 'events' | 'outcomes';
export const SNAPSHOT_SUBLEVELS: readonly SublevelName[] = ['state', 'history', 'events', 'outcomes'];
/** Ids looked up in the 'outcomes' sub-level at once (a Submit's worth). */
export const ARCHIVE_LOOKUP_IDS_MAX = 1_000;
/** A snapshot key space's sub-level name in one generation (see the file's header). */
export function generationSublevel(name: SublevelName, generation: number): string {
  return generation === 0 ? name : `${name}~${generation}`;
}
/** Generations beyond this are refused (a counter that never wraps in practice). */
const GENERATION_MAX = 2 ** 40;
/** Records deleted per batch when a staging or retired generation is cleared. */
const CLEAR_BATCH = 1000;
const STAGING_META_PREFIX = 'staging/';
const RETIRED_META_PREFIX = 'retired/';

export interface Identity {
  readonly format: number;
  readonly node_id: NodeId;
  readonly cluster_id: string;
}

/** What the state machine has durably applied, written with the ledger's changes. */
export interface AppliedRecord {
  readonly index: number;
  readonly term: number;
  readonly conf_state: ConfState;
  /** Member id -> advertised address, learned from conf change contexts. */
  readonly addresses: Readonly<Record<NodeId, string>>;
}

export interface LoadedState {
  readonly identity: Identity | null;
  readonly hard_state: HardState;
  readonly snapshot: SnapshotMeta | null;
  readonly bootstrap_conf: ConfState | null;
  readonly entries: readonly Entry[];
  readonly applied: AppliedRecord;
}

export interface StorageStats {
  fsyncs: number;
  synced_batches_ms_total: number;
}

/** Key of a raft entry within the log sub-level. */
export function logKey(index: number): Uint8Array {
  const b = Buffer.allocUnsafe(8);
  writeU64(b, index, 0);
  return b;
}

export function logKeyIndex(key: Uint8Array): number {
  if (key.byteLength !== 8) throw new StorageError(`corrupt data dir: raft log key of ${key.byteLength} bytes`);
  return readU64(asBuffer(key), 0);
}

const EMPTY_CONF: ConfState = { voters: [], learners: [] };
const FORCED_NEW_CLUSTER_KEY = 'forced_new_cluster';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function assertInt(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new StorageError(`corrupt data dir: ${what} is ${String(v)}`);
  return v;
}

function asConf(v: unknown, what: string): ConfState {
  if (!isRecord(v) || !Array.isArray(v.voters) || !Array.isArray(v.learners)) throw new StorageError(`corrupt data dir: ${what} is not a membership`);
  return { voters: v.voters.map(String), learners: v.learners.map(String) };
}

/** A sub-level's key prefix as text. Sub-level names are ASCII: the prefix's utf8 bytes
 * are its characters. */
function textPrefix(sub: Sub): string {
  const p = (sub.prefixKey as unknown as (key: string, format: 'utf8') => string)('', 'utf8');
  if (p !== dec.decode(sub.prefixKey(new Uint8Array(0), 'view'))) throw new StorageError(`sub-level prefix '${p}' is not plain text`);
  return p;
}

function prefixesOf(subs: Readonly<Record<SublevelName, Sub>>): Record<SublevelName, string> {
  return { state: textPrefix(subs.state), history: textPrefix(subs.history), events: textPrefix(subs.events), outcomes: textPrefix(subs.outcomes) };
}

/** Work run between the batches of a long read, every `every_records` records. */
export interface LoadPause {
  readonly every_records: number;
  run(): Promise<void>;
}

/** One record of a snapshot: the sub-level, its key and its value bytes. */
export type SnapshotRecord = [SublevelName, Uint8Array, Uint8Array];

/** Feeds every key/value of a sub-level to `add`, in key order, READ_BATCH at a time. The
 * next batch is asked for before the current one is handed on, so LevelDB reads it (in
 * libuv's pool) while this thread decodes: a restart waits for the slower of the two, not
 * for both. */
async function forEachRecord(sub: Sub, add: (key: string, value: unknown) => void, pause: LoadPause | null = null): Promise<number> {
  let n = 0;
  // Keys come as strings made by the binding: a million keys cost ~1.8 s less CPU than as
  // byte views decoded here (1M-position restart, BENCHMARKS.md "Longevity").
  const it = sub.iterator<string, Uint8Array>({ keyEncoding: 'utf8' });
  let next: Promise<[string, Uint8Array][]> | null = it.nextv(READ_BATCH);
  try {
    // Bounded by the sub-level's size: every round consumes a non-empty batch or ends.
    for (;;) {
      const batch: [string, Uint8Array][] = await next;
      next = null;
      if (batch.length === 0) break;
      next = it.nextv(READ_BATCH);
      for (const [k, v] of batch) add(k, decodeValue(v));
      const before = n;
      n += batch.length;
      if (pause !== null && Math.floor(n / pause.every_records) > Math.floor(before / pause.every_records)) await pause.run();
    }
  } finally {
    // A read still in flight (add threw) ends before the iterator closes; its error, if
    // any, is not the one to report.
    if (next !== null) await next.catch(() => undefined);
    await it.close();
  }
  return n;
}

/** How a snapshot view gives its values: 'stored' as they are in the data dir (binary
 * layouts among them, for a peer that reads them: peer-version.ts), 'portable' in the
 * msgpack forms every build reads (for backups and older peers). Stored values need no
 * re-encoding and are fewer bytes (2M events over 1M positions: 819 MiB against 1,363). */
export type SnapshotForm = 'stored' | 'portable';

export interface SnapshotView {
  readonly applied: AppliedRecord;
  readonly form: SnapshotForm;
  readonly records: AsyncGenerator<[SublevelName, Uint8Array, Uint8Array]>;
  close(): Promise<void>;
}

export class LevelStorage {
  private last_index = 0;
  private snapshot_index = 0;
  /** Term and vote last written with an fsync. */
  private synced_hs: HardState = { term: 0, vote: null, commit: 0 };
  /** Data bytes of each stored entry above the compaction point, in index order. */
  private sizes: number[] = [];
  private log_bytes = 0;
  private applied_written = 0;
  /** Applied index known to be on disk (an applied batch followed by a synced batch). */
  durable_applied = 0;
  /** Test hook: extra delay before every synced write. */
  fsync_delay_ms = 0;
  /** Sequence number of the last synced write (meta 'write_seq', see storage-witness.ts). */
  private write_seq = 0;
  private witness: Witness | null = null;
  /** Test hook: called after each batch of a format migration. */
  migration_after_batch: AfterBatch | null = null;
  readonly stats: StorageStats = { fsyncs: 0, synced_batches_ms_total: 0 };
  onSync: ((ms: number) => void) | null = null;
  /** Root-database key prefixes of the sub-levels, taken from abstract-level itself so
   * that records written through the root read back through the sub-levels. */
  private readonly log_prefix: Uint8Array;
  private readonly meta_prefix: string;
  private prefix: Readonly<Record<SublevelName, string>>;
  /** The live generation of the snapshot key spaces and its sub-levels. */
  private generation = 0;
  private live_subs: Readonly<Record<SublevelName, Sub>>;
  /** Generations allocated so far (live, staging, retired): a new one is above all. */
  private generation_top = 0;
  /** Staging and retired generations found at open, to delete (clearLeftovers). */
  private leftovers: { generation: number; meta_key: string }[] = [];
  /** Generations being deleted in the background; close() waits for them. */
  private readonly clearing = new Set<Promise<void>>();
  private closing = false;

  private constructor(
    readonly dir: string,
    private readonly db: Db,
    private readonly log: Sub,
    private readonly meta: Sub,
  ) {
    this.log_prefix = log.prefixKey(new Uint8Array(0), 'view');
    this.meta_prefix = textPrefix(meta);
    this.live_subs = this.generationSubs(0);
    this.prefix = prefixesOf(this.live_subs);
  }

  /** The live ledger sub-levels (state, history, events, outcomes). */
  get subs(): Readonly<Record<SublevelName, Sub>> {
    return this.live_subs;
  }

  private generationSubs(generation: number): Record<SublevelName, Sub> {
    const opt = { keyEncoding: 'view', valueEncoding: 'view' } as const;
    const sub = (name: SublevelName): Sub => this.db.sublevel<Uint8Array, Uint8Array>(generationSublevel(name, generation), opt) as unknown as Sub;
    return { state: sub('state'), history: sub('history'), events: sub('events'), outcomes: sub('outcomes') };
  }

  /** Opens (creating if missing) the database in `dir`. Refuses a directory that holds
   * something other than a Stockraft database, or one that cannot be opened. */
  static async open(dir: string): Promise<LevelStorage> {
    if (existsSync(dir)) {
      let names: string[];
      try {
        names = readdirSync(dir);
      } catch (err) {
        throw new StorageError(openFailureMessage(dir, err));
      }
      if (names.length > 0 && !names.includes('CURRENT')) {
        throw new StorageError(`data dir ${dir} is not empty and holds no database (found ${names.slice(0, 5).join(', ')}): refusing to use it`);
      }
    }
    const db: Db = new ClassicLevel<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view', maxOpenFiles: LEVELDB_OPEN_FILES_MAX });
    try {
      await db.open();
    } catch (err) {
      throw new StorageError(openFailureMessage(dir, err));
    }
    await LevelStorage.refuseDamaged(dir, db);
    const opt = { keyEncoding: 'view', valueEncoding: 'view' } as const;
    const sub = (name: string): Sub => db.sublevel<Uint8Array, Uint8Array>(name, opt) as unknown as Sub;
    const storage = new LevelStorage(dir, db, sub('log'), sub('meta'));
    try {
      await storage.readGenerations();
    } catch (err) {
      await db.close();
      throw err;
    }
    return storage;
  }

  /** Reads which generation is live and which are left over from a staging or an
   * install that a crash or a refusal interrupted. */
  private async readGenerations(): Promise<void> {
    const raw = await this.getMeta('generation');
    const live = raw === undefined ? 0 : assertInt(raw, 'live generation');
    if (live > GENERATION_MAX) throw new StorageError(`corrupt data dir: live generation ${live} is beyond ${GENERATION_MAX}`);
    this.useGeneration(live);
    this.generation_top = live;
    for (const meta_prefix of [STAGING_META_PREFIX, RETIRED_META_PREFIX]) {
      // Bounded: at most a few staging and retired generations exist at once.
      for await (const k of this.meta.keys({ gte: enc.encode(meta_prefix), lt: enc.encode(meta_prefix + '\xff') })) {
        const meta_key = dec.decode(k);
        const generation = Number(meta_key.slice(meta_prefix.length));
        if (!Number.isSafeInteger(generation) || generation < 0 || generation > GENERATION_MAX) throw new StorageError(`corrupt data dir: meta record '${meta_key}' names no generation`);
        if (generation === live) throw new StorageError(`corrupt data dir: the live generation ${live} is also marked '${meta_key}'`);
        this.leftovers.push({ generation, meta_key });
        this.generation_top = Math.max(this.generation_top, generation);
      }
    }
  }

  private useGeneration(generation: number): void {
    this.generation = generation;
    this.live_subs = this.generationSubs(generation);
    this.prefix = prefixesOf(this.live_subs);
  }

  /** The live generation of the snapshot key spaces (0 until a snapshot is installed). */
  get liveGeneration(): number {
    return this.generation;
  }

  /** Staging and retired generations found at open that are still to delete. */
  get leftoverGenerations(): readonly number[] {
    return this.leftovers.map((l) => l.generation);
  }

  /** Deletes, in the background, the generations an interrupted staging or install left
   * behind. Their records are no part of the live state, so the node serves meanwhile. */
  clearLeftovers(onError: (err: unknown) => void): void {
    for (const l of this.leftovers.splice(0)) this.clearInBackground(l.generation, l.meta_key, onError);
  }

  /** Resolves once the background deletions started so far have finished. */
  async clearsDone(): Promise<void> {
    await Promise.all([...this.clearing]);
  }

  private clearInBackground(generation: number, meta_key: string, onError: (err: unknown) => void): void {
    const p: Promise<void> = this.clearGeneration(generation, meta_key)
      .catch((err: unknown) => {
        if (!this.closing) onError(err);
      })
      .finally(() => this.clearing.delete(p));
    this.clearing.add(p);
  }

  /** Deletes every record of a generation that is not live, a bounded batch at a time,
   * then the meta record that marked it. Stops early (leaving the mark) when closing. */
  async clearGeneration(generation: number, meta_key: string): Promise<void> {
    if (generation === this.generation) throw new StorageError(`refusing to clear the live generation ${generation}`);
    const subs = this.generationSubs(generation);
    for (const name of SNAPSHOT_SUBLEVELS) {
      const sub = subs[name];
      // Bounded by the generation's records: each round deletes a non-empty batch or ends.
      for (;;) {
        if (this.closing) return;
        const it = sub.keys({ limit: CLEAR_BATCH });
        let keys: Uint8Array[];
        try {
          keys = await it.all();
        } finally {
          await it.close().catch(() => undefined);
        }
        if (keys.length === 0) break;
        await this.writeOps(keys.map((k) => ({ type: 'del', key: sub.prefixKey(k, 'view') })), false);
      }
    }
    await this.writeOps([{ type: 'del', key: this.meta_prefix + meta_key, keyEncoding: 'utf8' }], false);
  }

  /** Refuses a dir that LevelDB found damaged while opening it, now or at an earlier
   * open (storage-damage.ts). */
  private static async refuseDamaged(dir: string, db: Db): Promise<void> {
    try {
      refuseIfMarkedDamaged(dir);
      checkOpenedForDamage(dir);
    } catch (err) {
      await db.close();
      throw err;
    }
  }

  async close(): Promise<void> {
    this.witness?.close();
    this.witness = null;
    this.closing = true;
    await Promise.all([...this.clearing]);
    await this.db.close();
  }

  /** Closes the database and opens it again, for use at start, while nothing else uses
   * it. Reading the whole ledger at start leaves LevelDB's table files mapped and their
   * pages resident: ~250 MiB counted in the process's RSS with 1M positions, although it
   * is page cache. Reopening unmaps them; later reads map only what they touch. */
  async reopen(): Promise<void> {
    await this.db.close();
    await this.db.open();
    checkOpenedForDamage(this.dir);
    for (const sub of [this.log, this.meta, ...Object.values(this.live_subs)]) await sub.open();
  }

  private async getMeta(key: string): Promise<unknown> {
    const v = await this.meta.get(enc.encode(key));
    if (v === undefined) return undefined;
    // The identity record says the format, so it is read in either: format 2 wrote bare
    // msgpack (never a 0xc1 first byte), claim() migrates such a dir.
    if (key === 'identity' && !isMetaRecord(v)) return unpack(v);
    return decodeMetaRecord(key, v);
  }

  // Operations carry keys prefixed here, on the root database: cheaper than the
  // per-operation sublevel option when a batch holds thousands of them.

  private putMeta(key: string, value: unknown): Op {
    return { type: 'put', key: this.meta_prefix + key, keyEncoding: 'utf8', value: encodeMetaRecord(key, value) };
  }

  /** Writes operations on the root database as one atomic LevelDB batch, synced or not.
   * Operations after the first go straight to the native batch (the chained batch's own
   * _put/_del): the public batch paths re-check, re-encode and copy every operation
   * ({...options, ...op}) and the array form then makes the native side look up each
   * operation's properties, together ~1.3 us an operation against ~0.75 us for the whole
   * direct path, LevelDB's work included, and a reserve writes ~5 records on every node.
   * The keys are already prefixed and the values encoded, so nothing those paths do is
   * needed. The first operation goes through the public put/del, which counts it: write()
   * treats a batch that counted nothing as empty and skips it. */
  private async writeOps(ops: readonly Op[], sync: boolean): Promise<void> {
    if (ops.length === 0) return;
    const batch = this.db.batch();
    try {
      const native = batch as unknown as Partial<NativeBatchOps>;
      if (typeof native._put !== 'function' || typeof native._del !== 'function') throw new StorageError('this classic-level has no chained batch _put/_del: storage cannot write');
      const first = ops[0]!;
      const b = batch as unknown as { put(k: string | Uint8Array, v: string | Uint8Array, o: object): void; del(k: string | Uint8Array, o: object): void };
      if (first.type === 'put') b.put(first.key, first.value, { keyEncoding: first.keyEncoding ?? 'view', valueEncoding: first.valueEncoding ?? 'view' });
      else b.del(first.key, { keyEncoding: first.keyEncoding ?? 'view' });
      // Bounded by the operations given.
      for (let i = 1; i < ops.length; i++) {
        const op = ops[i]!;
        if (op.type === 'put') native._put(op.key, op.value);
        else native._del(op.key);
      }
    } catch (err) {
      await batch.close();
      throw err;
    }
    await batch.write(sync ? { sync: true } : {});
  }

  /** Root key of a raft entry: the log prefix and the 8-byte index, in one small buffer
   * from Node's shared pool. */
  private logRootKey(index: number): Buffer {
    const p = this.log_prefix.byteLength;
    const b = Buffer.allocUnsafe(p + 8);
    b.set(this.log_prefix, 0);
    writeU64(b, index, p);
    return b;
  }

  /** Checks that the directory belongs to this node and cluster, or claims it for them. */
  async claim(node_id: NodeId, cluster_id: string | null, bootstrap: { conf: ConfState; addresses: Record<NodeId, string> } | null = null): Promise<Identity> {
    const raw = await this.getMeta('identity');
    if (raw === undefined) {
      if (cluster_id === null) throw new StorageError(`data dir ${this.dir} is empty and no cluster id is known: give --cluster-id or --initial-cluster`);
      const identity: Identity = { format: FORMAT_VERSION, node_id, cluster_id };
      // Identity and starting membership in one batch: a crash leaves both or neither.
      const ops = [this.putMeta('identity', identity)];
      if (bootstrap) {
        const applied: AppliedRecord = { index: 0, term: 0, conf_state: bootstrap.conf, addresses: bootstrap.addresses };
        ops.push(this.putMeta('bootstrap_conf', bootstrap.conf), this.putMeta('applied', applied));
      }
      await this.writeOps(ops, true);
      return identity;
    }
    if (!isRecord(raw) || typeof raw.node_id !== 'string' || typeof raw.cluster_id !== 'string') {
      throw new StorageError(`data dir ${this.dir} is corrupt: its identity record is unreadable`);
    }
    if (raw.format !== 2 && raw.format !== FORMAT_READ_AS_IS && raw.format !== FORMAT_VERSION) {
      throw new StorageError(`data dir ${this.dir} has format ${String(raw.format)}, this stockd reads formats ${FORMAT_READ_AS_IS} and ${FORMAT_VERSION} and migrates format 2`);
    }
    if (raw.node_id !== node_id) throw new StorageError(`data dir ${this.dir} belongs to node '${raw.node_id}', not to '${node_id}': refusing to start`);
    if (cluster_id !== null && raw.cluster_id !== cluster_id) {
      throw new StorageError(`data dir ${this.dir} belongs to cluster '${raw.cluster_id}', not to '${cluster_id}': refusing to start`);
    }
    if (raw.format === 2) {
      const identity: Identity = { format: FORMAT_VERSION, node_id: raw.node_id, cluster_id: raw.cluster_id };
      const writeIdentity = (): Promise<void> => this.writeOps([this.putMeta('identity', identity)], true);
      this.migrated = await migrateFormat2(this.log, this.meta, logKeyIndex, writeIdentity, this.migration_after_batch);
    } else if (raw.format === FORMAT_READ_AS_IS) {
      await this.writeOps([this.putMeta('identity', { format: FORMAT_VERSION, node_id: raw.node_id, cluster_id: raw.cluster_id })], true);
    }
    return { format: FORMAT_VERSION, node_id: raw.node_id, cluster_id: raw.cluster_id };
  }

  /** The record `stockd --force-new-cluster` leaves until the next start without the flag
   * (src/server/force-new-cluster.ts), or undefined. */
  async forcedNewClusterRecord(): Promise<unknown> {
    return this.getMeta(FORCED_NEW_CLUSTER_KEY);
  }

  /** Writes that record, or deletes it (null), synced. */
  async setForcedNewClusterRecord(record: object | null): Promise<void> {
    const op: Op = record === null ? { type: 'del', key: this.meta_prefix + FORCED_NEW_CLUSTER_KEY, keyEncoding: 'utf8' } : this.putMeta(FORCED_NEW_CLUSTER_KEY, record);
    await this.writeOps([op], true);
  }

  /** What a format migration at claim() rewrote, or null when none ran. */
  migrated: { readonly entries_rewritten: number; readonly meta_rewritten: number } | null = null;

  async identity(): Promise<Identity | null> {
    const raw = await this.getMeta('identity');
    return isRecord(raw) ? (raw as unknown as Identity) : null;
  }

  /** Reads everything the node needs to resume, checking the invariants that tie it together. */
  async load(): Promise<LoadedState> {
    const identity = await this.identity();
    const hsRaw = await this.getMeta('hard_state');
    const hard_state: HardState = isRecord(hsRaw)
      ? { term: assertInt(hsRaw.term, 'hard state term'), vote: typeof hsRaw.vote === 'string' ? hsRaw.vote : null, commit: assertInt(hsRaw.commit, 'hard state commit') }
      : { term: 0, vote: null, commit: 0 };
    const snapRaw = await this.getMeta('snapshot');
    const snapshot: SnapshotMeta | null = isRecord(snapRaw)
      ? { index: assertInt(snapRaw.index, 'snapshot index'), term: assertInt(snapRaw.term, 'snapshot term'), conf_state: asConf(snapRaw.conf_state, 'snapshot membership') }
      : null;
    const bootRaw = await this.getMeta('bootstrap_conf');
    const bootstrap_conf = bootRaw === undefined ? null : asConf(bootRaw, 'bootstrap membership');
    const appliedRaw = await this.getMeta('applied');
    let applied: AppliedRecord = { index: 0, term: 0, conf_state: bootstrap_conf ?? EMPTY_CONF, addresses: {} };
    if (isRecord(appliedRaw)) {
      const addresses: Record<NodeId, string> = {};
      if (isRecord(appliedRaw.addresses)) for (const [k, v] of Object.entries(appliedRaw.addresses)) addresses[k] = String(v);
      applied = {
        index: assertInt(appliedRaw.index, 'applied index'),
        term: assertInt(appliedRaw.term, 'applied term'),
        conf_state: asConf(appliedRaw.conf_state, 'applied membership'),
        addresses,
      };
    }
    const entries: Entry[] = [];
    const first = (snapshot?.index ?? 0) + 1;
    for await (const [k, v] of this.log.iterator()) {
      const index = logKeyIndex(k);
      if (index < first) throw new StorageError(`corrupt data dir: log entry ${index} lies below the compaction point ${first - 1}`);
      const expected = first + entries.length;
      if (index !== expected) throw new StorageError(`corrupt data dir: raft log has a gap, expected entry ${expected}, found ${index}`);
      entries.push(decodeEntryRecord(v, index));
    }
    const last = entries.length > 0 ? entries[entries.length - 1]!.index : first - 1;
    if (hard_state.commit > last) throw new StorageError(`corrupt data dir: commit index ${hard_state.commit} is beyond the last stored entry ${last}`);
    if (applied.index > Math.max(hard_state.commit, snapshot?.index ?? 0)) {
      throw new StorageError(`corrupt data dir: applied index ${applied.index} is beyond the commit index ${hard_state.commit}`);
    }
    if (snapshot && applied.index < snapshot.index) {
      throw new StorageError(`corrupt data dir: applied index ${applied.index} is below the compaction point ${snapshot.index}`);
    }
    this.last_index = last;
    this.snapshot_index = snapshot?.index ?? 0;
    this.synced_hs = hard_state;
    this.sizes = entries.map((e) => e.data.byteLength);
    this.log_bytes = this.sizes.reduce((a, b) => a + b, 0);
    this.applied_written = applied.index;
    this.durable_applied = applied.index;
    await this.checkWitness();
    return { identity, hard_state, snapshot, bootstrap_conf, entries, applied };
  }

  /** Refuses a database that lost synced writes the witness saw complete, then keeps
   * the witness from here on (storage-witness.ts). */
  private async checkWitness(): Promise<void> {
    const seq_raw = await this.getMeta('write_seq');
    this.write_seq = seq_raw === undefined ? 0 : assertInt(seq_raw, 'synced write sequence');
    const w = readWitness(this.dir);
    if (w.kind === 'seq' && w.seq > this.write_seq) {
      throw new StorageError(
        `corrupt data dir ${this.dir}: it lost its newest writes (LevelDB holds synced write #${this.write_seq}, but write #${w.seq} had completed: ` +
          'a truncated or rolled-back file); acknowledged entries or votes may be missing, so this node will not start on it: wipe the data dir and re-add the node (docs/operations.md "A node with a corrupt data dir")',
      );
    }
    this.witness?.close();
    this.witness = new Witness(this.dir);
    if (w.kind === 'torn') this.torn_witness_bytes = w.bytes;
    this.witness.record(this.write_seq);
  }

  /** Bytes of a witness file found torn at load (reported by the caller), else null. */
  torn_witness_bytes: number | null = null;

  /** Every key/value of the ledger state sub-level, for Ledger.load. Read in batches
   * (nextv): per-record async iteration costs several times more at a million records. */
  async ledgerState(): Promise<[string, unknown][]> {
    const out: [string, unknown][] = [];
    const it = this.subs.state.iterator();
    try {
      // Bounded by the sub-level's size: every round consumes a non-empty batch or ends.
      for (;;) {
        const batch = await it.nextv(READ_BATCH);
        if (batch.length === 0) break;
        for (const [k, v] of batch) out.push([dec.decode(k), decodeValue(v)]);
      }
    } finally {
      await it.close();
    }
    return out;
  }

  /** Feeds every key/value of the ledger state sub-level to `add`, in key order, one
   * batch of READ_BATCH records at a time: a restart streams a million records into the
   * ledger without holding them all (keys, decoded values and tuples) at once. */
  async forEachLedgerState(add: (key: string, value: unknown) => void): Promise<number> {
    return forEachRecord(this.live_subs.state, add);
  }

  get lastIndex(): number {
    return this.last_index;
  }

  get snapshotIndex(): number {
    return this.snapshot_index;
  }

  /** Entry data bytes stored above the compaction point. */
  get logBytes(): number {
    return this.log_bytes;
  }

  /** The highest index i <= `upto` such that the entries in (i, upto] hold at most
   * `bytes_max` data bytes and number at most `entries_max`: where to compact so that the
   * trailing entries stay within both bounds. */
  trailingStart(upto: number, entries_max: number, bytes_max: number): number {
    let i = Math.min(upto, this.last_index);
    let bytes = 0;
    let n = 0;
    // Bounded by entries_max and by the entries stored.
    while (i > this.snapshot_index && n < entries_max) {
      const size = this.sizes[i - this.snapshot_index - 1] ?? 0;
      if (bytes + size > bytes_max) break;
      bytes += size;
      n += 1;
      i -= 1;
    }
    return i;
  }

  private async syncedWrite(ops: Op[]): Promise<void> {
    if (this.fsync_delay_ms > 0) await new Promise((r) => setTimeout(r, this.fsync_delay_ms));
    const applied_before = this.applied_written;
    const seq = this.write_seq + 1;
    ops.push(this.putMeta('write_seq', seq));
    const t0 = performance.now();
    await this.writeOps(ops, true);
    this.write_seq = seq;
    this.witness?.record(seq);
    const ms = performance.now() - t0;
    this.stats.fsyncs += 1;
    this.stats.synced_batches_ms_total += ms;
    this.durable_applied = Math.max(this.durable_applied, applied_before);
    this.onSync?.(ms);
  }

  /** Step 1 of a Ready: new entries (replacing any at or above the first) and the hard
   * state, in one synced batch. */
  async persist(entries: readonly Entry[], hard_state: HardState | null): Promise<void> {
    if (entries.length === 0 && hard_state === null) return;
    const ops: Op[] = [];
    if (entries.length > 0) {
      const first = entries[0]!.index;
      if (first <= this.snapshot_index) throw new StorageError(`refusing to write entry ${first} at or below the compaction point ${this.snapshot_index}`);
      if (first > this.last_index + 1) throw new StorageError(`refusing to write entry ${first}: it would leave a gap after ${this.last_index}`);
      // Bounded by the stored entries above `first`.
      for (let i = first; i <= this.last_index; i++) ops.push({ type: 'del', key: this.logRootKey(i) });
      // Sizes of replaced entries go; the new ones come in below.
      const keep = first - this.snapshot_index - 1;
      for (const dropped of this.sizes.splice(keep)) this.log_bytes -= dropped;
      let expect = first;
      for (const e of entries) {
        if (e.index !== expect) throw new StorageError(`entries to persist are not contiguous: expected ${expect}, got ${e.index}`);
        expect += 1;
        ops.push({ type: 'put', key: this.logRootKey(e.index), value: encodeEntryRecord(e) });
        this.sizes.push(e.data.byteLength);
        this.log_bytes += e.data.byteLength;
      }
      this.last_index = entries[entries.length - 1]!.index;
    }
    if (hard_state) ops.push(this.putMeta('hard_state', hard_state));
    // Only entries, term and vote must survive a crash; the commit index can be learned
    // again. A Ready that only moves the commit index is written without an fsync (it
    // becomes durable with the next synced write, LevelDB's log being sequential).
    const must_sync = entries.length > 0 || (hard_state !== null && (hard_state.term !== this.synced_hs.term || hard_state.vote !== this.synced_hs.vote));
    if (must_sync) {
      await this.syncedWrite(ops);
      if (hard_state) this.synced_hs = hard_state;
    } else {
      await this.writeOps(ops, false);
    }
  }

  /** Step 3 of a Ready: the ledger's writes for a run of applied entries, their events
   * (each under its key, see eventKey) and the applied record, atomically. */
  async apply(writes: readonly KvWrite[], events: readonly { key: string; event: LedgerEvent }[], applied: AppliedRecord): Promise<void> {
    if (applied.index < this.applied_written) throw new StorageError(`applied index would go back from ${this.applied_written} to ${applied.index}`);
    const ops: Op[] = [];
    // History key of each event whose history record is in this batch (the ledger's
    // history write carries the very event object). Its log-order copy then stores only
    // that key: the event is packed and stored once, and the Watch reader follows the key.
    // Bounded by the writes of this run (one entry per history write).
    const history_key = new Map<unknown, string>();
    // A record written more than once in one run (the ledger's meta record once per entry,
    // a hot position once per reserve) is stored in its last version only: the batch is
    // atomic, so nobody could see the earlier ones. Walked backwards so the last write of
    // a key is met first; keys are distinct afterwards, so the order within the batch no
    // longer matters. Bounded by the writes of this run.
    const seen = new Set<string>();
    for (let i = writes.length - 1; i >= 0; i--) {
      const w = writes[i]!;
      // The ledger writes state, history and outcomes; the log-order copies are this file's.
      if (w.sublevel !== 'state' && w.sublevel !== 'history' && w.sublevel !== 'outcomes') throw new StorageError(`ledger write names unknown sublevel '${String(w.sublevel)}'`);
      const key = this.prefix[w.sublevel] + w.key;
      if (seen.has(key)) continue;
      seen.add(key);
      if (w.type === 'put') {
        ops.push({ type: 'put', key, keyEncoding: 'utf8', value: encodeValue(w.sublevel, w.key, w.value) });
        if (w.sublevel === 'history') history_key.set(w.value, w.key);
      } else {
        ops.push({ type: 'del', key, keyEncoding: 'utf8' });
      }
    }
    this.putEvents(ops, events, history_key);
    ops.push(this.putMeta('applied', applied));
    await this.writeOps(ops, false);
    this.applied_written = applied.index;
  }

  /** The Watch index of a run's events: one record per raft entry (its events' history
   * keys, under the entry's part of eventKey), or one record per event where an entry's
   * events are not all in this batch's history writes or are not keyed 0, 1, 2, ... in
   * order (not something the applier produces; the reader takes both). */
  private putEvents(ops: Op[], events: readonly { key: string; event: LedgerEvent }[], history_key: ReadonlyMap<unknown, string>): void {
    const events_prefix = this.prefix.events;
    let i = 0;
    // Bounded by the events given: every round consumes at least one.
    while (i < events.length) {
      const entry = events[i]!.key.slice(0, ENTRY_KEY_CHARS);
      const keys: string[] = [];
      let j = i;
      let whole = true;
      for (; j < events.length; j++) {
        const k = events[j]!.key;
        if (!k.startsWith(entry) || k.length !== EVENT_KEY_CHARS) break;
        const target = history_key.get(events[j]!.event);
        if (target === undefined || parseInt(k.slice(ENTRY_KEY_CHARS + 1), 16) !== j - i) whole = false;
        else keys.push(target);
      }
      if (j === i) j = i + 1; // a key of another shape: stored alone below
      const grouped = whole ? encodeEntryEvents(keys) : null;
      if (grouped !== null) ops.push({ type: 'put', key: events_prefix + entry, keyEncoding: 'utf8', value: grouped });
      else for (let n = i; n < j; n++) ops.push(this.eventRecord(events_prefix, events[n]!, history_key));
      i = j;
    }
  }

  /** One event's own Watch record: the key of its history record in this batch, or the
   * event itself (msgpack) when its history record is not in the batch. */
  private eventRecord(events_prefix: string, e: { key: string; event: LedgerEvent }, history_key: ReadonlyMap<unknown, string>): Op {
    const target = history_key.get(e.event);
    if (target === undefined) return { type: 'put', key: events_prefix + e.key, keyEncoding: 'utf8', value: pack(e.event) };
    return { type: 'put', key: events_prefix + e.key, keyEncoding: 'utf8', value: target, valueEncoding: 'utf8' };
  }

  /** Makes everything written so far durable (an empty synced write). */
  async sync(): Promise<void> {
    await this.syncedWrite([this.putMeta('synced_at', Date.now())]);
  }

  /** Drops log entries at or below `meta.index` (which must be durably applied) and
   * records the compaction point. */
  async compact(meta: SnapshotMeta): Promise<void> {
    if (meta.index > this.durable_applied) throw new StorageError(`refusing to compact to ${meta.index}: only ${this.durable_applied} is durably applied`);
    if (meta.index <= this.snapshot_index) return;
    const ops: Op[] = [];
    // Bounded by the stored entries at or below meta.index.
    for (let i = this.snapshot_index + 1; i <= Math.min(meta.index, this.last_index); i++) ops.push({ type: 'del', key: this.logRootKey(i) });
    ops.push(this.putMeta('snapshot', meta));
    await this.syncedWrite(ops);
    for (const dropped of this.sizes.splice(0, Math.min(meta.index, this.last_index) - this.snapshot_index)) this.log_bytes -= dropped;
    this.snapshot_index = meta.index;
    if (this.last_index < meta.index) this.last_index = meta.index;
  }

  /** Starts staging a snapshot: allocates a fresh generation and marks it as staging
   * (so that a crash leaves it to be deleted at the next open). Returns the generation. */
  async beginStaging(meta: { readonly index: number; readonly term: number }): Promise<number> {
    if (this.generation_top >= GENERATION_MAX) throw new StorageError(`no generation left: ${this.generation_top} allocated, limit ${GENERATION_MAX}`);
    this.generation_top += 1;
    const generation = this.generation_top;
    // Not synced: LevelDB's log is sequential, so any staged record that survives a crash
    // has this mark before it.
    await this.writeOps([this.putMeta(STAGING_META_PREFIX + generation, { index: meta.index, term: meta.term, at_ms: Date.now() })], false);
    return generation;
  }

  /** Writes snapshot records into a staging generation (one unsynced batch). */
  async stageRecords(generation: number, records: readonly SnapshotRecord[]): Promise<void> {
    if (generation === this.generation || generation <= 0 || generation > this.generation_top) throw new StorageError(`generation ${generation} is not a staging generation`);
    const subs = this.generationSubs(generation);
    const ops: Op[] = [];
    for (const [name, k, v] of records) {
      const sub = subs[name];
      if (!sub) throw new StorageError(`snapshot names unknown sublevel '${String(name)}'`);
      ops.push({ type: 'put', key: sub.prefixKey(k, 'view'), value: v });
    }
    await this.writeOps(ops, false);
  }

  /** Feeds the staged 'state' records of a generation to `add` in key order, a batch at a
   * time (for the ledger loader, before the snapshot is installed). */
  async forEachStagedState(generation: number, add: (key: string, value: unknown) => void, pause: LoadPause | null = null): Promise<number> {
    return forEachRecord(this.generationSubs(generation).state, add, pause);
  }

  /** Drops a staging generation that will not be installed, in the background. */
  discardStaging(generation: number, onError: (err: unknown) => void): void {
    if (generation === this.generation) throw new StorageError(`refusing to discard the live generation ${generation}`);
    this.clearInBackground(generation, STAGING_META_PREFIX + generation, onError);
  }

  /** Installs a staged generation in ONE synced batch: it becomes the live ledger, the
   * log is replaced by `entries` (those the core keeps above the snapshot: they may have
   * been acknowledged, so they must not be lost in between), the snapshot point, the
   * applied record and the hard state are written, and the old generation is marked
   * retired. Then the old generation is deleted in the background. */
  async installStaged(generation: number, meta: SnapshotMeta, applied: AppliedRecord, hard_state: HardState | null, entries: readonly Entry[], onError: (err: unknown) => void): Promise<void> {
    if (generation === this.generation || generation <= 0 || generation > this.generation_top) throw new StorageError(`generation ${generation} is not a staging generation`);
    if (applied.index !== meta.index) throw new StorageError(`applied record at ${applied.index} does not match the snapshot index ${meta.index}`);
    const ops: Op[] = [];
    // Bounded by the stored log (the node keeps it short by compaction).
    for (let i = this.snapshot_index + 1; i <= this.last_index; i++) ops.push({ type: 'del', key: this.logRootKey(i) });
    const sizes: number[] = [];
    let expect = meta.index + 1;
    for (const e of entries) {
      if (e.index !== expect) throw new StorageError(`entries kept above snapshot ${meta.index} are not contiguous: expected ${expect}, got ${e.index}`);
      expect += 1;
      ops.push({ type: 'put', key: this.logRootKey(e.index), value: encodeEntryRecord(e) });
      sizes.push(e.data.byteLength);
    }
    const old = this.generation;
    ops.push(this.putMeta('snapshot', meta), this.putMeta('applied', applied), this.putMeta('generation', generation));
    ops.push({ type: 'del', key: this.meta_prefix + STAGING_META_PREFIX + generation, keyEncoding: 'utf8' });
    ops.push(this.putMeta(RETIRED_META_PREFIX + old, { at_ms: Date.now() }));
    if (hard_state) ops.push(this.putMeta('hard_state', hard_state));
    await this.syncedWrite(ops);
    if (hard_state) this.synced_hs = hard_state;
    this.useGeneration(generation);
    this.snapshot_index = meta.index;
    this.last_index = expect - 1;
    this.sizes = sizes;
    this.log_bytes = sizes.reduce((x, y) => x + y, 0);
    this.applied_written = applied.index;
    this.durable_applied = applied.index;
    this.clearInBackground(old, RETIRED_META_PREFIX + old, onError);
  }

  /** Replaces the whole ledger (state, history, events) and the log with the given
   * records (a restore): staged in a fresh generation, then installed in one batch. */
  async installSnapshot(meta: SnapshotMeta, records: Iterable<SnapshotRecord>, applied: AppliedRecord, hard_state: HardState | null): Promise<void> {
    const generation = await this.beginStaging(meta);
    let batch: SnapshotRecord[] = [];
    for (const r of records) {
      batch.push(r);
      if (batch.length >= READ_BATCH) {
        await this.stageRecords(generation, batch);
        batch = [];
      }
    }
    await this.stageRecords(generation, batch);
    let failure: unknown = null;
    await this.installStaged(generation, meta, applied, hard_state, [], (err) => (failure = err));
    await this.clearsDone();
    if (failure !== null) throw failure;
  }

  /** A consistent view of the ledger sub-levels and the applied record at one instant,
   * its values as stored or in the msgpack forms every build reads (toPortable,
   * portableWatchRecords), see SnapshotForm: backups keep the format they had before the
   * binary layouts. The explicit LevelDB snapshot pins that instant: the applied record
   * read through it matches the ledger state, history and events read through it. Call
   * close() when done. */
  async openSnapshot(form: SnapshotForm = 'portable'): Promise<SnapshotView> {
    const snap = this.db.snapshot();
    const raw = await this.meta.get(enc.encode('applied'), { snapshot: snap });
    if (raw === undefined) {
      await snap.close();
      throw new StorageError('no applied record yet: nothing to snapshot');
    }
    let applied: AppliedRecord;
    try {
      applied = decodeMetaRecord('applied', raw) as AppliedRecord;
    } catch (err) {
      await snap.close();
      throw err;
    }
    const subs = this.subs;
    async function* records(): AsyncGenerator<[SublevelName, Uint8Array, Uint8Array]> {
      for (const name of SNAPSHOT_SUBLEVELS) {
        const it = subs[name].iterator({ snapshot: snap });
        try {
          for (;;) {
            const batch = await it.nextv(READ_BATCH);
            if (batch.length === 0) break;
            for (const [k, v] of batch) {
              if (form === 'stored') yield [name, k, v];
              else if (name === 'events') yield* portableWatchRecords(k, v);
              else yield [name, k, toPortable(v)];
            }
          }
        } finally {
          await it.close();
        }
      }
    }
    return { applied, form, records: records(), close: () => snap.close() };
  }

  /** Events after `after_key` (or from `from_index` when null), in log order, at most
   * `limit`, with their keys (eventKey). A Watch record is an entry's index (the history
   * keys of its events, storage-values.ts), an event's history key (written before the
   * per-entry index), or the event itself (msgpack map: what a restore writes); history
   * records are read through the same LevelDB snapshot as the Watch records. */
  async eventsFrom(from_index: number, after_key: string | null, limit: number): Promise<{ key: string; event: LedgerEvent }[]> {
    const snap = this.db.snapshot();
    try {
      const found = new WatchRows(limit);
      if (after_key !== null) {
        // The index record of after_key's entry sorts before after_key: read on its own.
        const entry = after_key.slice(0, ENTRY_KEY_CHARS);
        const v = await this.subs.events.get(enc.encode(entry), { snapshot: snap });
        if (v !== undefined) found.add(entry, v, after_key);
      }
      const range = after_key === null ? { gte: enc.encode(entryEventsKey(from_index)) } : { gt: enc.encode(after_key) };
      // Bounded by `limit` records: each holds at least one event.
      if (!found.full()) for (const [k, v] of await this.subs.events.iterator({ ...range, limit, snapshot: snap }).all()) {
        if (found.full()) break;
        found.add(dec.decode(k), v, null);
      }
      const pointers = found.pointers();
      if (pointers.length > 0) {
        const targets = await this.subs.history.getMany(pointers.map((p) => enc.encode(p)), { snapshot: snap });
        found.resolve(targets);
      }
      return found.events();
    } finally {
      await snap.close();
    }
  }

  /** The archived outcome records of `ids` (the 'outcomes' sub-level), undefined where an
   * id has none. At most ARCHIVE_LOOKUP_IDS_MAX ids. */
  async archivedOutcomes(ids: readonly string[]): Promise<(unknown | undefined)[]> {
    if (ids.length > ARCHIVE_LOOKUP_IDS_MAX) throw new StorageError(`archived outcome lookup of ${ids.length} ids, limit ${ARCHIVE_LOOKUP_IDS_MAX}`);
    if (ids.length === 0) return [];
    const values = await this.subs.outcomes.getMany(ids.map((id) => enc.encode(id)));
    return values.map((v) => (v === undefined ? undefined : decodeValue(v)));
  }

  /** Archived outcomes (the 'outcomes' sub-level) with id > after_id (from the first when
   * null), in id order, at most `limit`: [id, record]. */
  async outcomesAfter(after_id: string | null, limit: number): Promise<[string, unknown][]> {
    const range = after_id === null ? { limit } : { gt: enc.encode(after_id), limit };
    const rows = await this.subs.outcomes.iterator(range).all();
    return rows.map(([k, v]) => [dec.decode(k), decodeValue(v)]);
  }

  /** Deletes the archived outcomes of `ids` (one batch, at most ARCHIVE_LOOKUP_IDS_MAX):
   * history retention drops those that only answer for archived history. */
  async deleteOutcomes(ids: readonly string[]): Promise<void> {
    if (ids.length > ARCHIVE_LOOKUP_IDS_MAX) throw new StorageError(`archived outcome delete of ${ids.length} ids, limit ${ARCHIVE_LOOKUP_IDS_MAX}`);
    if (ids.length === 0) return;
    await this.writeOps(ids.map((id): Op => ({ type: 'del', key: this.prefix.outcomes + id, keyEncoding: 'utf8' })), false);
  }

  /** Deletes Watch records (the events sub-level) of log index <= through_index, at most
   * `limit` of them; returns how many went. History retention drops history up to the
   * archived mark, so records there may point at nothing (see history-pruner.ts). */
  async trimEvents(through_index: number, limit: number): Promise<number> {
    const keys = await this.subs.events.keys({ lt: enc.encode(entryEventsKey(through_index + 1)), limit }).all();
    if (keys.length === 0) return 0;
    await this.writeOps(keys.map((k): Op => ({ type: 'del', key: this.prefix.events + dec.decode(k), keyEncoding: 'utf8' })), false);
    return keys.length;
  }

  /** Values of the history sub-level in key order within [gte, lte], at most `limit`. */
  async historyRange(gte: string, lte: string, limit: number): Promise<unknown[]> {
    const out: unknown[] = [];
    for await (const v of this.subs.history.values({ gte: enc.encode(gte), lte: enc.encode(lte), limit })) out.push(decodeValue(v));
    return out;
  }

  /** Key/values of the state sub-level with keys in (gt, lt), at most `limit`. */
  async stateRange(gt: string, lt: string, limit: number): Promise<[string, unknown][]> {
    const out: [string, unknown][] = [];
    for await (const [k, v] of this.subs.state.iterator({ gt: enc.encode(gt), lt: enc.encode(lt), limit })) out.push([dec.decode(k), decodeValue(v)]);
    return out;
  }

  /** Raw iteration of one sub-level (used for backups and tests). */
  async *rawRecords(name: SublevelName): AsyncGenerator<[string, unknown]> {
    for await (const [k, v] of this.subs[name].iterator()) yield [dec.decode(k), decodeValue(v)];
  }
}
