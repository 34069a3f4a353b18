// A data dir written by the format 3 build (test/fixtures/format3-datadir, made by
// test/fixtures/make-format3-datadir.mjs with the storage and ledger code before the
// binary value layouts): this build opens it as it is, serves what it holds (ledger state,
// history, Watch from any point), replays its log to the same state, and grows it in
// format 4.

import t from 'tap';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LevelStorage, eventKey } from '../../src/node/storage-level.js';
import { isBinaryValue } from '../../src/node/storage-values.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { decodeEntry } from '../../src/ledger/codec.js';
import { verifyHistory } from '../../src/ledger/history.js';
import type { LedgerEvent } from '../../src/ledger/types.js';

const FIXTURE = path.resolve('test/fixtures/format3-datadir');

t.test('a format 3 data dir opens, serves and grows', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stockd-format3-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(FIXTURE, dir, { recursive: true });
  const s = await LevelStorage.open(dir);
  t.teardown(() => s.close());
  t.equal((await s.identity())?.format, 3, 'the fixture is a format 3 dir');
  for (const name of ['state', 'history', 'events'] as const) {
    const values = await s.subs[name].values().all();
    t.ok(values.length > 0 && !values.some(isBinaryValue), `its ${name} records are all in the msgpack / text forms`);
  }
  t.same(await s.claim('n1', 'c-format3'), { format: 4, node_id: 'n1', cluster_id: 'c-format3' });
  const loaded = await s.load();
  t.equal(loaded.applied.index, 4, 'applied through entry 4');
  t.equal(loaded.entries.length, 4, 'the log holds the four entries');

  // Replaying the stored log with this build gives the state the old build stored.
  const replay = new Ledger();
  const replayed_events: { key: string; event: LedgerEvent }[] = [];
  for (const e of loaded.entries) replay.apply(e.index, decodeEntry(e.data)).events.forEach((event, i) => replayed_events.push({ key: eventKey(e.index, i), event }));
  const state = await s.ledgerState();
  t.ok(state.length > 0 && state.every(([, v]) => typeof v === 'object'), 'state records decode');
  t.same(state, replay.stateEntries(), 'stored state equals the replayed ledger');
  const loader = Ledger.loader({});
  await s.forEachLedgerState(loader.add);
  const ledger = loader.finish();
  t.same(ledger.stateEntries(), replay.stateEntries(), 'and loads into the same ledger');
  t.same(await s.eventsFrom(1, null, 100), replayed_events, 'Watch serves every stored event');
  const history: LedgerEvent[] = [];
  for await (const [, v] of s.rawRecords('history')) history.push(v as LedgerEvent);
  t.same(verifyHistory(history, ledger.positionHeads()), { ok: true, events: replayed_events.length, positions: 3, admin_events: 0 }, 'the chains verify');

  // One more entry, written by this build beside the old records.
  const out = ledger.apply(5, { time_ms: 1_700_000_000_004, commands: [{ kind: 'reserve', reservation_id: 'res-4', lines: [{ sku: 'SKU-2', location: 'WH-1:A/07', quantity: 5 }], ttl_ms: 600_000, order_ref: 'order-4' }] });
  const keyed = out.events.map((event, i) => ({ key: eventKey(5, i), event }));
  await s.apply(out.writes, keyed, { index: 5, term: 1, conf_state: loaded.applied.conf_state, addresses: loaded.applied.addresses });
  const [[, v]] = await s.subs.history.iterator({ gt: new TextEncoder().encode('SKU-2!WH-1:A/07!0000000000000003'), limit: 1 }).all();
  t.ok(isBinaryValue(v!), 'the new event is stored in its layout');
  t.same((await s.eventsFrom(0, replayed_events.at(-1)!.key, 10)), keyed, 'Watch moves on from the last old event to the new one');
  t.same(await s.ledgerState(), ledger.stateEntries(), 'state reads back across both layouts');
});
