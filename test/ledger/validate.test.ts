import t from 'tap';
import { validateCommand } from '../../src/ledger/validate.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { LINES_MAX, QUANTITY_MAX, TEXT_BYTES_MAX, TTL_MS_MAX, TTL_MS_MIN, BALANCE_MAX } from '../../src/ledger/limits.js';
import { Driver, adjust, commit, extend, line, release, reserve } from './helpers.js';
import type { Command } from '../../src/ledger/types.js';

const A = adjust('op-1', 'SKU-1', 'LOC-1', 5) as Record<string, unknown>;
const R = reserve('res-1', [line('SKU-1', 'LOC-1', 1)]) as Record<string, unknown>;
const C = commit('op-2', 'res-1') as Record<string, unknown>;
const REL = release('op-3', 'res-1') as Record<string, unknown>;
const E = extend('op-4', 'res-1', 5_000) as Record<string, unknown>;
const L = { sku: 'SKU-1', location: 'LOC-1', quantity: 1 };

const with_ = (base: Record<string, unknown>, patch: Record<string, unknown>): unknown => ({ ...base, ...patch });
const manyLines = (n: number) => Array.from({ length: n }, (_, i) => ({ sku: `S${i}`, location: 'L', quantity: 1 }));

// [what, command, field expected in the error]
const INVALID: [string, unknown, string][] = [
  ['not an object', 'adjust', 'command'],
  ['null', null, 'command'],
  ['array', [A], 'command'],
  ['unknown kind', { kind: 'teleport' }, 'kind'],
  ['missing kind', {}, 'kind'],
  ['adjust op_id empty', with_(A, { op_id: '' }), 'op_id'],
  ['adjust op_id 65 bytes', with_(A, { op_id: 'x'.repeat(65) }), 'op_id'],
  ['adjust op_id with space', with_(A, { op_id: 'a b' }), 'op_id'],
  ['adjust op_id non-ASCII', with_(A, { op_id: 'café' }), 'op_id'],
  ['adjust op_id number', with_(A, { op_id: 7 }), 'op_id'],
  ['adjust sku empty', with_(A, { sku: '' }), 'sku'],
  ['adjust sku 129 bytes', with_(A, { sku: 'S'.repeat(129) }), 'sku'],
  ['adjust sku bad char', with_(A, { sku: 'SKU 1' }), 'sku'],
  ['adjust sku with separator !', with_(A, { sku: 'SKU!1' }), 'sku'],
  ['adjust location 65 bytes', with_(A, { location: 'L'.repeat(65) }), 'location'],
  ['adjust location missing', with_(A, { location: undefined }), 'location'],
  ['adjust delta zero', with_(A, { delta: 0 }), 'delta'],
  ['adjust delta fractional', with_(A, { delta: 1.5 }), 'delta'],
  ['adjust delta too large', with_(A, { delta: QUANTITY_MAX + 1 }), 'delta'],
  ['adjust delta too small', with_(A, { delta: -QUANTITY_MAX - 1 }), 'delta'],
  ['adjust delta NaN', with_(A, { delta: Number.NaN }), 'delta'],
  ['adjust delta string', with_(A, { delta: '5' }), 'delta'],
  ['adjust reason too long', with_(A, { reason: 'r'.repeat(TEXT_BYTES_MAX + 1) }), 'reason'],
  ['adjust reason too many UTF-8 bytes', with_(A, { reason: 'é'.repeat(TEXT_BYTES_MAX / 2 + 1) }), 'reason'],
  ['adjust reason control char', with_(A, { reason: 'a\nb' }), 'reason'],
  ['adjust reason lone surrogate', with_(A, { reason: 'a\uD800b' }), 'reason'],
  ['adjust reference missing', with_(A, { reference: undefined }), 'reference'],
  ['adjust expected_on_hand negative', with_(A, { expected_on_hand: -1 }), 'expected_on_hand'],
  ['adjust expected_on_hand past balance', with_(A, { expected_on_hand: BALANCE_MAX + 1 }), 'expected_on_hand'],
  ['adjust expected_on_hand fractional', with_(A, { expected_on_hand: 0.5 }), 'expected_on_hand'],
  ['reserve id empty', with_(R, { reservation_id: '' }), 'reservation_id'],
  ['reserve lines missing', with_(R, { lines: undefined }), 'lines'],
  ['reserve lines empty', with_(R, { lines: [] }), 'lines'],
  ['reserve lines too many', with_(R, { lines: manyLines(LINES_MAX + 1) }), 'lines'],
  ['reserve line not an object', with_(R, { lines: [5] }), 'lines[0]'],
  ['reserve line sku bad', with_(R, { lines: [L, { ...L, sku: 'é' }] }), 'lines[1].sku'],
  ['reserve line location empty', with_(R, { lines: [{ ...L, location: '' }] }), 'lines[0].location'],
  ['reserve line quantity zero', with_(R, { lines: [{ ...L, quantity: 0 }] }), 'lines[0].quantity'],
  ['reserve line quantity too large', with_(R, { lines: [{ ...L, quantity: QUANTITY_MAX + 1 }] }), 'lines[0].quantity'],
  ['reserve duplicate position (few lines)', with_(R, { lines: [L, { ...L, quantity: 2 }] }), 'lines[1]'],
  ['reserve duplicate position (many lines)', with_(R, { lines: [...manyLines(20), { sku: 'S3', location: 'L', quantity: 9 }] }), 'lines[20]'],
  ['reserve ttl too short', with_(R, { ttl_ms: TTL_MS_MIN - 1 }), 'ttl_ms'],
  ['reserve ttl too long', with_(R, { ttl_ms: TTL_MS_MAX + 1 }), 'ttl_ms'],
  ['reserve order_ref not a string', with_(R, { order_ref: 5 }), 'order_ref'],
  ['commit op_id missing', with_(C, { op_id: undefined }), 'op_id'],
  ['commit reservation_id too long', with_(C, { reservation_id: 'r'.repeat(65) }), 'reservation_id'],
  ['commit lines too many', with_(C, { lines: manyLines(LINES_MAX + 1) }), 'lines'],
  ['commit lines not an array', with_(C, { lines: 'all' }), 'lines'],
  ['commit line quantity negative', with_(C, { lines: [{ ...L, quantity: -1 }] }), 'lines[0].quantity'],
  ['release op_id bad', with_(REL, { op_id: '\t' }), 'op_id'],
  ['release reservation_id missing', with_(REL, { reservation_id: undefined }), 'reservation_id'],
  ['release reason too long', with_(REL, { reason: 'x'.repeat(TEXT_BYTES_MAX + 1) }), 'reason'],
  ['extend op_id empty', with_(E, { op_id: '' }), 'op_id'],
  ['extend reservation_id bad', with_(E, { reservation_id: 'a b' }), 'reservation_id'],
  ['extend ttl too long', with_(E, { ttl_ms: TTL_MS_MAX + 1 }), 'ttl_ms'],
  ['extend ttl fractional', with_(E, { ttl_ms: 1500.5 }), 'ttl_ms'],
];

t.test('every invalid input names its field, the limit and the value', (t) => {
  for (const [what, cmd, field] of INVALID) {
    const v = validateCommand(cmd);
    t.equal(v.ok, false, `${what}: refused`);
    if (!v.ok) {
      t.equal(v.field, field, `${what}: field`);
      t.ok(v.limit.length > 0, `${what}: limit stated`);
      t.ok(v.value.length > 0 && v.value.length <= 83, `${what}: value rendered and bounded (${v.value})`);
    }
  }
  t.end();
});

t.test('valid commands at the edges of every limit pass', (t) => {
  const ok: unknown[] = [
    A,
    with_(A, { delta: -QUANTITY_MAX }),
    with_(A, { op_id: 'x'.repeat(64), sku: 'S'.repeat(128), location: 'L'.repeat(64) }),
    with_(A, { sku: 'a-Z.0_9:/x', reason: '', reference: 'é'.repeat(TEXT_BYTES_MAX / 2) }),
    with_(A, { reason: 'emoji 😀 is a pair' }),
    with_(A, { expected_on_hand: 0 }),
    with_(A, { expected_on_hand: null }),
    R,
    with_(R, { lines: manyLines(LINES_MAX), ttl_ms: TTL_MS_MIN }),
    with_(R, { ttl_ms: TTL_MS_MAX, order_ref: '' }),
    with_(R, { lines: [{ ...L, quantity: QUANTITY_MAX }] }),
    C,
    with_(C, { lines: [] }),
    with_(C, { lines: [L] }),
    REL,
    E,
  ];
  for (const cmd of ok) t.same(validateCommand(cmd), { ok: true }, JSON.stringify(cmd).slice(0, 80));
  t.end();
});

t.test('apply answers INVALID_ARGUMENT, changes nothing and records nothing', (t) => {
  const d = new Driver();
  d.one(1_000, adjust('seed', 'SKU-1', 'LOC-1', 10));
  const before = d.store.stateEntries().filter(([k]) => k !== 'm');
  const head = d.ledger.headHash();
  for (const [what, cmd] of INVALID) {
    const out = d.entry(2_000, [cmd as Command]);
    t.equal(out.results[0].code, 'INVALID_ARGUMENT', what);
    t.equal(out.events.length, 0, `${what}: no events`);
  }
  t.same(d.store.stateEntries().filter(([k]) => k !== 'm'), before, 'state unchanged');
  t.equal(d.ledger.headHash(), head, 'head unchanged');
  t.equal(d.ledger.getOutcome('op-1'), null);
  // The same id with corrected content is then accepted.
  const fixed = d.one(3_000, adjust('op-bad', 'SKU-1', 'LOC-1', 1));
  t.equal(fixed.code, 'OK');
  const r = d.one(3_000, { ...(adjust('op-bad2', 'SKU-1', 'LOC-1', 1) as object), delta: 0 } as Command);
  t.match(r, { code: 'INVALID_ARGUMENT', replay: false, field: 'delta', value: '0' });
  t.end();
});

t.test('the ledger refuses a retention outside its bounds', (t) => {
  t.throws(() => new Ledger({ dedup_window_ms: 10 }), /dedup_window_ms/);
  t.throws(() => new Ledger({ dedup_window_ms: 1.5e12 }), /dedup_window_ms/);
  t.end();
});
