// The leader's check of commands without an id time (src/node/dedup-check.ts), over a real
// ledger and an in-memory store of its writes: found ids are answered (memory, then the
// archived outcomes) without a proposal, the rest are proposed stamped with the index the
// check held for, results come back in order.

import t from 'tap';
import { outcomeOf, proposeChecked, type DedupHost } from '../../src/node/dedup-check.js';
import type { Command, CommandResult } from '../../src/ledger/types.js';
import { Driver, adjust } from '../ledger/helpers.js';

const W = 1_000;
const T0 = 100_000;

interface Probe {
  readonly host: DedupHost;
  readonly proposed: Command[][];
  barriers: number;
  stored: number[];
}

function probe(d: Driver, now_ms: number): Probe {
  const p: Probe = {
    proposed: [],
    barriers: 0,
    stored: [],
    host: {
      readBarrier: async () => void p.barriers++,
      ledger: () => d.ledger,
      memIndex: () => d.log_index,
      storedThrough: async (index) => void p.stored.push(index),
      archived: async (ids) => ids.map((id) => d.store.outcomes.get(id)),
      now: () => now_ms,
      proposeStamped: async (commands): Promise<readonly CommandResult[]> => {
        p.proposed.push([...commands]);
        return d.entry(now_ms, commands).results;
      },
    },
  };
  return p;
}

/** A ledger where 'old' (adjust +1) is archived and 'recent' (adjust +2) is in memory. */
function history(): Driver {
  const d = Driver.withOptions({ dedup_window_ms: W });
  d.one(T0, adjust('old', 'S', 'L', 1));
  d.one(T0 + 2 * W + 1, adjust('recent', 'S', 'L', 2));
  return d;
}

t.test('a mixed batch: found ids answered without a proposal, new ones proposed stamped, in order', async (t) => {
  const d = history();
  t.ok(d.store.outcomes.has('old') && d.ledger.getOutcome('old') === null, "'old' is archived only");
  const now = T0 + 3 * W;
  const p = probe(d, now);
  const checked_at = d.log_index;
  const batch: Command[] = [
    { ...adjust('fresh-stamped', 'S', 'L', 10), id_time_ms: now },
    adjust('fresh', 'S', 'L', 20),
    adjust('recent', 'S', 'L', 2),
    adjust('old', 'S', 'L', 1),
    adjust('old', 'S', 'L', 9),
  ];
  const results = await proposeChecked(p.host, batch, Date.now() + 1_000);
  t.same(results.map((r) => [r.code, r.replay]), [['OK', false], ['OK', false], ['OK', true], ['OK', true], ['ALREADY_EXISTS_DIFFERENT', false]]);
  t.equal(p.barriers, 1, 'one read barrier');
  t.same(p.stored, [checked_at], 'disk read only once LevelDB holds the checked index');
  t.equal(p.proposed.length, 1);
  t.same(
    p.proposed[0],
    [batch[0], { ...batch[1], id_time_ms: now, checked_index: checked_at }],
    'the stamped one as given, the unstamped one with the leader time and the checked index',
  );
  t.equal(d.ledger.getPosition('S', 'L')?.on_hand, 33, 'old and recent once each, the two new ones once');
  t.end();
});

t.test('known-bad: without the disk lookup the archived id would be applied again', async (t) => {
  const d = history();
  const p = probe(d, T0 + 3 * W);
  const blind: DedupHost = { ...p.host, archived: async (ids) => ids.map(() => undefined) };
  const [r] = await proposeChecked(blind, [adjust('old', 'S', 'L', 1)], Date.now() + 1_000);
  t.same([r?.code, r?.replay], ['OK', false], 'applied anew');
  t.equal(d.ledger.getPosition('S', 'L')?.on_hand, 4, 'twice');
  t.end();
});

t.test('stamped commands skip the check; the id time is never behind log time', async (t) => {
  const d = history();
  const p = probe(d, T0); // a leader clock behind log time
  await proposeChecked(p.host, [{ ...adjust('s1', 'S', 'L', 1), id_time_ms: T0 + 2 * W }], Date.now() + 1_000);
  t.equal(p.barriers, 0, 'no barrier');
  const [r] = await proposeChecked(p.host, [adjust('u1', 'S', 'L', 1)], Date.now() + 1_000);
  t.equal(r?.code, 'OK');
  t.equal(p.proposed[1]?.[0]?.id_time_ms, d.ledger.lastTimeMs(), 'stamped with log time, not the slow clock');
  t.end();
});

t.test('outcomeOf answers from memory, then from the archive, else null', async (t) => {
  const d = history();
  const p = probe(d, T0);
  t.match(await outcomeOf(p.host, 'recent'), { code: 'OK', replay: false });
  t.same(p.stored, [], 'memory hit: no wait for storage');
  t.same(await outcomeOf(p.host, 'old'), { code: 'OK', replay: false, positions: [{ sku: 'S', location: 'L', on_hand: 1, reserved: 0, available: 1, seq: 1 }], reservation: null });
  t.equal(await outcomeOf(p.host, 'never'), null);
  t.end();
});
