// Fuzz: thousands of malformed and hostile requests against a live 3-node cluster (garbage
// bytes, wrong wire types, huge strings, negative and enormous quantities, 1,001-op
// batches, duplicate lines, unknown enum values, deep nesting, oversized messages).
// Afterwards every node still serves, nothing from a rejected request was applied (head
// hash and positions unchanged), and the ledger's invariants and hash chains hold.
// Seeded: a failure replays with the same FUZZ_SEED. With FUZZ_TLS=1 the cluster runs with
// TLS and mutual TLS and every request is made as the admin client certificate
// (test/security/fuzz-tls.test.ts runs it so); FUZZ_REQUESTS overrides the count.

import t from 'tap';
import * as grpc from '@grpc/grpc-js';
import { StockdCluster } from '../server/cluster-harness.js';
import { StockraftClient } from '../../src/client/index.js';
import { inventoryService, clusterService } from '../../src/wire/protos.js';
import { verifyNode } from '../../src/cli/verify.js';
import { makeCerts } from '../security/fixture.js';
import { seededRng } from '../../src/util/rng.js';

const SEED = Number(process.env['FUZZ_SEED'] ?? 20261122);
const REQUESTS = Math.min(Number(process.env['FUZZ_REQUESTS'] ?? 3000), 100_000);
const certs = process.env['FUZZ_TLS'] === '1' ? makeCerts('n1,n2,n3', 'admin') : null;
const CONCURRENCY = 32;


const c = await StockdCluster.start({ size: 3, ...(certs !== null ? { tls: { certs_dir: certs.dir } } : {}) });
const ids = ['n1', 'n2', 'n3'];
const credentials = c.clientCredentials();
const client = new StockraftClient({ endpoints: ids.map((id) => c.address(id)), deadline_ms: 8000, credentials });
const raws = ids.map((id) => new grpc.Client(c.address(id), credentials));
t.teardown(async () => {
  client.close();
  for (const r of raws) r.close();
  await c.close();
  certs?.cleanup();
});
await c.waitForLeader();

const inv = inventoryService().service;
const clu = clusterService().service;
const WRITES = ['Reserve', 'Commit', 'Release', 'Extend', 'Adjust', 'Submit'];
const READS = ['GetPosition', 'GetPositions', 'GetReservation', 'ListEvents', 'ListPositions', 'GetOutcome'];
const ADMIN = ['AddLearner', 'Promote', 'Remove', 'TransferLeadership'];

function path(method: string): string {
  return ADMIN.includes(method) ? `/stockraft.v1.Cluster/${method}` : `/stockraft.v1.Inventory/${method}`;
}

function encode(method: string, obj: unknown): Buffer {
  const def = (ADMIN.includes(method) ? clu : inv)[method] as grpc.MethodDefinition<unknown, unknown>;
  return def.requestSerialize(obj);
}

const rand = seededRng(SEED);
const int = (n: number): number => Math.floor(rand() * n);
const choose = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T;

function garbage(max: number): Buffer {
  const b = Buffer.alloc(int(max));
  for (let i = 0; i < b.length; i++) b[i] = int(256);
  return b;
}

/** Start-group tags nested `depth` deep in an unknown field: a stack-depth attack. */
function deepGroups(depth: number): Buffer {
  return Buffer.concat([Buffer.alloc(depth, 0x7b), Buffer.alloc(depth, 0x7c)]); // field 15 start/end group
}

/** Length-delimited field 1 nested `depth` deep. */
function deepNesting(depth: number): Buffer {
  let inner = Buffer.from([0x0a, 0x00]);
  for (let i = 0; i < depth; i++) {
    const len = Buffer.from(varint(inner.length));
    inner = Buffer.concat([Buffer.from([0x0a]), len, inner]);
  }
  return inner;
}

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

// (A fraction cannot travel: int64 encoding truncates it, so none is listed here.)
const BAD_QUANTITIES = [0, -1, -1e12, 1e12 + 1, 2 ** 53, 9.2e18, -9.2e18];
const BAD_NAMES = ['', ' ', 'a b', 'é', 'x'.repeat(129), 'x'.repeat(100_000), '\u0000', 'a@b', 'a\nb'];
const huge = (n: number): string => 'h'.repeat(n);

/** A request object that breaks at least one rule of the method it goes to. */
function hostile(method: string): unknown {
  const line = () => ({ sku: 'fz', location: 'wh', quantity: 1 });
  switch (method) {
    case 'Adjust':
      return choose([
        { op_id: 'fz', sku: 'fz', location: 'wh', delta: choose([0, 2e12, -2e12, 9.2e18]) },
        { op_id: '', sku: 'fz', location: 'wh', delta: 1 },
        { op_id: huge(65), sku: 'fz', location: 'wh', delta: 1 },
        { op_id: 'fz', sku: choose(BAD_NAMES), location: 'wh', delta: 1 },
        { op_id: 'fz', sku: 'fz', location: choose(BAD_NAMES), delta: 1 },
        { op_id: 'fz', sku: 'fz', location: 'wh', delta: 1, reason: huge(257) },
        { op_id: 'fz', sku: 'fz', location: 'wh', delta: 1, reference: 'a\u0001' },
        { op_id: 'fz', sku: 'fz', location: 'wh', delta: 1, expected_on_hand: -5 },
      ]);
    case 'Reserve':
      return choose([
        { reservation_id: 'fz', lines: [], ttl_ms: 5000 },
        { reservation_id: 'fz', lines: [{ ...line(), quantity: choose(BAD_QUANTITIES) }], ttl_ms: 5000 },
        { reservation_id: 'fz', lines: [line(), line()], ttl_ms: 5000 },
        { reservation_id: 'fz', lines: Array.from({ length: 101 }, (_, i) => ({ sku: `s${i}`, location: 'wh', quantity: 1 })), ttl_ms: 5000 },
        { reservation_id: 'fz', lines: [line()], ttl_ms: choose([0, 999, 7 * 86_400_000 + 1, -1]) },
        { reservation_id: 'fz', lines: [{ ...line(), sku: choose(BAD_NAMES) }], ttl_ms: 5000 },
        { reservation_id: 'fz', lines: [line()], ttl_ms: 5000, order_ref: huge(300) },
      ]);
    case 'Commit':
      return choose([
        { op_id: '', reservation_id: 'r' },
        { op_id: 'fz', reservation_id: '' },
        { op_id: 'fz', reservation_id: 'r', lines: [line(), line()] },
        { op_id: 'fz', reservation_id: 'r', lines: [{ ...line(), quantity: -3 }] },
      ]);
    case 'Release':
      return choose([{ op_id: 'fz', reservation_id: 'r', reason: huge(1000) }, { op_id: 'fz fz', reservation_id: 'r' }]);
    case 'Extend':
      return choose([{ op_id: 'fz', reservation_id: 'r', ttl_ms: 1 }, { op_id: 'fz', reservation_id: '', ttl_ms: 5000 }]);
    case 'Submit':
      return choose([
        { ops: [] },
        { ops: Array.from({ length: 1001 }, (_, i) => ({ release: { op_id: `fz${i}`, reservation_id: 'r', reason: '' } })) },
        { ops: [{}] },
        { ops: [{ adjust: { op_id: 'ok1', sku: 'fz', location: 'wh', delta: 1 } }, { adjust: { op_id: 'bad', sku: 'fz', location: 'wh', delta: 0 } }] },
        { ops: [{ adjust: { op_id: 'dup', sku: 'fz', location: 'wh', delta: 1 } }, { adjust: { op_id: 'dup', sku: 'fz', location: 'wh', delta: 1 } }] },
      ]);
    case 'GetPosition':
      return { sku: choose(BAD_NAMES), location: 'wh' };
    case 'GetPositions':
      return choose([{ keys: [] }, { keys: Array.from({ length: 1001 }, () => ({ sku: 'a', location: 'b' })) }]);
    case 'GetReservation':
      return { reservation_id: choose(['', huge(65), 'a b']) };
    case 'ListEvents':
      return { sku: 'fz', location: 'wh', limit: 1001 };
    case 'ListPositions':
      return { after_sku: 'a b', after_location: 'wh' };
    case 'GetOutcome':
      return { op_id: choose(['', huge(100)]) };
    case 'AddLearner':
      return choose([{ id: '', address: '127.0.0.1:1' }, { id: 'n9', address: 'no-port' }, { id: huge(65), address: '127.0.0.1:1' }]);
    case 'Promote':
    case 'Remove':
      return { id: choose(['', 'a b', huge(100)]) };
    case 'TransferLeadership':
      return { to: choose(['', 'a b']) };
    default:
      throw new Error(`no hostile form for ${method}`);
  }
}

/** Raw bytes: garbage, wrong wire types, unknown enum values, nesting, oversize. */
function hostileBytes(method: string): Buffer {
  switch (int(7)) {
    case 0:
      return garbage(64);
    case 1:
      return garbage(4096);
    case 2:
      // consistency (field 3 of GetPosition, field 2/5 elsewhere) = 99: no such enum value.
      return Buffer.from([0x0a, 0x01, 0x61, 0x12, 0x01, 0x62, 0x18, 0x63, 0x10, 0x63, 0x28, 0x63]);
    case 3:
      return deepGroups(5000 + int(50_000));
    case 4:
      return deepNesting(50 + int(500));
    case 5:
      // A string field sent as a varint and a varint field as a fixed64.
      return Buffer.from([0x08, 0x01, 0x21, 1, 2, 3, 4, 5, 6, 7, 8]);
    default:
      // A valid encoding of a hostile object with random trailing garbage.
      return Buffer.concat([encode(method, hostile(method)), garbage(16)]);
  }
}

function call(i: number, p: string, body: Buffer): Promise<grpc.status> {
  const raw = raws[i % raws.length] as grpc.Client;
  return new Promise((resolve) =>
    raw.makeUnaryRequest(
      p,
      (b: Buffer) => b,
      (b: Buffer) => b,
      body,
      new grpc.Metadata(),
      { deadline: Date.now() + 10_000 },
      (err) => resolve(err ? err.code : grpc.status.OK),
    ),
  );
}

t.test(`fuzz (seed ${SEED}${certs !== null ? ', TLS' : ''})`, async (t) => {
  await client.adjust({ op_id: 'fz-seed', sku: 'fz', location: 'wh', delta: 10 });
  await client.reserve({ reservation_id: 'fz-r', lines: [{ sku: 'fz', location: 'wh', quantity: 3 }], ttl_ms: 600_000 });
  const converged = await c.waitConverged();
  const positionsBefore = await client.listPositions({ limit: 1000 });

  const codes = new Map<string, number>();
  let writesAccepted = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < REQUESTS) {
      const i = next++;
      const method = choose([...WRITES, ...WRITES, ...READS, ...ADMIN]);
      const body = rand() < 0.5 ? hostileBytes(method) : encode(method, hostile(method));
      const code = await call(i, path(method), body);
      const k = grpc.status[code] ?? String(code);
      codes.set(k, (codes.get(k) ?? 0) + 1);
      if (code === grpc.status.OK && WRITES.includes(method)) {
        writesAccepted++;
        t.comment(`accepted ${method}: ${body.toString('hex').slice(0, 400)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  // Oversized messages are refused by the transport.
  for (let i = 0; i < 3; i++) {
    const code = await call(i, path('Adjust'), encode('Adjust', { op_id: 'big', sku: 'fz', location: 'wh', delta: 1, reason: huge(5 * 1024 * 1024) }));
    t.equal(code, grpc.status.RESOURCE_EXHAUSTED, `oversized message refused on n${i + 1}`);
  }
  t.comment(`codes: ${JSON.stringify(Object.fromEntries(codes))}`);
  t.equal(writesAccepted, 0, 'no hostile write was accepted');
  t.notOk(codes.has('INTERNAL') || codes.has('UNKNOWN'), 'no request crashed a handler');

  // Every node still serves, and nothing was applied.
  for (const [i, id] of ids.entries()) {
    const only = new StockraftClient({ endpoints: [c.address(id)], deadline_ms: 5000, credentials });
    try {
      const st = await only.status();
      t.equal(st.head_hash, converged.head_hash, `${id}: head hash unchanged`);
      t.equal((await only.getPosition('fz', 'wh'))?.reserved, 3, `${id}: serves linearizable reads`);
      const verdict = await verifyNode(c.address(id), only);
      t.ok(verdict.ok, `${id}: hash chains verify (${verdict.reason ?? 'ok'})`);
    } finally {
      only.close();
    }
    void i;
  }
  const positionsAfter = await client.listPositions({ limit: 1000 });
  t.same(positionsAfter, positionsBefore, 'positions unchanged');
  for (const p of positionsAfter.positions) t.ok(p.reserved >= 0 && p.reserved <= p.on_hand && p.available === p.on_hand - p.reserved, `${p.sku}@${p.location} invariant`);
  const w = await client.adjust({ sku: 'fz', location: 'wh', delta: 1 });
  t.equal(w.code, 'OK', 'the cluster still takes writes');
});
