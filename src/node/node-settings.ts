// What a node is configured with and where it logs; boot.ts fills these in.

import type { ChannelCredentials } from '@grpc/grpc-js';
import type { NodeId } from '../raft/types.js';
import type { ProposalLimits } from './proposals.js';
import type { TransportLimits } from './transport-grpc.js';
import type { LogClockMode } from './log-clock.js';
import type { SnapshotTestHook } from './snapshot-receive.js';
import type { RetentionPolicy } from './history-scan.js';

export interface NodeLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

/** Ways to give memory back. */
export interface MemoryReclaim {
  /** V8's memory-reducing collection alone: one pause, no wait. */
  heap(): Promise<void>;
  /** That, then the C heap's free pages once V8 has unmapped what it freed. */
  all(): Promise<void>;
}

export interface NodeSettings {
  readonly id: NodeId;
  readonly cluster_id: string;
  /** The address peers and clients reach this node at. */
  readonly advertise: string;
  /** Addresses from --initial-cluster (bootstrap members, or the cluster a joiner joins). */
  readonly initial_addresses: Readonly<Record<NodeId, string>>;
  /** Addresses that win over everything else (fault-injection proxies). */
  readonly peer_address_overrides: Readonly<Record<NodeId, string>>;
  readonly tick_ms: number;
  /** Bound of the wall clock's correction of log time (log-clock.ts). */
  readonly max_clock_skew_ms: number;
  /** `wall` is the known-bad stamping, for fault-injection tests only. */
  readonly log_clock_mode: LogClockMode;
  /** Every `snapshot_entries` applied entries the log is compacted... */
  readonly snapshot_entries: number;
  /** ...keeping this many entries below the durable applied index for slow followers. */
  readonly trailing_entries: number;
  /** Entry bytes above the compaction point beyond which the log is compacted too. */
  readonly log_bytes_max: number;
  readonly proposal_limits: ProposalLimits;
  readonly transport_limits: TransportLimits;
  /** Test hook at the steps of a snapshot's receive and install (--test-hooks only). */
  readonly snapshot_hook?: SnapshotTestHook | null;
  /** How the process gives memory back (the server's idle collection), used around the
   * load of a received snapshot's ledger; null: never. */
  readonly reclaim_memory?: MemoryReclaim | null;
  /** History retention this node applies when it leads (history-scan.ts); absent: none. */
  readonly history_retention?: RetentionPolicy;
  /** Free bytes below which new writes are refused (disk-guard.ts); 0 or absent: off. */
  readonly disk_reserve_bytes?: number;
  readonly channel_credentials?: (id: NodeId) => ChannelCredentials;
}
