// stockctl verify: recomputes every node's hash chains from its own history (ListEvents,
// served locally) and its admin history (ListAdminEvents, admin role; skipped with a note
// when the caller lacks the role or the node does not serve it), and compares the ledger
// head hashes of all nodes at one applied index (the head covers admin events too).

import type { Command } from 'commander';
import * as grpc from '@grpc/grpc-js';
import { HistoryVerifier } from '../ledger/history.js';
import { StockraftError, type StockraftClient } from '../client/index.js';
import { Exit, EXIT_CALL_FAILED, EXIT_MISMATCH } from './context.js';
import { table } from './output.js';
import { run } from './stock-commands.js';

const PAGE = 1000;
/** Bounds on one node's walk: positions and event pages (a page holds up to PAGE events). */
const POSITION_PAGES_MAX = 100_000;
const EVENT_PAGES_PER_POSITION_MAX = 1_000_000;
/** Head hashes are compared once all nodes report one applied index; tries and pause. */
const SETTLE_TRIES = 40;
const SETTLE_PAUSE_MS = 250;

export interface NodeVerdict {
  readonly endpoint: string;
  readonly ok: boolean;
  readonly positions: number;
  readonly events: number;
  /** Admin events checked, or null when the admin history was not checked (see note). */
  readonly admin_events: number | null;
  readonly reason: string | null;
  readonly note?: string;
}

/** Pages of the admin history one node's walk reads at most. */
const ADMIN_PAGES_MAX = 1_000_000;

/** Walks one node's admin history into the verifier. Returns the number of events, or a
 * note why it was not checked, or throws a failure reason. */
async function walkAdmin(v: HistoryVerifier, client: StockraftClient): Promise<{ events: number } | { note: string } | { reason: string }> {
  let after_seq = 0;
  let events = 0;
  let head: { seq: number; hash: string } | null = null;
  let hash_at_head: string | null = null;
  for (let page = 0; page < ADMIN_PAGES_MAX; page++) {
    let p;
    try {
      p = await client.listAdminEvents({ after_seq, limit: PAGE, consistency: 'SERIALIZABLE' });
    } catch (err) {
      if (err instanceof StockraftError && (err.code === grpc.status.PERMISSION_DENIED || err.code === grpc.status.UNIMPLEMENTED)) {
        return { note: `admin history not checked: ${grpc.status[err.code]}` };
      }
      throw err;
    }
    head ??= { seq: p.head_seq, hash: p.head_hash };
    for (const e of p.events) {
      const failure = v.push(e);
      if (failure !== null && !failure.ok) return { reason: `${failure.reason} (admin seq ${failure.seq})` };
      events++;
      if (e.seq === head.seq) hash_at_head = e.hash;
    }
    after_seq = p.next_after_seq;
    if (!p.more) break;
  }
  // Events listed after the head was read may be newer, never fewer.
  if (head !== null && head.seq > 0) {
    if (events < head.seq) return { reason: `admin history is at seq ${head.seq} but its events end at seq ${events}` };
    if (hash_at_head !== head.hash) return { reason: `admin history's stored head (seq ${head.seq}) does not match the chain` };
  }
  return { events };
}

/** Walks one node's positions and histories; the first break is the verdict. */
export async function verifyNode(endpoint: string, client: StockraftClient): Promise<NodeVerdict> {
  const v = new HistoryVerifier();
  let positions = 0;
  let events = 0;
  let after: { sku: string; location: string } | null = null;
  for (let page = 0; page < POSITION_PAGES_MAX; page++) {
    const p = await client.listPositions({ after, limit: PAGE, consistency: 'SERIALIZABLE' });
    for (const pos of p.positions) {
      positions++;
      let after_seq = 0;
      let last_seq = 0;
      for (let ep = 0; ep < EVENT_PAGES_PER_POSITION_MAX; ep++) {
        const evs = await client.listEvents(pos.sku, pos.location, { after_seq, limit: PAGE, consistency: 'SERIALIZABLE' });
        // Pruned history: the chain continues from the horizon (the last pruned event).
        if (evs.horizon !== undefined) {
          if (ep > 0) return { endpoint, ok: false, positions, events, admin_events: null, reason: `${pos.sku}@${pos.location}: history was pruned up to seq ${evs.horizon.seq} while it was read: run verify again` };
          const failure = v.push(evs.horizon);
          if (failure !== null && !failure.ok) {
            return { endpoint, ok: false, positions, events, admin_events: null, reason: `${failure.sku}@${failure.location} seq ${failure.seq}: ${failure.reason}` };
          }
          last_seq = evs.horizon.seq;
        }
        for (const e of evs.events) {
          const failure = v.push(e);
          if (failure !== null && !failure.ok) {
            return { endpoint, ok: false, positions, events, admin_events: null, reason: `${failure.sku}@${failure.location} seq ${failure.seq}: ${failure.reason}` };
          }
          events++;
          last_seq = e.seq;
        }
        after_seq = evs.next_after_seq;
        if (!evs.more) break;
      }
      // Events listed after the position may be newer, never fewer.
      if (last_seq < pos.seq) {
        return { endpoint, ok: false, positions, events, admin_events: null, reason: `${pos.sku}@${pos.location}: position is at seq ${pos.seq} but its history ends at seq ${last_seq}` };
      }
    }
    const last = p.positions[p.positions.length - 1];
    if (!p.more || last === undefined) break;
    after = { sku: last.sku, location: last.location };
  }
  const admin = await walkAdmin(v, client);
  if ('reason' in admin) return { endpoint, ok: false, positions, events, admin_events: null, reason: admin.reason };
  const admin_events = 'events' in admin ? admin.events : null;
  const note = 'note' in admin ? { note: admin.note } : {};
  const fin = v.finish();
  if (!fin.ok) return { endpoint, ok: false, positions, events, admin_events, reason: `${fin.sku}@${fin.location} seq ${fin.seq}: ${fin.reason}`, ...note };
  return { endpoint, ok: true, positions, events, admin_events, reason: null, ...note };
}

export interface HeadComparison {
  readonly agreed: boolean;
  readonly applied_index: number | null;
  readonly heads: readonly { endpoint: string; applied_index: number | null; head_hash: string | null; error: string | null }[];
}

/** Polls every node until all report the same applied index, then compares heads. */
export async function compareHeads(client: StockraftClient): Promise<HeadComparison> {
  let last: HeadComparison | null = null;
  for (let i = 0; i < SETTLE_TRIES; i++) {
    const all = await client.statusAll();
    const heads = all.map((e) => ({ endpoint: e.endpoint, applied_index: e.status?.applied_index ?? null, head_hash: e.status?.head_hash ?? null, error: e.error }));
    const indexes = new Set(heads.map((h) => h.applied_index));
    if (indexes.size === 1 && !indexes.has(null)) {
      const hashes = new Set(heads.map((h) => h.head_hash));
      return { agreed: hashes.size === 1, applied_index: heads[0]?.applied_index ?? null, heads };
    }
    last = { agreed: false, applied_index: null, heads };
    await new Promise((r) => setTimeout(r, SETTLE_PAUSE_MS));
  }
  return last as HeadComparison;
}

export function addVerifyCommand(program: Command): void {
  program
    .command('verify')
    .description("recompute every node's hash chains and compare head hashes across nodes")
    .action(
      run(async (ctx) => {
        const verdicts: NodeVerdict[] = [];
        for (const endpoint of ctx.endpoints) {
          try {
            verdicts.push(await verifyNode(endpoint, ctx.clientFor(endpoint)));
          } catch (err) {
            verdicts.push({ endpoint, ok: false, positions: 0, events: 0, admin_events: null, reason: `unreachable: ${err instanceof Error ? err.message : String(err)}` });
          }
        }
        const heads = await compareHeads(ctx.client());
        ctx.out.emit({ nodes: verdicts, heads }, () => {
          const t1 = table(
            ['ENDPOINT', 'CHAINS', 'POSITIONS', 'EVENTS', 'ADMIN_EVENTS', 'PROBLEM'],
            verdicts.map((v) => [v.endpoint, v.ok ? 'ok' : 'BROKEN', v.positions, v.events, v.admin_events ?? 'not checked', v.reason ?? v.note ?? null]),
          );
          const t2 = table(
            ['ENDPOINT', 'APPLIED', 'HEAD_HASH'],
            heads.heads.map((h) => [h.endpoint, h.applied_index, h.head_hash ?? h.error]),
          );
          const verdict = heads.agreed ? `head hashes agree at applied index ${heads.applied_index}` : 'head hashes DIFFER (or nodes never reached one applied index)';
          return `${t1}\n\n${t2}\n${verdict}`;
        });
        const unreachable = verdicts.find((v) => v.reason?.startsWith('unreachable') === true);
        if (unreachable !== undefined) throw new Exit(EXIT_CALL_FAILED, `${unreachable.endpoint} ${unreachable.reason}`);
        const broken = verdicts.find((v) => !v.ok);
        if (broken !== undefined) throw new Exit(EXIT_MISMATCH, `hash chain broken on ${broken.endpoint}: ${broken.reason}`);
        if (!heads.agreed) throw new Exit(EXIT_MISMATCH, 'head hashes differ across nodes, or the nodes never settled on one applied index');
      }),
    );
}
