// Commerce commands and reserve fields: the codec keeps them, validation names the field,
// the limit and the value, and apply answers INVALID_ARGUMENT without recording anything.

import t from 'tap';
import { decodeEntry, encodeEntry } from '../../src/ledger/codec.js';
import { validateCommand } from '../../src/ledger/validate.js';
import type { Command, LedgerEntry } from '../../src/ledger/types.js';
import { adjust, line } from './helpers.js';
import { alloc, commerceDriver, count, creserve, positionPolicy, receive, skuPolicy, transfer } from './commerce-helpers.js';

t.test('commerce commands and reserve fields round-trip through the entry codec', (t) => {
  const entry: LedgerEntry = {
    time_ms: 5,
    rules_version: 4,
    commands: [
      positionPolicy('p1', 'S', 'L', 3, 2),
      skuPolicy('k1', 'S', 2, 86_400_000),
      transfer('t1', 'S', 'L', 'M', 4),
      receive('v1', 't1', 3),
      count('c1', 'S', 'L', 9),
      creserve('r1', [line('S', 'L', 1)], { customer_id: 'cust-1', backorder: true }),
      creserve('r2', [line('S', 'L', 1)], { wait_ms: 5_000 }),
      creserve('r3', [], { allocations: [alloc('S', ['L', 'M'], 2, 'MOST_AVAILABLE', true)] }),
    ],
  };
  t.same(decodeEntry(encodeEntry(entry)), entry);
  t.end();
});

const bad: [string, unknown, string][] = [
  ['policy: negative limit', { ...positionPolicy('p', 'S', 'L', 0), backorder_limit: -1 }, 'backorder_limit'],
  ['policy: fractional threshold', { ...positionPolicy('p', 'S', 'L', 0), low_stock_threshold: 1.5 }, 'low_stock_threshold'],
  ['policy: bad location', positionPolicy('p', 'S', 'L L', 0), 'location'],
  ['sku policy: limit too big', skuPolicy('k', 'S', 1e13), 'customer_limit'],
  ['sku policy: window too long', skuPolicy('k', 'S', 1, 367 * 86_400_000), 'customer_window_ms'],
  ['transfer: same location', transfer('t', 'S', 'L', 'L', 1), 'to_location'],
  ['transfer: zero quantity', transfer('t', 'S', 'L', 'M', 0), 'quantity'],
  ['transfer: bad reference', { ...transfer('t', 'S', 'L', 'M', 1), reference: 'a\u0000' }, 'reference'],
  ['receive: bad transfer id', receive('v', 'has space', 1), 'transfer_id'],
  ['receive: negative', receive('v', 't1', -1), 'received'],
  ['count: negative', count('k', 'S', 'L', -1), 'counted'],
  ['count: missing op id', { ...count('k', 'S', 'L', 1), op_id: '' }, 'op_id'],
  ['reserve: bad customer', creserve('r', [line('S', 'L', 1)], { customer_id: 'a b' }), 'customer_id'],
  ['reserve: backorder not boolean', { ...creserve('r', [line('S', 'L', 1)]), backorder: 1 }, 'backorder'],
  ['reserve: wait too short', creserve('r', [line('S', 'L', 1)], { wait_ms: 999 }), 'wait_ms'],
  ['reserve: wait with allocations', creserve('r', [line('S', 'L', 1)], { wait_ms: 5_000, allocations: [alloc('S', ['M'], 1)] }), 'allocations'],
  ['reserve: no lines nor allocations', creserve('r', [], { allocations: [] }), 'lines'],
  ['reserve: too many candidates', creserve('r', [], { allocations: [alloc('S', Array.from({ length: 17 }, (_, i) => `L${i}`), 1)] }), 'allocations[0].locations'],
  ['reserve: unknown strategy', creserve('r', [], { allocations: [{ ...alloc('S', ['L'], 1), strategy: 'CHEAPEST' as 'PRIORITY' }] }), 'allocations[0].strategy'],
  ['reserve: split not boolean', creserve('r', [], { allocations: [{ ...alloc('S', ['L'], 1), split: 'yes' as unknown as boolean }] }), 'allocations[0].split'],
  ['reserve: lines + allocations above 100', creserve('r', Array.from({ length: 100 }, (_, i) => line('S', `L${i}`, 1)), { allocations: [alloc('S', ['M'], 1)] }), 'allocations'],
];

t.test('every invalid commerce input names its field, the limit and the value; apply records nothing', (t) => {
  const d = commerceDriver();
  d.one(2, adjust('a1', 'S', 'L', 5));
  for (const [what, cmd, field] of bad) {
    const v = validateCommand(cmd);
    t.equal(v.ok, false, `${what}: refused`);
    if (!v.ok) {
      t.equal(v.field, field, `${what}: field ${field}`);
      t.ok(v.limit.length > 0 && v.value.length > 0, `${what}: limit and value stated (${v.limit}; ${v.value})`);
    }
    const r = d.one(3, cmd as Command);
    t.equal(r.code, 'INVALID_ARGUMENT', `${what}: apply refuses`);
    const id = (cmd as { op_id?: string; reservation_id?: string }).op_id ?? (cmd as { reservation_id: string }).reservation_id;
    if (id !== '') t.equal(d.ledger.getOutcome(id), null, `${what}: nothing recorded`);
  }
  t.same(d.ledger.getPosition('S', 'L')?.on_hand, 5, 'no stock changed');
  t.end();
});
