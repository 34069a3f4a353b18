// LevelStorage.apply stores a run of ledger writes in one batch holding the last version of
// each key: these fail if an earlier version survives, if a delete is lost or wrongly
// kept, or if the stored state no longer loads into the ledger that produced it.

import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LevelStorage, type AppliedRecord } from '../../src/node/storage-level.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { positionKey } from '../../src/ledger/keys.js';
import type { KvWrite } from '../../src/ledger/types.js';

function tempDir(t: { teardown(fn: () => void): void }): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'stockd-apply-'));
  t.teardown(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

const conf = { voters: ['a'], learners: [] };
const applied = (index: number): AppliedRecord => ({ index, term: 1, conf_state: conf, addresses: {} });

t.test('a key written more than once in a run is stored in its last version', async (t) => {
  const dir = tempDir(t);
  const s = await LevelStorage.open(dir);
  t.teardown(() => s.close());
  await s.apply(
    [
      { type: 'put', sublevel: 'state', key: 'm', value: { v: 1 } },
      { type: 'put', sublevel: 'state', key: 'gone', value: 1 },
      { type: 'put', sublevel: 'state', key: 'm', value: { v: 2 } },
      { type: 'del', sublevel: 'state', key: 'back' },
      { type: 'del', sublevel: 'state', key: 'gone' },
      { type: 'put', sublevel: 'state', key: 'back', value: 'again' },
      { type: 'put', sublevel: 'state', key: 'm', value: { v: 3 } },
    ],
    [],
    applied(1),
  );
  t.same(await s.ledgerState(), [['back', 'again'], ['m', { v: 3 }]], 'last put wins, a later delete removes, a later put restores');
});

t.test('a position written by several entries of one run keeps the last record', async (t) => {
  const dir = tempDir(t);
  const s = await LevelStorage.open(dir);
  t.teardown(() => s.close());
  const ledger = new Ledger();
  const writes: KvWrite[] = [...ledger.apply(1, { time_ms: 1_700_000_000_000, commands: [{ kind: 'adjust', op_id: 'a1', sku: 'S', location: 'L', delta: 10, reason: 'receive', reference: 'r' }] }).writes];
  for (let i = 2; i <= 4; i++) {
    const out = ledger.apply(i, { time_ms: 1_700_000_000_000 + i, commands: [{ kind: 'reserve', reservation_id: `res-${i}`, lines: [{ sku: 'S', location: 'L', quantity: 1 }], ttl_ms: 60_000, order_ref: 'o' }] });
    for (const w of out.writes) writes.push(w);
  }
  await s.apply(writes, [], applied(4));
  const state = new Map(await s.ledgerState());
  t.match(state.get(positionKey('S', 'L')), { on_hand: 10, reserved: 3, available: 7 }, 'the position after all three reserves');
  t.same(Ledger.load(state.entries()).getPosition('S', 'L'), ledger.getPosition('S', 'L'), 'the stored state loads into the same ledger');
});
