// stockd's configuration: the flags (commander), the optional --config JSON file, their
// defaults and why, and the validation that turns them into one checked StockdConfig.
// Flags given on the command line win over the file; the file wins over defaults.
// docs/configuration.md lists the same knobs.

import { Command, Option } from 'commander';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { addSecurityOptions, type SecurityFlags } from './security/index.js';
import { addressProblem, nameProblem } from '../wire/names.js';
import { MAX_CLOCK_SKEW_MS_DEFAULT, MAX_CLOCK_SKEW_MS_MAX, type LogClockMode } from '../node/log-clock.js';

/** Environment variable that, with --test-hooks, turns on the known-bad wall-clock stamping
 * (src/node/log-clock.ts) so fault-injection checkers can show they catch early expiry. */
export const WALL_CLOCK_STAMPING_ENV = 'STOCKRAFT_TEST_WALL_CLOCK_STAMPING';

export interface StockdConfig {
  readonly id: string;
  readonly listen: string;
  readonly advertise: string;
  readonly data_dir: string;
  readonly initial_cluster: Readonly<Record<string, string>>;
  readonly join: boolean;
  /** Given, or derived from --initial-cluster at bootstrap, or null (read from the data dir). */
  readonly cluster_id: string | null;
  readonly tick_ms: number;
  /** Bound of the wall clock's correction of log time (src/node/log-clock.ts). */
  readonly max_clock_skew_ms: number;
  /** `wall` only with --test-hooks and STOCKRAFT_TEST_WALL_CLOCK_STAMPING=1. */
  readonly log_clock_mode: LogClockMode;
  readonly election_ms_min: number;
  readonly election_ms_max: number;
  readonly snapshot_entries: number;
  readonly trailing_entries: number;
  readonly snapshot_chunk_bytes: number;
  readonly log_bytes_max: number;
  /** Committed-heap growth (MiB) that an idle node collects (src/server/idle-gc.ts); 0 = never. */
  readonly idle_gc_mib: number;
  readonly proposals_max: number;
  readonly entry_commands_max: number;
  readonly peer_queue_messages_max: number;
  readonly metrics_listen: string | null;
  readonly log_level: string;
  readonly peer_address_overrides: Readonly<Record<string, string>>;
  readonly test_hooks: boolean;
  readonly restore: string | null;
  readonly drain_ms: number;
  readonly rng_seed: number | null;
  readonly security: SecurityFlags;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const CONFIG_FILE_BYTES_MAX = 1024 * 1024;
const MEMBERS_MAX = 64;

function checkAddress(field: string, v: string): string {
  const problem = addressProblem(v);
  if (problem !== null) throw new ConfigError(`${field} ${problem}`);
  return v;
}

function checkId(field: string, v: string): string {
  const problem = nameProblem(v);
  if (problem !== null) throw new ConfigError(`${field} ${problem}`);
  return v;
}

/** Parses "id=host:port,id=host:port". */
export function parseMemberList(field: string, v: string): Record<string, string> {
  const out: Record<string, string> = {};
  const parts = v.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (parts.length > MEMBERS_MAX) throw new ConfigError(`${field}: at most ${MEMBERS_MAX} members, got ${parts.length}`);
  for (const p of parts) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new ConfigError(`${field}: each member is id=host:port, got ${JSON.stringify(p)}`);
    const id = checkId(`${field} member id`, p.slice(0, eq));
    if (id in out) throw new ConfigError(`${field}: member ${id} appears twice`);
    out[id] = checkAddress(`${field} address of ${id}`, p.slice(eq + 1));
  }
  return out;
}

/** The cluster id a bootstrap derives from its initial membership: every node given the
 * same --initial-cluster derives the same id. */
export function deriveClusterId(initial: Readonly<Record<string, string>>): string {
  const text = Object.keys(initial)
    .sort()
    .map((id) => `${id}=${initial[id]}`)
    .join(',');
  return 'c-' + createHash('sha256').update(`stockraft-cluster-v1\n${text}`).digest('hex').slice(0, 16);
}

function intIn(field: string, lo: number, hi: number): (v: string | number) => number {
  return (v) => {
    const n = typeof v === 'number' ? v : Number(v);
    if (!Number.isInteger(n) || n < lo || n > hi) throw new ConfigError(`${field} must be an integer in ${lo}..${hi}, got ${JSON.stringify(v)}`);
    return n;
  };
}

interface FlagSpec {
  readonly flag: string;
  readonly key: string;
  readonly help: string;
  readonly def?: string | number | boolean;
}

/** Every flag once: its default and why. The --help text and docs/configuration.md use it. */
export const FLAGS: readonly FlagSpec[] = [
  { flag: '--id <id>', key: 'id', help: 'this node\'s member id (1..64 of [A-Za-z0-9._-]); stored in the data dir, which then refuses any other id' },
  { flag: '--listen <host:port>', key: 'listen', def: '127.0.0.1:7401', help: 'the ONE gRPC port of this node: peers, clients and operators all use it' },
  { flag: '--advertise <host:port>', key: 'advertise', help: 'address other nodes and clients reach this node at (default: --listen); carried in membership changes' },
  { flag: '--data <dir>', key: 'data', help: 'data directory (LevelDB); default ./data/<id>. A dir of another node or cluster is refused' },
  { flag: '--initial-cluster <list>', key: 'initialCluster', help: 'id=host:port,... bootstrap members (every node of a new cluster gets the same list); with --join: the members to contact' },
  { flag: '--join', key: 'join', def: false, help: 'start with an empty membership and wait to be added as a learner (stockctl member add) instead of bootstrapping' },
  { flag: '--cluster-id <id>', key: 'clusterId', help: 'cluster id every peer message must carry; default: derived from --initial-cluster at bootstrap, then read from the data dir. Required with --join' },
  { flag: '--tick-ms <ms>', key: 'tickMs', def: 50, help: 'raft tick = heartbeat interval; short enough that followers hear a leader well within the election timeout' },
  { flag: '--max-clock-skew-ms <ms>', key: 'maxClockSkewMs', def: MAX_CLOCK_SKEW_MS_DEFAULT, help: `log time runs on the monotonic clock; the wall clock corrects it only within this bound (0..${MAX_CLOCK_SKEW_MS_MAX}), so a reservation never expires more than this early on a wall-clock jump. Above the usual lag of a follower's estimate (a tick plus an fsync) and NTP offsets, so healthy clocks stamp wall time; at most half the shortest TTL (1 s)` },
  { flag: '--election-ms-min <ms>', key: 'electionMsMin', def: 500, help: 'election timeout lower bound: 10 heartbeats, so a few lost heartbeats do not start an election. It applies when the leader cannot be heard (partition, hung process); when the leader\'s process dies its connections reset and a follower campaigns at once instead' },
  { flag: '--election-ms-max <ms>', key: 'electionMsMax', def: 1000, help: 'election timeout upper bound; must be twice the minimum (the core draws from [min, 2*min)), which spreads candidates apart' },
  { flag: '--snapshot-entries <n>', key: 'snapshotEntries', def: 10000, help: 'compact the raft log every this many applied entries (bounds log memory and restart replay)' },
  { flag: '--trailing-entries <n>', key: 'trailingEntries', def: 5000, help: 'entries kept below the compaction point so briefly slow followers catch up without a snapshot' },
  { flag: '--log-bytes-max <n>', key: 'logBytesMax', def: 67108864, help: 'also compact when the log above the compaction point holds more entry bytes than this (entries of many commands are large; the log lives in memory: 64 MiB keeps it a small part of a node\'s memory, and a follower further behind than the trailing quarter gets a snapshot)' },
  { flag: '--idle-gc-mib <n>', key: 'idleGcMib', def: 32, help: 'when the node goes idle with this many MiB more heap committed (or twice as many MiB more resident) than after its last idle collection, trim the raft log to its trailing share and run one memory-reducing garbage collection, so what a load left behind goes back; 0: off' },
  { flag: '--snapshot-chunk-bytes <n>', key: 'snapshotChunkBytes', def: 1048576, help: 'InstallSnapshot chunk size: well below the 4 MiB gRPC message limit' },
  { flag: '--proposals-max <n>', key: 'proposalsMax', def: 20000, help: 'client proposals queued or in flight on the leader; beyond it calls get RESOURCE_EXHAUSTED instead of piling up memory' },
  { flag: '--entry-commands-max <n>', key: 'entryCommandsMax', def: 1000, help: 'commands of concurrent callers packed into one raft entry (one fsync for all of them)' },
  { flag: '--peer-queue-messages-max <n>', key: 'peerQueueMessagesMax', def: 4096, help: 'messages queued per peer; beyond it messages are dropped and raft retransmits, so a dead peer costs no memory' },
  { flag: '--metrics-listen <host:port>', key: 'metricsListen', help: 'HTTP address serving /metrics (Prometheus); off by default' },
  { flag: '--log-level <level>', key: 'logLevel', def: 'info', help: 'pino level: fatal, error, warn, info, debug, trace (JSON lines on stdout)' },
  { flag: '--peer-address-override <list>', key: 'peerAddressOverride', help: 'id=host:port,...: addresses that win for all node-to-node traffic (fault-injection proxies)' },
  { flag: '--test-hooks', key: 'testHooks', def: false, help: 'tests only: serve the StockTest gRPC service and POST /test/clock-offset?ms=N, /test/fsync-delay?ms=N on the metrics port' },
  { flag: '--restore <file>', key: 'restore', help: 'bootstrap a NEW cluster (new cluster id) from a backup file (stockctl backup); the data dir must be empty' },
  { flag: '--drain-ms <ms>', key: 'drainMs', def: 3000, help: 'on SIGTERM, how long to wait for proposals in flight before closing' },
  { flag: '--rng-seed <n>', key: 'rngSeed', help: 'seed for the election timeout randomness (default: from the clock); fixed seeds replay elections in tests' },
];

export function buildCommand(): Command {
  const cmd = new Command('stockd')
    .description('Stockraft node: a Raft-replicated inventory ledger. One gRPC port serves peers, clients and operators.')
    .option('--config <file>', 'JSON file with any of the settings below (keys as flag names, e.g. "initial-cluster"); flags win over it')
    .allowExcessArguments(false);
  for (const f of FLAGS) {
    const opt = new Option(f.flag, f.help);
    if (f.def !== undefined && typeof f.def !== 'boolean') opt.default(f.def);
    cmd.addOption(opt);
  }
  addSecurityOptions(cmd);
  return cmd;
}

type Raw = Record<string, unknown>;

function camel(k: string): string {
  return k.replace(/^--/, '').replace(/[-_]([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Merges the --config file (if any) under the command-line flags and validates all. */
export function resolveConfig(cmd: Command, env: Readonly<Record<string, string | undefined>> = process.env): StockdConfig {
  const opts = cmd.opts<Raw>();
  const fromCli = new Set<string>();
  for (const key of Object.keys(opts)) if (cmd.getOptionValueSource(key) === 'cli') fromCli.add(key);
  const merged: Raw = { ...opts };
  if (typeof opts.config === 'string') {
    let text: string;
    try {
      const buf = readFileSync(opts.config);
      if (buf.length > CONFIG_FILE_BYTES_MAX) throw new ConfigError(`--config ${opts.config}: ${buf.length} bytes, limit ${CONFIG_FILE_BYTES_MAX}`);
      text = buf.toString('utf8');
    } catch (err) {
      if (err instanceof ConfigError) throw err;
      throw new ConfigError(`--config ${opts.config}: cannot read: ${(err as Error).message}`);
    }
    let file: unknown;
    try {
      file = JSON.parse(text);
    } catch (err) {
      throw new ConfigError(`--config ${opts.config}: not JSON: ${(err as Error).message}`);
    }
    if (typeof file !== 'object' || file === null || Array.isArray(file)) throw new ConfigError(`--config ${opts.config}: must hold a JSON object`);
    const known = new Set([...FLAGS.map((f) => f.key), 'cert', 'key', 'ca', 'peerCert', 'peerKey', 'peerCa', 'insecure', 'authTokens', 'roles', 'principalCallsMax', 'principalStreamsMax']);
    for (const [k, v] of Object.entries(file as Raw)) {
      const key = camel(k);
      if (!known.has(key)) throw new ConfigError(`--config ${opts.config}: unknown setting ${JSON.stringify(k)}`);
      if (!fromCli.has(key)) merged[key] = typeof v === 'number' || typeof v === 'boolean' ? v : String(v);
    }
  }
  return validate(merged, env);
}

function logClockMode(test_hooks: boolean, env: Readonly<Record<string, string | undefined>>): LogClockMode {
  const v = env[WALL_CLOCK_STAMPING_ENV];
  if (v === undefined || v === '' || v === '0') return 'anchored';
  if (v !== '1') throw new ConfigError(`${WALL_CLOCK_STAMPING_ENV} must be 1, 0 or unset, got ${JSON.stringify(v)}`);
  if (!test_hooks) throw new ConfigError(`${WALL_CLOCK_STAMPING_ENV}=1 (known-bad wall-clock stamping) is for tests only: it needs --test-hooks`);
  return 'wall';
}

function validate(o: Raw, env: Readonly<Record<string, string | undefined>>): StockdConfig {
  if (typeof o.id !== 'string') throw new ConfigError('--id is required');
  const id = checkId('--id', o.id);
  const listen = checkAddress('--listen', String(o.listen));
  const advertise = o.advertise === undefined ? listen : checkAddress('--advertise', String(o.advertise));
  const initial_cluster = o.initialCluster === undefined ? {} : parseMemberList('--initial-cluster', String(o.initialCluster));
  const join = o.join === true || o.join === 'true';
  const restore = o.restore === undefined ? null : String(o.restore);
  if (!join && Object.keys(initial_cluster).length > 0 && !(id in initial_cluster)) {
    throw new ConfigError(`--initial-cluster must name this node (${id}) unless --join is given`);
  }
  let cluster_id = o.clusterId === undefined ? null : String(o.clusterId);
  if (cluster_id !== null) checkId('--cluster-id', cluster_id);
  if (join && cluster_id === null) throw new ConfigError('--join needs --cluster-id (see `stockctl status` on a member)');
  if (cluster_id === null && !join && Object.keys(initial_cluster).length > 0) {
    cluster_id = deriveClusterId(initial_cluster);
    // A restored cluster is a new cluster: its id differs from the one the same list would give.
    if (restore !== null) cluster_id = 'r' + cluster_id.slice(1);
  }
  const tick_ms = intIn('--tick-ms', 1, 10_000)(o.tickMs as string);
  const max_clock_skew_ms = intIn('--max-clock-skew-ms', 0, MAX_CLOCK_SKEW_MS_MAX)(o.maxClockSkewMs as string);
  const test_hooks = o.testHooks === true || o.testHooks === 'true';
  const election_ms_min = intIn('--election-ms-min', 2, 600_000)(o.electionMsMin as string);
  const election_ms_max = intIn('--election-ms-max', 4, 1_200_000)(o.electionMsMax as string);
  if (election_ms_max !== 2 * election_ms_min) {
    throw new ConfigError(`--election-ms-max must be twice --election-ms-min (the timeout is drawn from [min, 2*min)), got min ${election_ms_min} max ${election_ms_max}`);
  }
  if (election_ms_min < 2 * tick_ms) throw new ConfigError(`--election-ms-min (${election_ms_min}) must be at least two ticks (--tick-ms ${tick_ms})`);
  const snapshot_entries = intIn('--snapshot-entries', 1, 10_000_000)(o.snapshotEntries as string);
  const trailing_entries = intIn('--trailing-entries', 0, 10_000_000)(o.trailingEntries as string);
  const log_bytes_max = intIn('--log-bytes-max', 1024 * 1024, 16 * 1024 * 1024 * 1024)(o.logBytesMax as string);
  const idle_gc_mib = intIn('--idle-gc-mib', 0, 65_536)(o.idleGcMib as string);
  const snapshot_chunk_bytes = intIn('--snapshot-chunk-bytes', 4096, 3 * 1024 * 1024)(o.snapshotChunkBytes as string);
  const proposals_max = intIn('--proposals-max', 1, 1_000_000)(o.proposalsMax as string);
  const entry_commands_max = intIn('--entry-commands-max', 1, 10_000)(o.entryCommandsMax as string);
  const peer_queue_messages_max = intIn('--peer-queue-messages-max', 16, 1_000_000)(o.peerQueueMessagesMax as string);
  const drain_ms = intIn('--drain-ms', 0, 600_000)(o.drainMs as string);
  const metrics_listen = o.metricsListen === undefined ? null : checkAddress('--metrics-listen', String(o.metricsListen));
  const log_level = String(o.logLevel);
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(log_level)) throw new ConfigError(`--log-level must be fatal|error|warn|info|debug|trace|silent, got ${log_level}`);
  const peer_address_overrides = o.peerAddressOverride === undefined ? {} : parseMemberList('--peer-address-override', String(o.peerAddressOverride));
  const rng_seed = o.rngSeed === undefined ? null : intIn('--rng-seed', 0, 2 ** 31 - 1)(o.rngSeed as string);
  const data_dir = path.resolve(o.data === undefined ? path.join('data', id) : String(o.data));
  const security: SecurityFlags = {
    cert: o.cert as string | undefined,
    key: o.key as string | undefined,
    ca: o.ca as string | undefined,
    peerCert: o.peerCert as string | undefined,
    peerKey: o.peerKey as string | undefined,
    peerCa: o.peerCa as string | undefined,
    insecure: o.insecure === true || o.insecure === 'true',
    authTokens: o.authTokens as string | undefined,
    roles: o.roles as string | undefined,
    principalCallsMax: o.principalCallsMax === undefined ? undefined : Number(o.principalCallsMax),
    principalStreamsMax: o.principalStreamsMax === undefined ? undefined : Number(o.principalStreamsMax),
  };
  return {
    id,
    listen,
    advertise,
    data_dir,
    initial_cluster,
    join,
    cluster_id,
    tick_ms,
    max_clock_skew_ms,
    log_clock_mode: logClockMode(test_hooks, env),
    election_ms_min,
    election_ms_max,
    snapshot_entries,
    trailing_entries,
    snapshot_chunk_bytes,
    log_bytes_max,
    idle_gc_mib,
    proposals_max,
    entry_commands_max,
    peer_queue_messages_max,
    metrics_listen,
    log_level,
    peer_address_overrides,
    test_hooks,
    restore,
    drain_ms,
    rng_seed,
    security,
  };
}
