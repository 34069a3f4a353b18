// Seeded random command sequences (with replays, id reuse, expiries, partial commits,
// compare-and-set adjusts, invalid input and pruning) applied both to the ledger and to a
// deliberately simple reference model written here. After every entry the two must agree
// on every result and every position, and the conservation law must hold per position.
// Along the way the ledger is restarted from its stored state, and at the end a twin fed
// the same entries must reach the same head hash and state.

import t, { type Test } from 'tap';
import { Ledger } from '../../src/ledger/ledger.js';
import { verifyHistory } from '../../src/ledger/history.js';
import { restoreChunks, snapshotChunks } from '../../src/ledger/snapshot.js';
import type { Command, CommandResult, LedgerEntry, Line } from '../../src/ledger/types.js';
import { Driver, Rng, adjust, commit, extend, line, release, reserve } from './helpers.js';

const RETENTION_MS = 60_000;
const SEEDS = Number(process.env.LEDGER_PROPERTY_SEEDS ?? 40);
const ENTRIES_PER_SEED = 300;
const SKUS = ['A', 'B', 'C'];
const LOCS = ['X', 'Y'];

type Summary = string;

interface ModelPos {
  on_hand: number;
  reserved: number;
}
interface ModelRes {
  lines: Line[];
  state: 'PENDING' | 'COMMITTED' | 'RELEASED' | 'EXPIRED';
  deadline: number;
  ttl: number;
  order_ref: string;
  final_at: number;
}
interface ModelOutcome {
  content: string;
  summary: Summary;
  at: number;
}

const pid = (sku: string, loc: string): string => `${sku}/${loc}`;

/** The rules, written as plainly as possible. */
class Model {
  /** Reservations one entry expires at most (the ledger's expiries_per_entry_max). */
  constructor(readonly expiries_max: number = Number.POSITIVE_INFINITY) {}
  time = 0;
  pos = new Map<string, ModelPos>();
  res = new Map<string, ModelRes>();
  out = new Map<string, ModelOutcome>();

  content(c: Command): string {
    switch (c.kind) {
      case 'adjust':
        return JSON.stringify(['adj', c.sku, c.location, c.delta, c.reason, c.reference, c.expected_on_hand ?? null]);
      case 'reserve':
        return JSON.stringify(['res', c.lines, c.ttl_ms, c.order_ref]);
      case 'commit':
        return JSON.stringify(['com', c.reservation_id, c.lines && c.lines.length > 0 ? c.lines : null]);
      case 'release':
        return JSON.stringify(['rel', c.reservation_id, c.reason]);
      case 'extend':
        return JSON.stringify(['ext', c.reservation_id, c.ttl_ms]);
      case 'admin':
        return JSON.stringify(['adm', c.action, c.principal, c.target, c.detail]);
      default:
        throw new Error(`this model does not generate ${c.kind} (commerce has its own model test)`);
    }
  }

  summaryOfPositions(lines: readonly { sku: string; location: string }[]): Summary {
    return lines.map((l) => {
      const p = this.pos.get(pid(l.sku, l.location)) as ModelPos;
      return `${l.sku}/${l.location}=${p.on_hand}/${p.reserved}`;
    }).join(',');
  }

  entry(time_ms: number, cmds: readonly Command[]): { summary: Summary; replay: boolean }[] {
    this.time = Math.max(this.time, time_ms);
    const due = [...this.res].filter(([, r]) => r.state === 'PENDING' && r.deadline <= this.time);
    due.sort((a, b) => a[1].deadline - b[1].deadline || (a[0] < b[0] ? -1 : 1));
    for (const [, r] of due.slice(0, this.expiries_max)) this.finish(r, 'EXPIRED', null);
    for (const [id, r] of [...this.res]) {
      if (r.state !== 'PENDING' && r.final_at + RETENTION_MS <= this.time) {
        this.res.delete(id);
        this.out.delete(id);
      }
    }
    for (const [id, o] of [...this.out]) if (!this.res.has(id) && o.at + RETENTION_MS <= this.time) this.out.delete(id);
    return cmds.map((c) => this.command(c));
  }

  finish(r: ModelRes, state: ModelRes['state'], sold: number[] | null): void {
    r.lines.forEach((l, i) => {
      const p = this.pos.get(pid(l.sku, l.location)) as ModelPos;
      p.reserved -= l.quantity;
      p.on_hand -= sold === null ? 0 : sold[i];
    });
    r.state = state;
    r.final_at = this.time;
  }

  command(c: Command): { summary: Summary; replay: boolean } {
    if (c.kind === 'adjust' && c.delta === 0) return { summary: 'INVALID_ARGUMENT', replay: false };
    const id = c.kind === 'reserve' ? c.reservation_id : c.op_id;
    const prior = this.out.get(id);
    if (prior !== undefined) {
      return prior.content === this.content(c) ? { summary: prior.summary, replay: true } : { summary: 'ALREADY_EXISTS_DIFFERENT', replay: false };
    }
    const summary = this.run(c);
    this.out.set(id, { content: this.content(c), summary, at: this.time });
    return { summary, replay: false };
  }

  run(c: Command): Summary {
    switch (c.kind) {
      case 'adjust': {
        const p = this.pos.get(pid(c.sku, c.location));
        const on_hand = p?.on_hand ?? 0;
        if (c.expected_on_hand !== undefined && c.expected_on_hand !== on_hand) return `ON_HAND_MISMATCH ${c.expected_on_hand} ${on_hand}`;
        if (c.delta < 0 && p === undefined) return 'POSITION_NOT_FOUND';
        if (c.delta < 0 && p !== undefined && p.on_hand - p.reserved < -c.delta) return `INSUFFICIENT_STOCK ${c.sku}/${c.location}:${-c.delta}>${p.on_hand - p.reserved}`;
        if (p === undefined) this.pos.set(pid(c.sku, c.location), { on_hand: c.delta, reserved: 0 });
        else p.on_hand += c.delta;
        return `OK ${this.summaryOfPositions([c])}`;
      }
      case 'reserve': {
        if (c.lines.some((l) => !this.pos.has(pid(l.sku, l.location)))) return 'POSITION_NOT_FOUND';
        const short = c.lines.filter((l) => {
          const p = this.pos.get(pid(l.sku, l.location)) as ModelPos;
          return p.on_hand - p.reserved < l.quantity;
        });
        if (short.length > 0) {
          return `INSUFFICIENT_STOCK ${short.map((l) => {
            const p = this.pos.get(pid(l.sku, l.location)) as ModelPos;
            return `${l.sku}/${l.location}:${l.quantity}>${p.on_hand - p.reserved}`;
          }).join(',')}`;
        }
        for (const l of c.lines) (this.pos.get(pid(l.sku, l.location)) as ModelPos).reserved += l.quantity;
        this.res.set(c.reservation_id, { lines: [...c.lines], state: 'PENDING', deadline: this.time + c.ttl_ms, ttl: c.ttl_ms, order_ref: c.order_ref, final_at: -1 });
        return `OK ${this.summaryOfPositions(c.lines)} PENDING`;
      }
      case 'commit':
      case 'release':
      case 'extend': {
        const r = this.res.get(c.reservation_id);
        if (r === undefined) return 'RESERVATION_NOT_FOUND';
        // Left over by the per-entry bound: past its deadline, so it expires now.
        if (r.state === 'PENDING' && r.deadline <= this.time) this.finish(r, 'EXPIRED', null);
        if (r.state !== 'PENDING') return `RESERVATION_${r.state}`;
        if (c.kind === 'release') {
          this.finish(r, 'RELEASED', null);
          return `OK ${this.summaryOfPositions(r.lines)} RELEASED`;
        }
        if (c.kind === 'extend') {
          r.deadline = Math.max(r.deadline, this.time + c.ttl_ms);
          return `OK ${this.summaryOfPositions(r.lines)} PENDING`;
        }
        let sold = r.lines.map((l) => l.quantity);
        if (c.lines !== undefined && c.lines.length > 0) {
          sold = r.lines.map(() => 0);
          for (const cl of c.lines) {
            const i = r.lines.findIndex((l) => l.sku === cl.sku && l.location === cl.location);
            if (i < 0) return 'LINE_NOT_RESERVED';
            if (cl.quantity > r.lines[i].quantity) return 'QUANTITY_EXCEEDS_RESERVED';
            sold[i] = cl.quantity;
          }
        }
        this.finish(r, 'COMMITTED', sold);
        return `OK ${this.summaryOfPositions(r.lines)} COMMITTED`;
      }
      case 'admin':
        return 'OK '; // no positions change
      default:
        throw new Error(`this model does not generate ${c.kind}`);
    }
  }
}

/** The same summary computed from a ledger result. */
function summarize(r: CommandResult): Summary {
  switch (r.code) {
    case 'OK': {
      const ps = r.positions.map((p) => `${p.sku}/${p.location}=${p.on_hand}/${p.reserved}`).join(',');
      return r.reservation === null ? `OK ${ps}` : `OK ${ps} ${r.reservation.state}`;
    }
    case 'INSUFFICIENT_STOCK':
      return `INSUFFICIENT_STOCK ${r.short_lines.map((s) => `${s.sku}/${s.location}:${s.requested}>${s.available}`).join(',')}`;
    case 'ON_HAND_MISMATCH':
      return `ON_HAND_MISMATCH ${r.expected_on_hand} ${r.on_hand}`;
    default:
      return r.code;
  }
}

/** Generates one random entry, looking at the model to aim some commands well. */
function genEntry(rng: Rng, m: Model, issued: Command[], ids: { n: number; res: string[] }): Command[] {
  const n = rng.int(10) < 2 ? 0 : 1 + rng.int(3);
  const cmds: Command[] = [];
  const freshId = (p: string): string => `${p}${++ids.n}`;
  const anyPos = (): [string, string] => [rng.pick(SKUS), rng.pick(LOCS)];
  for (let i = 0; i < n; i++) {
    const dice = rng.int(100);
    if (dice < 12 && issued.length > 0) {
      cmds.push(rng.pick(issued)); // verbatim replay
      continue;
    }
    let c: Command;
    if (dice < 35) {
      const [sku, loc] = anyPos();
      const cur = m.pos.get(pid(sku, loc));
      const delta = rng.int(3) === 0 ? -(1 + rng.int(12)) : 1 + rng.int(25);
      const cas = rng.int(4) === 0 ? (rng.int(2) === 0 ? cur?.on_hand ?? 0 : rng.int(30)) : undefined;
      c = rng.int(40) === 0 ? { ...(adjust(freshId('a'), sku, loc, 1) as object), delta: 0 } as Command : adjust(freshId('a'), sku, loc, delta, cas);
    } else if (dice < 65) {
      const k = 1 + rng.int(3);
      const lines: Line[] = [];
      for (const [sku, loc] of [...SKUS.flatMap((s) => LOCS.map((l) => [s, l] as [string, string]))].sort(() => 0).filter(() => rng.int(3) === 0).slice(0, k)) {
        lines.push(line(sku, loc, 1 + rng.int(8)));
      }
      if (lines.length === 0) lines.push(line(rng.pick(SKUS), rng.pick(LOCS), 1 + rng.int(8)));
      const id = freshId('r');
      ids.res.push(id);
      c = reserve(id, lines, 1_000 + rng.int(12_000), `o${rng.int(3)}`);
    } else {
      const rid = ids.res.length > 0 && rng.int(10) > 0 ? rng.pick(ids.res) : 'r-never';
      const kind = rng.int(10);
      if (kind < 5) {
        const r = m.res.get(rid);
        let lines: Line[] | undefined;
        if (r !== undefined && rng.int(3) > 0) {
          lines = r.lines.filter(() => rng.int(2) === 0).map((l) => line(l.sku, l.location, 1 + rng.int(l.quantity + (rng.int(6) === 0 ? 2 : 0))));
          if (rng.int(8) === 0) lines.push(line('Z', 'X', 1)); // not a line of the reservation
          if (rng.int(10) === 0) lines = [];
        }
        c = commit(freshId('c'), rid, lines);
      } else if (kind < 8) {
        c = release(freshId('l'), rid);
      } else {
        c = extend(freshId('e'), rid, 1_000 + rng.int(8_000));
      }
    }
    // Now and then, an operator's action: it must change no position and keep the chains whole.
    if (rng.int(30) === 0) {
      c = { kind: 'admin', op_id: freshId('m'), action: rng.pick(['add_learner', 'remove', 'snapshot'] as const), principal: `op${rng.int(2)}`, target: `n${rng.int(5)}`, detail: '' };
    }
    // Now and then, reuse an id with different content.
    if (rng.int(40) === 0 && issued.length > 0) {
      const old = rng.pick(issued);
      const oldId = old.kind === 'reserve' ? old.reservation_id : old.op_id;
      if (c.kind === 'reserve') c = { ...c, reservation_id: oldId };
      else c = { ...c, op_id: oldId };
    }
    issued.push(c);
    cmds.push(c);
  }
  return cmds;
}

function agreesWithModel(t: Test, expiries_max: number | undefined): void {
  const options = { dedup_window_ms: RETENTION_MS / 2, expiries_per_entry_max: expiries_max };
  let checks = 0;
  let leftDue = 0;
  let replays = 0;
  let expiries = 0;
  let partials = 0;
  let prunes = 0;
  let admins = 0;
  for (let seed = 1; seed <= SEEDS; seed++) {
    const rng = new Rng(seed * 7919);
    const model = new Model(expiries_max);
    const d = new Driver(new Ledger(options));
    const entries: LedgerEntry[] = [];
    const issued: Command[] = [];
    const ids = { n: 0, res: [] as string[] };
    const sumDelta = new Map<string, number>();
    const sumSold = new Map<string, number>();
    const made = new Set<string>();
    let time = 0;
    let failed = false;
    for (let e = 0; e < ENTRIES_PER_SEED && !failed; e++) {
      time += rng.int(10) === 0 ? 0 : rng.int(3_000);
      const cmds = genEntry(rng, model, issued, ids);
      // Sometimes the leader's clock is behind the previous entry.
      const stamp = rng.int(15) === 0 ? Math.max(0, time - 5_000) : time;
      entries.push({ time_ms: stamp, commands: cmds });
      const want = model.entry(stamp, cmds);
      const out = d.entry(stamp, cmds);
      const due = d.ledger.nextExpiryMs();
      if (due !== null && due <= d.ledger.lastTimeMs()) leftDue++;
      expiries += out.events.filter((ev) => ev.kind === 'EXPIRE').length;
      prunes += out.writes.filter((w) => w.type === 'del').length;
      for (let i = 0; i < cmds.length; i++) {
        const got = out.results[i];
        checks++;
        if (summarize(got) !== want[i].summary || got.replay !== want[i].replay) {
          t.fail(`seed ${seed} entry ${e} command ${i} ${JSON.stringify(cmds[i])}: ledger ${summarize(got)} replay=${got.replay}, model ${want[i].summary} replay=${want[i].replay}`);
          failed = true;
          break;
        }
        if (got.replay) replays++;
        const c = cmds[i];
        if (got.code === 'OK' && c.kind === 'reserve') made.add(c.reservation_id);
        if (got.code === 'OK' && !got.replay && c.kind === 'adjust') sumDelta.set(pid(c.sku, c.location), (sumDelta.get(pid(c.sku, c.location)) ?? 0) + c.delta);
        if (got.code === 'OK' && !got.replay && c.kind === 'commit') {
          if (c.lines !== undefined && c.lines.length > 0) partials++;
          for (const l of got.reservation?.committed_lines ?? []) sumSold.set(pid(l.sku, l.location), (sumSold.get(pid(l.sku, l.location)) ?? 0) + l.quantity);
        }
      }
      if (failed) break;
      // Every position agrees, and the conservation law holds.
      const pendingSum = new Map<string, number>();
      for (const rid of made) {
        const r = d.ledger.getReservation(rid);
        if (r?.state === 'PENDING') for (const l of r.lines) pendingSum.set(pid(l.sku, l.location), (pendingSum.get(pid(l.sku, l.location)) ?? 0) + l.quantity);
      }
      for (const [id, mp] of model.pos) {
        const [sku, loc] = id.split('/');
        const p = d.ledger.getPosition(sku, loc);
        const conserved = (sumDelta.get(id) ?? 0) - (sumSold.get(id) ?? 0);
        if (p === null || p.on_hand !== mp.on_hand || p.reserved !== mp.reserved || p.on_hand !== conserved || p.reserved !== (pendingSum.get(id) ?? 0)) {
          t.fail(`seed ${seed} entry ${e} position ${id}: ledger ${JSON.stringify(p)}, model ${JSON.stringify(mp)}, conserved on_hand ${conserved}, pending ${pendingSum.get(id) ?? 0}`);
          failed = true;
          break;
        }
      }
      if (failed) break;
      const pendingModel = [...model.res.values()].filter((r) => r.state === 'PENDING').length;
      if (d.ledger.positionCount() !== model.pos.size || d.ledger.openReservations() !== pendingModel || d.ledger.outcomeCount() !== model.out.size) {
        t.fail(`seed ${seed} entry ${e}: counts differ (positions ${d.ledger.positionCount()}/${model.pos.size}, open ${d.ledger.openReservations()}/${pendingModel}, outcomes ${d.ledger.outcomeCount()}/${model.out.size})`);
        break;
      }
      // Restart from stored state now and then: the loaded ledger must equal the live one.
      if (e % 60 === 59) {
        // Every other restart goes through snapshot chunks, as a follower's install would.
        const state: [string, unknown][] =
          e % 120 === 119
            ? [...restoreChunks(snapshotChunks(d.store.records(), 4_096))].filter((r) => r[0] === 'state').map((r) => [r[1], r[2]])
            : d.store.rawStateEntries();
        const loaded = Ledger.load(state, options);
        if (loaded.headHash() !== d.ledger.headHash()) t.fail(`seed ${seed} entry ${e}: loaded head differs`);
        t.same(loaded.stateEntries(), d.ledger.stateEntries(), `seed ${seed} entry ${e}: loaded state equals live state`);
        t.same(d.store.stateEntries(), d.ledger.stateEntries(), `seed ${seed} entry ${e}: stored state equals live state`);
        d.ledger = loaded;
      }
    }
    if (failed) break;
    d.ledger.checkInvariants();
    const v = verifyHistory(d.store.historyEvents(), d.ledger.positionHeads(), d.ledger.adminHead());
    if (!v.ok) t.fail(`seed ${seed}: history does not verify: ${JSON.stringify(v)}`);
    else admins += v.admin_events;
    // A twin fed the same entries without restarts reaches the same head and state.
    const twin = new Ledger(options);
    entries.forEach((en, i) => twin.apply(i + 1, en));
    t.equal(twin.headHash(), d.ledger.headHash(), `seed ${seed}: twin head equals`);
    t.same(twin.stateEntries(), d.ledger.stateEntries(), `seed ${seed}: twin state equals`);
  }
  t.ok(checks > 1_000, `${checks} results compared`);
  t.ok(replays > 100, `${replays} replays exercised`);
  t.ok(expiries > 100, `${expiries} expiry events exercised`);
  t.ok(partials > 20, `${partials} partial commits exercised`);
  t.ok(prunes > 100, `${prunes} pruning deletes exercised`);
  t.ok(admins > 20, `${admins} admin events exercised`);
  if (expiries_max !== undefined) t.ok(leftDue > 50, `${leftDue} entries left due reservations to later entries`);
  t.end();
}

t.test(`ledger agrees with the reference model (${SEEDS} seeds x ${ENTRIES_PER_SEED} entries)`, (t) => agreesWithModel(t, undefined));

// With one expiry per entry, most bursts of due reservations spill over into later entries,
// and commands meet reservations past their deadline that are still PENDING.
t.test(`ledger agrees with the reference model, one expiry per entry (${SEEDS} seeds x ${ENTRIES_PER_SEED} entries)`, (t) => agreesWithModel(t, 1));

t.test('the model comparison catches a wrong ledger (known-bad)', (t) => {
  // A ledger result doctored to differ from the model must not summarize equal.
  const m = new Model();
  const want = m.entry(0, [adjust('a', 'A', 'X', 5)])[0];
  const d = new Driver();
  const got = d.one(0, adjust('a', 'A', 'X', 6));
  t.not(summarize(got), want.summary);
  t.end();
});
