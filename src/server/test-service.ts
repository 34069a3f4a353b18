// The StockTest gRPC service (proto/stockraft/raft/raft.proto), served only with --test-hooks: lets the
// multi-process tests drive a node through StockNode without the client API. Requests and
// replies are JSON text; a refusal comes back as {"error": {kind, message, leader_id,
// leader_address}} so tests can follow the leader.

import type * as grpc from '@grpc/grpc-js';
import type { Command } from '../ledger/types.js';
import { NodeError } from '../node/node-api.js';
import type { StockNodeImpl } from '../node/stock-node.js';
import { frameBackupChunk } from './restore.js';
import { open } from 'node:fs/promises';
import { TEST_CALL_TIMEOUT_MS, TEST_EVENTS_WAIT_MS, TEST_ITEMS_MAX, TEST_REQUEST_CHARS_MAX } from './limits.js';

type Json = Record<string, unknown>;
type Handler = (req: Json) => Promise<unknown>;

function errorJson(err: unknown): Json {
  if (err instanceof NodeError) return { error: { kind: err.kind, message: err.message, leader_id: err.leader_id, leader_address: err.leader_address } };
  return { error: { kind: 'internal', message: err instanceof Error ? err.message : String(err), leader_id: null, leader_address: null } };
}

function unary(h: Handler) {
  return (call: grpc.ServerUnaryCall<{ json: string }, unknown>, callback: grpc.sendUnaryData<unknown>): void => {
    const text = call.request.json || '{}';
    if (text.length > TEST_REQUEST_CHARS_MAX) {
      callback(null, { json: JSON.stringify(errorJson(new NodeError('invalid', `request: at most ${TEST_REQUEST_CHARS_MAX} characters, got ${text.length}`))) });
      return;
    }
    let req: Json;
    try {
      req = JSON.parse(text) as Json;
    } catch (err) {
      callback(null, { json: JSON.stringify(errorJson(new NodeError('invalid', `request is not JSON: ${String(err)}`))) });
      return;
    }
    h(req).then(
      (r) => callback(null, { json: JSON.stringify(r) }),
      (err: unknown) => callback(null, { json: JSON.stringify(errorJson(err)) }),
    );
  };
}

/** Writes a backup file (as `stockctl backup` would) to the given path. */
async function writeBackup(node: StockNodeImpl, req: Json): Promise<unknown> {
  const file = String(req.file ?? '');
  if (!file) throw new NodeError('invalid', 'file: a path is required');
  const out = await open(file, 'w');
  let chunks = 0;
  try {
    await node.readBarrier(Date.now() + TEST_CALL_TIMEOUT_MS);
    for await (const c of node.backupChunks({ read_barrier: true })) {
      await out.write(frameBackupChunk(c));
      chunks++;
    }
    await out.sync();
  } finally {
    await out.close();
  }
  return { chunks };
}

/** Collects watched events from `from_index` until `limit` arrived or `wait_ms` passed. */
async function collectEvents(node: StockNodeImpl, req: Json): Promise<unknown> {
  const events: unknown[] = [];
  const limit = typeof req.limit === 'number' ? req.limit : TEST_ITEMS_MAX;
  await new Promise<void>((resolve, reject) => {
    const h = node.watch(
      typeof req.from_index === 'number' ? req.from_index : 0,
      (e) => {
        events.push(e);
        if (events.length >= limit) {
          h.close();
          resolve();
        }
      },
      (err) => (err ? reject(err) : resolve()),
    );
    setTimeout(() => {
      h.close();
      resolve();
    }, typeof req.wait_ms === 'number' ? req.wait_ms : TEST_EVENTS_WAIT_MS);
  });
  return { events };
}

type AdminOp = (node: StockNodeImpl, req: Json, id: string) => Promise<unknown>;

const ADMIN_OPS: Readonly<Record<string, AdminOp>> = {
  add_learner: async (node, req, id) => {
    await node.addLearner(id, String(req.address));
    return { ok: true };
  },
  promote: async (node, _req, id) => {
    await node.promote(id);
    return { ok: true };
  },
  remove: async (node, _req, id) => {
    await node.remove(id);
    return { ok: true };
  },
  transfer: async (node, _req, id) => {
    await node.transferLeadership(id, Date.now() + TEST_CALL_TIMEOUT_MS);
    return { ok: true };
  },
  snapshot: async (node) => ({ index: await node.snapshot() }),
  backup: (node, req) => writeBackup(node, req),
  outcomes: async (node, req) => {
    const ids = Array.isArray(req.ids) ? req.ids.map(String) : [];
    if (ids.length > TEST_ITEMS_MAX) throw new NodeError('invalid', `ids: at most ${TEST_ITEMS_MAX}, got ${ids.length}`);
    const outcomes: unknown[] = [];
    // One at a time: an id past the dedup window is a LevelDB read.
    for (const op of ids) outcomes.push(await node.getOutcome(op));
    return { outcomes };
  },
  events: (node, req) => collectEvents(node, req),
};

async function admin(node: StockNodeImpl, req: Json): Promise<unknown> {
  const op = typeof req.op === 'string' && Object.hasOwn(ADMIN_OPS, req.op) ? ADMIN_OPS[req.op] : undefined;
  if (op === undefined) throw new NodeError('invalid', `op must be ${Object.keys(ADMIN_OPS).join('|')}, got ${JSON.stringify(req.op)}`);
  return op(node, req, String(req.id ?? ''));
}

export function testServiceImpl(node: StockNodeImpl): grpc.UntypedServiceImplementation {
  return {
    Propose: unary(async (req) => {
      const deadline = typeof req.deadline_ms === 'number' ? req.deadline_ms : Date.now() + TEST_CALL_TIMEOUT_MS;
      const results = await node.propose(req.commands as Command[], deadline);
      return { results };
    }),
    Status: unary(async () => ({ ...node.status(), raft: node.raftStatus(), transport: node.transport.stats(), refused: node.transport.refused })),
    GetPosition: unary(async (req) => {
      if (req.linearizable === true) await node.readBarrier(Date.now() + TEST_CALL_TIMEOUT_MS);
      return { position: node.getPosition(String(req.sku), String(req.location)) };
    }),
    Admin: unary((req) => admin(node, req)),
  };
}
