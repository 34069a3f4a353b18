// The wire names of every enum value: the domain keeps the short names ('OK'), the wire
// the prefixed names of proto/stockraft/v1/inventory.proto, and both directions agree.
import t from 'tap';
import protobuf from 'protobufjs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RESULT_CODES, type CommandResult, type ResultCode } from '../../src/ledger/types.js';
import * as M from '../../src/wire/map.js';
import { checkConsistency, EdgeError } from '../../src/wire/validate.js';
import type { WireCommandResult } from '../../src/wire/types.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const root = protobuf.loadSync(path.join(ROOT, 'proto', 'stockraft', 'v1', 'inventory.proto'));
const protoNames = (e: string): string[] => Object.keys(root.lookupEnum(`stockraft.v1.${e}`).values);

function sample(code: ResultCode): CommandResult {
  switch (code) {
    case 'OK':
      return { code, replay: false, positions: [], reservation: null };
    case 'INVALID_ARGUMENT':
      return { code, replay: false, field: 'f', limit: 'l', value: 'v' };
    case 'INSUFFICIENT_STOCK':
      return { code, replay: false, short_lines: [] };
    case 'ON_HAND_MISMATCH':
      return { code, replay: false, expected_on_hand: 1, on_hand: 2 };
    case 'OP_ID_TOO_OLD':
      return { code, replay: false, id_time_ms: 1, log_time_ms: 2, window_ms: 3, detail: 'd' };
    case 'CUSTOMER_LIMIT':
      return { code, replay: false, sku: 's', customer_id: 'c', limit: 2, used: 2, requested: 1, remaining: 0 };
    case 'COUNT_BELOW_HELD':
      return { code, replay: false, sku: 's', location: 'l', counted: 1, held: 2 };
    default:
      return { code, replay: false, detail: 'd' } as CommandResult;
  }
}

t.test('every result code round-trips and every proto value but UNSPECIFIED is a code', (t) => {
  const wireNames = RESULT_CODES.map((c) => {
    const w = M.resultToWire(sample(c));
    t.same(M.resultFromWire(w), sample(c), `${c} round-trips`);
    return String(w.code);
  });
  t.same([...wireNames].sort(), protoNames('ResultCode').filter((n) => n !== 'RESULT_CODE_UNSPECIFIED').sort());
  t.end();
});

t.test('reservation states and event kinds round-trip under their prefixes', (t) => {
  for (const state of M.RESERVATION_STATES) {
    const view = { reservation_id: 'r', state, lines: [], order_ref: '', created_ms: 1, deadline_ms: 2, committed_lines: [] };
    const w = M.reservationToWire(view);
    t.equal(w.state, `RESERVATION_STATE_${state}`);
    t.same(M.reservationFromWire(w), view);
  }
  t.same(M.RESERVATION_STATES.map((s) => `RESERVATION_STATE_${s}`).sort(), protoNames('ReservationState').filter((n) => !n.endsWith('_UNSPECIFIED')).sort());
  t.same(M.EVENT_KINDS.map((k) => `EVENT_KIND_${k}`).sort(), protoNames('EventKind').filter((n) => !n.endsWith('_UNSPECIFIED')).sort());
  for (const kind of M.EVENT_KINDS) t.equal(M.eventToWire({ kind } as Parameters<typeof M.eventToWire>[0]).kind, `EVENT_KIND_${kind}`);
  t.end();
});

t.test('a reply with UNSPECIFIED, an unprefixed name or a number is refused', (t) => {
  const ok = M.resultToWire(sample('OK'));
  for (const code of ['RESULT_CODE_UNSPECIFIED', 'OK', 99]) {
    t.throws(() => M.resultFromWire({ ...ok, code } as WireCommandResult), { message: `reply carries an unknown result code: ${code}` });
  }
  t.end();
});

t.test('consistency: UNSPECIFIED is linearizable, unknown values are refused naming the field', (t) => {
  t.same(protoNames('Consistency'), ['CONSISTENCY_UNSPECIFIED', 'CONSISTENCY_SERIALIZABLE', 'CONSISTENCY_LINEARIZABLE']);
  for (const v of [undefined, 0, 'CONSISTENCY_UNSPECIFIED', 2, 'CONSISTENCY_LINEARIZABLE']) t.equal(checkConsistency('consistency', v), 'LINEARIZABLE', String(v));
  for (const v of [1, 'CONSISTENCY_SERIALIZABLE']) t.equal(checkConsistency('consistency', v), 'SERIALIZABLE', String(v));
  for (const v of [7, 'SERIALIZABLE']) {
    const err = t.throws(() => checkConsistency('consistency', v)) as unknown;
    t.ok(err instanceof EdgeError, 'an EdgeError');
    t.match(String((err as Error).message), /consistency/, 'names the field');
    t.match(String((err as Error).message), String(v), 'shows the value');
  }
  t.equal(M.consistencyToWire(undefined), 'CONSISTENCY_LINEARIZABLE');
  t.equal(M.consistencyToWire('SERIALIZABLE'), 'CONSISTENCY_SERIALIZABLE');
  t.end();
});
