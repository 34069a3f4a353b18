// Refuses new writes while the data dir's file system is nearly full, so that a full disk
// never meets a write that cannot be undone.
//
// Every proposal the leader accepts becomes raft log writes on every member and ledger
// writes at apply, and neither may fail halfway: a persist that fails leaves LevelDB
// refusing all later writes (its log's state is indeterminate), so the node stops (fatal,
// kind disk_full) and must be restarted once space is back. The guard keeps that for the
// truly unexpected: it reads the free space (statfs) every DISK_POLL_MS and, while it is
// below the reserve (--disk-reserve-mib), new client writes are refused
// RESOURCE_EXHAUSTED "disk full" before anything is proposed. Entries already accepted
// still replicate and apply into the reserve, and service resumes by itself at the next
// reading above it. See docs/operations.md "Disk full".

import { statfs } from 'node:fs/promises';
import { NodeError } from './node-api.js';
import type { NodeLog } from './node-settings.js';
import type { FaultMetrics } from './fault-metrics.js';

/** How often the free space is read: a 1 MiB/s write load moves it ~1 MiB between readings. */
export const DISK_POLL_MS = 1000;

export type FreeBytesReader = (dir: string) => Promise<number>;

export const statfsFreeBytes: FreeBytesReader = async (dir) => {
  const s = await statfs(dir);
  return s.bavail * s.bsize;
};

export class DiskGuard {
  private free_bytes: number | null = null;
  private refusing = false;
  private timer: NodeJS.Timeout | null = null;
  private polling = false;

  constructor(
    private readonly dir: string,
    /** 0 turns the guard off (free space is still read and exported). */
    private readonly reserve_bytes: number,
    private readonly log: NodeLog,
    private readonly metrics: FaultMetrics | null,
    private readonly readFree: FreeBytesReader = statfsFreeBytes,
  ) {}

  start(): void {
    if (this.timer) return;
    void this.poll();
    this.timer = setInterval(() => void this.poll(), DISK_POLL_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Reads the free space once and updates the refusal (tests call it directly). */
  async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      this.onReading(await this.readFree(this.dir));
    } catch (err) {
      // A failed reading changes nothing: the last one stands, writes fail loudly if the
      // disk is in trouble.
      this.log.warn({ dir: this.dir, err: String(err) }, 'cannot read the data dir\'s free space');
    } finally {
      this.polling = false;
    }
  }

  private onReading(free_bytes: number): void {
    this.free_bytes = free_bytes;
    const refusing = this.reserve_bytes > 0 && free_bytes < this.reserve_bytes;
    if (refusing !== this.refusing) {
      const fields = { dir: this.dir, free_bytes, reserve_bytes: this.reserve_bytes };
      if (refusing) this.log.warn(fields, 'disk nearly full: refusing new writes until space is freed');
      else this.log.info(fields, 'disk space back above the reserve: accepting writes again');
    }
    this.refusing = refusing;
    this.metrics?.disk_writes_refused.set(refusing ? 1 : 0);
  }

  /** The refusal for a new write while below the reserve, else null. */
  refusal(): NodeError | null {
    if (!this.refusing) return null;
    const mib = (n: number): string => (n / 1048576).toFixed(1);
    return new NodeError(
      'disk_full',
      `only ${mib(this.free_bytes ?? 0)} MiB free on the data dir's file system (${this.dir}), below the reserve of ${mib(this.reserve_bytes)} MiB (--disk-reserve-mib): writes are refused until space is freed; nothing was proposed`,
    );
  }
}
