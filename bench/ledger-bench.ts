// Apply throughput and heap footprint of the ledger state machine, on one core, over
// 100,000 positions. Prints figures; asserts nothing about speed.
//
//   npm run bench:ledger            (BENCH_OPS=200000 by default; BENCH_OPS=20000 for a quick look;
//                                    BENCH_BATCHES=1,100 commands per entry, or 'none' for heap only;
//                                    BENCH_NODE_FLAGS=as-is keeps this process's own V8 flags)
//
// It runs under the V8 flags stockd runs with (STOCKD_NODE_FLAGS, a 32 MiB young generation),
// restarting itself with them when they are missing: the ledger's GC share, and so its
// apply rate, depends on the nursery size (at V8's default 16 MiB, GC took 31% of a
// 1-line reserve run against 6-11% at 32 MiB), and the figure is meant to be stockd's.

import { spawnSync } from 'node:child_process';
import { PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Ledger } from '../src/ledger/ledger.js';
import { decodeEntry, encodeEntry } from '../src/ledger/codec.js';
import type { Command, LedgerEntry } from '../src/ledger/types.js';
import { seededU32 } from '../src/util/rng.js';
import { missingNodeFlags } from '../src/server/node-flags.js';

const missing_flags = process.env.BENCH_NODE_FLAGS === 'as-is' ? [] : missingNodeFlags(process.execArgv, process.env.NODE_OPTIONS ?? '');
if (missing_flags.length > 0) {
  const child = spawnSync(process.execPath, [...process.execArgv, ...missing_flags, fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(child.status ?? 1);
}

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const POSITIONS = 100_000;
const OPS = Number(process.env.BENCH_OPS ?? 200_000);
if (!Number.isSafeInteger(OPS) || OPS < 1_000 || OPS > 5_000_000) throw new RangeError(`BENCH_OPS must be 1000..5000000, got ${process.env.BENCH_OPS}`);
const TTL_MS = 10 * 60 * 1_000;
/** Commands per entry for the throughput runs (BENCH_BATCHES=1,100; 'none' measures heap only). */
const BATCHES = process.env.BENCH_BATCHES === 'none' ? [] : (process.env.BENCH_BATCHES ?? '1,100').split(',').map(Number);
for (const b of BATCHES) if (!Number.isSafeInteger(b) || b < 1 || b > 1_000) throw new RangeError(`BENCH_BATCHES holds 1..1000 each, got ${process.env.BENCH_BATCHES}`);

// The project's seeded generator, fixed seed: every run measures the same work.
const nextU32 = seededU32(0x9e3779b9);
const rand = (n: number): number => nextU32() % n;

const sku = (i: number): string => `SKU-${String(i).padStart(6, '0')}`;
const LOCATION = 'WH-1:A/07';

let log_index = 0;
let now_ms = 1_700_000_000_000;

function heapUsed(): number {
  gc();
  gc();
  // Typed-array columns of the ledger live outside V8's heap: count them too.
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** Groups commands into entries of `per_entry` commands, as the leader would propose them,
 * and round-trips them through the entry codec so apply sees decoded objects. */
function entries(cmds: Command[], per_entry: number): LedgerEntry[] {
  const out: LedgerEntry[] = [];
  for (let i = 0; i < cmds.length; i += per_entry) {
    out.push(decodeEntry(encodeEntry({ time_ms: now_ms, commands: cmds.slice(i, i + per_entry) })));
  }
  return out;
}

// Garbage collection time, summed while a run is being timed.
let gc_ms = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gc_ms += e.duration;
}).observe({ entryTypes: ['gc'] });

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US').padStart(9);

/** Applies the commands and prints the rate by wall clock and by CPU time of this process
 * (the machine may be shared; CPU time is the steadier figure), and the share of GC. */
/** GC observations arrive asynchronously: let pending ones land. */
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20));

async function run(ledger: Ledger, label: string, cmds: Command[], per_entry: number): Promise<void> {
  const es = entries(cmds, per_entry);
  let ok = 0;
  await settle();
  gc_ms = 0;
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (const e of es) {
    const out = ledger.apply(++log_index, e);
    for (const r of out.results) if (r.code === 'OK') ok++;
  }
  const wall_s = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(c0);
  const cpu_s = (cpu.user + cpu.system) / 1e6;
  await settle();
  if (ok !== cmds.length) throw new Error(`${label}: only ${ok} of ${cmds.length} commands succeeded`);
  console.log(
    `${label.padEnd(30)} ${String(per_entry).padStart(3)}/entry ${fmt(cmds.length / wall_s)} cmd/s wall ${fmt(cmds.length / cpu_s)} cmd/cpu-s ` +
      `${((1e6 * cpu_s) / cmds.length).toFixed(2).padStart(6)} us/cmd  gc ${((100 * gc_ms) / 1000 / wall_s).toFixed(0).padStart(2)}%`,
  );
}

let rid = 0;
function reserveCmds(n: number, lines: number): Command[] {
  const cmds: Command[] = [];
  for (let i = 0; i < n; i++) {
    const ls = [];
    const used = new Set<number>();
    while (ls.length < lines) {
      const p = rand(POSITIONS);
      if (used.has(p)) continue;
      used.add(p);
      ls.push({ sku: sku(p), location: LOCATION, quantity: 1 + rand(3) });
    }
    cmds.push({ kind: 'reserve', reservation_id: `res-${++rid}`, lines: ls, ttl_ms: TTL_MS, order_ref: `order-${rid}` });
  }
  return cmds;
}

let oid = 0;
function fresh(): { ledger: Ledger } {
  const ledger = new Ledger();
  log_index = 0;
  const cmds: Command[] = [];
  for (let p = 0; p < POSITIONS; p++) {
    cmds.push({ kind: 'adjust', op_id: `adj-${++oid}`, sku: sku(p), location: LOCATION, delta: 1_000_000_000, reason: 'receive', reference: 'po-1' });
  }
  for (const e of entries(cmds, 1_000)) ledger.apply(++log_index, e);
  return { ledger };
}

async function main(): Promise<void> {
  console.log(`ledger bench: ${POSITIONS.toLocaleString('en-US')} positions, ${OPS.toLocaleString('en-US')} ops per run, node ${process.version} ${process.execArgv.join(' ')}`);
  console.log('mixed = 50% reserve (1-3 lines) / 25% commit / 15% release / 10% adjust');
  // Warm-up (not timed): lets the JIT settle and the heap grow before measuring.
  {
    const { ledger } = fresh();
    const warm = reserveCmds(Math.min(OPS, 50_000), 1);
    for (const e of entries(warm, 10)) ledger.apply(++log_index, e);
  }

  for (const per_entry of BATCHES) {
    const { ledger } = fresh();
    const single = reserveCmds(OPS, 1);
    await run(ledger, 'reserve, 1 line', single, per_entry);
    await run(ledger, 'reserve, 5 lines', reserveCmds(Math.floor(OPS / 5), 5), per_entry);
    const commits: Command[] = single.map((c) => ({ kind: 'commit', op_id: `cm-${++oid}`, reservation_id: (c as { reservation_id: string }).reservation_id }));
    await run(ledger, 'commit (whole, 1 line)', commits, per_entry);
    const mixed: Command[] = [];
    const pending: string[] = [];
    for (let i = 0; i < OPS; i++) {
      const dice = rand(100);
      if (dice < 50 || pending.length === 0) {
        const c = reserveCmds(1, 1 + rand(3))[0];
        pending.push((c as { reservation_id: string }).reservation_id);
        mixed.push(c);
      } else if (dice < 75) {
        mixed.push({ kind: 'commit', op_id: `cm-${++oid}`, reservation_id: pending.splice(rand(pending.length), 1)[0] });
      } else if (dice < 90) {
        mixed.push({ kind: 'release', op_id: `rl-${++oid}`, reservation_id: pending.splice(rand(pending.length), 1)[0], reason: 'cart abandoned' });
      } else {
        mixed.push({ kind: 'adjust', op_id: `adj-${++oid}`, sku: sku(rand(POSITIONS)), location: LOCATION, delta: 5, reason: 'receive', reference: 'po-2' });
      }
    }
    await run(ledger, 'mixed', mixed, per_entry);
    ledger.checkInvariants();
  }

  await expiryBurst();

  // Heap footprint.
  const base = heapUsed();
  const { ledger } = fresh();
  const with_outcomes = heapUsed();
  // Move log time past the retention window: the adjusts' outcomes are pruned, leaving
  // the steady-state cost of a position.
  now_ms += ledger.outcome_retention_ms + 1;
  ledger.apply(++log_index, { time_ms: now_ms, commands: [] });
  const positions_only = heapUsed();
  if (ledger.outcomeCount() !== 0) throw new Error('outcomes were not pruned');
  const reservations = Math.min(OPS, 100_000);
  // Built and applied in a function so the command objects are garbage when measuring.
  ((): void => {
    for (const e of entries(reserveCmds(reservations, 1), 100)) ledger.apply(++log_index, e);
  })();
  const with_open = heapUsed();
  if (ledger.openReservations() !== reservations) throw new Error('reservations missing');
  console.log(`heap per position (steady state, outcomes pruned)   ${((positions_only - base) / POSITIONS).toFixed(0)} B`);
  console.log(`heap per position incl. its adjust outcome (<24 h)  ${((with_outcomes - base) / POSITIONS).toFixed(0)} B`);
  console.log(`heap per open 1-line reservation (incl. outcome)    ${((with_open - positions_only) / reservations).toFixed(0)} B`);
}

/** A burst of reservations that fall due together (one bulk reserve, one deadline): time
 * ticks expire them EXPIRIES_PER_ENTRY_MAX at a time. Prints the rate and the longest
 * single entry, which is what a replica's loop is held for. */
async function expiryBurst(): Promise<void> {
  const { ledger } = fresh();
  const n = Math.min(OPS, 100_000);
  for (const e of entries(reserveCmds(n, 1), 1_000)) ledger.apply(++log_index, e);
  if (ledger.openReservations() !== n) throw new Error('expiry burst: reservations missing');
  now_ms += TTL_MS;
  await settle();
  gc_ms = 0;
  let ticks = 0;
  let entry_ms_max = 0;
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  // Bounded: every tick expires at least one reservation while any is due.
  while (ledger.openReservations() > 0 && ticks <= n) {
    const e0 = process.hrtime.bigint();
    ledger.apply(++log_index, { time_ms: now_ms, commands: [] });
    entry_ms_max = Math.max(entry_ms_max, Number(process.hrtime.bigint() - e0) / 1e6);
    ticks++;
  }
  const wall_s = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(c0);
  const cpu_s = (cpu.user + cpu.system) / 1e6;
  if (ledger.openReservations() !== 0) throw new Error(`expiry burst: ${ledger.openReservations()} still open after ${ticks} ticks`);
  console.log(
    `${'expiry burst, 1 line'.padEnd(30)} ${String(ledger.expiries_per_entry_max).padStart(4)}/tick ${fmt(n / wall_s)} exp/s wall ${fmt(n / cpu_s)} exp/cpu-s ` +
      `${ticks} ticks, longest ${entry_ms_max.toFixed(1)} ms  gc ${((100 * gc_ms) / 1000 / wall_s).toFixed(0).padStart(2)}%`,
  );
}

await main();
