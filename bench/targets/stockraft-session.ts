// Load-generator side of Stockraft: the workloads of issue 7 over raw unary calls (and the
// SDK for sdk-batch). Writes go to the leader; reads go to every node.
import type { PointSpec } from '../load/spec.js';
import { Refusal, type Session } from '../load/session.js';
import { keyChooser, seededRng, skuName } from '../lib/keys.js';
import { makeClients } from './channels.js';
import { InventoryClient, type WireLine, type WireOp, type WireResult } from './inventory-client.js';

/** Reservations left open by the reserve workloads expire after this: longer than a full
 * run, so that no point pays for expiring what earlier points reserved (with 30 s, later
 * points carried the expiries of the points before them, up to 3x the CPU per reserve).
 * What expiry costs is measured on its own: `npm run bench:ledger` (expiry burst). */
export const BENCH_TTL_MS = 2 * 60 * 60 * 1_000;
export const LINES_PER_MULTI_RESERVE = 5;
export const RESERVES_PER_SUBMIT = 100;
/** Share of reads in the mixed workload. */
export const MIXED_READ_SHARE = 0.8;

function isUnavailable(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 14;
}

function leaderHint(err: unknown): string | null {
  const md = (err as { metadata?: { get?: (k: string) => unknown[] } }).metadata;
  const v = typeof md?.get === 'function' ? md.get('x-stockraft-leader-address')[0] : undefined;
  return typeof v === 'string' && v !== '' ? v : null;
}

function check(r: WireResult, what: string): void {
  if (r.code !== 'RESULT_CODE_OK') throw new Refusal(`${what}: ${r.code} ${r.detail}`);
}

export function stockraftSession(spec: PointSpec): Session {
  // Writes go to the leader found at the start. If it stops answering as leader
  // (UNAVAILABLE), the worker moves on to the next node, so after a leader change the
  // writes find the new leader (or a follower that forwards) within a few calls.
  const order = spec.leader !== null ? [spec.leader, ...spec.endpoints.filter((e) => e !== spec.leader)] : [...spec.endpoints];
  const writersByNode = order.map((e) => makeClients([e], spec.channels_per_endpoint, (a) => new InventoryClient(a, spec.deadline_ms)));
  let writeNode = 0;
  const writerFor = (client: number): { c: InventoryClient; node: number } => {
    const node = writeNode;
    const list = writersByNode[node];
    return { c: list[client % list.length], node };
  };
  const onWriteError = (node: number, err: unknown): never => {
    if (isUnavailable(err) && node === writeNode) {
      // The node names the leader in trailing metadata when it knows it (see
      // src/server/edge.ts); otherwise try the next node.
      const hint = leaderHint(err);
      const k = hint === null ? -1 : order.indexOf(hint);
      writeNode = k >= 0 ? k : (writeNode + 1) % writersByNode.length;
    }
    throw err;
  };
  const readers = makeClients(spec.endpoints, spec.channels_per_endpoint, (a) => new InventoryClient(a, spec.deadline_ms));
  const rng = seededRng(spec.seed + spec.worker_index * 7919);
  const nextKey = keyChooser(spec.dist, spec.keys, rng);
  // Ids unique across points and workers: the seed is fresh per point.
  const idPrefix = `${spec.seed.toString(36)}-${spec.worker_index}-`;
  let counter = 0;
  const nextId = (kind: string): string => `${kind}${idPrefix}${(counter++).toString(36)}`;

  const line = (): WireLine => ({ sku: skuName(nextKey()), location: spec.location, quantity: 1 });
  const distinctLines = (n: number): WireLine[] => {
    const seen = new Set<string>();
    const out: WireLine[] = [];
    // Bounded: with n <= 5 distinct keys out of >= 10 this ends quickly; cap the draws anyway.
    for (let draws = 0; out.length < n && draws < n * 100; draws++) {
      const l = line();
      if (!seen.has(l.sku)) {
        seen.add(l.sku);
        out.push(l);
      }
    }
    if (out.length < n) throw new Error(`could not draw ${n} distinct SKUs`);
    return out;
  };
  const reserveReq = (lines: WireLine[]): NonNullable<WireOp['reserve']> => ({
    reservation_id: nextId('r'),
    lines,
    ttl_ms: BENCH_TTL_MS,
    order_ref: 'bench-order',
    id_time_ms: Date.now(),
  });

  async function reserve(c: InventoryClient, lines: WireLine[]): Promise<number> {
    check(await c.reserve(reserveReq(lines)), 'reserve');
    return 1;
  }
  async function reserveCommit(c: InventoryClient): Promise<number> {
    const r = reserveReq([line()]);
    check(await c.reserve(r), 'reserve');
    check(await c.commit({ op_id: nextId('c'), reservation_id: r.reservation_id, lines: [], id_time_ms: Date.now() }), 'commit');
    return 1;
  }
  async function submit(c: InventoryClient): Promise<number> {
    const ops: WireOp[] = [];
    for (let i = 0; i < RESERVES_PER_SUBMIT; i++) ops.push({ reserve: reserveReq([line()]) });
    const res = await c.submit(ops);
    if (res.results.length !== ops.length) throw new Error(`submit: ${res.results.length} results for ${ops.length} ops`);
    let ok = 0;
    for (const r of res.results) if (r.code === 'RESULT_CODE_OK') ok++;
    if (ok === 0) throw new Refusal(`submit: no reserve succeeded (${res.results[0]?.code})`);
    return ok;
  }
  async function get(c: InventoryClient): Promise<number> {
    const r = await c.getPosition(skuName(nextKey()), spec.location);
    if (!r.found) throw new Refusal('get: position not found');
    return 1;
  }

  return {
    op(client: number): Promise<number> {
      const { c: w, node } = writerFor(client);
      const r = readers[client % readers.length];
      const write = (p: Promise<number>): Promise<number> => p.catch((err: unknown) => onWriteError(node, err));
      switch (spec.workload) {
        case 'reserve':
          return write(reserve(w, [line()]));
        case 'reserve-commit':
          return write(reserveCommit(w));
        case 'reserve5':
          return write(reserve(w, distinctLines(LINES_PER_MULTI_RESERVE)));
        case 'submit100':
          return write(submit(w));
        case 'get':
          return get(r);
        case 'mixed':
          return rng() < MIXED_READ_SHARE ? get(r) : write(reserve(w, [line()]));
        default:
          throw new Error(`stockraft: workload ${spec.workload} is not defined for stockraft`);
      }
    },
    async close(): Promise<void> {
      for (const c of [...writersByNode.flat(), ...readers]) c.close();
    },
  };
}
