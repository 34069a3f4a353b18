// The one table of stockd's settings: flag, --config file key, kind, default, range or
// allowed values, unit and why. `stockd --help`, the commander options, the range checks in
// stockd-config.ts and the flag reference in docs/configuration.md (`npm run docs:config`)
// are all derived from it, so a knob is described and bounded in exactly one place.
// Rules between settings (election max = 2 x min, ...) stay in stockd-config.ts.

import { DEFAULT_PRINCIPAL_LIMITS } from './security/index.js';
import { NODE_ID_BYTES_MAX } from '../wire/names.js';
import { MEMBERS_MAX } from './limits.js';
import { MAX_CLOCK_SKEW_MS_DEFAULT, MAX_CLOCK_SKEW_MS_MAX } from '../node/log-clock.js';
import { DEDUP_WINDOW_MS_DEFAULT, DEDUP_WINDOW_MS_MAX, DEDUP_WINDOW_MS_MIN } from '../ledger/limits.js';

export type FlagKind = 'int' | 'string' | 'bool' | 'address' | 'list' | 'enum';

/** The doc section a flag is listed in (docs/configuration.md has one block per group). */
export type FlagGroup = 'identity' | 'timing' | 'log' | 'operations' | 'security';

interface FlagCommon {
  /** As typed on the command line, e.g. '--tick-ms'. */
  readonly flag: `--${string}`;
  /** Key in commander's options and in the --config file (the file also takes the flag name). */
  readonly key: string;
  readonly group: FlagGroup;
  /** Why the knob exists and why its default: shown by --help and in the doc. */
  readonly why: string;
  /** Longer explanation for the doc only (measurements, mechanism). */
  readonly detail?: string;
}

export interface IntFlag extends FlagCommon {
  readonly kind: 'int';
  readonly arg: string;
  /** null: no default (the setting is off or derived, see default_text). */
  readonly default: number | null;
  readonly default_text?: string;
  readonly min: number;
  readonly max: number;
  /** Unit of the value ('' when it has none). */
  readonly unit: string;
}

export interface EnumFlag extends FlagCommon {
  readonly kind: 'enum';
  readonly arg: string;
  readonly default: string;
  readonly values: readonly string[];
}

export interface BoolFlag extends FlagCommon {
  readonly kind: 'bool';
}

/** Free text (ids, paths), host:port, or id=host:port,... lists. */
export interface TextFlag extends FlagCommon {
  readonly kind: 'string' | 'address' | 'list';
  readonly arg: string;
  readonly default: string | null;
  /** What an absent flag means when it is not a fixed value ('required', 'derived', ...). */
  readonly default_text?: string;
  /** The form a string takes, for the reference (e.g. 'file'); address and list have theirs. */
  readonly form?: string;
}

export type FlagSpec = IntFlag | EnumFlag | BoolFlag | TextFlag;

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

const ELECTION_MS_MIN_MIN = 2;
const ELECTION_MS_MIN_MAX = 600_000;

export const STOCKD_FLAGS = [
  // --- identity and membership
  {
    flag: '--id', arg: '<id>', key: 'id', kind: 'string', group: 'identity', default: null, default_text: 'required', form: 'node id',
    why: 'This node\'s member id. Written into the data dir on first start; the dir then refuses any other id.',
  },
  {
    flag: '--listen', arg: '<host:port>', key: 'listen', kind: 'address', group: 'identity', default: '127.0.0.1:7401',
    why: 'The node\'s ONE gRPC port: peer traffic (`stockraft.raft.Raft`), clients (`Inventory`), operators (`Cluster`) and health share it.',
  },
  {
    flag: '--advertise', arg: '<host:port>', key: 'advertise', kind: 'address', group: 'identity', default: null, default_text: '--listen',
    why: 'Where others reach this node. Carried in membership changes, so every replica learns every member\'s address from the log.',
  },
  {
    flag: '--data', arg: '<dir>', key: 'data', kind: 'string', group: 'identity', default: null, default_text: './data/<id>', form: 'directory',
    why: 'The LevelDB data dir. A dir of another node or cluster, a non-empty dir without a database, or a corrupt one is refused with a message saying which.',
  },
  {
    flag: '--initial-cluster', arg: '<list>', key: 'initialCluster', kind: 'list', group: 'identity', default: null, default_text: 'none',
    why: 'Bootstrap: every node of a new cluster gets the same list; it becomes the first membership (all voters). With `--join`: the members a joining node can reach, and, without `--join-token-file`, the only senders it admits until it is added.',
  },
  {
    flag: '--join', key: 'join', kind: 'bool', group: 'identity',
    why: 'Start with an empty membership and wait to be added (`add learner`, then `promote`) instead of bootstrapping.',
    detail: 'The node never campaigns while it is not a voter and catches up by InstallSnapshot. Until added it admits peers only with the join token (`--join-token-file`) or from the members named by `--initial-cluster`; with neither it refuses to start (docs/security.md "Joining").',
  },
  {
    flag: '--cluster-id', arg: '<id>', key: 'clusterId', kind: 'string', group: 'identity', default: null, default_text: 'derived', form: 'cluster id',
    why: 'Every peer message carries it; another cluster\'s traffic is refused. Default: derived from `--initial-cluster` at bootstrap, then read from the data dir. Required with `--join`.',
    detail: 'The derived id is `c-` + a hash of the sorted `--initial-cluster`, so every bootstrap node derives the same id.',
  },
  // --- timing
  {
    flag: '--tick-ms', arg: '<ms>', key: 'tickMs', kind: 'int', group: 'timing', default: 50, min: 1, max: 10_000, unit: 'ms',
    why: 'One raft tick, which is also the heartbeat interval: short enough that followers hear a leader well within the election timeout.',
  },
  {
    flag: '--max-clock-skew-ms', arg: '<ms>', key: 'maxClockSkewMs', kind: 'int', group: 'timing', default: MAX_CLOCK_SKEW_MS_DEFAULT, min: 0, max: MAX_CLOCK_SKEW_MS_MAX, unit: 'ms',
    why: 'Log time (reservation deadlines, outcome retention, event times) runs on the monotonic clock anchored to the log; the leader\'s wall clock corrects it only within this bound, so a wall-clock jump on one node makes a reservation expire at most this early (or late). 250 ms is above the usual lag of a follower\'s estimate (one tick plus an fsync) and NTP offsets, so healthy clocks stamp wall time unchanged, and a quarter of the shortest TTL (1 s); the maximum is half of it; 0 ignores the wall clock. The guarantee and its assumptions: `src/ledger/README.md`, "Time".',
  },
  {
    flag: '--election-ms-min', arg: '<ms>', key: 'electionMsMin', kind: 'int', group: 'timing', default: 500, min: ELECTION_MS_MIN_MIN, max: ELECTION_MS_MIN_MAX, unit: 'ms',
    why: 'Election timeout lower bound: ten heartbeats, so a few lost heartbeats do not start an election. At least two ticks.',
  },
  {
    flag: '--election-ms-max', arg: '<ms>', key: 'electionMsMax', kind: 'int', group: 'timing', default: 1000, min: 2 * ELECTION_MS_MIN_MIN, max: 2 * ELECTION_MS_MIN_MAX, unit: 'ms',
    why: 'Upper bound; must be exactly twice the minimum because the core draws the timeout from `[min, 2*min)`. The spread keeps candidates from splitting votes.',
  },
  {
    flag: '--rng-seed', arg: '<n>', key: 'rngSeed', kind: 'int', group: 'timing', default: null, default_text: 'clock', min: 0, max: 2 ** 31 - 1, unit: '',
    why: 'Seed for the election timeout randomness (fixed seeds replay elections in tests).',
  },
  // --- log, snapshots, limits
  {
    flag: '--snapshot-entries', arg: '<n>', key: 'snapshotEntries', kind: 'int', group: 'log', default: 10_000, min: 1, max: 10_000_000, unit: 'entries',
    why: 'Every this many applied entries the log is compacted below the durable applied index. Bounds log memory and restart replay.',
  },
  {
    flag: '--trailing-entries', arg: '<n>', key: 'trailingEntries', kind: 'int', group: 'log', default: 5000, min: 0, max: 10_000_000, unit: 'entries',
    why: 'Entries kept below that point so a briefly slow follower catches up from the log instead of needing a snapshot.',
  },
  {
    flag: '--log-bytes-max', arg: '<n>', key: 'logBytesMax', kind: 'int', group: 'log', default: 64 * MiB, min: MiB, max: 16 * GiB, unit: 'bytes',
    why: 'Also compact when the log above the compaction point holds more entry bytes than this: the log lives in memory, and 64 MiB keeps it a small part of a node\'s memory.',
    detail: 'An entry can carry a thousand commands (~100 KB); at most a quarter of the bound is kept as trailing entries. At 256 MiB a node loaded through `Submit` of 1,000 held ~105 MiB of log; 64 MiB costs a snapshot for a follower more than ~16 MiB of entries behind.',
  },
  {
    flag: '--idle-gc-mib', arg: '<n>', key: 'idleGcMib', kind: 'int', group: 'log', default: 32, min: 0, max: 65_536, unit: 'MiB',
    why: 'When the node goes idle with this many MiB more heap committed (or twice as many more resident) than after its last idle collection, trim the raft log to its trailing share and run one memory-reducing garbage collection, so what a load left behind goes back. `0` turns it off.',
    detail: 'Idle means event-loop utilization at most 5% in 1 s samples, for 2–4 samples on a follower, 10–12 on a leader. The heap counted is what V8 has committed, not what is in use: a heap can hold fragmented pages after V8 collected their garbage; the resident size covers V8 collecting on its own near the end of a load while the C heap still holds that load\'s free pages. The log is compacted down to the trailing share (a quarter of `--log-bytes-max`, what the byte bound keeps anyway), then V8\'s low-memory collection runs (asked for through an in-process inspector session; no port is opened), then glibc\'s `malloc_trim` (`native/`, built by `npm ci`; skipped with a notice when it is not built), at most once per 30 s. It also runs once after a start that loaded a large ledger. Two more collections come with the same knob: after a start whose load left more than 64 MiB of heap in use, V8\'s collection runs at once, before the node joins its cluster (the start takes the pause; 1M positions: ~280 -> ~230 MiB once serving); and when a received snapshot of 64 MiB or more is staged, the whole reclaim runs before its ledger is loaded, then V8\'s collection every 250,000 loaded records (staging 20M events left a learner ~145 MiB of garbage and free C heap pages, and the load\'s own garbage stacks on top). A node that applied a load otherwise keeps that load\'s garbage, fragmented pages and log while quiet: with 1M positions and 100k reservations, nodes held 701–933 MiB resident without it and 407–423 MiB with it (`BENCHMARKS.md`). The pause is long (200–800 ms measured, several nodes at once on 2 cores), which is why a leader, whose pause the followers notice, waits for a longer quiet spell.',
  },
  {
    flag: '--snapshot-chunk-bytes', arg: '<n>', key: 'snapshotChunkBytes', kind: 'int', group: 'log', default: MiB, min: 4 * KiB, max: 3 * MiB, unit: 'bytes',
    why: 'InstallSnapshot chunk size, well below the 4 MiB gRPC message limit.',
  },
  {
    flag: '--proposals-max', arg: '<n>', key: 'proposalsMax', kind: 'int', group: 'log', default: 20_000, min: 1, max: 1_000_000, unit: 'calls',
    why: 'Client calls queued or waiting for their entry on the leader; beyond it calls are refused (`RESOURCE_EXHAUSTED`) instead of piling up memory.',
  },
  {
    flag: '--entry-commands-max', arg: '<n>', key: 'entryCommandsMax', kind: 'int', group: 'log', default: 1000, min: 1, max: 10_000, unit: 'commands',
    why: 'Commands of concurrent callers packed into one raft entry, so they share one append and one fsync.',
    detail: 'The ledger accepts up to 10,000 per entry; entries also stay under 3 MiB.',
  },
  {
    flag: '--peer-queue-messages-max', arg: '<n>', key: 'peerQueueMessagesMax', kind: 'int', group: 'log', default: 4096, min: 16, max: 1_000_000, unit: 'messages',
    why: 'Messages queued for one peer. Beyond it new messages are dropped and the core is told the peer is unreachable; raft retransmits, so a dead peer costs reconnect attempts, never memory.',
  },
  {
    flag: '--drain-ms', arg: '<ms>', key: 'drainMs', kind: 'int', group: 'log', default: 3000, min: 0, max: 600_000, unit: 'ms',
    why: 'On SIGTERM: refuse new work, wait this long for proposals in flight, then close.',
  },
  {
    flag: '--dedup-window-ms', arg: '<ms>', key: 'dedupWindowMs', kind: 'int', group: 'log', default: DEDUP_WINDOW_MS_DEFAULT, min: DEDUP_WINDOW_MS_MIN, max: DEDUP_WINDOW_MS_MAX, unit: 'ms',
    why: 'How old (in log time) an id may be when a command carries its issue time (`id_time_ms`, which the SDK sends for the ids it makes): an older one is refused with `OP_ID_TOO_OLD`, one more than min(60 s, window) ahead is invalid. Outcomes stay in memory for the window plus that allowance, then move to disk for the life of the history (`GetOutcome` answers at any age; with history retention, those whose events were all archived and pruned are dropped too). 24 h covers any caller\'s retry loop with room to spare and bounds memory to a day of outcomes. Part of the replicated state machine: every node of a cluster must use the same value. See `src/ledger/README.md`, "Exactly once".',
  },
  {
    flag: '--history-retain-ms', arg: '<ms>', key: 'historyRetainMs', kind: 'int', group: 'log', default: null, default_text: 'off (full history)', min: 60_000, max: Number.MAX_SAFE_INTEGER, unit: 'ms',
    why: 'History retention by age: when this node leads, it prunes position events older than this (log time), but only those at or below the archived mark an operator sets after exporting them (`stockctl history export`, `stockctl history mark-archived`); nothing is pruned before a mark. Off by default: history is the audit trail, and dropping it is an operator\'s decision.',
    detail: 'Pruning is replicated: the leader proposes prune lists (at most 10,000 events per entry) and every replica deletes the same events, keeping per position a horizon (the last pruned event\'s seq and hash) from which `stockctl verify` continues the chain. The latest event of a position is always kept. Set the same value on every node (a new leader applies its own). See `src/ledger/README.md`, "History retention".',
  },
  {
    flag: '--history-retain-events', arg: '<n>', key: 'historyRetainEvents', kind: 'int', group: 'log', default: null, default_text: 'off (full history)', min: 1, max: Number.MAX_SAFE_INTEGER, unit: 'events',
    why: 'History retention by count: keep at least the latest this many events of each position; older ones go once archived (as for `--history-retain-ms`; with both set an event goes when either allows it).',
  },
  {
    flag: '--disk-reserve-mib', arg: '<n>', key: 'diskReserveMib', kind: 'int', group: 'log', default: 64, min: 0, max: 1_048_576, unit: 'MiB',
    why: 'While the data dir\'s file system has less free space than this, new client writes are refused `RESOURCE_EXHAUSTED` "disk full" (before anything is proposed) and accepted again once space is back; 0: off.',
    detail: 'Entries already accepted still replicate and apply into the reserve: a write that fails for want of space stops the node (docs/operations.md "Disk full"). 64 MiB holds one full raft log (`--log-bytes-max`) of accepted entries; free space is read every second (`stockd_data_dir_free_bytes` exports it too).',
  },
  // --- operations and observability
  {
    flag: '--metrics-listen', arg: '<host:port>', key: 'metricsListen', kind: 'address', group: 'operations', default: null, default_text: 'off',
    why: 'HTTP address serving `/metrics` (Prometheus).',
    detail: 'Node gauges and counters: `stockd_role{role}`, `stockd_raft_term`, `stockd_raft_commit_index`, `stockd_raft_applied_index`, `stockd_raft_snapshot_index`, `stockd_proposals_total{outcome}`, `stockd_fsync_seconds` and `stockd_apply_seconds` histograms, `stockd_entries_applied_total`, `stockd_open_reservations`, `stockd_proposals_pending`, `stockd_snapshots_installed_total`, `stockd_snapshot_install_seconds` (histogram), `stockd_snapshot_receive_bytes_total`, `stockd_snapshot_receive_records_total`, `stockd_snapshot_failures_total{stage}` (receive: stream, checksum, format or disk; check: the staged ledger does not load), `stockd_peer_messages_sent_total{type}` (raft messages to peers: append, heartbeat, read_index, ...), `stockd_fatal_errors_total{kind}` (errors that stopped the node: safety, corruption, disk_full, storage, other), `stockd_disk_writes_refused` (1 while below `--disk-reserve-mib`), plus the client API\'s call metrics, and the health metrics the alert rules read (leadership, follower lag, dropped peer messages, snapshot send failures, data-dir free bytes, clock skew, certificate expiry: listed in ops/README.md). The gauges are read from the node when `/metrics` is scraped.',
  },
  {
    flag: '--log-level', arg: '<level>', key: 'logLevel', kind: 'enum', group: 'operations', default: 'info', values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    why: 'pino level of the JSON lines on stdout.',
  },
  {
    flag: '--peer-address-override', arg: '<list>', key: 'peerAddressOverride', kind: 'list', group: 'operations', default: null, default_text: 'none',
    why: 'Addresses that win for all node-to-node traffic, including the forwarding of client calls to the leader. The fault-injection harness routes every link through a proxy with it.',
  },
  {
    flag: '--test-hooks', key: 'testHooks', kind: 'bool', group: 'operations',
    why: 'Tests only: serve the `stockraft.raft.StockTest` service and test hooks on the metrics port.',
    detail: 'The service takes JSON propose/status/read/admin requests. On the metrics port, `POST /test/clock-offset?ms=N` shifts the clock this node stamps entries with as leader and `POST /test/fsync-delay?ms=N` delays every synced write. With it, and only with it, the environment may set snapshot fault hooks: `STOCKD_TEST_SNAPSHOT_KILL_AT=<step>[:n]` (SIGKILL at `receive-chunk` after n staged chunks, `received`, `install-before` or `install-after`), `STOCKD_TEST_SNAPSHOT_FAIL_AT=<step>[:n]` (fail `receive-chunk` or `received` once), `STOCKD_TEST_SNAPSHOT_CHUNK_DELAY_MS=<ms>` (sleep after each staged chunk); see `src/server/snapshot-test-hook.ts`. With the environment variable `STOCKRAFT_TEST_WALL_CLOCK_STAMPING=1` (refused without `--test-hooks`) the node stamps entries with `max(previous, wall clock)`, the known-bad behaviour fault-injection checkers must catch. With `STOCKRAFT_TEST_RULES_VERSION_MAX=N` (refused without `--test-hooks`) the node applies ledger rules versions only up to N, standing for a node of an older build (docs/operations.md, "Versions").',
  },
  {
    flag: '--restore', arg: '<file>', key: 'restore', kind: 'string', group: 'operations', default: null, default_text: 'none', form: 'file',
    why: 'Bootstrap a NEW cluster (new cluster id, starting with `r-`) from a backup (`stockctl backup`). The data dir must be absent or empty.',
    detail: 'The whole file is validated first (every chunk\'s checksum and place, the ledger\'s invariants, every history chain), one chunk at a time, before the data dir is created or opened: a bad file is refused naming the chunk, byte offset and record, and leaves the dir as it was. The restored ledger becomes a snapshot at its last applied log index (term 1): history keeps its log indexes and hashes, the new log continues above it. Give every bootstrap node the same file, or start the others with `--cluster-id` of the restored one so they receive it by InstallSnapshot.',
  },
  {
    flag: '--force-new-cluster', key: 'forceNewCluster', kind: 'bool', group: 'operations',
    why: 'Recovery from a majority lost for good, on a surviving member\'s data dir: rewrite the stored membership so that this node is the only voter, then serve as a one-node cluster that grows again with `stockctl members add-learner`/`promote`. DANGEROUS: acknowledged writes that only the lost members had are gone. Command line only (refused in `--config`); remove it once the node serves. Steps and checks: docs/operations.md.',
    detail: 'Entries above the highest commit index the node knows are dropped (the lost majority may or may not have committed them); the committed log, the applied ledger and its history stay. The rewrite is refused on an empty data dir, when a member to be removed still answers at its address, and when the data dir was forced before and has grown since (a flag left on the command line); it is recorded in the log and, once the node leads, in the admin history (`force_new_cluster`).',
  },
  // --- security (docs/security.md)
  {
    flag: '--cert', arg: '<file>', key: 'cert', kind: 'string', group: 'security', default: null, default_text: 'none', form: 'PEM file',
    why: 'PEM certificate this node serves with (TLS on); also presented to peers unless `--peer-cert`/`--peer-key` are given.',
  },
  {
    flag: '--key', arg: '<file>', key: 'key', kind: 'string', group: 'security', default: null, default_text: 'none', form: 'PEM file',
    why: 'PEM private key of `--cert`.',
  },
  {
    flag: '--ca', arg: '<file>', key: 'ca', kind: 'string', group: 'security', default: null, default_text: 'none', form: 'PEM file',
    why: 'PEM CA bundle that issues client certificates (and node certificates unless `--peer-ca`).',
  },
  {
    flag: '--peer-cert', arg: '<file>', key: 'peerCert', kind: 'string', group: 'security', default: null, default_text: '--cert', form: 'PEM file',
    why: 'Certificate this node presents to peers: separate material for member-to-member traffic.',
  },
  {
    flag: '--peer-key', arg: '<file>', key: 'peerKey', kind: 'string', group: 'security', default: null, default_text: '--key', form: 'PEM file',
    why: 'Private key of `--peer-cert`.',
  },
  {
    flag: '--peer-ca', arg: '<file>', key: 'peerCa', kind: 'string', group: 'security', default: null, default_text: '--ca', form: 'PEM file',
    why: 'CA bundle that issues node certificates.',
  },
  {
    flag: '--insecure', key: 'insecure', kind: 'bool', group: 'security',
    why: 'Serve plaintext without TLS, with a warning (local development and tests only); cannot be combined with the TLS flags. A node refuses to start without either TLS material or this flag.',
  },
  {
    flag: '--auth-tokens', arg: '<file>', key: 'authTokens', kind: 'string', group: 'security', default: null, default_text: 'none', form: 'file',
    why: 'Token file: lines "<principal> sha256:<hex>" (hashed tokens), reloaded on SIGHUP.',
  },
  {
    flag: '--roles', arg: '<file>', key: 'roles', kind: 'string', group: 'security', default: null, default_text: 'none', form: 'file',
    why: 'Roles file: lines "<principal> <role>...", reloaded on SIGHUP; required whenever callers are authenticated (TLS or `--auth-tokens`).',
  },
  {
    flag: '--principal-calls-max', arg: '<n>', key: 'principalCallsMax', kind: 'int', group: 'security', default: DEFAULT_PRINCIPAL_LIMITS.calls_inflight_max, min: 1, max: 1_000_000, unit: 'calls',
    why: 'Calls in flight per principal, so one misbehaving client cannot take a node\'s capacity from the others; beyond it `RESOURCE_EXHAUSTED`.',
  },
  {
    flag: '--principal-streams-max', arg: '<n>', key: 'principalStreamsMax', kind: 'int', group: 'security', default: DEFAULT_PRINCIPAL_LIMITS.streams_open_max, min: 1, max: 1_000_000, unit: 'streams',
    why: 'Open Watch/Backup/health-watch streams per principal; beyond it `RESOURCE_EXHAUSTED`.',
  },
  {
    flag: '--join-token-file', arg: '<file>', key: 'joinTokenFile', kind: 'string', group: 'security', default: null, default_text: 'none', form: 'file (16..1024 bytes)',
    why: 'The cluster\'s join secret. A `--join` node requires proof of it on peer calls until it is added (without it, only the members named by `--initial-cluster`; with neither it refuses to start); members holding the file send that proof. Never logged, reloaded on SIGHUP, TLS only (docs/security.md "Joining").',
  },
] as const satisfies readonly FlagSpec[];

export type FlagKey = (typeof STOCKD_FLAGS)[number]['key'];
export type IntKey = Extract<(typeof STOCKD_FLAGS)[number], { kind: 'int' }>['key'];
export type EnumKey = Extract<(typeof STOCKD_FLAGS)[number], { kind: 'enum' }>['key'];

/** The table's entry for `key` (the keys are typed, so a missing one is a build error). */
export function flagSpec(key: 'logLevel'): EnumFlag;
export function flagSpec(key: IntKey): IntFlag;
export function flagSpec(key: FlagKey): FlagSpec;
export function flagSpec(key: FlagKey): FlagSpec {
  const spec = (STOCKD_FLAGS as readonly FlagSpec[]).find((f) => f.key === key);
  if (spec === undefined) throw new Error(`stockd flag table: no entry for ${key}`);
  return spec;
}

/** `n` of `unit`, with bytes in the largest binary unit that divides them. */
export function formatAmount(n: number, unit: string): string {
  if (unit === 'bytes') {
    for (const [size, name] of [[GiB, 'GiB'], [MiB, 'MiB'], [KiB, 'KiB']] as const) {
      if (n >= size && n % size === 0) return `${n / size} ${name}`;
    }
  }
  return unit === '' ? String(n) : `${n} ${unit}`;
}

/** The default as the reference shows it. */
export function defaultText(spec: FlagSpec): string {
  switch (spec.kind) {
    case 'bool':
      return 'off';
    case 'enum':
      return spec.default;
    case 'int':
      if (spec.default === null) return spec.default_text ?? 'none';
      return spec.unit === 'bytes' && spec.default >= KiB ? `${spec.default} (${formatAmount(spec.default, spec.unit)})` : formatAmount(spec.default, spec.unit);
    default:
      return spec.default ?? spec.default_text ?? 'none';
  }
}

/** The values a setting accepts, as the reference shows them. */
export function rangeText(spec: FlagSpec): string {
  switch (spec.kind) {
    case 'bool':
      return 'on/off';
    case 'enum':
      return spec.values.join(', ');
    case 'int':
      if (spec.unit === 'bytes') return `${formatAmount(spec.min, spec.unit)}..${formatAmount(spec.max, spec.unit)}`;
      return `${spec.min}..${formatAmount(spec.max, spec.unit)}`;
    case 'address':
      return 'host:port';
    case 'list':
      return `id=host:port,... (at most ${MEMBERS_MAX})`;
    default:
      return spec.form === 'node id' || spec.form === 'cluster id' ? `${spec.form}, 1..${NODE_ID_BYTES_MAX} of [A-Za-z0-9._-]` : (spec.form ?? 'text');
  }
}

/** The flag as the command line takes it, e.g. '--tick-ms <ms>'. */
export function flagTerm(spec: FlagSpec): string {
  return spec.kind === 'bool' ? spec.flag : `${spec.flag} ${spec.arg}`;
}

/** One flag's --help text: why, default and range (plain text: no markdown backticks). */
export function helpText(spec: FlagSpec): string {
  const label = spec.kind === 'int' ? 'range' : spec.kind === 'enum' ? 'one of' : 'form';
  const range = spec.kind === 'bool' ? '' : `; ${label}: ${rangeText(spec)}`;
  return `${spec.why.replace(/`/g, '')} (default: ${defaultText(spec)}${range})`;
}
