// CPU cost of the storage layer per single-line reserve: LevelStorage.apply (the ledger's
// writes, the log-order event copies and the applied record, one batch per applied run)
// and LevelStorage.persist (raft entries and hard state, one synced batch per Ready).
// Inputs are built before timing by running a Ledger over single-line reserves, so only
// storage is measured. CPU is process.cpuUsage (all threads, LevelDB's included), which
// holds up on a shared machine better than wall clock. Prints figures; asserts nothing.
//
//   node dist/bench/storage-bench.js     (BENCH_OPS=20000 reserves per shape, BENCH_ROUNDS=3)

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LevelStorage, eventKey, type AppliedRecord } from '../src/node/storage-level.js';
import { Ledger } from '../src/ledger/ledger.js';
import { decodeEntry, encodeEntry } from '../src/ledger/codec.js';
import type { Command, KvWrite, LedgerEvent } from '../src/ledger/types.js';
import type { Entry } from '../src/raft/types.js';
import { seededU32 } from '../src/util/rng.js';

const POSITIONS = 10_000;
const OPS = Number(process.env.BENCH_OPS ?? 20_000);
if (!Number.isSafeInteger(OPS) || OPS < 1_000 || OPS > 1_000_000) throw new RangeError(`BENCH_OPS must be 1000..1000000, got ${process.env.BENCH_OPS}`);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
if (!Number.isSafeInteger(ROUNDS) || ROUNDS < 1 || ROUNDS > 20) throw new RangeError(`BENCH_ROUNDS must be 1..20, got ${process.env.BENCH_ROUNDS}`);
const TTL_MS = 10 * 60 * 1_000;
const LOCATION = 'WH-1:A/07';
const conf_state = { voters: ['n1', 'n2', 'n3'], learners: [] };

/** Load shapes: reserves per raft entry, entries per Ready (one apply and one persist each). */
const SHAPES = [
  { label: 'unary (1/entry, 16 entries/Ready)', per_entry: 1, per_ready: 16 },
  // Fewer fsyncs: shows the per-entry share of persist, which the fsync's own cost hides.
  { label: 'unary (1/entry, 256 entries/Ready)', per_entry: 1, per_ready: 256 },
  { label: 'Submit (100/entry, 1 entry/Ready)', per_entry: 100, per_ready: 1 },
] as const;

// The project's seeded generator, fixed seed: every run measures the same work.
const nextU32 = seededU32(0x9e3779b9);
const rand = (n: number): number => nextU32() % n;
const sku = (i: number): string => `SKU-${String(i).padStart(6, '0')}`;

interface ApplyInput {
  writes: KvWrite[];
  events: { key: string; event: LedgerEvent }[];
  applied: AppliedRecord;
}

interface Workload {
  applies: ApplyInput[];
  persists: Entry[][];
}

let rid = 0;
/** Runs a fresh ledger over OPS single-line reserves and records what storage receives. */
function build(per_entry: number, per_ready: number): { setup: ApplyInput[]; work: Workload } {
  const ledger = new Ledger();
  let log_index = 0;
  const time_ms = 1_700_000_000_000;
  const setup: ApplyInput[] = [];
  for (let p = 0; p < POSITIONS; p += 1_000) {
    const cmds: Command[] = [];
    for (let i = p; i < p + 1_000; i++) cmds.push({ kind: 'adjust', op_id: `adj-${i}`, sku: sku(i), location: LOCATION, delta: 1_000_000_000, reason: 'receive', reference: 'po-1' });
    const out = ledger.apply(++log_index, { time_ms, commands: cmds });
    setup.push({ writes: [...out.writes], events: out.events.map((event, i) => ({ key: eventKey(log_index, i), event })), applied: { index: log_index, term: 1, conf_state, addresses: {} } });
  }
  const applies: ApplyInput[] = [];
  const persists: Entry[][] = [];
  let ready: Entry[] = [];
  let input: ApplyInput = { writes: [], events: [], applied: { index: 0, term: 1, conf_state, addresses: {} } };
  for (let n = 0; n < OPS; n += per_entry) {
    const cmds: Command[] = [];
    for (let i = 0; i < per_entry; i++) {
      cmds.push({ kind: 'reserve', reservation_id: `res-${++rid}`, lines: [{ sku: sku(rand(POSITIONS)), location: LOCATION, quantity: 1 + rand(3) }], ttl_ms: TTL_MS, order_ref: `order-${rid}` });
    }
    const data = encodeEntry({ time_ms, commands: cmds });
    const index = ++log_index;
    const out = ledger.apply(index, decodeEntry(data));
    ready.push({ index, term: 1, type: 'normal', data });
    for (const w of out.writes) input.writes.push(w);
    out.events.forEach((event, i) => input.events.push({ key: eventKey(index, i), event }));
    input.applied = { index, term: 1, conf_state, addresses: {} };
    if (ready.length === per_ready) {
      persists.push(ready);
      applies.push(input);
      ready = [];
      input = { writes: [], events: [], applied: input.applied };
    }
  }
  if (ready.length > 0) {
    persists.push(ready);
    applies.push(input);
  }
  return { setup, work: { applies, persists } };
}

interface Cpu {
  user_us: number;
  system_us: number;
}
const perReserve = (c: NodeJS.CpuUsage): Cpu => ({ user_us: c.user / OPS, system_us: c.system / OPS });
const show = (c: Cpu): string => `${(c.user_us + c.system_us).toFixed(2).padStart(6)} (user ${c.user_us.toFixed(2).padStart(5)} sys ${c.system_us.toFixed(2).padStart(5)})`;

async function measure(per_entry: number, per_ready: number): Promise<{ apply: Cpu; persist: Cpu; records: number }> {
  const { setup, work } = build(per_entry, per_ready);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stockd-storage-bench-'));
  const storage = await LevelStorage.open(dir);
  try {
    await storage.load();
    // The setup entries are not in the raft log: the timed persist starts above them.
    const setup_last = setup[setup.length - 1]!.applied.index;
    await storage.persist(Array.from({ length: setup_last }, (_, i) => ({ index: i + 1, term: 1, type: 'normal' as const, data: new Uint8Array(0) })), { term: 1, vote: 'n1', commit: setup_last });
    for (const s of setup) await storage.apply(s.writes, s.events, s.applied);
    let records = 0;
    for (const a of work.applies) records += a.writes.length + a.events.length + 1;
    let commit = setup_last;
    const p0 = process.cpuUsage();
    for (const entries of work.persists) {
      commit = entries[entries.length - 1]!.index;
      await storage.persist(entries, { term: 1, vote: 'n1', commit });
    }
    const persist = perReserve(process.cpuUsage(p0));
    const a0 = process.cpuUsage();
    for (const a of work.applies) await storage.apply(a.writes, a.events, a.applied);
    const apply = perReserve(process.cpuUsage(a0));
    return { apply, persist, records: records / OPS };
  } finally {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  console.log(`storage bench: ${OPS.toLocaleString('en-US')} single-line reserves per shape, ${ROUNDS} rounds, ${POSITIONS.toLocaleString('en-US')} positions, node ${process.version}, loadavg ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  // Warm-up round (not printed): lets the JIT settle.
  await measure(1, 16);
  for (const shape of SHAPES) {
    for (let r = 1; r <= ROUNDS; r++) {
      const m = await measure(shape.per_entry, shape.per_ready);
      console.log(`${shape.label.padEnd(35)} round ${r}: us cpu/reserve: apply ${show(m.apply)}  persist ${show(m.persist)}  (${m.records.toFixed(2)} ledger records/reserve)`);
    }
  }
}

await main();
