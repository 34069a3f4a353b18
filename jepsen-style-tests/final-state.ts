// After the faults: wait until every node has applied the same log, resolve unknown
// outcomes with GetOutcome, and read each node's head hash, positions and event history.

import type { StockraftClient } from '../src/client/index.js';
import type { LedgerEvent, Position } from '../src/ledger/types.js';
import { opIdOf, pairOperations, type FinalState, type NodeFinalState } from './history.js';
import type { Recorder } from './recorder.js';
import type { PositionRef } from './workloads.js';

const EVENTS_PAGE = 1_000;
const EVENTS_PER_POSITION_MAX = 5_000_000;
const RESOLVE_ATTEMPTS = 5;

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls until all nodes answer with one leader and equal applied indexes, or the bound. */
export async function waitConverged(admin: StockraftClient, bound_ms: number): Promise<{ converged: boolean; detail: string }> {
  const until = Date.now() + bound_ms;
  let detail = '';
  while (Date.now() < until) {
    const all = await admin.statusAll(1_000);
    const st = all.map((s) => s.status);
    const ok = st.every((s) => s !== null);
    if (ok) {
      const applied = new Set(st.map((s) => s!.applied_index));
      const commit = new Set(st.map((s) => s!.commit_index));
      const leaders = new Set(st.map((s) => s!.leader_id));
      if (applied.size === 1 && commit.size === 1 && leaders.size === 1 && !leaders.has('')) {
        return { converged: true, detail: `applied ${[...applied][0]} on all, leader ${[...leaders][0]}` };
      }
      detail = st.map((s) => `${s!.id}:${s!.role}@${s!.applied_index}/${s!.commit_index}`).join(' ');
    } else {
      detail = all.map((s) => (s.status === null ? `${s.endpoint}: ${s.error}` : `${s.status.id}@${s.status.applied_index}`)).join(' ');
    }
    await sleep(250);
  }
  return { converged: false, detail };
}

/** GetOutcome for every write that ended in info; records each answer. */
export async function resolveUnknown(admin: StockraftClient, recorder: Recorder): Promise<{ asked: number; resolved: number }> {
  const ops = pairOperations(recorder.records).filter((o) => o.type === 'info' && o.args.f !== 'read');
  let resolved = 0;
  for (const o of ops) {
    const id = opIdOf(o.args);
    if (id === null) continue;
    for (let attempt = 0; attempt < RESOLVE_ATTEMPTS; attempt++) {
      try {
        const r = await admin.getOutcome(id, { consistency: 'LINEARIZABLE' });
        recorder.resolve(id, r === null ? { found: false } : { found: true, result: r });
        resolved++;
        break;
      } catch {
        await sleep(200 * (attempt + 1));
      }
    }
  }
  return { asked: ops.length, resolved };
}

async function eventsOf(admin: StockraftClient, endpoint: number, p: PositionRef): Promise<LedgerEvent[]> {
  const out: LedgerEvent[] = [];
  let after = 0;
  while (out.length < EVENTS_PER_POSITION_MAX) {
    const page = await admin.listEvents(p.sku, p.location, { endpoint, consistency: 'SERIALIZABLE', after_seq: after, limit: EVENTS_PAGE });
    out.push(...page.events);
    if (!page.more || page.events.length === 0) break;
    after = page.next_after_seq;
  }
  return out;
}

/** Reads of the final state at most; between them the reader waits FINAL_READ_PAUSE_MS. */
const FINAL_READ_ATTEMPTS_MAX = 20;
const FINAL_READ_PAUSE_MS = 500;

/** Every node's state, read when the cluster stands still: the leader may still commit
 * time-tick entries after the workload (a wait or a reservation coming due), and nodes read
 * one after the other at different applied indexes would look diverged. A read counts only
 * when no node's applied index moved while it was read and all are equal; after the bound
 * the last read is returned as it is, and the agreement check judges it. */
export async function readFinalState(admin: StockraftClient, nodeIds: readonly string[], positions: readonly PositionRef[]): Promise<FinalState> {
  let last = await readFinalStateOnce(admin, nodeIds, positions);
  for (let attempt = 1; attempt < FINAL_READ_ATTEMPTS_MAX && !last.still; attempt++) {
    await sleep(FINAL_READ_PAUSE_MS);
    last = await readFinalStateOnce(admin, nodeIds, positions);
  }
  return { nodes: last.nodes };
}

async function readFinalStateOnce(admin: StockraftClient, nodeIds: readonly string[], positions: readonly PositionRef[]): Promise<{ nodes: NodeFinalState[]; still: boolean }> {
  const nodes: NodeFinalState[] = [];
  let still = true;
  for (let i = 0; i < nodeIds.length; i++) {
    const st = await admin.status(i);
    if (st.id !== nodeIds[i]) throw new Error(`final state: endpoint ${i} answered as ${st.id}, expected ${nodeIds[i]}`);
    const found = await admin.getPositions(positions, { endpoint: i, consistency: 'SERIALIZABLE' });
    const ps: Position[] = found.filter((p): p is Position => p !== null);
    const events: LedgerEvent[] = [];
    for (const p of positions) events.push(...(await eventsOf(admin, i, p)));
    const after = await admin.status(i);
    if (after.applied_index !== st.applied_index) still = false;
    if (nodes.length > 0 && nodes[0].applied_index !== st.applied_index) still = false;
    nodes.push({ id: st.id, head_hash: st.head_hash, applied_index: st.applied_index, positions: ps, events });
  }
  return { nodes, still };
}
