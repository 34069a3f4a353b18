// Leader-only calls follow leader changes (src/server/leader-route.ts), against in-process
// fake nodes and a raw gRPC client (no SDK retries): a forwarded write hanging at a paused
// leader is cut and sent to the new leader; a stale leader's "not the leader" and a dead
// leader's UNAVAILABLE are followed; a non-idempotent call is not sent twice; every
// deadline error carries the outcome-unknown metadata, and the SDK retries on it.

import t from 'tap';
import * as grpc from '@grpc/grpc-js';
import { fakeCluster, type FakeCluster, type FakeNode } from './fake-node.js';
import { StockraftClient, StockraftError } from '../../src/client/index.js';
import { raw } from './raw-call.js';
import { FORWARDED_KEY, OUTCOME_UNKNOWN_KEY } from '../../src/wire/metadata.js';
import { classifyForwarded, classifyLocal } from '../../src/server/leader-route.js';
import { NodeError } from '../../src/node/node-api.js';

function adjust(op_id: string, delta: number): object {
  return { op_id, sku: 's', location: 'w', delta, reason: 'test', reference: '' };
}

async function until(what: string, cond: () => boolean, timeout_ms = 5000): Promise<void> {
  const end = Date.now() + timeout_ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function nodes(c: FakeCluster): [FakeNode, FakeNode, FakeNode] {
  return c.nodes as [FakeNode, FakeNode, FakeNode];
}

/** A hold that can be released later (a paused leader resumed). */
function pause(n: FakeNode): () => void {
  let release: () => void = () => undefined;
  n.hold = new Promise((r) => (release = r));
  return () => {
    n.hold = null;
    release();
  };
}

t.test('a write forwarded to a paused leader is cut and sent to the new leader, applied once', async (t) => {
  const c = await fakeCluster(3);
  const [n1, n2, n3] = nodes(c);
  t.teardown(() => c.close());
  const resume = pause(n1);
  const call = raw(n2.address, 'Inventory', 'Adjust', adjust('w-1', 5), 3000);
  await until('the leader to hold the forwarded write', () => n1.proposals === 1);
  c.leader = 'n3';
  const r = await call;
  t.equal(r.err, null, 'the write succeeded');
  t.match(r.reply, { code: 'RESULT_CODE_OK', replay: false });
  t.ok(r.ms < 2000, `answered in ${r.ms} ms, well before the 3 s deadline`);
  t.equal(n3.proposals, 1, 'the new leader proposed it');
  resume();
  await until('the old leader to answer its held proposal', () => n1.hold === null);
  await new Promise((r) => setTimeout(r, 20));
  t.equal(c.ledger.getPosition('s', 'w')?.on_hand, 5, 'applied once');
  t.equal(n2.leaderListeners(), 0, 'no leader-change listener left behind');
});

t.test("a stale leader's not-leader answer is followed to the leader it names", async (t) => {
  const c = await fakeCluster(3);
  const [n1, n2, n3] = nodes(c);
  t.teardown(() => c.close());
  n2.setView('n1'); // n2 has not heard of the election yet
  c.leader = 'n3';
  const r = await raw(n2.address, 'Inventory', 'Adjust', adjust('w-2', 3), 3000);
  t.equal(r.err, null);
  t.equal(n1.proposals, 1, 'the old leader was asked and refused');
  t.equal(n3.proposals, 1, 'the leader it named carried the write out');
  t.equal(c.ledger.getPosition('s', 'w')?.on_hand, 3);
});

t.test('an unreachable leader is retried until this node learns of the new one', async (t) => {
  const c = await fakeCluster(3);
  const [n1, n2, n3] = nodes(c);
  t.teardown(() => c.close());
  await n1.stop();
  n2.setView('n1');
  c.leader = 'n3';
  setTimeout(() => n2.setView(undefined), 300);
  const r = await raw(n2.address, 'Inventory', 'Adjust', adjust('w-3', 2), 3000);
  t.equal(r.err, null, `succeeded after ${r.ms} ms`);
  t.ok(r.ms >= 250, 'only once the new leader was known');
  t.equal(n3.proposals, 1);
  t.equal(c.ledger.getPosition('s', 'w')?.on_hand, 2);
});

t.test('a lost attempt and no reachable new leader: UNAVAILABLE with the outcome-unknown metadata before the deadline', async (t) => {
  const c = await fakeCluster(3);
  const [n1, n2, n3] = nodes(c);
  const resume = pause(n1);
  t.teardown(async () => {
    resume();
    await c.close();
  });
  await n3.stop();
  const call = raw(n2.address, 'Inventory', 'Adjust', adjust('w-4', 1), 5000);
  await until('the leader to hold the forwarded write', () => n1.proposals === 1);
  c.leader = 'n3'; // elected, but this node cannot reach it
  const r = await call;
  t.equal(r.err?.code, grpc.status.UNAVAILABLE);
  t.match(r.err?.details, /^outcome unknown: retry with the same id \(or ask GetOutcome\).*attempt/);
  t.same(r.err?.metadata.get(OUTCOME_UNKNOWN_KEY), ['1']);
  t.ok(r.ms < 4000, `answered after ${r.ms} ms, before the 5 s deadline`);
});

t.test('a non-idempotent call whose attempt was cut is not sent again', async (t) => {
  const c = await fakeCluster(3);
  const [n1, n2, n3] = nodes(c);
  const resume = pause(n1);
  t.teardown(async () => {
    resume();
    await c.close();
  });
  const call = raw(n2.address, 'Cluster', 'AddLearner', { id: 'n9', address: '127.0.0.1:1' }, 3000);
  await until('the leader to hold the forwarded call', () => n1.hold !== null && n2.leaderListeners() === 1);
  c.leader = 'n3';
  const r = await call;
  t.equal(r.err?.code, grpc.status.UNAVAILABLE);
  t.match(r.err?.details, /outcome unknown.*not idempotent/);
  t.same(r.err?.metadata.get(OUTCOME_UNKNOWN_KEY), ['1']);
  t.same(n3.membership, [], 'the new leader never saw it');
});

const DEADLINE_TEST_MS = 4000;

t.test('deadline errors at the edge carry the outcome-unknown metadata; the SDK retries them', async (t) => {
  const c = await fakeCluster(3);
  const [n1, n2] = nodes(c);
  const resume = pause(n1);
  const sdk = new StockraftClient({ endpoints: [n2.address], deadline_ms: 2000, attempts_max: 2 });
  t.teardown(async () => {
    resume();
    sdk.close();
    await c.close();
  });
  for (const [who, address, op_id] of [
    ['own deadline (the leader)', n1.address, 'd-own'],
    ['forwarded deadline (a follower)', n2.address, 'd-fwd'],
  ] as const) {
    // 4 s: the edge keeps a twentieth of the budget (200 ms here) to answer before the
    // caller's own timer, room enough for a busy event loop on a loaded machine.
    const r = await raw(address, 'Inventory', 'Adjust', adjust(op_id, 1), DEADLINE_TEST_MS);
    t.equal(r.err?.code, grpc.status.DEADLINE_EXCEEDED, `${who}: DEADLINE_EXCEEDED`);
    t.match(r.err?.details, /^outcome unknown: retry with the same id \(or ask GetOutcome\)/, `${who}: the advice`);
    t.same(r.err?.metadata.get(OUTCOME_UNKNOWN_KEY), ['1'], `${who}: the metadata, from the server`);
    t.ok(r.ms < DEADLINE_TEST_MS, `${who}: answered by the server after ${r.ms} ms, not by the client's timer`);
  }
  const err = await sdk.adjust({ op_id: 'sdk-d', sku: 's', location: 'w', delta: 1 }).then(
    () => null,
    (e: unknown) => e,
  );
  t.ok(err instanceof StockraftError);
  if (err instanceof StockraftError) {
    t.equal(err.code, grpc.status.DEADLINE_EXCEEDED);
    t.equal(err.outcome_unknown, true, 'the SDK reports the outcome as unknown');
    t.equal(err.attempts, 2, 'and retried it with the same id');
    t.equal(err.id, 'sdk-d');
  }
});

t.test('the SDK retries an UNAVAILABLE outcome-unknown answer and gets the result', async (t) => {
  const c = await fakeCluster(3);
  const [n1, n2, n3] = nodes(c);
  const resume = pause(n1);
  const sdk = new StockraftClient({ endpoints: [n2.address], deadline_ms: 5000, attempts_max: 3 });
  t.teardown(async () => {
    resume();
    sdk.close();
    await c.close();
  });
  await n3.stop();
  const write = sdk.adjust({ op_id: 'sdk-u', sku: 's', location: 'w', delta: 4 });
  await until('the leader to hold the forwarded write', () => n1.proposals === 1);
  c.leader = 'n3'; // unreachable: n2 answers UNAVAILABLE, outcome unknown
  const unknown_answers = async (): Promise<number> => Number(/stockraft_grpc_calls_total\{method="Inventory\/Adjust",code="UNAVAILABLE"\} (\d+)/.exec(await n2.registry.metrics())?.[1] ?? 0);
  const end = Date.now() + 4000;
  while ((await unknown_answers()) < 1 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  t.ok((await unknown_answers()) >= 1, 'n2 answered UNAVAILABLE');
  c.leader = 'n2'; // n2 itself leads now: the SDK's retry is carried out there
  const r = await write;
  t.equal(r.code, 'OK');
  t.equal(r.replay, false, 'the first attempt never applied');
  t.equal(c.ledger.getPosition('s', 'w')?.on_hand, 4, 'applied once');
});

t.test('a forwarded call is never forwarded again', async (t) => {
  const c = await fakeCluster(3);
  const [n1, n2] = nodes(c);
  t.teardown(() => c.close());
  const md = new grpc.Metadata();
  md.set(FORWARDED_KEY, 'n3');
  const r = await raw(n2.address, 'Inventory', 'Adjust', adjust('f-1', 1), 2000, md);
  t.equal(r.err?.code, grpc.status.UNAVAILABLE);
  t.match(r.err?.details, /^not the leader \(leader: n1\)/);
  t.equal(n1.proposals, 0, 'the leader never saw it');
  t.equal(n2.proposals, 1, 'the follower tried it itself and refused');
});

t.test('attempt classification: what may be sent again, and whether it may have applied', async (t) => {
  const svcErr = (code: grpc.status, details: string, unknown = false): grpc.ServiceError => {
    const metadata = new grpc.Metadata();
    if (unknown) metadata.set(OUTCOME_UNKNOWN_KEY, '1');
    return Object.assign(new Error(details), { code, details, metadata });
  };
  const cases: [string, ReturnType<typeof classifyForwarded>, string, boolean | null][] = [
    ['cut', classifyForwarded(new Error('x'), true), 'retry', true],
    ['no connection', classifyForwarded(svcErr(grpc.status.UNAVAILABLE, 'No connection established. Last error: ECONNREFUSED'), false), 'retry', false],
    ['not the leader', classifyForwarded(svcErr(grpc.status.UNAVAILABLE, 'not the leader (leader: n3): retry'), false), 'retry', false],
    ['connection lost', classifyForwarded(svcErr(grpc.status.UNAVAILABLE, 'Connection dropped'), false), 'retry', true],
    ['outcome unknown', classifyForwarded(svcErr(grpc.status.UNAVAILABLE, 'no leader yet: retry', true), false), 'retry', true],
    ['deadline', classifyForwarded(svcErr(grpc.status.DEADLINE_EXCEEDED, 'Deadline exceeded'), false), 'retry', true],
    ['invalid', classifyForwarded(svcErr(grpc.status.INVALID_ARGUMENT, 'bad'), false), 'final', null],
    ['overloaded', classifyForwarded(svcErr(grpc.status.RESOURCE_EXHAUSTED, 'overloaded: x'), false), 'final', null],
    ['local not leader', classifyLocal(new NodeError('not_leader', 'x', 'n3', 'a:1'), Date.now() + 1000), 'retry', false],
    ['local unknown', classifyLocal(new NodeError('outcome_unknown', 'x'), Date.now() + 1000), 'retry', true],
    ['local invalid', classifyLocal(new NodeError('invalid', 'x'), Date.now() + 1000), 'final', null],
    ['local bug', classifyLocal(new Error('x'), Date.now() + 1000), 'final', null],
  ];
  for (const [name, got, kind, maybe] of cases) {
    t.equal(got.kind, kind, `${name}: ${kind}`);
    if (got.kind === 'retry') t.equal(got.maybe_applied, maybe, `${name}: may have applied = ${String(maybe)}`);
  }
  const hinted = classifyLocal(new NodeError('not_leader', 'x', 'n3', 'a:1'), Date.now() + 1000);
  t.match(hinted, { hint: 'n3', hint_address: 'a:1' }, 'a refusal names the leader to go to');
});
