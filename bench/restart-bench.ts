// Restart cost against history: builds a data dir through the ledger and the storage code
// directly (no network, no raft), then times the node's start (bootNode: open, load of
// hard state and log, the ledger loader, reopen) over that dir, phase by phase. The live
// state is the same at every history size (P positions, a dedup window of about W
// outcomes: the entry clock advances so that older outcomes leave the window); only the
// applied events grow. Prints figures; asserts nothing.
//
//   node dist/bench/restart-bench.js --events 200000,1000000 --positions 10000 [--window 50000] [--json]

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LevelStorage, eventKey, type AppliedRecord } from '../src/node/storage-level.js';
import { Ledger } from '../src/ledger/ledger.js';
import type { Command, LedgerEvent } from '../src/ledger/types.js';
import { encodeEntry } from '../src/ledger/codec.js';
import { bootNode } from '../src/server/boot.js';
import { buildCommand, resolveConfig } from '../src/server/stockd-config.js';
import type { NodeLog } from '../src/node/node-settings.js';

const COMMANDS_PER_ENTRY = 100;
const ENTRIES_PER_APPLY = 10;
const EVENTS_MAX = 50_000_000;
const LOCATION = 'WH-1:A/07';
const conf_state = { voters: ['n1'], learners: [] };

interface Args {
  events: number[];
  positions: number;
  window: number;
  json: boolean;
}

function intArg(name: string, v: string, lo: number, hi: number): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < lo || n > hi) throw new RangeError(`--${name} must be an integer ${lo}..${hi}, got '${v}'`);
  return n;
}

function parseArgs(argv: readonly string[]): Args {
  const a: Args = { events: [200_000, 1_000_000], positions: 10_000, window: 50_000, json: false };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = argv[i + 1] ?? '';
    if (k === '--events') a.events = v.split(',').map((x) => intArg('events', x, COMMANDS_PER_ENTRY, EVENTS_MAX));
    else if (k === '--positions') a.positions = intArg('positions', v, 1, 10_000_000);
    else if (k === '--window') a.window = intArg('window', v, COMMANDS_PER_ENTRY, 10_000_000);
    else if (k === '--json') {
      a.json = true;
      continue;
    } else throw new RangeError(`unknown argument '${k}'`);
    i++;
  }
  return a;
}

const sku = (i: number): string => `SKU-${String(i).padStart(7, '0')}`;

/** Applies `events` adjusts (one event and one outcome each) over `positions` positions,
 * with the entry clock stepping so that about `window` outcomes stay within retention. */
async function build(dir: string, events: number, positions: number, window: number): Promise<{ build_ms: number; head_hash: string; state_records: number }> {
  const t0 = Date.now();
  const storage = await LevelStorage.open(dir);
  await storage.claim('n1', 'bench', { conf: conf_state, addresses: { n1: '127.0.0.1:1' } });
  await storage.load();
  const ledger = new Ledger();
  const step_ms = Math.max(1, Math.floor((ledger.outcome_retention_ms * COMMANDS_PER_ENTRY) / window));
  let time_ms = 1_700_000_000_000;
  let index = 0;
  let done = 0;
  // Bounded by `events` (each round applies ENTRIES_PER_APPLY entries of commands).
  while (done < events) {
    const entries = [];
    const writes = [];
    const keyed: { key: string; event: LedgerEvent }[] = [];
    for (let e = 0; e < ENTRIES_PER_APPLY && done < events; e++) {
      const cmds: Command[] = [];
      for (let c = 0; c < COMMANDS_PER_ENTRY && done < events; c++, done++) {
        cmds.push({ kind: 'adjust', op_id: `adj-${done}`, sku: sku(done % positions), location: LOCATION, delta: 1, reason: 'receive', reference: 'po-1' });
      }
      time_ms += step_ms;
      index += 1;
      const entry = { time_ms, commands: cmds };
      entries.push({ index, term: 1, type: 'normal' as const, data: encodeEntry(entry) });
      const out = ledger.apply(index, entry);
      for (const w of out.writes) writes.push(w);
      out.events.forEach((event, i) => keyed.push({ key: eventKey(index, i), event }));
    }
    await storage.persist(entries, { term: 1, vote: 'n1', commit: index });
    const applied: AppliedRecord = { index, term: 1, conf_state, addresses: { n1: '127.0.0.1:1' } };
    await storage.apply(writes, keyed, applied);
  }
  await storage.sync();
  // A running node keeps its log short; so does this one.
  await storage.compact({ index, term: 1, conf_state });
  const state_records = await storage.forEachLedgerState(() => undefined);
  await storage.close();
  return { build_ms: Date.now() - t0, head_hash: ledger.headHash(), state_records };
}

const quiet: NodeLog = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };

/** Times bootNode over `dir` (what stockd does before it serves), then closes the node. */
async function timeBoot(dir: string): Promise<{ boot_ms: number; head_hash: string; rss_mib: number }> {
  const cmd = buildCommand();
  cmd.parse(['--id', 'n1', '--data', dir, '--initial-cluster', 'n1=127.0.0.1:1', '--listen', '127.0.0.1:1', '--cluster-id', 'bench'], { from: 'user' });
  const cfg = resolveConfig(cmd);
  const t0 = performance.now();
  const node = await bootNode(cfg, { log: quiet, metrics: null });
  const boot_ms = performance.now() - t0;
  const st = node.status();
  const out = { boot_ms, head_hash: st.head_hash, rss_mib: process.memoryUsage().rss / 2 ** 20 };
  await node.close(0);
  return out;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const rows = [];
  for (const events of args.events) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'stockd-restart-bench-'));
    try {
      const b = await build(dir, events, args.positions, args.window);
      // Two starts: the first after the build, the second with the first's reopen behind it.
      const first = await timeBoot(dir);
      const second = await timeBoot(dir);
      if (first.head_hash !== b.head_hash) throw new Error(`loaded head hash ${first.head_hash} differs from the built ledger's ${b.head_hash}`);
      const row = { events, positions: args.positions, window: args.window, state_records: b.state_records, build_ms: b.build_ms, boot_ms: [Math.round(first.boot_ms), Math.round(second.boot_ms)], rss_mib: Math.round(second.rss_mib) };
      rows.push(row);
      if (!args.json) console.log(`events ${events.toLocaleString('en-US').padStart(11)}  positions ${args.positions.toLocaleString('en-US')}  window ~${args.window.toLocaleString('en-US')}  state records ${b.state_records.toLocaleString('en-US')}  build ${(b.build_ms / 1000).toFixed(1)} s  boot ${row.boot_ms.join(' / ')} ms  rss ${row.rss_mib} MiB`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (args.json) console.log(JSON.stringify({ node: process.version, loadavg: os.loadavg(), rows }));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
