// Faults on a schedule: a quiet spell, then one fault held for a while, then its end, again
// and again until the run's time is up. Each start and end is recorded in the history with
// whether a majority of voters could still form a quorum. One fault at a time, so every
// fault's end undoes exactly what its start did.

import type { StockraftClient } from '../src/client/index.js';
import type { Cluster } from './cluster.js';
import type { Recorder } from './recorder.js';
import { describeJump, planClockFault } from './clock-plan.js';
import type { Rng } from './rng.js';
import { cutsFor, majorityConnected, ringCuts, type FaultState } from './topology.js';
import { DiskFaults } from './disk-nemesis.js';

export const NEMESES = [
  'partition-one',
  'partition-leader',
  'partition-halves',
  'partition-bridge',
  'partition-ring',
  'kill-one',
  'kill-minority',
  'kill-leader',
  'pause-one',
  'pause-leader',
  'membership',
  'leader-transfer',
  'clock',
  'slow-disk',
  'slow-net',
  'bitflip',
  'truncate',
  'disk-full',
] as const;
export type NemesisName = (typeof NEMESES)[number];

/** Families accepted by --nemesis (a family stands for all its members). */
const FAMILIES: Record<string, readonly NemesisName[]> = {
  partition: ['partition-one', 'partition-leader', 'partition-halves', 'partition-bridge', 'partition-ring'],
  kill: ['kill-one', 'kill-minority', 'kill-leader'],
  pause: ['pause-one', 'pause-leader'],
  membership: ['membership'],
  transfer: ['leader-transfer'],
  'leader-transfer': ['leader-transfer'],
  clock: ['clock'],
  'slow-disk': ['slow-disk'],
  'slow-net': ['slow-net'],
  bitflip: ['bitflip'],
  truncate: ['truncate'],
  'disk-full': ['disk-full'],
  disk: ['bitflip', 'truncate', 'disk-full'],
  none: [],
};

export function parseNemesisList(text: string): NemesisName[] {
  if (text.trim() === 'all') return [...NEMESES];
  const out = new Set<NemesisName>();
  for (const raw of text.split(',')) {
    const name = raw.trim();
    if (name === '') continue;
    const fam = FAMILIES[name];
    if (fam !== undefined) fam.forEach((n) => out.add(n));
    else if ((NEMESES as readonly string[]).includes(name)) out.add(name as NemesisName);
    else throw new Error(`--nemesis: unknown fault "${name}"; known: all, ${[...Object.keys(FAMILIES), ...NEMESES].join(', ')}`);
  }
  return [...out];
}

export interface Schedule {
  readonly quiet_ms: readonly [number, number];
  readonly fault_ms: readonly [number, number];
}

export const DEFAULT_SCHEDULE: Schedule = { quiet_ms: [2_000, 5_000], fault_ms: [4_000, 10_000] };

const LEARNER_CATCHUP_MS = 20_000;
const ADMIN_RETRIES = 5;
const HEAL_MEMBERSHIP_ATTEMPTS = 10;
const SERVING_WAIT_MS = 30_000;

interface ActiveFault {
  readonly name: NemesisName;
  readonly detail: string;
  readonly end: () => Promise<string>;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export class Nemesis {
  readonly voters: Set<string>;
  readonly down = new Set<string>();
  readonly paused = new Set<string>();
  readonly cut = new Set<string>();
  private readonly removed = new Set<string>();
  /** Nodes whose clock a fault has offset at some point: healing sets them back to 0. */
  private readonly clocked = new Set<string>();
  private active: ActiveFault | null = null;
  faults_started = 0;
  private readonly disk: DiskFaults;

  constructor(
    private readonly cluster: Cluster,
    private readonly admin: StockraftClient,
    private readonly recorder: Recorder,
    private readonly rng: Rng,
    private readonly enabled: readonly NemesisName[],
    private readonly schedule: Schedule,
    private readonly log: (line: string) => void,
  ) {
    this.voters = new Set(cluster.ids);
    this.disk = new DiskFaults(cluster, admin, rng, {
      down: this.down,
      waitServing: (id) => this.waitServing(id),
      retry: (what, f) => this.retry(what, f),
      members: () => this.members(),
      rejoin: async (v) => {
        this.removed.add(v);
        await this.refreshVoters().catch(() => this.voters.delete(v));
        return this.readd(v);
      },
    });
  }

  state(): FaultState {
    return { nodes: this.cluster.ids, voters: this.voters, down: this.down, paused: this.paused, cut: this.cut };
  }

  get current(): string | null {
    return this.active === null ? null : `${this.active.name} (${this.active.detail})`;
  }

  private record(name: string, phase: 'start' | 'end', detail: string): void {
    const majority = majorityConnected(this.state());
    this.recorder.nemesis(name, phase, detail, majority);
    this.log(`nemesis ${phase} ${name}: ${detail}${majority ? '' : ' [no majority]'}`);
  }

  /** The leader by the highest term among nodes that claim it, or null. */
  async leader(): Promise<string | null> {
    const all = await this.admin.statusAll(1_000);
    let best: { id: string; term: number } | null = null;
    for (const s of all) {
      if (s.status !== null && s.status.role === 'leader' && (best === null || s.status.term > best.term)) best = { id: s.status.id, term: s.status.term };
    }
    return best?.id ?? null;
  }

  async run(shouldStop: () => boolean): Promise<void> {
    if (this.enabled.length === 0) return;
    while (!shouldStop()) {
      await this.sleepUnless(this.rng.range(this.schedule.quiet_ms[0], this.schedule.quiet_ms[1]), shouldStop);
      if (shouldStop()) break;
      const name = this.rng.pick(this.enabled);
      try {
        await this.startFault(name);
      } catch (err) {
        this.log(`nemesis ${name} could not start: ${(err as Error).message}`);
        continue;
      }
      await this.sleepUnless(this.rng.range(this.schedule.fault_ms[0], this.schedule.fault_ms[1]), shouldStop);
      await this.endFault();
    }
  }

  private async sleepUnless(ms: number, shouldStop: () => boolean): Promise<void> {
    const until = Date.now() + ms;
    while (Date.now() < until && !shouldStop()) await sleep(Math.min(200, until - Date.now()));
  }

  private async endFault(): Promise<void> {
    const a = this.active;
    if (a === null) return;
    this.active = null;
    let detail: string;
    try {
      detail = await a.end();
    } catch (err) {
      detail = `end failed: ${(err as Error).message}`;
    }
    this.record(a.name, 'end', detail);
  }

  private async pickTarget(leaderWanted: boolean): Promise<string> {
    if (leaderWanted) {
      const l = await this.leader();
      if (l !== null) return l;
    }
    return this.rng.pick(this.cluster.ids.filter((id) => !this.down.has(id)));
  }

  private applyCuts(cuts: Set<string>): void {
    for (const link of cuts) {
      const [from, to] = link.split('>');
      this.cluster.setLink(from, to, { kind: 'cut' });
      this.cut.add(link);
    }
  }

  private healCuts(cuts: Set<string>): void {
    for (const link of cuts) {
      const [from, to] = link.split('>');
      this.cluster.setLink(from, to, { kind: 'up' });
      this.cut.delete(link);
    }
  }

  private begin(name: NemesisName, detail: string, end: () => Promise<string>): void {
    this.active = { name, detail, end };
    this.faults_started++;
    this.record(name, 'start', detail);
  }

  async startFault(name: NemesisName): Promise<void> {
    if (this.active !== null) throw new Error(`nemesis: ${this.active.name} still active`);
    const ids = this.cluster.ids;
    const n = ids.length;
    switch (name) {
      case 'partition-one':
      case 'partition-leader': {
        const v = await this.pickTarget(name === 'partition-leader');
        const cuts = cutsFor(ids, [[v], ids.filter((x) => x !== v)]);
        this.applyCuts(cuts);
        return this.begin(name, `isolated ${v}`, async () => (this.healCuts(cuts), `healed ${v}`));
      }
      case 'partition-halves': {
        const order = this.rng.shuffle(ids);
        const small = order.slice(0, Math.floor(n / 2));
        const big = order.slice(Math.floor(n / 2));
        const cuts = cutsFor(ids, [small, big]);
        this.applyCuts(cuts);
        return this.begin(name, `${small.join(',')} | ${big.join(',')}`, async () => (this.healCuts(cuts), 'healed'));
      }
      case 'partition-bridge': {
        const order = this.rng.shuffle(ids);
        const mid = Math.floor(n / 2);
        const bridge = order[mid];
        const left = order.slice(0, mid);
        const right = order.slice(mid + 1);
        const cuts = cutsFor(ids, [left, right], [bridge]);
        this.applyCuts(cuts);
        return this.begin(name, `${left.join(',')} | ${bridge} | ${right.join(',')} (bridge ${bridge})`, async () => (this.healCuts(cuts), 'healed'));
      }
      case 'partition-ring': {
        const order = this.rng.shuffle(ids);
        const cuts = ringCuts(order);
        this.applyCuts(cuts);
        return this.begin(name, `ring ${order.join('-')}`, async () => (this.healCuts(cuts), 'healed'));
      }
      case 'kill-one':
      case 'kill-leader':
      case 'kill-minority': {
        let victims: string[];
        if (name === 'kill-minority') victims = this.rng.shuffle(ids).slice(0, Math.floor((n - 1) / 2) || 1);
        else victims = [await this.pickTarget(name === 'kill-leader')];
        for (const v of victims) {
          await this.cluster.kill(v);
          this.down.add(v);
        }
        return this.begin(name, `SIGKILL ${victims.join(',')}`, async () => {
          for (const v of victims) this.cluster.start(v);
          // The fault lasts until the restarted nodes serve again (loading the data dir
          // takes a while), so that majority accounting does not count them early.
          const waited = await Promise.all(victims.map((v) => this.waitServing(v)));
          for (const v of victims) this.down.delete(v);
          return `restarted ${victims.join(',')} (serving after ${waited.map((ms) => `${ms} ms`).join(', ')})`;
        });
      }
      case 'pause-one':
      case 'pause-leader': {
        const v = await this.pickTarget(name === 'pause-leader');
        this.cluster.pause(v);
        this.paused.add(v);
        return this.begin(name, `SIGSTOP ${v}`, async () => {
          this.cluster.resume(v);
          this.paused.delete(v);
          return `SIGCONT ${v}`;
        });
      }
      case 'leader-transfer': {
        const l = await this.leader();
        const to = this.rng.pick(ids.filter((x) => x !== l && this.voters.has(x)));
        let detail = `from ${l ?? '?'} to ${to}`;
        try {
          await this.admin.transferLeadership(to);
        } catch (err) {
          detail += ` (refused: ${(err as Error).message})`;
        }
        return this.begin(name, detail, async () => {
          const now = await this.leader();
          return `leader now ${now ?? 'unknown'}`;
        });
      }
      case 'membership': {
        const l = await this.leader();
        const candidates = ids.filter((x) => this.voters.has(x) && (x !== l || this.rng.chance(0.25)));
        const v = this.rng.pick(candidates);
        // A removal whose answer was lost (the leader may step down) still happened:
        // every attempt first asks the cluster whether it already did.
        await this.retry(`remove ${v}`, async () => {
          const m = await this.members();
          if (m.get(v) === undefined) return;
          await this.admin.remove(v);
        });
        this.removed.add(v);
        await this.refreshVoters().catch(() => this.voters.delete(v));
        return this.begin(name, `removed voter ${v}`, async () => this.readd(v));
      }
      case 'clock':
        return this.startClock();
      case 'slow-disk': {
        const v = await this.pickTarget(this.rng.chance(0.5));
        const ms = this.rng.range(50, 300);
        const detail = await this.tryHook(v, `/test/fsync-delay?ms=${ms}`);
        return this.begin(name, `fsync of ${v} +${ms} ms${detail}`, async () => `fsync of ${v} normal${await this.tryHook(v, '/test/fsync-delay?ms=0')}`);
      }
      case 'bitflip':
      case 'truncate': {
        const f = await this.disk.damage(name, await this.pickTarget(this.rng.chance(0.3)));
        return this.begin(name, f.detail, f.end);
      }
      case 'disk-full': {
        const f = await this.disk.fill();
        return this.begin(name, f.detail, f.end);
      }
      case 'slow-net': {
        const v = await this.pickTarget(this.rng.chance(0.5));
        const slow = this.rng.chance(0.3);
        const mode = slow ? ({ kind: 'slow', bytes_per_s: 64 * 1024 } as const) : ({ kind: 'delay', delay_ms: this.rng.range(20, 150) } as const);
        const links = ids.filter((x) => x !== v).flatMap((x) => [[v, x], [x, v]] as const);
        for (const [a, b] of links) this.cluster.setLink(a, b, mode);
        const what = mode.kind === 'slow' ? `${mode.bytes_per_s} B/s` : `${mode.delay_ms} ms delay`;
        return this.begin(name, `links of ${v}: ${what}`, async () => {
          for (const [a, b] of links) if (!this.cut.has(`${a}>${b}`)) this.cluster.setLink(a, b, { kind: 'up' });
          return `links of ${v} normal`;
        });
      }
    }
  }

  /** Wall clocks jump (seconds, minutes or hours, either way; see clock-plan.ts), on the
   * leader or others, and leadership sometimes moves afterwards. The end sets every
   * offset back to 0. */
  private async startClock(): Promise<void> {
    const plan = planClockFault(this.rng, this.cluster.ids, await this.leader());
    const parts: string[] = [];
    for (const j of plan.jumps) {
      this.clocked.add(j.node);
      parts.push(`${describeJump(j)}${await this.tryHook(j.node, `/test/clock-offset?ms=${j.offset_ms}`)}`);
    }
    if (plan.transfer_to !== null) {
      try {
        await this.admin.transferLeadership(plan.transfer_to);
        parts.push(`leadership to ${plan.transfer_to}`);
      } catch (err) {
        parts.push(`leadership to ${plan.transfer_to} refused: ${(err as Error).message}`);
      }
    }
    const nodes = plan.jumps.map((j) => j.node);
    return this.begin('clock', `${plan.variant}: ${parts.join('; ')}`, async () => {
      const reset: string[] = [];
      for (const id of nodes) reset.push(`${id}${await this.tryHook(id, '/test/clock-offset?ms=0')}`);
      return `clocks reset: ${reset.join(', ')}`;
    });
  }

  /** Sets every offset clock back to 0 (a node restarted since starts at 0 anyway). */
  private async resetClocks(): Promise<void> {
    for (const id of [...this.clocked]) {
      if (!this.cluster.running(id)) continue;
      const failed = await this.tryHook(id, '/test/clock-offset?ms=0');
      if (failed !== '') this.log(`healing clock of ${id}:${failed}`);
      else this.clocked.delete(id);
    }
  }

  /** Polls a node's Status until it answers; returns the wait in ms (bounded). */
  private async waitServing(id: string): Promise<number> {
    const started = Date.now();
    const index = this.cluster.ids.indexOf(id);
    while (Date.now() - started < SERVING_WAIT_MS) {
      try {
        await this.admin.status(index);
        break;
      } catch {
        await sleep(100);
      }
    }
    return Date.now() - started;
  }

  private async tryHook(id: string, pathAndQuery: string): Promise<string> {
    try {
      await this.cluster.hook(id, pathAndQuery);
      return '';
    } catch (err) {
      return ` (hook failed: ${(err as Error).message})`;
    }
  }

  private async retry<T>(what: string, f: () => Promise<T>): Promise<T> {
    let last: unknown = null;
    for (let i = 0; i < ADMIN_RETRIES; i++) {
      try {
        return await f();
      } catch (err) {
        last = err;
        await sleep(300 * (i + 1));
      }
    }
    throw new Error(`${what}: ${(last as Error)?.message ?? last}`);
  }

  /** Membership as the leader sees it (id -> role); throws when no leader answers. */
  async members(): Promise<Map<string, 'voter' | 'learner'>> {
    const all = await this.admin.statusAll(1_000);
    let best: { term: number; members: readonly { id: string; role: string }[] } | null = null;
    for (const s of all) {
      if (s.status !== null && s.status.role === 'leader' && (best === null || s.status.term > best.term)) best = s.status;
    }
    if (best === null) throw new Error('no leader to ask for membership');
    return new Map(best.members.map((m) => [m.id, m.role === 'learner' ? 'learner' : 'voter']));
  }

  /** Re-reads the voter set from the cluster, so availability is judged on the truth. */
  async refreshVoters(): Promise<void> {
    const m = await this.members();
    this.voters.clear();
    for (const [id, role] of m) if (role === 'voter') this.voters.add(id);
  }

  /** Adds a removed voter back as a learner, waits for it to catch up, promotes it. */
  private async readd(v: string): Promise<string> {
    await this.retry(`add learner ${v}`, async () => {
      if ((await this.members()).get(v) !== undefined) return;
      await this.admin.addLearner(v, this.cluster.address(v));
    });
    const until = Date.now() + LEARNER_CATCHUP_MS;
    let lag: number | null = null;
    while (Date.now() < until) {
      try {
        const st = await this.admin.status();
        const leaderId = st.leader_id;
        const ls = leaderId === st.id ? st : (await this.admin.statusAll(1_000)).find((s) => s.status?.id === leaderId)?.status;
        const m = ls?.members.find((x) => x.id === v);
        if (m !== undefined && m.has_match_index) {
          lag = m.lag_entries;
          if (lag <= 10) break;
        }
      } catch {
        // retry until the bound
      }
      await sleep(200);
    }
    await this.retry(`promote ${v}`, async () => {
      if ((await this.members()).get(v) === 'voter') return;
      await this.admin.promote(v);
    });
    this.removed.delete(v);
    await this.refreshVoters().catch(() => this.voters.add(v));
    return `re-added ${v} as learner (lag ${lag ?? 'unknown'}), promoted`;
  }

  /** Ends the active fault and undoes anything left over, so the cluster can converge. */
  async healAll(): Promise<void> {
    await this.endFault();
    for (const v of [...this.paused]) {
      this.cluster.resume(v);
      this.paused.delete(v);
    }
    for (const v of [...this.down]) {
      this.cluster.start(v);
      this.down.delete(v);
    }
    for (const id of this.cluster.ids) {
      if (!this.cluster.running(id)) this.cluster.start(id);
    }
    this.cluster.healLinks();
    this.cut.clear();
    await this.resetClocks();
    // Every node of the run must end as a voter, whatever the harness believed: ask the
    // cluster (once it has a leader again) and re-add whoever is missing.
    for (let attempt = 0; attempt < HEAL_MEMBERSHIP_ATTEMPTS; attempt++) {
      try {
        const m = await this.members();
        const missing = this.cluster.ids.filter((id) => m.get(id) !== 'voter');
        if (missing.length === 0) break;
        for (const v of missing) {
          this.removed.add(v);
          this.record('membership', 'end', await this.readd(v));
        }
      } catch (err) {
        this.log(`healing membership: ${(err as Error).message}`);
        await sleep(1_000);
      }
    }
    try {
      await this.refreshVoters();
    } catch {
      // no leader now: the convergence wait reports it
    }
  }
}
