// The Inventory and Cluster services and the SDK against in-process fake nodes: every call,
// forwarding from a follower, error mapping, malformed bytes, Watch resume, failover.

import t from 'tap';
import * as grpc from '@grpc/grpc-js';
import { fakeCluster } from './fake-node.js';
import { StockraftClient, StockraftError } from '../../src/client/index.js';
import { inventoryService } from '../../src/wire/protos.js';
import { FORWARD_ATTEMPTS_MAX } from '../../src/server/limits.js';
import { StatusDetailsCodec } from '../../src/wire/status-details.js';
import { leaderHint } from '../../src/client/endpoints.js';
import { HistoryCompactedError } from '../../src/node/node-api.js';

t.test('every call through the SDK, writes forwarded from a follower', async (t) => {
  const c = await fakeCluster(3);
  const [n1, n2, n3] = c.nodes as [NonNullable<(typeof c.nodes)[0]>, NonNullable<(typeof c.nodes)[0]>, NonNullable<(typeof c.nodes)[0]>];
  // Only the follower n2 is known to the client: every write must be forwarded.
  const client = new StockraftClient({ endpoints: [n2.address], deadline_ms: 3000 });
  t.teardown(async () => {
    client.close();
    await c.close();
  });

  const adj = await client.adjust({ sku: 'sku-1', location: 'wh1', delta: 10, reason: 'receive' });
  t.equal(adj.code, 'OK');
  t.match(adj.id, /^[0-9a-z]{9}-[0-9a-z]{4}-[0-9a-z]{8}$/, 'generated time-ordered id');
  t.equal(n1.proposals, 1, 'leader proposed');
  t.equal(n2.proposals, 0, 'follower forwarded without proposing');

  const again = await client.adjust({ op_id: adj.id, sku: 'sku-1', location: 'wh1', delta: 10, reason: 'receive' });
  t.equal(again.code, 'OK');
  t.equal(again.replay, true, 'same id is a replay');

  const res = await client.reserve({ reservation_id: 'r1', lines: [{ sku: 'sku-1', location: 'wh1', quantity: 4 }], ttl_ms: 60_000, order_ref: 'o1' });
  t.equal(res.code, 'OK');
  t.equal(res.id, 'r1');
  if (res.code === 'OK') t.equal(res.reservation?.state, 'PENDING');

  const short = await client.reserve({ lines: [{ sku: 'sku-1', location: 'wh1', quantity: 1000 }], ttl_ms: 60_000 });
  t.equal(short.code, 'INSUFFICIENT_STOCK');
  if (short.code === 'INSUFFICIENT_STOCK') t.same(short.short_lines, [{ sku: 'sku-1', location: 'wh1', requested: 1000, available: 6 }]);

  const ext = await client.extend({ reservation_id: 'r1', ttl_ms: 120_000 });
  t.equal(ext.code, 'OK');
  const com = await client.commit({ reservation_id: 'r1', lines: [{ sku: 'sku-1', location: 'wh1', quantity: 3 }] });
  t.equal(com.code, 'OK');
  const rel = await client.release({ reservation_id: 'r1', reason: 'late' });
  t.equal(rel.code, 'RESERVATION_COMMITTED');

  const cas = await client.adjust({ sku: 'sku-1', location: 'wh1', delta: 1, expected_on_hand: 99 });
  t.equal(cas.code, 'ON_HAND_MISMATCH');
  if (cas.code === 'ON_HAND_MISMATCH') t.same([cas.expected_on_hand, cas.on_hand], [99, 7]);

  const sub = await client.submit([
    { kind: 'adjust', sku: 'sku-2', location: 'wh1', delta: 5 },
    { kind: 'reserve', reservation_id: 'r2', lines: [{ sku: 'sku-2', location: 'wh1', quantity: 2 }], ttl_ms: 5000 },
    { kind: 'release', reservation_id: 'r2' },
  ]);
  t.same(
    sub.map((r) => r.code),
    ['OK', 'OK', 'OK'],
  );

  const p = await client.getPosition('sku-1', 'wh1');
  t.same(p && [p.on_hand, p.reserved, p.available], [7, 0, 7]);
  t.equal(await client.getPosition('nope', 'wh1'), null);
  const before = n2.barriers;
  await client.getPosition('sku-1', 'wh1', { consistency: 'SERIALIZABLE' });
  t.equal(n2.barriers, before, 'SERIALIZABLE skips the read barrier');
  await client.getPosition('sku-1', 'wh1');
  t.equal(n2.barriers, before + 1, 'LINEARIZABLE takes a read barrier');

  const ps = await client.getPositions([
    { sku: 'sku-1', location: 'wh1' },
    { sku: 'x', location: 'y' },
    { sku: 'sku-2', location: 'wh1' },
  ]);
  t.same(
    ps.map((x) => x?.on_hand ?? null),
    [7, null, 5],
  );
  const r = await client.getReservation('r1');
  t.equal(r?.state, 'COMMITTED');
  t.same(r?.committed_lines, [{ sku: 'sku-1', location: 'wh1', quantity: 3 }]);
  t.equal(await client.getReservation('nope'), null);

  const page1 = await client.listEvents('sku-1', 'wh1', { limit: 2 });
  t.equal(page1.events.length, 2);
  t.equal(page1.more, true);
  const page2 = await client.listEvents('sku-1', 'wh1', { after_seq: page1.next_after_seq, limit: 100 });
  t.ok(page2.events.length >= 1);
  t.equal(page2.more, false);
  t.equal(page2.events[0]?.seq, (page1.events[1]?.seq ?? 0) + 1, 'pages continue without a gap');

  const lp = await client.listPositions({ limit: 1 });
  t.same(
    lp.positions.map((x) => x.sku),
    ['sku-1'],
  );
  const lp2 = await client.listPositions({ after: { sku: 'sku-1', location: 'wh1' } });
  t.same(
    lp2.positions.map((x) => x.sku),
    ['sku-2'],
  );

  const out = await client.getOutcome(adj.id);
  t.equal(out?.code, 'OK');
  t.equal(await client.getOutcome('never-seen'), null);

  const st = await client.status();
  t.equal(st.id, 'n2');
  t.equal(st.leader_id, 'n1');
  t.equal(st.members.length, 3);
  const all = await client.statusAll();
  t.equal(all.length, 1);

  await client.addLearner('n4', '127.0.0.1:1');
  await client.promote('n4');
  await client.remove('n4');
  t.same(n1.membership, ['add n4 127.0.0.1:1', 'promote n4', 'remove n4'], 'membership calls reach the leader');
  t.equal(await client.snapshot(), c.log_index);
  const chunks: string[] = [];
  for await (const ch of client.backup()) chunks.push(Buffer.from(ch).toString());
  t.same(chunks, ['chunk-1', 'chunk-2']);

  await client.transferLeadership('n3');
  t.equal(c.leader, 'n3');
  const after = await client.adjust({ sku: 'sku-1', location: 'wh1', delta: 1 });
  t.equal(after.code, 'OK');
  t.equal(n3.proposals, 1, 'writes follow the new leader');
});

t.test('edge refuses bad input with INVALID_ARGUMENT naming field, limit and value', async (t) => {
  const c = await fakeCluster(1);
  const client = new StockraftClient({ endpoints: [(c.nodes[0] as { address: string }).address], deadline_ms: 3000 });
  t.teardown(async () => {
    client.close();
    await c.close();
  });
  const cases: [() => Promise<unknown>, RegExp][] = [
    [() => client.adjust({ sku: 'bad sku', location: 'wh', delta: 1 }), /sku.*\[A-Za-z0-9._:\/-\].*"bad sku"/],
    [() => client.adjust({ sku: 's', location: 'wh', delta: 0 }), /delta.*zero/],
    [() => client.adjust({ sku: 's', location: 'wh', delta: 1e13 }), /delta.*1000000000000.*10000000000000/],
    [() => client.reserve({ lines: [], ttl_ms: 5000 }), /lines.*1\.\.100/],
    [() => client.reserve({ lines: [{ sku: 'a', location: 'b', quantity: 1 }], ttl_ms: 10 }), /ttl_ms.*1000\.\.604800000.*10/],
    [
      () =>
        client.reserve({
          lines: [
            { sku: 'a', location: 'b', quantity: 1 },
            { sku: 'a', location: 'b', quantity: 2 },
          ],
          ttl_ms: 5000,
        }),
      /lines\[1\].*once/,
    ],
    [() => client.reserve({ lines: [{ sku: 'a', location: 'b', quantity: -1 }], ttl_ms: 5000 }), /lines\[0\]\.quantity/],
    [() => client.commit({ reservation_id: 'x'.repeat(65) }), /reservation_id.*1\.\.64 bytes/],
    [() => client.adjust({ sku: 's', location: 'w', delta: 1, reason: 'a\u0001b' }), /reason.*control/],
    [() => client.submit([]), /ops.*1\.\.1000/],
    [() => client.submit(Array.from({ length: 1001 }, () => ({ kind: 'adjust' as const, sku: 's', location: 'w', delta: 1 }))), /ops.*1\.\.1000.*1001/],
    [
      () =>
        client.submit([
          { kind: 'adjust', op_id: 'same', sku: 's', location: 'w', delta: 1 },
          { kind: 'adjust', op_id: 'same', sku: 's', location: 'w', delta: 1 },
        ]),
      /ops\[1\].*already used/,
    ],
    [() => client.getPosition('', 'w'), /sku/],
    [() => client.listEvents('s', 'w', { limit: 5000 }), /limit.*1\.\.1000/],
    [() => client.addLearner('n 9', '127.0.0.1:1'), /id/],
    [() => client.addLearner('n9', 'nowhere'), /address.*host:port/],
  ];
  for (const [call, pattern] of cases) {
    const err = await call().then(
      () => null,
      (e: unknown) => e,
    );
    t.ok(err instanceof StockraftError, `refused: ${pattern}`);
    if (err instanceof StockraftError) {
      t.equal(err.code, grpc.status.INVALID_ARGUMENT, `${pattern}: code`);
      t.match(err.details, pattern);
    }
  }
  t.equal(c.log_index, 0, 'nothing from a refused request was proposed');
});

t.test('malformed bytes and unknown enum values answer INVALID_ARGUMENT', async (t) => {
  const c = await fakeCluster(1);
  const address = (c.nodes[0] as { address: string }).address;
  const raw = new grpc.Client(address, grpc.credentials.createInsecure());
  t.teardown(async () => {
    raw.close();
    await c.close();
  });
  const call = (path: string, bytes: Buffer): Promise<grpc.ServiceError | null> =>
    new Promise((resolve) =>
      raw.makeUnaryRequest(
        path,
        (b: Buffer) => b,
        (b: Buffer) => b,
        bytes,
        new grpc.Metadata(),
        { deadline: Date.now() + 3000 },
        (err) => resolve(err ?? null),
      ),
    );
  const garbage = await call('/stockraft.v1.Inventory/Submit', Buffer.from([0x0a, 0xff, 0xff, 0xff]));
  t.equal(garbage?.code, grpc.status.INVALID_ARGUMENT);
  t.match(garbage?.details, /valid protobuf/);
  // consistency = 7 (field 3, varint): no such enum value.
  const badEnum = await call('/stockraft.v1.Inventory/GetPosition', Buffer.from([0x0a, 0x01, 0x61, 0x12, 0x01, 0x62, 0x18, 0x07]));
  t.equal(badEnum?.code, grpc.status.INVALID_ARGUMENT);
  t.match(badEnum?.details, /consistency.*CONSISTENCY_LINEARIZABLE or CONSISTENCY_SERIALIZABLE.*7/);
  const empty = await call('/stockraft.v1.Inventory/Reserve', Buffer.alloc(0));
  t.equal(empty?.code, grpc.status.INVALID_ARGUMENT);
  const def = inventoryService().service['Submit'] as grpc.MethodDefinition<unknown, unknown>;
  const noKind = await call('/stockraft.v1.Inventory/Submit', def.requestSerialize({ ops: [{}] }));
  t.equal(noKind?.code, grpc.status.INVALID_ARGUMENT);
  t.match(noKind?.details, /ops\[0\].*one of adjust/);
  t.equal(c.log_index, 0);
});

t.test('NodeError kinds map to gRPC codes; the SDK retries what is safe', async (t) => {
  const c = await fakeCluster(2);
  const [n1] = c.nodes as [NonNullable<(typeof c.nodes)[0]>];
  const client = new StockraftClient({ endpoints: [n1.address], deadline_ms: 3000, attempts_max: 3 });
  const once = new StockraftClient({ endpoints: [n1.address], deadline_ms: 3000, attempts_max: 1 });
  t.teardown(async () => {
    client.close();
    once.close();
    await c.close();
  });
  const REASONS = { no_leader: 'NO_LEADER', outcome_unknown: 'OUTCOME_UNKNOWN', overloaded: 'OVERLOADED', invalid: 'INVALID_ARGUMENT', shutting_down: 'SHUTTING_DOWN' } as const;
  const expect = async (kind: Parameters<typeof setFail>[0], code: grpc.status, pattern: RegExp): Promise<void> => {
    setFail(kind);
    const err = await once.adjust({ op_id: `e-${kind}`, sku: 's', location: 'w', delta: 1 }).then(
      () => null,
      (e: unknown) => e,
    );
    t.ok(err instanceof StockraftError, kind);
    if (err instanceof StockraftError) {
      t.equal(err.code, code, `${kind} -> ${grpc.status[code]}`);
      t.match(err.details, pattern);
      t.equal(err.id, `e-${kind}`);
      t.equal(err.status_details?.reason, REASONS[kind], `${kind}: ErrorInfo reason`);
      t.equal(err.status_details?.domain, 'stockraft.v1', `${kind}: ErrorInfo domain`);
      const retry = code === grpc.status.UNAVAILABLE || code === grpc.status.RESOURCE_EXHAUSTED;
      t.equal(err.status_details?.retry_delay_ms, retry ? (code === grpc.status.UNAVAILABLE ? 100 : 200) : null, `${kind}: RetryInfo`);
    }
  };
  function setFail(kind: 'no_leader' | 'outcome_unknown' | 'overloaded' | 'invalid' | 'shutting_down'): void {
    // The edge itself tries a write again after these two: they fail every attempt here.
    n1.fail_next = kind;
    n1.fail_count = kind === 'no_leader' || kind === 'outcome_unknown' ? FORWARD_ATTEMPTS_MAX : 1;
  }
  await expect('no_leader', grpc.status.UNAVAILABLE, /no leader yet: retry/);
  await expect('outcome_unknown', grpc.status.UNAVAILABLE, /retry with the same id/);
  await expect('overloaded', grpc.status.RESOURCE_EXHAUSTED, /overloaded/);
  await expect('invalid', grpc.status.INVALID_ARGUMENT, /injected/);
  await expect('shutting_down', grpc.status.UNAVAILABLE, /shutting down/);
  t.equal(n1.fail_next, null, 'every injected failure was met');

  // An unknown outcome is retried with the same id and answers the original result.
  n1.fail_next = 'outcome_unknown';
  const r = await client.adjust({ op_id: 'retry-me', sku: 's', location: 'w', delta: 2 });
  t.equal(r.code, 'OK');
  t.equal(r.id, 'retry-me');
  t.equal(c.ledger.getPosition('s', 'w')?.on_hand, 2, 'applied once');

  // An outcome that stays unknown is reported as such, with the id to retry.
  const stuck = new StockraftClient({ endpoints: [n1.address], deadline_ms: 2000, attempts_max: 2 });
  t.teardown(() => stuck.close());
  n1.hold = new Promise(() => undefined);
  const err = await stuck.adjust({ op_id: 'stuck', sku: 's', location: 'w', delta: 1 }).then(
    () => null,
    (e: unknown) => e,
  );
  n1.hold = null;
  t.ok(err instanceof StockraftError);
  if (err instanceof StockraftError) {
    t.equal(err.code, grpc.status.DEADLINE_EXCEEDED);
    t.equal(err.outcome_unknown, true);
    t.equal(err.id, 'stuck');
  }
});

t.test('calls beyond calls_inflight_max get RESOURCE_EXHAUSTED', async (t) => {
  const c = await fakeCluster(1, 2);
  const n1 = c.nodes[0] as NonNullable<(typeof c.nodes)[0]>;
  const client = new StockraftClient({ endpoints: [n1.address], deadline_ms: 3000, attempts_max: 1 });
  t.teardown(async () => {
    client.close();
    await c.close();
  });
  let release: () => void = () => undefined;
  n1.hold = new Promise((r) => (release = r));
  const held = [client.adjust({ sku: 's', location: 'w', delta: 1 }), client.adjust({ sku: 's', location: 'w', delta: 1 })];
  while (n1.proposals < 2) await new Promise((r) => setTimeout(r, 5));
  const err = await client.getPosition('s', 'w').then(
    () => null,
    (e: unknown) => e,
  );
  t.ok(err instanceof StockraftError);
  if (err instanceof StockraftError) {
    t.equal(err.code, grpc.status.RESOURCE_EXHAUSTED);
    t.match(err.details, /calls_inflight_max=2/);
  }
  n1.hold = null;
  release();
  const done = await Promise.all(held);
  t.same(
    done.map((d) => d.code),
    ['OK', 'OK'],
  );
  const metrics = await n1.registry.metrics();
  t.match(metrics, /stockraft_grpc_calls_total\{method="Inventory\/GetPosition",code="RESOURCE_EXHAUSTED"\} 1/);
  t.match(metrics, /stockraft_grpc_calls_total\{method="Inventory\/Adjust",code="OK"\} 2/);
});

t.test('failover: a dead endpoint is skipped, the leader is found', async (t) => {
  const c = await fakeCluster(3);
  const [n1, n2, n3] = c.nodes as [NonNullable<(typeof c.nodes)[0]>, NonNullable<(typeof c.nodes)[0]>, NonNullable<(typeof c.nodes)[0]>];
  const client = new StockraftClient({ endpoints: [n1.address, n2.address, n3.address], deadline_ms: 5000 });
  t.teardown(async () => {
    client.close();
    await c.close();
  });
  await client.adjust({ sku: 's', location: 'w', delta: 1 });
  t.equal(client.endpoints.leader, 0, 'leader discovered');
  t.equal(n2.proposals + n3.proposals, 0, 'writes went straight to the leader');
  await n1.stop();
  c.leader = 'n2';
  const r = await client.adjust({ sku: 's', location: 'w', delta: 1 });
  t.equal(r.code, 'OK');
  t.equal(client.endpoints.leader, 1, 'moved to the new leader');
  for (let i = 0; i < 5; i++) t.equal((await client.getPosition('s', 'w'))?.on_hand, 2);
});

t.test('Watch delivers every event once, resuming from a cursor', async (t) => {
  const c = await fakeCluster(2);
  const [n1, n2] = c.nodes as [NonNullable<(typeof c.nodes)[0]>, NonNullable<(typeof c.nodes)[0]>];
  const client = new StockraftClient({ endpoints: [n2.address], deadline_ms: 3000 });
  t.teardown(async () => {
    client.close();
    await c.close();
  });
  // One entry with several events (a reserve of three lines), then more.
  await client.submit([
    { kind: 'adjust', sku: 'a', location: 'w', delta: 5 },
    { kind: 'adjust', sku: 'b', location: 'w', delta: 5 },
    { kind: 'adjust', sku: 'c', location: 'w', delta: 5 },
  ]);
  await client.reserve({
    reservation_id: 'wr',
    lines: [
      { sku: 'a', location: 'w', quantity: 1 },
      { sku: 'b', location: 'w', quantity: 1 },
      { sku: 'c', location: 'w', quantity: 1 },
    ],
    ttl_ms: 60_000,
  });
  const seen: string[] = [];
  let cursor = { from_index: 1, skip: 0 };
  for await (const item of client.watch({ from_index: 1 })) {
    seen.push(`${item.event.log_index}/${item.ordinal}/${item.event.sku}`);
    cursor = { from_index: item.event.log_index, skip: item.ordinal + 1 };
    if (seen.length === 4) break; // stop in the middle of log index 2
  }
  t.same(cursor, { from_index: 2, skip: 1 });
  await client.adjust({ sku: 'a', location: 'w', delta: 1 });
  for await (const item of client.watch(cursor)) {
    seen.push(`${item.event.log_index}/${item.ordinal}/${item.event.sku}`);
    if (seen.length === 7) break;
  }
  t.same(seen, ['1/0/a', '1/1/b', '1/2/c', '2/0/a', '2/1/b', '2/2/c', '3/0/a']);
  t.equal(n1.address.length > 0, true);
});

t.test('grpc.health.v1 answers SERVING with a leader, NOT_SERVING without', async (t) => {
  const c = await fakeCluster(1);
  const address = (c.nodes[0] as { address: string }).address;
  const { serviceOf } = await import('../../src/wire/protos.js');
  const { protoPath } = await import('grpc-health-check');
  const protoLoader = await import('@grpc/proto-loader');
  const Health = serviceOf(grpc.loadPackageDefinition(protoLoader.loadSync(protoPath, { keepCase: true, enums: String })), 'grpc.health.v1.Health');
  const h = new Health(address, grpc.credentials.createInsecure());
  t.teardown(async () => {
    h.close();
    await c.close();
  });
  const check = (service: string): Promise<{ status?: string; code?: number }> =>
    new Promise((resolve) =>
      (h as unknown as { Check: (req: object, cb: (err: grpc.ServiceError | null, res?: { status: string }) => void) => void }).Check({ service }, (err, res) =>
        resolve(err ? { code: err.code } : { status: res?.status ?? '' }),
      ),
    );
  t.same(await check(''), { status: 'SERVING' });
  t.same(await check('stockraft.v1.Inventory'), { status: 'SERVING' });
  t.same(await check('nope'), { code: grpc.status.NOT_FOUND });
  c.leader = null;
  t.same(await check(''), { status: 'NOT_SERVING' });
  c.leader = 'n1';
  t.same(await check(''), { status: 'SERVING' });
  (c.nodes[0] as { fatal_error: string | null }).fatal_error = 'safety violation on node n1';
  t.same(await check(''), { status: 'NOT_SERVING' }, 'a node stopped on a fatal error does not serve, leader or not');
  t.same(await check('stockraft.v1.Cluster'), { status: 'NOT_SERVING' });
});

t.test('batching: an invalid op fails alone, the others in its batch apply', async (t) => {
  const c = await fakeCluster(1);
  const n1 = c.nodes[0] as NonNullable<(typeof c.nodes)[0]>;
  const client = new StockraftClient({ endpoints: [n1.address], deadline_ms: 3000, batching: { max_delay_ms: 20, max_ops: 100 } });
  t.teardown(async () => {
    await client.close();
    await c.close();
  });
  const settled = await Promise.allSettled([
    client.adjust({ sku: 'bt', location: 'w', delta: 5 }),
    client.adjust({ sku: 'bad sku', location: 'w', delta: 5 }),
    client.reserve({ lines: [{ sku: 'bt', location: 'w', quantity: 2 }], ttl_ms: 10 }),
    client.adjust({ sku: 'bt', location: 'w', delta: 1 }),
  ]);
  t.same(
    settled.map((s) => s.status),
    ['fulfilled', 'rejected', 'rejected', 'fulfilled'],
  );
  const bad = settled[1] as PromiseRejectedResult;
  t.ok(bad.reason instanceof StockraftError && bad.reason.code === grpc.status.INVALID_ARGUMENT);
  t.match((bad.reason as StockraftError).details, /invalid sku: .*"bad sku"/, 'field named as in a single call');
  t.match(((settled[2] as PromiseRejectedResult).reason as StockraftError).details, /invalid ttl_ms/);
  t.equal(c.ledger.getPosition('bt', 'w')?.on_hand, 6);
  t.equal(client.batchStats().batches, 1, 'the valid ops went in one batch');
});

t.test('stream calls report errors as statuses', async (t) => {
  const c = await fakeCluster(1);
  const n1 = c.nodes[0] as NonNullable<(typeof c.nodes)[0]>;
  const client = new StockraftClient({ endpoints: [n1.address], deadline_ms: 3000 });
  t.teardown(async () => {
    await client.close();
    await c.close();
  });
  const err = await (async () => {
    for await (const x of client.watch({ from_index: 0 })) void x;
  })().catch((e: unknown) => e);
  t.ok(err instanceof StockraftError);
  if (err instanceof StockraftError) {
    t.equal(err.code, grpc.status.INVALID_ARGUMENT);
    t.match(err.details, /from_index.*1\.\./);
  }
  const metrics = await n1.registry.metrics();
  t.match(metrics, /stockraft_grpc_calls_total\{method="Inventory\/Watch",code="INVALID_ARGUMENT"\} 1/);
});

t.test('Watch ended by compaction: the events read, then OUT_OF_RANGE naming the first retained index, not resumed', async (t) => {
  const c = await fakeCluster(1);
  const n1 = c.nodes[0] as NonNullable<(typeof c.nodes)[0]>;
  const client = new StockraftClient({ endpoints: [n1.address], deadline_ms: 3000 });
  t.teardown(async () => {
    await client.close();
    await c.close();
  });
  await client.adjust({ sku: 'cp', location: 'w', delta: 1 });
  await client.adjust({ sku: 'cp', location: 'w', delta: 2 });
  let watches = 0;
  // The node's catch-up met the archived mark (9) moving past index 2, still needed.
  n1.watch = (from_index, onEvent, onEnd) => {
    watches++;
    for (const e of c.events) if (e.log_index >= from_index) onEvent(e);
    setTimeout(() => onEnd(new HistoryCompactedError(2, 9)), 20);
    return { close: () => undefined };
  };
  const seen: number[] = [];
  const err = await (async () => {
    for await (const x of client.watch({ from_index: 1 })) seen.push(x.event.log_index);
  })().catch((e: unknown) => e);
  t.same(seen, [1, 2], 'the events read before the end went out');
  t.ok(err instanceof StockraftError, String(err));
  if (err instanceof StockraftError) {
    t.equal(err.code, grpc.status.OUT_OF_RANGE);
    t.notMatch(err.details, /corrupt|resume from the last event/);
    t.equal(err.status_details?.reason, 'COMPACTED');
    t.same(err.status_details?.metadata, { first_retained_index: '10', archived_through_index: '9' });
  }
  t.equal(watches, 1, 'the SDK does not resume a compacted watch');
});

t.test('streams are bounded apart from unary calls', async (t) => {
  const c = await fakeCluster(1, 100, 1);
  const n1 = c.nodes[0] as NonNullable<(typeof c.nodes)[0]>;
  const client = new StockraftClient({ endpoints: [n1.address], deadline_ms: 3000 });
  t.teardown(async () => {
    await client.close();
    await c.close();
  });
  await client.adjust({ sku: 'st', location: 'w', delta: 1 });
  const first = client.watch({ from_index: 1, reconnects_max: 0 })[Symbol.asyncIterator]();
  t.equal((await first.next()).value?.event.sku, 'st', 'the first stream is served');
  const second = await (async () => {
    for await (const x of client.watch({ from_index: 1, reconnects_max: 0 })) void x;
  })().catch((e: unknown) => e);
  t.ok(second instanceof StockraftError, 'the second stream is refused');
  t.equal((await client.getPosition('st', 'w'))?.on_hand, 1, 'unary calls still pass');
  await first.return?.(undefined);
  const metrics = await n1.registry.metrics();
  t.match(metrics, /method="Inventory\/Watch",code="RESOURCE_EXHAUSTED"\} 1/);
});

t.test('failover: a write rides out followers still naming a dead leader', async (t) => {
  const c = await fakeCluster(3);
  const [n1] = c.nodes as [NonNullable<(typeof c.nodes)[0]>];
  const client = new StockraftClient({ endpoints: c.nodes.map((n) => n.address), deadline_ms: 8000, attempts_max: 10 });
  t.teardown(async () => {
    await client.close();
    await c.close();
  });
  await client.adjust({ sku: 'q', location: 'w', delta: 1 });
  t.equal(client.endpoints.leader, 0);
  await n1.stop();
  // Followers keep naming n1 for a while, as they do until their election timeout.
  setTimeout(() => (c.leader = 'n3'), 600);
  const r = await client.adjust({ op_id: 'q-2', sku: 'q', location: 'w', delta: 1 });
  t.equal(r.code, 'OK');
  t.equal(client.endpoints.leader === 0, false, 'the dead node is no longer taken for the leader');
});

t.test('INVALID_ARGUMENT carries a google.rpc BadRequest naming the field and the value', async (t) => {
  const c = await fakeCluster(1);
  const address = (c.nodes[0] as { address: string }).address;
  const client = new StockraftClient({ endpoints: [address], deadline_ms: 3000, attempts_max: 1 });
  t.teardown(async () => {
    client.close();
    await c.close();
  });
  const err = await client.reserve({ reservation_id: 'bad-ttl', lines: [{ sku: 's', location: 'w', quantity: 1 }], ttl_ms: 5 }).then(
    () => null,
    (e: unknown) => e,
  );
  t.ok(err instanceof StockraftError);
  if (!(err instanceof StockraftError)) return;
  t.equal(err.code, grpc.status.INVALID_ARGUMENT);
  t.equal(err.status_details?.reason, 'INVALID_ARGUMENT');
  t.same(err.status_details?.field_violations.map((v) => v.field), ['ttl_ms'], 'one violation, naming the field');
  t.match(err.status_details?.field_violations[0]?.description, /, got 5$/, 'the description ends with the exact value');
  t.equal(err.status_details?.retry_delay_ms, null, 'no RetryInfo on a refusal a retry cannot cure');
  t.equal(c.log_index, 0, 'nothing proposed');
});

t.test('the SDK reads the leader hint from ErrorInfo, else from the older metadata key', async (t) => {
  const codec = new StatusDetailsCodec();
  const bytes = codec.encode({ code: grpc.status.UNAVAILABLE, message: 'not the leader', field_violations: [], reason: 'NOT_LEADER', domain: 'stockraft.v1', metadata: { leader_id: 'n3', leader_address: '127.0.0.1:7003' }, retry_delay_ms: 100 });
  const md = new grpc.Metadata();
  md.set('grpc-status-details-bin', bytes);
  const err = Object.assign(new Error('x'), { code: grpc.status.UNAVAILABLE, details: 'not the leader', metadata: md }) as grpc.ServiceError;
  const decoded = codec.decode(bytes);
  t.same(decoded?.metadata, { leader_id: 'n3', leader_address: '127.0.0.1:7003' });
  t.equal(leaderHint(err, decoded), '127.0.0.1:7003', 'hint from ErrorInfo');
  t.equal(leaderHint(err, null), null, 'no hint without details or the old key');
  const old = new grpc.Metadata();
  old.set('x-stockraft-leader-address', '127.0.0.1:7002');
  t.equal(leaderHint({ ...err, metadata: old }, null), '127.0.0.1:7002', 'older servers: the metadata key');
  t.equal(codec.decode(Buffer.from([0xff, 0xff])), null, 'a broken trailer decodes to null');
});
