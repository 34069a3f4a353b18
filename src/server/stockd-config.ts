// stockd's configuration: the commander options and the optional --config JSON file, both
// built from the flag table (stockd-flags.ts: defaults, ranges, why), and the validation
// that turns them into one checked StockdConfig. Flags given on the command line win over
// the file; the file wins over defaults.

import { Command, Option } from 'commander';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { SecurityFlags } from './security/index.js';
import { addressProblem, nameProblem } from '../wire/names.js';
import type { LogClockMode } from '../node/log-clock.js';
import { RULES_VERSION_MAX, RULES_VERSION_MIN } from '../ledger/rules.js';

/** Environment variable that, with --test-hooks, turns on the known-bad wall-clock stamping
 * (src/node/log-clock.ts) so fault-injection checkers can show they catch early expiry. */
export const WALL_CLOCK_STAMPING_ENV = 'STOCKRAFT_TEST_WALL_CLOCK_STAMPING';

/** Environment variable that, with --test-hooks, lowers the newest ledger rules version
 * this node applies (src/ledger/rules.ts), so a test can stand for a node of an older
 * build: it refuses a cluster version raise, and stops at an entry it does not know. */
export const RULES_VERSION_MAX_ENV = 'STOCKRAFT_TEST_RULES_VERSION_MAX';

type Env = Readonly<Record<string, string | undefined>>;
import { CONFIG_FILE_BYTES_MAX, MEMBERS_MAX } from './limits.js';
import { STOCKD_FLAGS, flagSpec, flagTerm, helpText, type FlagKey, type FlagSpec, type IntKey } from './stockd-flags.js';

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
  /** RULES_VERSION_MAX, or lower with --test-hooks and STOCKRAFT_TEST_RULES_VERSION_MAX. */
  readonly rules_version_max: number;
  readonly restore: string | null;
  /** Rewrite the membership to this node alone before starting (src/server/force-new-cluster.ts). */
  readonly force_new_cluster: boolean;
  readonly drain_ms: number;
  /** The ledger's dedup window (src/ledger/limits.ts DEDUP_WINDOW_MS_*). */
  readonly dedup_window_ms: number;
  /** History retention (src/node/history-scan.ts); both null: full history. */
  readonly history_retain_ms: number | null;
  readonly history_retain_events: number | null;
  /** Free MiB of the data dir below which new writes are refused (disk-guard.ts). */
  readonly disk_reserve_mib: number;
  readonly rng_seed: number | null;
  readonly security: SecurityFlags;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}


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

export function buildCommand(): Command {
  const cmd = new Command('stockd')
    .description('Stockraft node: a Raft-replicated inventory ledger. One gRPC port serves peers, clients and operators.')
    .option('--config <file>', 'JSON file with any of the settings below (keys as flag names, e.g. "initial-cluster"); flags win over it')
    .allowExcessArguments(false)
    // The table's help text already names each default and range.
    .configureHelp({ optionDescription: (o) => o.description });
  for (const f of STOCKD_FLAGS as readonly FlagSpec[]) {
    const opt = new Option(flagTerm(f), helpText(f));
    if (opt.attributeName() !== f.key) throw new Error(`stockd flag table: ${f.flag} is read as ${opt.attributeName()}, not ${f.key}`);
    if (f.kind !== 'bool' && f.default !== null) opt.default(f.default);
    cmd.addOption(opt);
  }
  return cmd;
}

type Raw = Record<string, unknown>;

function camel(k: string): string {
  return k.replace(/^--/, '').replace(/[-_]([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Merges the --config file (if any) under the command-line flags and validates all. */
export function resolveConfig(cmd: Command, env: Env = process.env): StockdConfig {
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
    const known = new Set<string>(STOCKD_FLAGS.map((f) => f.key));
    for (const [k, v] of Object.entries(file as Raw)) {
      const key = camel(k);
      if (!known.has(key)) throw new ConfigError(`--config ${opts.config}: unknown setting ${JSON.stringify(k)}`);
      // A one-off recovery left in a settings file would run again at every start.
      if (key === 'forceNewCluster') throw new ConfigError(`--config ${opts.config}: force-new-cluster is taken from the command line only (a one-off recovery, see docs/operations.md)`);
      if (!fromCli.has(key)) merged[key] = typeof v === 'number' || typeof v === 'boolean' ? v : String(v);
    }
  }
  return validate(merged, env);
}

/** An integer setting, checked against the table's range. */
function intOf(o: Raw, key: IntKey): number {
  const spec = flagSpec(key);
  return intIn(spec.flag, spec.min, spec.max)(o[key] as string | number);
}

function optionalIntOf(o: Raw, key: IntKey): number | null {
  return o[key] === undefined ? null : intOf(o, key);
}

function enumOf(o: Raw, key: 'logLevel'): string {
  const spec = flagSpec(key);
  const v = String(o[key]);
  if (!spec.values.includes(v)) throw new ConfigError(`${spec.flag} must be ${spec.values.join('|')}, got ${v}`);
  return v;
}

function flagOn(o: Raw, key: 'join' | 'testHooks' | 'insecure' | 'forceNewCluster'): boolean {
  return o[key] === true || o[key] === 'true';
}

function optionalText(o: Raw, key: FlagKey): string | undefined {
  return o[key] === undefined ? undefined : String(o[key]);
}

type Identity = Pick<StockdConfig, 'id' | 'listen' | 'advertise' | 'data_dir' | 'initial_cluster' | 'join' | 'cluster_id' | 'restore' | 'force_new_cluster'>;

function identityOf(o: Raw): Identity {
  if (typeof o.id !== 'string') throw new ConfigError('--id is required');
  const id = checkId('--id', o.id);
  const listen = checkAddress('--listen', String(o.listen));
  const advertise = o.advertise === undefined ? listen : checkAddress('--advertise', String(o.advertise));
  const initial_cluster = o.initialCluster === undefined ? {} : parseMemberList('--initial-cluster', String(o.initialCluster));
  const join = flagOn(o, 'join');
  const restore = optionalText(o, 'restore') ?? null;
  const force_new_cluster = flagOn(o, 'forceNewCluster');
  if (force_new_cluster && (join || restore !== null)) throw new ConfigError(`--force-new-cluster recovers an existing member's data dir: it cannot be combined with ${join ? '--join' : '--restore'}`);
  if (!join && Object.keys(initial_cluster).length > 0 && !(id in initial_cluster)) {
    throw new ConfigError(`--initial-cluster must name this node (${id}) unless --join is given`);
  }
  let cluster_id = optionalText(o, 'clusterId') ?? null;
  if (cluster_id !== null) checkId('--cluster-id', cluster_id);
  if (join && cluster_id === null) throw new ConfigError('--join needs --cluster-id (see `stockctl status` on a member)');
  if (cluster_id === null && !join && Object.keys(initial_cluster).length > 0) {
    cluster_id = deriveClusterId(initial_cluster);
    // A restored cluster is a new cluster: its id differs from the one the same list would give.
    if (restore !== null) cluster_id = 'r' + cluster_id.slice(1);
  }
  const data_dir = path.resolve(o.data === undefined ? path.join('data', id) : String(o.data));
  return { id, listen, advertise, data_dir, initial_cluster, join, cluster_id, restore, force_new_cluster };
}

type Timing = Pick<StockdConfig, 'tick_ms' | 'max_clock_skew_ms' | 'log_clock_mode' | 'election_ms_min' | 'election_ms_max' | 'rng_seed'>;

function timingOf(o: Raw, env: Env): Timing {
  const tick_ms = intOf(o, 'tickMs');
  const election_ms_min = intOf(o, 'electionMsMin');
  const election_ms_max = intOf(o, 'electionMsMax');
  if (election_ms_max !== 2 * election_ms_min) {
    throw new ConfigError(`--election-ms-max must be twice --election-ms-min (the timeout is drawn from [min, 2*min)), got min ${election_ms_min} max ${election_ms_max}`);
  }
  if (election_ms_min < 2 * tick_ms) throw new ConfigError(`--election-ms-min (${election_ms_min}) must be at least two ticks (--tick-ms ${tick_ms})`);
  const max_clock_skew_ms = intOf(o, 'maxClockSkewMs');
  const log_clock_mode = logClockMode(flagOn(o, 'testHooks'), env);
  return { tick_ms, max_clock_skew_ms, log_clock_mode, election_ms_min, election_ms_max, rng_seed: optionalIntOf(o, 'rngSeed') };
}

function logClockMode(test_hooks: boolean, env: Env): LogClockMode {
  const v = env[WALL_CLOCK_STAMPING_ENV];
  if (v === undefined || v === '' || v === '0') return 'anchored';
  if (v !== '1') throw new ConfigError(`${WALL_CLOCK_STAMPING_ENV} must be 1, 0 or unset, got ${JSON.stringify(v)}`);
  if (!test_hooks) throw new ConfigError(`${WALL_CLOCK_STAMPING_ENV}=1 (known-bad wall-clock stamping) is for tests only: it needs --test-hooks`);
  return 'wall';
}

type Limits = Pick<
  StockdConfig,
  'snapshot_entries' | 'trailing_entries' | 'log_bytes_max' | 'idle_gc_mib' | 'snapshot_chunk_bytes' | 'proposals_max' | 'entry_commands_max' | 'peer_queue_messages_max' | 'drain_ms' | 'dedup_window_ms' | 'history_retain_ms' | 'history_retain_events' | 'disk_reserve_mib'
>;

function limitsOf(o: Raw): Limits {
  return {
    snapshot_entries: intOf(o, 'snapshotEntries'),
    trailing_entries: intOf(o, 'trailingEntries'),
    log_bytes_max: intOf(o, 'logBytesMax'),
    idle_gc_mib: intOf(o, 'idleGcMib'),
    snapshot_chunk_bytes: intOf(o, 'snapshotChunkBytes'),
    proposals_max: intOf(o, 'proposalsMax'),
    entry_commands_max: intOf(o, 'entryCommandsMax'),
    peer_queue_messages_max: intOf(o, 'peerQueueMessagesMax'),
    drain_ms: intOf(o, 'drainMs'),
    dedup_window_ms: intOf(o, 'dedupWindowMs'),
    history_retain_ms: optionalIntOf(o, 'historyRetainMs'),
    history_retain_events: optionalIntOf(o, 'historyRetainEvents'),
    disk_reserve_mib: intOf(o, 'diskReserveMib'),
  };
}

type Operations = Pick<StockdConfig, 'metrics_listen' | 'log_level' | 'peer_address_overrides' | 'test_hooks'>;

function operationsOf(o: Raw): Operations {
  return {
    metrics_listen: o.metricsListen === undefined ? null : checkAddress('--metrics-listen', String(o.metricsListen)),
    log_level: enumOf(o, 'logLevel'),
    peer_address_overrides: o.peerAddressOverride === undefined ? {} : parseMemberList('--peer-address-override', String(o.peerAddressOverride)),
    test_hooks: flagOn(o, 'testHooks'),
  };
}

function securityOf(o: Raw): SecurityFlags {
  return {
    cert: optionalText(o, 'cert'),
    key: optionalText(o, 'key'),
    ca: optionalText(o, 'ca'),
    peerCert: optionalText(o, 'peerCert'),
    peerKey: optionalText(o, 'peerKey'),
    peerCa: optionalText(o, 'peerCa'),
    insecure: flagOn(o, 'insecure'),
    authTokens: optionalText(o, 'authTokens'),
    roles: optionalText(o, 'roles'),
    principalCallsMax: optionalIntOf(o, 'principalCallsMax') ?? undefined,
    principalStreamsMax: optionalIntOf(o, 'principalStreamsMax') ?? undefined,
    joinTokenFile: optionalText(o, 'joinTokenFile'),
  };
}

function rulesVersionMax(test_hooks: boolean, env: Env): number {
  const v = env[RULES_VERSION_MAX_ENV];
  if (v === undefined || v === '') return RULES_VERSION_MAX;
  if (!test_hooks) throw new ConfigError(`${RULES_VERSION_MAX_ENV} (a node that stands for an older build) is for tests only: it needs --test-hooks`);
  const n = Number(v);
  if (!/^[0-9]+$/.test(v) || n < RULES_VERSION_MIN || n > RULES_VERSION_MAX) {
    throw new ConfigError(`${RULES_VERSION_MAX_ENV} must be an integer ${RULES_VERSION_MIN}..${RULES_VERSION_MAX}, got ${JSON.stringify(v)}`);
  }
  return n;
}

function validate(o: Raw, env: Env): StockdConfig {
  const rules_version_max = rulesVersionMax(flagOn(o, 'testHooks'), env);
  return { ...identityOf(o), ...timingOf(o, env), ...limitsOf(o), ...operationsOf(o), rules_version_max, security: securityOf(o) };
}
