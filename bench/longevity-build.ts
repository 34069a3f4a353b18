// The data dirs of a long-lived 3-node cluster, built through the ledger and the storage
// code directly (no network, no raft): `events` Adjusts (one event and one outcome each)
// over `positions` positions, applied entry by entry into n1's LevelDB, the log compacted
// as a running node keeps it; then n1's dir is copied for n2 and n3 with their identity
// rewritten. All three hold the same applied state, log and hard state, so they start as
// the cluster that wrote it.

import { cpSync } from 'node:fs';
import { ClassicLevel } from 'classic-level';
import { LevelStorage, eventKey, pack, FORMAT_VERSION, type AppliedRecord } from '../src/node/storage-level.js';
import { Ledger } from '../src/ledger/ledger.js';
import type { Command, KvWrite, LedgerEvent } from '../src/ledger/types.js';
import { encodeEntry } from '../src/ledger/codec.js';

const COMMANDS_PER_ENTRY = 1000;
const ENTRIES_PER_APPLY = 10;
/** Outcomes within the dedup window at the end of the build (the live state besides positions). */
const WINDOW_OUTCOMES = 50_000;
export const LONGEVITY_LOCATION = 'WH-1:A/07';
export const CLUSTER_ID = 'bench-longevity';

export const benchSku = (i: number): string => `SKU-${String(i).padStart(8, '0')}`;

export interface BuiltCluster {
  readonly dirs: Record<string, string>;
  readonly applied_index: number;
  readonly head_hash: string;
  readonly build_ms: number;
}

/** Builds n1's dir; `addresses` are the members' addresses (all voters). */
async function buildOne(dir: string, events: number, positions: number, addresses: Record<string, string>, progress: (done: number) => void): Promise<{ index: number; head_hash: string }> {
  const conf_state = { voters: Object.keys(addresses), learners: [] };
  const storage = await LevelStorage.open(dir);
  await storage.claim('n1', CLUSTER_ID, { conf: conf_state, addresses });
  await storage.load();
  const ledger = new Ledger();
  // Log time steps so that about WINDOW_OUTCOMES outcomes stay within the dedup window, as
  // in a store that has run for a long time: live state is the positions and that window,
  // whatever the history.
  const step_ms = Math.max(1, Math.floor((ledger.dedup_window_ms * COMMANDS_PER_ENTRY) / WINDOW_OUTCOMES));
  let time_ms = 1_700_000_000_000;
  let index = 0;
  let done = 0;
  // Bounded by `events`: each round applies up to ENTRIES_PER_APPLY entries.
  while (done < events) {
    const entries = [];
    const writes: KvWrite[] = [];
    const keyed: { key: string; event: LedgerEvent }[] = [];
    for (let e = 0; e < ENTRIES_PER_APPLY && done < events; e++) {
      const cmds: Command[] = [];
      for (let c = 0; c < COMMANDS_PER_ENTRY && done < events; c++, done++) {
        cmds.push({ kind: 'adjust', op_id: `adj-${done}`, sku: benchSku(done % positions), location: LONGEVITY_LOCATION, delta: 1, reason: 'receive', reference: 'po-1' });
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
    const applied: AppliedRecord = { index, term: 1, conf_state, addresses };
    await storage.apply(writes, keyed, applied);
    if (index % 200 === 0) {
      progress(done);
      // A running node compacts its log; so does this one, so it stays small.
      await storage.sync();
      await storage.compact({ index, term: 1, conf_state });
    }
  }
  await storage.sync();
  await storage.compact({ index, term: 1, conf_state });
  await storage.close();
  return { index, head_hash: ledger.headHash() };
}

/** A copy of n1's dir for `node_id`: the identity record is the only difference. */
async function copyAs(from: string, to: string, node_id: string): Promise<void> {
  cpSync(from, to, { recursive: true });
  const db = new ClassicLevel<Uint8Array, Uint8Array>(to, { keyEncoding: 'view', valueEncoding: 'view' });
  await db.open();
  try {
    const meta = db.sublevel<Uint8Array, Uint8Array>('meta', { keyEncoding: 'view', valueEncoding: 'view' });
    await meta.put(new TextEncoder().encode('identity'), pack({ format: FORMAT_VERSION, node_id, cluster_id: CLUSTER_ID }));
  } finally {
    await db.close();
  }
}

export async function buildCluster(root: string, events: number, positions: number, addresses: Record<string, string>, progress: (done: number) => void): Promise<BuiltCluster> {
  const t0 = Date.now();
  const dirs: Record<string, string> = {};
  for (const id of Object.keys(addresses)) dirs[id] = `${root}/${id}`;
  const b = await buildOne(dirs.n1!, events, positions, addresses, progress);
  for (const id of Object.keys(addresses)) if (id !== 'n1') await copyAs(dirs.n1!, dirs[id]!, id);
  return { dirs, applied_index: b.index, head_hash: b.head_hash, build_ms: Date.now() - t0 };
}
