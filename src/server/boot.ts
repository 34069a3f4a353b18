// Starting a node from its data dir: open LevelDB, check (or claim) the identity, write the
// bootstrap membership of a new node, load hard state, log, membership and the ledger, and
// build the core and the node around them. Anything inconsistent stops the start with a
// message saying what is wrong; a node never serves from a data dir it doubts.

import { existsSync, readdirSync, rmSync } from 'node:fs';
import v8 from 'node:v8';
import path from 'node:path';
import { Ledger } from '../ledger/ledger.js';
import { RULES_VERSION_MAX, RULES_VERSION_MIN, RulesVersionError } from '../ledger/rules.js';
import { RaftNode } from '../raft/raft-node.js';
import { defaultRaftConfig } from '../raft/config.js';
import { seededRng } from '../raft/rng.js';
import { LevelStorage, StorageError, type AppliedRecord, type LoadedState } from '../node/storage-level.js';
import { DEFAULT_TRANSPORT_LIMITS } from '../node/transport-grpc.js';
import type { ConfState, InitialState, RaftConfig } from '../raft/types.js';
import type { ChannelCredentials } from '@grpc/grpc-js';
import { StockNodeImpl } from '../node/stock-node.js';
import type { NodeLog, NodeSettings } from '../node/node-settings.js';
import type { NodeMetrics } from '../node/node-metrics.js';
import { RULES_VERSION_MAX_ENV, type StockdConfig } from './stockd-config.js';
import type { RaftCore } from '../node/raft-core.js';
import { restoreBackupInto, validateBackup, type BackupSummary } from './restore.js';
import { snapshotTestHookFromEnv } from './snapshot-test-hook.js';
import { clearForcedRecord, forceNewCluster, recordForcedWhenLeader, type ForceDone } from './force-new-cluster.js';
import { loadMallocTrim, memoryReclaimer, type ServerReclaim } from './malloc-trim.js';
import { compactHeap } from './idle-gc.js';
import { MALLOC_TRIM_DELAY_MS } from './limits.js';

const EMPTY_CONF: ConfState = { voters: [], learners: [] };

export interface BootOptions {
  readonly log: NodeLog;
  readonly metrics: NodeMetrics | null;
  readonly peer_credentials?: (id: string) => ChannelCredentials;
}

/** What --restore checked before the data dir was opened. */
interface PreparedRestore {
  readonly file: string;
  readonly summary: BackupSummary;
  /** How the data dir was found, so a failed restore leaves it exactly so. */
  readonly dir_was: 'absent' | 'empty';
}

/** --restore: the data dir must be absent or empty and the backup whole, both checked
 * before anything is created or opened. */
function prepareRestore(dir: string, file: string): PreparedRestore {
  let dir_was: PreparedRestore['dir_was'] = 'absent';
  if (existsSync(dir)) {
    const names = readdirSync(dir);
    if (names.length > 0) throw new StorageError(`--restore needs an absent or empty data dir, but ${dir} holds ${names.length} entries (${names.slice(0, 5).join(', ')}): nothing was changed`);
    dir_was = 'empty';
  }
  return { file, summary: validateBackup(file), dir_was };
}

/** Undoes what a failed restore created, leaving the data dir as it was found. */
function undoRestore(dir: string, prepared: PreparedRestore): void {
  if (prepared.dir_was === 'absent') rmSync(dir, { recursive: true, force: true });
  else for (const name of readdirSync(dir)) rmSync(path.join(dir, name), { recursive: true, force: true });
}

/** Checks the data dir's identity against the flags, or claims a new dir (writing the
 * bootstrap membership, or the restored backup). Resolves with the cluster id. */
async function claimDataDir(storage: LevelStorage, cfg: StockdConfig, restore: PreparedRestore | null, log: NodeLog): Promise<string> {
  const existing = await storage.identity();
  if (existing && restore !== null) throw new StorageError(`--restore needs an empty data dir, but ${cfg.data_dir} already holds node '${existing.node_id}'`);
  if (!existing) {
    const ids = Object.keys(cfg.initial_cluster).sort();
    if (!cfg.join && ids.length === 0) throw new StorageError(`data dir ${cfg.data_dir} is new: give --initial-cluster to bootstrap a cluster, or --join to be added to one`);
    const conf: ConfState = cfg.join ? EMPTY_CONF : { voters: ids, learners: [] };
    const addresses = cfg.join ? {} : { ...cfg.initial_cluster };
    if (restore !== null) {
      // Ledger first, identity last: a crash in between leaves an unclaimed dir, which a
      // later start refuses (its applied record lies above an empty bootstrap).
      await restoreBackupInto(storage, restore.file, restore.summary, conf, addresses, log);
      await storage.claim(cfg.id, cfg.cluster_id);
    } else {
      await storage.claim(cfg.id, cfg.cluster_id, { conf, addresses });
    }
  } else {
    await storage.claim(cfg.id, cfg.cluster_id);
  }
  return (await storage.identity())!.cluster_id;
}

/** The ledger as of the applied record, streamed from storage. */
async function loadLedger(storage: LevelStorage, cfg: StockdConfig, applied: AppliedRecord): Promise<Ledger> {
  let ledger: Ledger;
  try {
    // Streamed: each record goes into the ledger as it is read (no array of them all).
    const loader = Ledger.loader({ dedup_window_ms: cfg.dedup_window_ms, rules_version_max: cfg.rules_version_max });
    await storage.forEachLedgerState(loader.add);
    ledger = loader.finish();
  } catch (err) {
    // Not corrupt: written by a newer build (rolling back past a raised cluster version).
    if (err instanceof RulesVersionError) throw new StorageError(`data dir ${cfg.data_dir}: ${err.message}`);
    throw new StorageError(`data dir ${cfg.data_dir} holds a corrupt ledger: ${err instanceof Error ? err.message : String(err)}`);
  }
  // The load read every table file through LevelDB's mappings: let them go.
  await storage.reopen();
  if (ledger.lastLogIndex() > applied.index) {
    throw new StorageError(`corrupt data dir: the ledger has applied entry ${ledger.lastLogIndex()} but the applied record says ${applied.index}`);
  }
  return ledger;
}

function raftConfig(cfg: StockdConfig): RaftConfig {
  const election_ticks = Math.round(cfg.election_ms_min / cfg.tick_ms);
  const base = defaultRaftConfig(cfg.id, seededRng(cfg.rng_seed ?? (Date.now() ^ (process.pid << 8)) >>> 0));
  return { ...base, election_ticks, heartbeat_ticks: 1, forward_proposals: false };
}

function initialState(loaded: LoadedState): InitialState {
  return {
    hard_state: loaded.hard_state,
    conf_state: loaded.snapshot?.conf_state ?? loaded.bootstrap_conf ?? EMPTY_CONF,
    snapshot: loaded.snapshot,
    entries: loaded.entries,
    applied: loaded.applied.index,
  };
}

/** Snapshots used to be staged in files in the data dir: what an older version left is of
 * no use. Staging and retired generations an interrupted receive or install left in the
 * database are deleted in the background. */
function clearLeftovers(storage: LevelStorage, cfg: StockdConfig, log: NodeLog): void {
  rmSync(path.join(cfg.data_dir, 'incoming-snapshots'), { recursive: true, force: true });
  const leftovers = storage.leftoverGenerations;
  if (leftovers.length > 0) log.info({ generations: leftovers }, 'deleting snapshot generations an interrupted staging or install left behind');
  storage.clearLeftovers((err) => log.warn({ err: String(err) }, 'could not delete a left-over snapshot generation'));
}

function nodeSettings(cfg: StockdConfig, cluster_id: string, opts: BootOptions, reclaim: ServerReclaim | null): NodeSettings {
  return {
    id: cfg.id,
    cluster_id,
    advertise: cfg.advertise,
    initial_addresses: cfg.initial_cluster,
    peer_address_overrides: cfg.peer_address_overrides,
    tick_ms: cfg.tick_ms,
    max_clock_skew_ms: cfg.max_clock_skew_ms,
    log_clock_mode: cfg.log_clock_mode,
    snapshot_entries: cfg.snapshot_entries,
    trailing_entries: cfg.trailing_entries,
    log_bytes_max: cfg.log_bytes_max,
    proposal_limits: { callers_max: cfg.proposals_max, entry_commands_max: cfg.entry_commands_max },
    transport_limits: { ...DEFAULT_TRANSPORT_LIMITS, queue_messages_max: cfg.peer_queue_messages_max, snapshot_chunk_bytes_max: cfg.snapshot_chunk_bytes },
    snapshot_hook: cfg.test_hooks ? snapshotTestHookFromEnv(process.env) : null,
    history_retention: { retain_ms: cfg.history_retain_ms, retain_events: cfg.history_retain_events },
    channel_credentials: opts.peer_credentials,
    disk_reserve_bytes: cfg.disk_reserve_mib * 1024 * 1024,
    reclaim_memory: reclaim,
  };
}

function forceOnEmptyDir(dir: string): StorageError {
  return new StorageError(`--force-new-cluster needs a surviving member's data dir, but ${dir} is empty: nothing to recover`);
}

/** Heap in use after the load above which it is collected before the node starts. */
const COLLECT_AFTER_LOAD_HEAP_BYTES_MIN = 64 * 1024 * 1024;

/** Loading a large ledger leaves its garbage in the heap (decoded records, read batches).
 * The idle path collects it later, but a leader waits for a long quiet spell first.
 * Collected here, before the node joins its cluster, the pause delays only the start
 * (200-800 ms with a million positions): 20M events over 1M positions, RSS once serving
 * 286-300 -> 231-235 MiB, a follower's restart still 6.6 s. The C heap's free pages follow
 * a moment later (one process, 1M positions: 167 -> 155 MiB anonymous). `reclaim` null
 * (--idle-gc-mib 0): nothing runs. Returns the pause, or null when nothing was collected. */
export async function collectAfterLoad(reclaim: ServerReclaim | null, heap_bytes_min = COLLECT_AFTER_LOAD_HEAP_BYTES_MIN): Promise<number | null> {
  if (reclaim === null || v8.getHeapStatistics().used_heap_size < heap_bytes_min) return null;
  const t0 = Date.now();
  await reclaim.heap();
  reclaim.trimSoon();
  return Date.now() - t0;
}

export async function bootNode(cfg: StockdConfig, opts: BootOptions): Promise<StockNodeImpl> {
  const t0 = Date.now();
  const restore = cfg.restore === null ? null : prepareRestore(cfg.data_dir, cfg.restore);
  // Refused before opening, which would create the dir.
  if (cfg.force_new_cluster && (!existsSync(cfg.data_dir) || readdirSync(cfg.data_dir).length === 0)) throw forceOnEmptyDir(cfg.data_dir);
  const storage = await LevelStorage.open(cfg.data_dir);
  // True from opening a restore's fresh data dir until the restored dir is claimed.
  let restore_pending = restore !== null;
  try {
    // Checked before the claim, which would otherwise bootstrap an empty dir.
    if (cfg.force_new_cluster && (await storage.identity()) === null) throw forceOnEmptyDir(cfg.data_dir);
    const cluster_id = await claimDataDir(storage, cfg, restore, opts.log);
    restore_pending = false;
    let forced: ForceDone | null = null;
    if (cfg.force_new_cluster) forced = await forceNewCluster(storage, { ...cfg, log: opts.log, peer_credentials: opts.peer_credentials });
    else await clearForcedRecord(storage);
    const loaded = await storage.load();
    if (storage.migrated) opts.log.info({ ...storage.migrated }, 'data dir migrated to the current format');
    if (storage.torn_witness_bytes !== null) opts.log.warn({ bytes: storage.torn_witness_bytes }, 'the write witness was torn (a power loss?): lost newest writes could not be checked at this start');
    const ledger = await loadLedger(storage, cfg, loaded.applied);
    // The idle collection's knob turns these off too (--idle-gc-mib 0).
    const reclaim = cfg.idle_gc_mib > 0 ? memoryReclaimer(loadMallocTrim(), compactHeap, MALLOC_TRIM_DELAY_MS) : null;
    const collect_ms = await collectAfterLoad(reclaim);
    clearLeftovers(storage, cfg, opts.log);
    const initial = initialState(loaded);
    const core: RaftCore = new RaftNode(raftConfig(cfg), initial);
    const node = new StockNodeImpl(nodeSettings(cfg, cluster_id, opts, reclaim), core, ledger, loaded.applied, storage, opts.log, opts.metrics);
    if (forced?.kind === 'rewrite') recordForcedWhenLeader(node, forced, cfg.id);
    if (cfg.rules_version_max !== RULES_VERSION_MAX) opts.log.warn({ env: RULES_VERSION_MAX_ENV, rules_version_max: cfg.rules_version_max }, 'test hook: this node applies fewer ledger rules versions than its build');
    if (cfg.log_clock_mode === 'wall') opts.log.warn({ env: 'STOCKRAFT_TEST_WALL_CLOCK_STAMPING' }, 'known-bad wall-clock stamping (tests only): a wall-clock jump on the leader is a log-time jump');
    opts.log.info(
      {
        cluster_id,
        term: loaded.hard_state.term,
        commit: loaded.hard_state.commit,
        applied: loaded.applied.index,
        snapshot_index: loaded.snapshot?.index ?? 0,
        log_entries: loaded.entries.length,
        positions: ledger.positionCount(),
        collect_ms,
        members: initial.conf_state,
        cluster_version: ledger.clusterVersion(),
        rules_versions: `${RULES_VERSION_MIN}..${cfg.rules_version_max}`,
        load_ms: Date.now() - t0,
      },
      'data dir loaded',
    );
    return node;
  } catch (err) {
    await storage.close().catch(() => undefined);
    if (restore !== null && restore_pending) undoRestore(cfg.data_dir, restore);
    throw err;
  }
}
