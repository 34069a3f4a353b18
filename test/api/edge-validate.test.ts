// Edge validation: every refusal names field, limit and value; good input passes.

import t from 'tap';
import * as V from '../../src/wire/validate.js';
import type { WireReserve } from '../../src/wire/types.js';

function refusal(fn: () => unknown): V.EdgeError | null {
  try {
    fn();
    return null;
  } catch (e) {
    if (e instanceof V.EdgeError) return e;
    throw e;
  }
}

const goodReserve = (): WireReserve => ({ reservation_id: 'r1', lines: [{ sku: 'A-1', location: 'wh/1', quantity: 3 }], ttl_ms: 60_000, order_ref: 'o' });

t.test('good commands pass', async (t) => {
  t.same(V.ledgerChecked('', V.reserveCommand('', goodReserve())), {
    kind: 'reserve',
    reservation_id: 'r1',
    lines: [{ sku: 'A-1', location: 'wh/1', quantity: 3 }],
    ttl_ms: 60_000,
    order_ref: 'o',
  });
  const commitAll = V.commitCommand('', { op_id: 'c', reservation_id: 'r1', lines: [] });
  t.notOk('lines' in commitAll, 'empty lines mean commit everything');
  const adj = V.adjustCommand('', { op_id: 'a', sku: 's', location: 'l', delta: -5, reason: '', reference: '' });
  t.notOk('expected_on_hand' in adj);
  const cas = V.adjustCommand('', { op_id: 'a', sku: 's', location: 'l', delta: 5, reason: '', reference: '', expected_on_hand: 0 });
  t.equal((cas as { expected_on_hand?: number }).expected_on_hand, 0, 'expected_on_hand 0 is kept');
});

t.test('known-bad inputs are refused naming the field', async (t) => {
  const cases: [string, () => unknown, string][] = [
    ['huge string', () => V.reserveCommand('', { ...goodReserve(), reservation_id: 'x'.repeat(10_000) }), 'reservation_id'],
    ['negative quantity', () => V.reserveCommand('', { ...goodReserve(), lines: [{ sku: 'a', location: 'b', quantity: -1 }] }), 'lines[0].quantity'],
    ['enormous quantity', () => V.reserveCommand('', { ...goodReserve(), lines: [{ sku: 'a', location: 'b', quantity: 9.2e18 }] }), 'lines[0].quantity'],
    ['fractional', () => V.reserveCommand('', { ...goodReserve(), lines: [{ sku: 'a', location: 'b', quantity: 1.5 }] }), 'lines[0].quantity'],
    ['101 lines', () => V.reserveCommand('', { ...goodReserve(), lines: Array.from({ length: 101 }, (_, i) => ({ sku: `s${i}`, location: 'l', quantity: 1 })) }), 'lines'],
    ['null line', () => V.reserveCommand('', { ...goodReserve(), lines: [null as never] }), 'lines[0]'],
    ['wrong type', () => V.reserveCommand('', { ...goodReserve(), ttl_ms: '5 s' as never }), 'ttl_ms'], // decimal text is how the server decodes int64
    ['ttl too long', () => V.reserveCommand('', { ...goodReserve(), ttl_ms: 8 * 24 * 3600 * 1000 }), 'ttl_ms'],
    ['unicode sku', () => V.reserveCommand('', { ...goodReserve(), lines: [{ sku: 'é', location: 'b', quantity: 1 }] }), 'lines[0].sku'],
    ['space in id', () => V.releaseCommand('', { op_id: 'a b', reservation_id: 'r', reason: '' }), 'op_id'],
    ['long reason', () => V.releaseCommand('', { op_id: 'a', reservation_id: 'r', reason: 'x'.repeat(257) }), 'reason'],
    ['negative expected', () => V.adjustCommand('', { op_id: 'a', sku: 's', location: 'l', delta: 1, reason: '', reference: '', expected_on_hand: -1 }), 'expected_on_hand'],
    ['no op kind', () => V.submitCommands([{}]), 'ops[0]'],
    ['not a list', () => V.submitCommands(null), 'ops'],
    ['bad nested', () => V.submitCommands([{ op: 'extend', extend: { op_id: 'e', reservation_id: 'r', ttl_ms: 1 } }]), 'ops[0].extend.ttl_ms'],
    ['enum', () => V.checkConsistency('consistency', 99), 'consistency'],
    ['page', () => V.checkPageLimit('limit', 1001), 'limit'],
    ['keys', () => V.checkReadKeys('keys', []), 'keys'],
  ];
  for (const [name, fn, field] of cases) {
    const e = refusal(fn);
    t.ok(e, `${name}: refused`);
    t.equal(e?.field, field, `${name}: field`);
    t.ok((e?.limit.length ?? 0) > 0 && (e?.value.length ?? 0) > 0, `${name}: limit and value named`);
    t.ok((e?.message.length ?? 0) < 400, `${name}: message stays short`);
  }
  // The ledger's own check runs too: control characters in free text.
  const ctl = refusal(() => V.ledgerChecked('', V.releaseCommand('', { op_id: 'a', reservation_id: 'r', reason: 'a\u0000b' })));
  t.equal(ctl?.field, 'reason');
});
