// Out-of-range int64 values are refused with the exact value the caller sent: the server
// decodes int64 as decimal strings, so 2^53 + 1 is not rounded to 2^53 before validation,
// and both the status message and the google.rpc.BadRequest field violation quote it.
// Calls go through a plain gRPC client that sends the int64 as decimal text, as a client
// in a language with real 64-bit integers would put it on the wire.

import t from 'tap';
import * as grpc from '@grpc/grpc-js';
import { fakeCluster } from '../api/fake-node.js';
import { raw } from '../api/raw-call.js';
import { inventoryService } from '../../src/wire/protos.js';
import { StatusDetailsCodec } from '../../src/wire/status-details.js';
import * as V from '../../src/wire/validate.js';

const TWO_53_PLUS_1 = '9007199254740993'; // Number() makes it ...992
const INT64_MAX = '9223372036854775807'; // Number() makes it 9223372036854775808
const INT64_MIN = '-9223372036854775808';
const MINUS_TWO_53_MINUS_1 = '-9007199254740993';
const CALL_TIMEOUT_MS = 3000;

const line = (quantity: string | number) => ({ sku: 's', location: 'w', quantity });
const reserve = (over: object) => ({ reservation_id: 'r-big', lines: [line(1)], ttl_ms: 60_000, order_ref: '', ...over });
const adjust = (over: object) => ({ op_id: 'a-big', sku: 's', location: 'w', delta: 1, reason: '', reference: '', ...over });

interface Case {
  readonly name: string;
  readonly method: string;
  readonly request: object;
  readonly field: string;
  readonly value: string;
}

const CASES: readonly Case[] = [
  { name: 'quantity 2^53+1', method: 'Reserve', request: reserve({ lines: [line(TWO_53_PLUS_1)] }), field: 'lines[0].quantity', value: TWO_53_PLUS_1 },
  { name: 'quantity 2^63-1', method: 'Reserve', request: reserve({ lines: [line(INT64_MAX)] }), field: 'lines[0].quantity', value: INT64_MAX },
  { name: 'quantity negative', method: 'Commit', request: { op_id: 'c', reservation_id: 'r', lines: [line(MINUS_TWO_53_MINUS_1)] }, field: 'lines[0].quantity', value: MINUS_TWO_53_MINUS_1 },
  { name: 'delta 2^53+1', method: 'Adjust', request: adjust({ delta: TWO_53_PLUS_1 }), field: 'delta', value: TWO_53_PLUS_1 },
  { name: 'delta int64 min', method: 'Adjust', request: adjust({ delta: INT64_MIN }), field: 'delta', value: INT64_MIN },
  { name: 'ttl_ms 2^63-1', method: 'Reserve', request: reserve({ ttl_ms: INT64_MAX }), field: 'ttl_ms', value: INT64_MAX },
  { name: 'ttl_ms negative', method: 'Extend', request: { op_id: 'e', reservation_id: 'r', ttl_ms: MINUS_TWO_53_MINUS_1 }, field: 'ttl_ms', value: MINUS_TWO_53_MINUS_1 },
  { name: 'expected_on_hand 2^53+1', method: 'Adjust', request: adjust({ expected_on_hand: TWO_53_PLUS_1 }), field: 'expected_on_hand', value: TWO_53_PLUS_1 },
  { name: 'expected_on_hand negative', method: 'Adjust', request: adjust({ expected_on_hand: INT64_MIN }), field: 'expected_on_hand', value: INT64_MIN },
  {
    name: 'in a batch',
    method: 'Submit',
    request: { ops: [{ reserve: reserve({ lines: [line(TWO_53_PLUS_1)] }) }] },
    field: 'ops[0].reserve.lines[0].quantity',
    value: TWO_53_PLUS_1,
  },
];

/** The refusal as a non-SDK client sees it: code, message and the BadRequest violation. */
function refusalOf(err: grpc.ServiceError | null): { code: number; message: string; field: string; description: string } | null {
  if (err === null) return null;
  const bytes = err.metadata.get('grpc-status-details-bin')[0];
  const details = bytes instanceof Buffer ? new StatusDetailsCodec().decode(bytes) : null;
  const v = details?.field_violations[0];
  return { code: err.code, message: err.details, field: v?.field ?? '', description: v?.description ?? '' };
}

t.test('out-of-range int64 values are refused quoting the exact value sent', async (t) => {
  const c = await fakeCluster(1);
  const address = (c.nodes[0] as { address: string }).address;
  t.teardown(() => c.close());
  for (const k of CASES) {
    const { err } = await raw(address, 'Inventory', k.method, k.request, CALL_TIMEOUT_MS);
    const r = refusalOf(err);
    t.equal(r?.code, grpc.status.INVALID_ARGUMENT, `${k.name}: INVALID_ARGUMENT`);
    t.equal(r?.field, k.field, `${k.name}: the violation names the field`);
    t.ok(r?.description.endsWith(`, got ${k.value}`), `${k.name}: the violation quotes ${k.value} (got "${r?.description}")`);
    t.ok(r?.message.endsWith(`, got ${k.value}`), `${k.name}: the message quotes ${k.value} (got "${r?.message}")`);
  }
  t.equal(c.log_index, 0, 'nothing was proposed');
});

t.test('in-range int64 values sent as text still pass, as exact numbers', async (t) => {
  const c = await fakeCluster(1);
  const address = (c.nodes[0] as { address: string }).address;
  t.teardown(() => c.close());
  const { err, reply } = await raw(address, 'Inventory', 'Adjust', adjust({ op_id: 'a-ok', delta: '1000000000000', expected_on_hand: '0' }), CALL_TIMEOUT_MS);
  t.equal(err, null, 'accepted');
  const on_hand = (reply as { positions: { on_hand: number }[] } | undefined)?.positions[0]?.on_hand;
  t.equal(on_hand, 1_000_000_000_000, 'the balance is the exact quantity, 10^12');
});

t.test('known bad: decoding int64 as Number would quote a rounded value', async (t) => {
  // The SDK's definition (longs as Number) decodes the same bytes the server now decodes
  // as text: what the edge would have seen before, and what the checks above would catch.
  const def = inventoryService('client').service['Adjust'] as grpc.MethodDefinition<object, object>;
  const bytes = def.requestSerialize(adjust({ delta: TWO_53_PLUS_1 }));
  const rounded = (def.requestDeserialize(bytes) as { delta: unknown }).delta;
  t.equal(rounded, 9007199254740992, 'Number rounds 2^53 + 1 down');
  const e = t.throws(() => V.checkInt('delta', rounded, -1, 1)) as V.EdgeError;
  t.not(e.value, TWO_53_PLUS_1, 'a rounded value would fail the exact-value checks');
  const server = inventoryService('server').service['Adjust'] as grpc.MethodDefinition<object, object>;
  t.equal((server.requestDeserialize(bytes) as { delta: unknown }).delta, TWO_53_PLUS_1, 'the server decodes it exactly');
});

t.test('checkInt takes exact decimal text and refuses anything else', async (t) => {
  t.equal(V.checkInt('f', '42', 0, 100), 42);
  t.equal(V.checkInt('f', '-7', -10, 10), -7);
  t.equal(V.checkInt('f', 5, 0, 10), 5, 'numbers (the SDK, uint32 fields) still pass');
  const bad: [unknown, string][] = [
    [TWO_53_PLUS_1, TWO_53_PLUS_1],
    ['-1', '-1'],
    ['0101', '101'],
    ['1.5', '"1.5"'],
    ['1e3', '"1e3"'],
    [' 5', '" 5"'],
    ['', '""'],
    ['9'.repeat(40), `"${'9'.repeat(40)}"`],
    [1.5, '1.5'],
    [null, 'null'],
  ];
  for (const [value, shown] of bad) {
    const e = t.throws(() => V.checkInt('f', value, 0, 100), `${JSON.stringify(value)} refused`) as V.EdgeError;
    t.equal(e.value, shown, `${JSON.stringify(value)} shown as ${shown}`);
  }
});
