// The disk faults of the nemesis: bitflip and truncate damage a stopped node's newest
// write-ahead log and restart it; disk-full fills the one node's tmpfs data dir (all of it,
// or down to below its reserve) and frees it at the end. A node may refuse to start on a
// damaged dir (it must, when acknowledged data is gone) or stop on a full disk: the fault
// expects that (no crash is counted), records the node's own message, and at its end
// rebuilds the node from its peers as docs/operations.md says (remove, wipe, start with
// --join, add as learner, promote) or restarts it once space is back.

import * as path from 'node:path';
import type { StockraftClient } from '../src/client/index.js';
import type { Cluster } from './cluster.js';
import { fillFileSystem, flipBytes, freeBytes, truncateNewest } from './disk-faults.js';
import type { Rng } from './rng.js';
import * as fs from 'node:fs';

/** What the nemesis lends the disk faults. */
export interface DiskFaultHost {
  readonly down: Set<string>;
  waitServing(id: string): Promise<number>;
  retry<T>(what: string, f: () => Promise<T>): Promise<T>;
  members(): Promise<Map<string, 'voter' | 'learner'>>;
  /** Adds a wiped, joining node back as a learner and promotes it. */
  rejoin(id: string): Promise<string>;
}

export interface StartedFault {
  readonly detail: string;
  readonly end: () => Promise<string>;
}

/** How long a restarted node may take to serve or to refuse. */
const START_OUTCOME_MS = 30_000;
const MiB = 1024 * 1024;
/** Left free when the fill stops below the reserve (stockd's default reserve: 64 MiB). */
const BELOW_RESERVE_BYTES = 16 * MiB;
const FILLER = 'jepsen-disk-filler';
/** Lines of a node's log that say why it stopped or would not start. */
const STOP_LINE = /refusing to start|stockd: fatal|"fatal: stopping the node"/;

type StartOutcome = { readonly kind: 'serving'; readonly ms: number } | { readonly kind: 'stopped'; readonly why: string };

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class DiskFaults {
  constructor(
    private readonly cluster: Cluster,
    private readonly admin: StockraftClient,
    private readonly rng: Rng,
    private readonly host: DiskFaultHost,
  ) {}

  /** bitflip / truncate on `v`: SIGKILL, damage the newest log, restart. */
  async damage(name: 'bitflip' | 'truncate', v: string): Promise<StartedFault> {
    const p = this.cluster.proc(v);
    await this.cluster.kill(v);
    this.host.down.add(v);
    const what = name === 'bitflip' ? flipBytes(p.spec.data_dir, this.rng, 1 + this.rng.int(8)) : truncateNewest(p.spec.data_dir, this.rng);
    p.exit_expected = true;
    this.cluster.start(v);
    const outcome = await this.startOutcome(v);
    const said = outcome.kind === 'serving' ? `restarted ${v}: serving after ${outcome.ms} ms` : `restarted ${v}: it stopped: ${outcome.why}`;
    return { detail: `${v}: ${what}; ${said}`, end: () => this.settle(v, outcome) };
  }

  /** disk-full on the tmpfs node: fill it all (half the time) or to below its reserve. */
  async fill(): Promise<StartedFault> {
    const dir = this.cluster.tmpfs_dir;
    if (dir === null) throw new Error('disk-full needs a node on a tmpfs (the run mounts one when disk-full is enabled; root only)');
    const v = this.cluster.procs.find((q) => q.spec.data_dir === dir)!.spec.id;
    const whole = this.rng.chance(0.5);
    this.cluster.proc(v).exit_expected = true;
    const filler = path.join(dir, FILLER);
    const written = fillFileSystem(dir, filler, whole ? 0 : BELOW_RESERVE_BYTES);
    const detail = `${v}: filled ${(written / MiB).toFixed(0)} MiB of its data dir's tmpfs, ${(freeBytes(dir) / MiB).toFixed(1)} MiB left (${whole ? 'full' : 'below the reserve'})`;
    return {
      detail,
      end: async () => {
        fs.rmSync(filler, { force: true });
        if (this.cluster.running(v)) {
          this.cluster.proc(v).exit_expected = false;
          return `freed; ${v} stayed up`;
        }
        const why = this.cluster.logLines(v, STOP_LINE, 1).join(' ') || 'no message';
        this.host.down.add(v);
        this.cluster.start(v);
        const outcome = await this.startOutcome(v);
        return `freed; ${v} had stopped (${why}); ${await this.settle(v, outcome)}`;
      },
    };
  }

  /** Waits until a restarted node serves or stops by itself. */
  private async startOutcome(v: string): Promise<StartOutcome> {
    const started = Date.now();
    const index = this.cluster.ids.indexOf(v);
    while (Date.now() - started < START_OUTCOME_MS) {
      if (!this.cluster.running(v)) {
        // The exit is seen before its last lines are flushed to the log file.
        await sleep(200);
        const exit = this.cluster.proc(v).last_exit;
        return { kind: 'stopped', why: `exit code ${String(exit?.code)}: ${this.cluster.logLines(v, STOP_LINE, 1).join(' ') || 'no message'}` };
      }
      try {
        await this.admin.status(index);
        return { kind: 'serving', ms: Date.now() - started };
      } catch {
        await sleep(100);
      }
    }
    return { kind: 'stopped', why: `neither served nor stopped within ${START_OUTCOME_MS} ms` };
  }

  /** After the fault: a serving node is simply up again; a stopped one is rebuilt. */
  private async settle(v: string, outcome: StartOutcome): Promise<string> {
    const p = this.cluster.proc(v);
    if (outcome.kind === 'serving' && this.cluster.running(v)) {
      p.exit_expected = false;
      this.host.down.delete(v);
      return `${v} up (recovered from its own data and its peers)`;
    }
    if (this.cluster.running(v)) await this.cluster.kill(v);
    await this.host.retry(`remove ${v}`, async () => {
      if ((await this.host.members()).get(v) === undefined) return;
      await this.admin.remove(v);
    });
    this.cluster.wipe(v);
    p.joining = true;
    p.exit_expected = false;
    this.cluster.start(v);
    const ms = await this.host.waitServing(v);
    const readded = await this.host.rejoin(v);
    this.host.down.delete(v);
    return `rebuilt ${v}: removed, wiped, started with --join (serving after ${ms} ms), ${readded}`;
  }
}
