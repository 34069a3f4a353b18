// End-to-end through the SDK against one real 3-node stockd cluster: every call, a
// follower's linearizable read right after a write on the leader, Watch resuming without
// gaps, batching, leader failover, and backup -> restore (plus refused broken backups).

import t from 'tap';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { StockdCluster, STOCKD_BIN, freePort } from '../server/cluster-harness.js';
import { StockraftClient, StockraftError } from '../../src/client/index.js';
import { frameBackupChunk } from '../../src/server/restore.js';
import { checkBackupFile, loadBackupFile } from '../../src/cli/backup.js';
import type { LedgerEvent, Position } from '../../src/ledger/types.js';

const c = await StockdCluster.start({ size: 3, metrics: true });
const tmp = mkdtempSync(path.join(os.tmpdir(), 'stockraft-api-e2e-'));
const clients: StockraftClient[] = [];
t.teardown(async () => {
  for (const x of clients) x.close();
  await c.close();
  rmSync(tmp, { recursive: true, force: true });
});
const ids = ['n1', 'n2', 'n3'];
const client = (endpoints: string[], extra: Partial<ConstructorParameters<typeof StockraftClient>[0]> = {}): StockraftClient => {
  const x = new StockraftClient({ endpoints, deadline_ms: 8000, ...extra });
  clients.push(x);
  return x;
};
const leader0 = await c.waitForLeader();
const all = client(ids.map((id) => c.address(id)));

t.test('every Inventory and Cluster call', async (t) => {
  const a = await all.adjust({ sku: 'e2e-a', location: 'wh', delta: 50, reason: 'receive', reference: 'dn-1' });
  t.equal(a.code, 'OK');
  const r = await all.reserve({
    reservation_id: 'e2e-r1',
    lines: [{ sku: 'e2e-a', location: 'wh', quantity: 10 }],
    ttl_ms: 60_000,
    order_ref: 'o-1',
  });
  t.equal(r.code, 'OK');
  t.equal((await all.reserve({ reservation_id: 'e2e-r1', lines: [{ sku: 'e2e-a', location: 'wh', quantity: 10 }], ttl_ms: 60_000, order_ref: 'o-1' })).replay, true);
  const diff = await all.reserve({ reservation_id: 'e2e-r1', lines: [{ sku: 'e2e-a', location: 'wh', quantity: 11 }], ttl_ms: 60_000, order_ref: 'o-1' });
  t.equal(diff.code, 'ALREADY_EXISTS_DIFFERENT');
  const short = await all.reserve({ lines: [{ sku: 'e2e-a', location: 'wh', quantity: 1000 }], ttl_ms: 60_000 });
  t.equal(short.code, 'INSUFFICIENT_STOCK');
  t.equal((await all.extend({ reservation_id: 'e2e-r1', ttl_ms: 120_000 })).code, 'OK');
  const com = await all.commit({ reservation_id: 'e2e-r1', lines: [{ sku: 'e2e-a', location: 'wh', quantity: 4 }] });
  t.equal(com.code, 'OK');
  if (com.code === 'OK') t.same(com.reservation?.committed_lines, [{ sku: 'e2e-a', location: 'wh', quantity: 4 }]);
  t.equal((await all.release({ reservation_id: 'e2e-r1' })).code, 'RESERVATION_COMMITTED');
  t.equal((await all.release({ reservation_id: 'nope' })).code, 'RESERVATION_NOT_FOUND');
  t.equal((await all.adjust({ sku: 'e2e-a', location: 'wh', delta: 1, expected_on_hand: 3 })).code, 'ON_HAND_MISMATCH');
  t.equal((await all.adjust({ sku: 'e2e-a', location: 'wh', delta: 1, expected_on_hand: 46 })).code, 'OK');

  const sub = await all.submit([
    { kind: 'adjust', sku: 'e2e-b', location: 'wh', delta: 7 },
    { kind: 'reserve', reservation_id: 'e2e-r2', lines: [{ sku: 'e2e-b', location: 'wh', quantity: 2 }], ttl_ms: 30_000 },
    { kind: 'commit', reservation_id: 'e2e-r2' },
  ]);
  t.same(
    sub.map((x) => x.code),
    ['OK', 'OK', 'OK'],
  );

  t.same(pick(await all.getPosition('e2e-a', 'wh')), [47, 0, 47]);
  t.same(pick(await all.getPosition('e2e-b', 'wh', { consistency: 'SERIALIZABLE' })) !== null, true);
  const ps = await all.getPositions([
    { sku: 'e2e-a', location: 'wh' },
    { sku: 'e2e-none', location: 'wh' },
    { sku: 'e2e-b', location: 'wh' },
  ]);
  t.same(
    ps.map(pick),
    [[47, 0, 47], null, [5, 0, 5]],
  );
  t.equal((await all.getReservation('e2e-r2'))?.state, 'COMMITTED');
  t.equal(await all.getReservation('e2e-none'), null);
  const ev = await all.listEvents('e2e-a', 'wh', { limit: 2 });
  t.equal(ev.events.length, 2);
  t.equal(ev.more, true);
  const rest = await all.listEvents('e2e-a', 'wh', { after_seq: ev.next_after_seq });
  t.same(
    [...ev.events, ...rest.events].map((e) => e.kind),
    ['ADJUST', 'RESERVE', 'EXTEND', 'COMMIT', 'ADJUST'],
  );
  const lp = await all.listPositions({ limit: 1000 });
  t.ok(lp.positions.some((p) => p.sku === 'e2e-a'));
  t.equal((await all.getOutcome(a.id))?.code, 'OK');
  t.equal(await all.getOutcome('e2e-never'), null);

  const st = await all.status();
  t.equal(st.members.length, 3);
  t.ok(st.leader_id !== '');
  t.ok((await all.snapshot(0)) >= 0);

  const err = await all.adjust({ sku: 'e2e a', location: 'wh', delta: 1 }).catch((e: unknown) => e);
  t.ok(err instanceof StockraftError && err.code === grpc.status.INVALID_ARGUMENT && /sku/.test(err.details), 'INVALID_ARGUMENT names the field');

  // gRPC calls are counted by method and code on each node's /metrics.
  let text = '';
  for (const id of ids) {
    const port = c.nodes.get(id)?.metrics_port;
    if (port !== null && port !== undefined) text += await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  }
  t.match(text, /stockraft_grpc_calls_total\{method="Inventory\/Adjust",code="OK"[^}]*\} \d+/);
  t.match(text, /stockraft_grpc_calls_total\{method="Inventory\/Adjust",code="INVALID_ARGUMENT"[^}]*\} 1/);
  // A stockd process also reports its own memory, for operators sizing a node.
  t.match(text, /process_resident_memory_bytes\{node="n\d"\} [1-9]\d*/, 'resident memory per node');
  t.match(text, /nodejs_heap_space_size_used_bytes\{space="old",node="n\d"\} [1-9]\d*/, 'V8 old space in use');
  // The raft gauges are read from the node at scrape time: after the writes above every
  // node reports a non-zero applied index and exactly one node the leader role.
  const applied = [...text.matchAll(/^stockd_raft_applied_index\{node="n\d"\} (\d+)$/gm)].map((m) => Number(m[1]));
  t.equal(applied.length, 3, 'applied index from every node');
  t.ok(applied.every((a) => a > 0), `every node reports its applied index (${applied.join(', ')})`);
  t.equal([...text.matchAll(/^stockd_role\{role="leader",node="n\d"\} 1$/gm)].length, 1, 'one node reports the leader role');
  // Peer traffic by message type: the leader has sent appends and heartbeats.
  t.match(text, /stockd_peer_messages_sent_total\{type="append",node="n\d"\} [1-9]\d*/, 'appends sent');
  t.match(text, /stockd_peer_messages_sent_total\{type="heartbeat",node="n\d"\} [1-9]\d*/, 'heartbeats sent');
  t.match(text, /stockd_peer_messages_sent_total\{type="append_resp",node="n\d"\} [1-9]\d*/, 'followers answered appends');
});

function pick(p: Position | null): [number, number, number] | null {
  return p === null ? null : [p.on_hand, p.reserved, p.available];
}

t.test('a follower serves a linearizable read right after a write on the leader', async (t) => {
  const leader = await c.waitForLeader();
  const follower = ids.find((id) => id !== leader) as string;
  const w = client([c.address(leader)]);
  const r = client([c.address(follower)]);
  for (let i = 1; i <= 20; i++) {
    await w.adjust({ sku: 'e2e-lin', location: 'wh', delta: 1 });
    const p = await r.getPosition('e2e-lin', 'wh');
    t.equal(p?.on_hand, i, `read ${i} sees write ${i}`);
    if (p?.on_hand !== i) break;
  }
  // Writes sent to a follower are forwarded to the leader.
  const viaFollower = await r.adjust({ sku: 'e2e-lin', location: 'wh', delta: 1 });
  t.equal(viaFollower.code, 'OK');
});

t.test('Watch resumes on another node without gaps or repeats', async (t) => {
  const st = await all.status();
  const from_index = st.applied_index + 1;
  for (let i = 0; i < 5; i++) {
    await all.submit([
      { kind: 'adjust', sku: 'e2e-w1', location: 'wh', delta: 1 },
      { kind: 'adjust', sku: 'e2e-w2', location: 'wh', delta: 1 },
    ]);
  }
  const key = (x: { event: LedgerEvent; ordinal: number }): string => `${x.event.log_index}/${x.ordinal}/${x.event.sku}/${x.event.seq}`;
  const reference: string[] = [];
  for await (const x of client([c.address('n1')]).watch({ from_index })) {
    reference.push(key(x));
    if (reference.length === 10) break;
  }
  // Read half on n2, stopping inside a log index, then resume on n3 from the cursor.
  const seen: string[] = [];
  let cursor = { from_index, skip: 0 };
  for await (const x of client([c.address('n2')]).watch(cursor)) {
    seen.push(key(x));
    cursor = { from_index: x.event.log_index, skip: x.ordinal + 1 };
    if (seen.length === 5) break;
  }
  for await (const x of client([c.address('n3')]).watch(cursor)) {
    seen.push(key(x));
    if (seen.length === 10) break;
  }
  t.same(seen, reference);
  t.equal(new Set(seen).size, 10);
});

t.test('the SDK watch carries on across the death of the node it reads from', async (t) => {
  const from_index = (await all.status()).applied_index + 1;
  const w = client(ids.map((id) => c.address(id)));
  const serving = ids[w.endpoints.currentEndpoint()] as string;
  const got: string[] = [];
  const stream = w.watch({ from_index });
  const it = stream[Symbol.asyncIterator]();
  const take = async (n: number): Promise<void> => {
    for (let i = 0; i < n; i++) {
      const r = await it.next();
      if (r.done === true) throw new Error('watch ended');
      got.push(`${r.value.event.log_index}/${r.value.ordinal}/${r.value.event.seq}`);
    }
  };
  for (let i = 0; i < 3; i++) await all.adjust({ sku: 'e2e-wk', location: 'wh', delta: 1 });
  await take(3);
  await c.kill(serving);
  for (let i = 0; i < 3; i++) await all.adjust({ sku: 'e2e-wk', location: 'wh', delta: 1 });
  await take(3);
  await it.return?.(undefined);
  const reference: string[] = [];
  for await (const x of all.watch({ from_index })) {
    reference.push(`${x.event.log_index}/${x.ordinal}/${x.event.seq}`);
    if (reference.length === 6) break;
  }
  t.same(got, reference, 'no gap, no repeat across the failover');
  await c.startNode(serving);
  await c.waitConverged(20_000);
});

t.test('batching gathers concurrent writes into few Submit calls', async (t) => {
  const b = client(
    ids.map((id) => c.address(id)),
    { batching: { max_delay_ms: 5, max_ops: 200 } },
  );
  const n = 400;
  const results = await Promise.all(Array.from({ length: n }, () => b.adjust({ sku: 'e2e-batch', location: 'wh', delta: 1 })));
  t.ok(results.every((r) => r.code === 'OK'));
  t.equal(new Set(results.map((r) => r.id)).size, n, 'every op its own id');
  const stats = b.batchStats();
  t.equal(stats.ops, n);
  t.ok(stats.batches <= n / 10, `batched: ${stats.batches} batches for ${n} ops`);
  t.equal((await all.getPosition('e2e-batch', 'wh'))?.on_hand, n);
});

t.test('the SDK fails over when the leader dies', async (t) => {
  const leader = await c.waitForLeader();
  const before = (await all.getPosition('e2e-fo', 'wh'))?.on_hand ?? 0;
  await c.kill(leader);
  const r = await all.adjust({ op_id: 'e2e-fo-1', sku: 'e2e-fo', location: 'wh', delta: 3 });
  t.equal(r.code, 'OK');
  t.equal((await all.getPosition('e2e-fo', 'wh'))?.on_hand, before + 3);
  await c.startNode(leader);
  await c.waitConverged(20_000);
});

t.test('backup under load restores to the same head hash and balances; broken files are refused', async (t) => {
  let stop = false;
  const load = (async () => {
    let i = 0;
    while (!stop && i < 2000) {
      await all.adjust({ sku: `e2e-bk-${i % 7}`, location: 'wh', delta: 1 }).catch(() => undefined);
      i++;
    }
  })();
  const file = path.join(tmp, 'backup.bin');
  const chunks: Uint8Array[] = [];
  for await (const ch of all.backup()) chunks.push(frameBackupChunk(ch));
  writeFileSync(file, Buffer.concat(chunks));
  stop = true;
  await load;
  const { ledger: inFile, summary } = await loadBackupFile(file);
  t.ok(summary.positions > 0);

  // Without load, a backup holds exactly what the cluster holds.
  const quiet = await c.waitConverged(20_000);
  const file2 = path.join(tmp, 'backup-quiet.bin');
  const chunks2: Uint8Array[] = [];
  for await (const ch of all.backup()) chunks2.push(frameBackupChunk(ch));
  writeFileSync(file2, Buffer.concat(chunks2));
  const q = await loadBackupFile(file2);
  t.equal(q.summary.head_hash, quiet.head_hash, 'quiet backup: head hash of the cluster');
  const live = await all.listPositions({ limit: 1000 });
  t.same(
    live.positions.map((p) => balance(q.ledger.getPosition(p.sku, p.location))),
    live.positions,
    'quiet backup: every balance of the cluster',
  );

  // Restore into a fresh single-node cluster.
  const port = await freePort();
  const data = path.join(tmp, 'restored');
  const proc = spawn(process.execPath, [STOCKD_BIN, '--id', 'r1', '--listen', `127.0.0.1:${port}`, '--data', data, '--initial-cluster', `r1=127.0.0.1:${port}`, '--insecure', '--restore', file], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  t.teardown(async () => {
    if (proc.exitCode === null) proc.kill('SIGKILL');
    await exited;
  });
  const restored = client([`127.0.0.1:${port}`]);
  let st = null;
  for (let i = 0; i < 100 && st === null; i++) {
    st = await restored.status().catch(() => null);
    if (st === null || st.leader_id === '') {
      st = null;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  t.equal(st?.head_hash, summary.head_hash, 'same head hash as the backup');
  const original = await all.listPositions({ limit: 1000, consistency: 'SERIALIZABLE' });
  const back = await restored.listPositions({ limit: 1000 });
  t.equal(back.positions.length, summary.positions);
  t.ok(back.positions.length <= original.positions.length);
  // Balances the backup holds: every history replays to the restored position.
  t.same(
    back.positions,
    back.positions.map((p) => balance(inFile.getPosition(p.sku, p.location))),
    'restored balances equal the backup\'s',
  );
  for (const p of back.positions) {
    const evs = await restored.listEvents(p.sku, p.location, { limit: 1000 });
    const last = evs.events[evs.events.length - 1];
    t.same([last?.on_hand, last?.reserved], [p.on_hand, p.reserved], `${p.sku} balance matches its history`);
  }

  // Truncated and altered copies are refused, by stockd --restore and by verify-backup.
  const bytes = readFileSync(file);
  const truncated = path.join(tmp, 'truncated.bin');
  writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
  const altered = path.join(tmp, 'altered.bin');
  copyFileSync(file, altered);
  const alt = readFileSync(altered);
  alt[Math.floor(alt.length / 2)] ^= 0xff;
  writeFileSync(altered, alt);
  for (const [name, f, pattern] of [
    ['truncated', truncated, /truncated/],
    ['altered', altered, /checksum|altered|not msgpack|decode|malformed/],
  ] as const) {
    await t.rejects(checkBackupFile(f), pattern, `${name}: checkBackupFile refuses`);
    const out = await restoreRefusal(f);
    t.not(out.code, 0, `${name}: stockd --restore exits non-zero`);
    t.match(out.output, pattern, `${name}: stockd says why`);
  }
});

/** The fields a client sees of a position (the ledger keeps more). */
function balance(p: Position | null): Position | null {
  return p === null ? null : { sku: p.sku, location: p.location, on_hand: p.on_hand, reserved: p.reserved, available: p.available, seq: p.seq };
}

async function restoreRefusal(file: string): Promise<{ code: number | null; output: string }> {
  const port = await freePort();
  const data = path.join(tmp, `refused-${path.basename(file)}`);
  const proc = spawn(process.execPath, [STOCKD_BIN, '--id', 'x1', '--listen', `127.0.0.1:${port}`, '--data', data, '--initial-cluster', `x1=127.0.0.1:${port}`, '--insecure', '--restore', file], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  proc.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const timer = setTimeout(() => proc.kill('SIGKILL'), 20_000);
  const code = await new Promise<number | null>((resolve) => proc.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, output };
}

void leader0;
