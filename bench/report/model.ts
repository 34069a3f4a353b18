// The shape of one benchmark run's results, as written to bench/results/<date>.json.
import type { MachineInfo } from '../lib/machine.js';
import type { PointResult } from '../load/driver.js';

export interface FailoverFigures {
  readonly trials: number;
  /** Per trial: ms from the kill -9 of the leader until a write succeeded again. */
  readonly recovery_ms: readonly number[];
  readonly p50_ms: number;
  readonly max_ms: number;
}

export interface RestartFigures {
  readonly applied_events: number;
  /** From spawn of the restarted process until it served a linearizable read. */
  readonly restart_ms: number;
}

export interface RssFigures {
  readonly positions: number;
  readonly open_reservations: number;
  /** Per node once idle after the load (what a node holding this state keeps). */
  readonly rss_mib_per_node: readonly number[];
  /** Per node right after the load was applied, before going idle. */
  readonly rss_mib_per_node_after_load?: readonly number[];
  /** How long the nodes were left idle before rss_mib_per_node was read. */
  readonly idle_s?: number;
}

/** A figure measured, or why not. */
export type Extra<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

export interface TargetCheck {
  readonly id: number;
  readonly target: string;
  readonly measured: string;
  /** null: could not be evaluated in this run (a figure is missing). */
  readonly pass: boolean | null;
}

export interface RunReport {
  readonly date: string;
  readonly command: string;
  readonly machine: MachineInfo;
  /** 1-minute load average when the run ended (other work on a shared machine skews figures). */
  readonly loadavg_end_1m?: number;
  readonly config: {
    readonly clients: readonly number[];
    readonly dists: readonly string[];
    readonly duration_s: number;
    readonly warmup_s: number;
    readonly workers: number;
    readonly keys: number;
    readonly systems: readonly string[];
    readonly echo_request_bytes: number;
    readonly echo_response_bytes: number;
    readonly etcd_version: string | null;
  };
  readonly points: readonly PointResult[];
  readonly failover: Extra<FailoverFigures> | null;
  readonly restart: Extra<RestartFigures> | null;
  readonly rss: Extra<RssFigures> | null;
  readonly targets: readonly TargetCheck[];
  readonly notes: readonly string[];
}
