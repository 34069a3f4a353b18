// Heap and RSS of one ledger holding N positions (each made by one Adjust, whose outcome is
// retained) and M open reservations (single-line), as a node holds them after applying that
// log; then the time to rebuild the same ledger from its state records (Ledger.load), as a
// restart does. Prints figures; asserts nothing.
//
//   node dist/bench/ledger-memory.js [--positions N] [--reservations M] [--no-load]
//   (defaults 1,000,000 and 100,000; run with --expose-gc for steadier heap figures)

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Ledger } from '../src/ledger/ledger.js';
import type { Command } from '../src/ledger/types.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return def;
  const v = Number(process.argv[i + 1]);
  if (!Number.isSafeInteger(v) || v < 0 || v > 5_000_000) throw new RangeError(`--${name} must be an integer 0..5000000, got ${process.argv[i + 1]}`);
  return v;
}

const POSITIONS = arg('positions', 1_000_000);
const RESERVATIONS = arg('reservations', 100_000);
if (RESERVATIONS > POSITIONS) throw new RangeError(`--reservations (${RESERVATIONS}) may not exceed --positions (${POSITIONS})`);
const PER_ENTRY = 100;

const mib = (b: number): string => (b / 1048576).toFixed(1).padStart(8) + ' MiB';
function mem(): NodeJS.MemoryUsage {
  gc();
  gc();
  return process.memoryUsage();
}

const sku = (i: number): string => `SKU-${String(i).padStart(7, '0')}`;
const LOCATION = 'WH-1:A/07';
let log_index = 0;
const time_ms = 1_700_000_000_000;

// The ledger keeps columns in typed arrays, whose bytes V8 counts apart from its heap
// (arrayBuffers): the figure is both together.
const used = (m: NodeJS.MemoryUsage): number => m.heapUsed + m.arrayBuffers;
const base = mem();
const ledger = new Ledger();
const t0 = performance.now();
const c0 = process.cpuUsage();
let cmds: Command[] = [];
const flush = (): void => {
  if (cmds.length === 0) return;
  const out = ledger.apply(++log_index, { time_ms, commands: cmds });
  for (const r of out.results) if (r.code !== 'OK') throw new Error(`setup command failed: ${JSON.stringify(r)}`);
  cmds = [];
};
for (let i = 0; i < POSITIONS; i++) {
  cmds.push({ kind: 'adjust', op_id: `adj-${String(i).padStart(8, '0')}-0190a1b2c3d4`, sku: sku(i), location: LOCATION, delta: 1_000, reason: 'receive', reference: 'po-1' });
  if (cmds.length === PER_ENTRY) flush();
}
flush();
const after_positions = mem();
for (let i = 0; i < RESERVATIONS; i++) {
  cmds.push({ kind: 'reserve', reservation_id: `res-${String(i).padStart(8, '0')}-0190a1b2c3d4`, lines: [{ sku: sku(i), location: LOCATION, quantity: 2 }], ttl_ms: 3_600_000, order_ref: `order-${i}` });
  if (cmds.length === PER_ENTRY) flush();
}
flush();
const build_s = (performance.now() - t0) / 1000;
const cpuS = (since: NodeJS.CpuUsage): number => {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1e6;
};
const build_cpu_s = cpuS(c0);
const full = mem();
const pos_b = (used(after_positions) - used(base)) / Math.max(1, POSITIONS);
const res_b = (used(full) - used(after_positions)) / Math.max(1, RESERVATIONS);
console.log(`ledger holding ${POSITIONS.toLocaleString('en-US')} positions (one retained adjust outcome each) and ${RESERVATIONS.toLocaleString('en-US')} open reservations, built in ${build_s.toFixed(1)} s (${build_cpu_s.toFixed(1)} CPU-s)`);
console.log(`  heap used  ${mib(used(full) - used(base))}   (${Math.round(pos_b)} B per position+outcome, ${Math.round(res_b)} B per open reservation+outcome)`);
console.log(`    of which typed arrays ${mib(full.arrayBuffers - base.arrayBuffers)}`);
console.log(`  rss        ${mib(full.rss)}   (whole process, after GC)`);
console.log(`  counts     positions ${ledger.positionCount()}, reservations ${ledger.reservationCount()}, outcomes ${ledger.outcomeCount()}`);

if (!process.argv.includes('--no-load')) {
  // A restart reads the state sub-level back; stateEntries() is the same records in key order.
  const records = ledger.stateEntries();
  const l0 = performance.now();
  const lc0 = process.cpuUsage();
  const loaded = Ledger.load(records);
  const load_s = (performance.now() - l0) / 1000;
  const load_cpu_s = cpuS(lc0);
  if (loaded.headHash() !== ledger.headHash()) throw new Error('load produced a different head hash');
  console.log(`  Ledger.load of ${records.length.toLocaleString('en-US')} state records: ${load_s.toFixed(2)} s, ${load_cpu_s.toFixed(2)} CPU-s (head hash matches)`);
}
