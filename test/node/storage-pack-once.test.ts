// LevelStorage.apply packs each position event once and stores the same bytes under its
// history key and its log-order key. These checks fail if either copy is missing, is
// another event's bytes, or if a write whose value is not an event picks up event bytes.
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LevelStorage, eventKey, type AppliedRecord } from '../../src/node/storage-level.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { historyKey, historyRangeEnd, positionKey } from '../../src/ledger/keys.js';
import type { Command } from '../../src/ledger/types.js';

t.test('history and events copies of each applied event are the same record', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stockd-pack-once-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const storage = await LevelStorage.open(dir);
  t.teardown(() => storage.close());
  const ledger = new Ledger();
  const conf_state = { voters: ['a'], learners: [] };
  const commands: Command[] = [
    { kind: 'adjust', op_id: 'adj-1', sku: 'SKU-1', location: 'WH-1', delta: 10, reason: 'receive', reference: 'po-1' },
    { kind: 'adjust', op_id: 'adj-2', sku: 'SKU-2', location: 'WH-1', delta: 5, reason: 'receive', reference: 'po-2' },
    { kind: 'reserve', reservation_id: 'res-1', lines: [{ sku: 'SKU-1', location: 'WH-1', quantity: 3 }, { sku: 'SKU-2', location: 'WH-1', quantity: 2 }], ttl_ms: 60_000, order_ref: 'o-1' },
  ];
  const out = ledger.apply(1, { time_ms: 1_700_000_000_000, commands });
  t.equal(out.events.length, 4, 'two adjusts and a two-line reserve make four events');
  const keyed = out.events.map((event, i) => ({ key: eventKey(1, i), event }));
  const applied: AppliedRecord = { index: 1, term: 1, conf_state, addresses: {} };
  await storage.apply(out.writes, keyed, applied);

  const logged = await storage.eventsFrom(1, null, 100);
  t.same(logged.map((e) => e.key), keyed.map((e) => e.key), 'every event is stored under its log-order key');
  t.same(logged.map((e) => e.event), out.events, 'log-order copies decode to the applied events, in order');
  for (const sku of ['SKU-1', 'SKU-2']) {
    const history = await storage.historyRange(historyKey(sku, 'WH-1', 1), historyRangeEnd(sku, 'WH-1'), 100);
    t.same(history, out.events.filter((e) => e.sku === sku), `${sku}: history copies decode to that position's events`);
  }
  // Position records are written beside the events; they must keep their own content.
  const state = await storage.stateRange(positionKey('SKU-1', 'WH-1').slice(0, -1), positionKey('SKU-1', 'WH-1') + '\u0000', 10);
  const pos = state.find(([k]) => k === positionKey('SKU-1', 'WH-1'));
  t.ok(pos, 'the position record is stored');
  t.match(pos?.[1], { on_hand: 10, reserved: 3, available: 7 }, 'the position record is not an event');
});
