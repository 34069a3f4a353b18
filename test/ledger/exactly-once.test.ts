// Exactly once at any age (src/ledger/README.md "Exactly once"): a command whose id
// carries its issue time is replayed while its outcome is in memory and refused as
// OP_ID_TOO_OLD before it leaves; a leader-checked command is refused when an outcome
// applied after its check has left memory; outcomes that leave memory are archived in the
// same writes, and answer GetOutcome and replays from there.

import t from 'tap';
import { Ledger } from '../../src/ledger/ledger.js';
import { archivedResult, replayFromArchive } from '../../src/ledger/archive.js';
import type { Command, CommandResult } from '../../src/ledger/types.js';
import { Driver, adjust, commit, line, reserve } from './helpers.js';

const W = 10_000;
const T0 = 1_000_000;

function stamped(cmd: Command, id_time_ms: number): Command {
  return { ...cmd, id_time_ms };
}

/** A driver with one position SKU-1@LOC-1 stocked 100 at T0 - 1000. */
function stocked(): Driver {
  const d = Driver.withOptions({ dedup_window_ms: W });
  d.one(T0 - 1_000, adjust('seed', 'SKU-1', 'LOC-1', 100));
  return d;
}

function onHand(d: Driver): number {
  return d.ledger.getPosition('SKU-1', 'LOC-1')?.on_hand ?? 0;
}

/** Whether a result applied the command (anything but a replay or a refusal). */
function appliedAnew(r: CommandResult): boolean {
  return r.replay === false && r.code !== 'OP_ID_TOO_OLD' && r.code !== 'INVALID_ARGUMENT' && r.code !== 'ALREADY_EXISTS_DIFFERENT';
}

t.test('a stamped adjust retried after more than the window: refused with the values, never applied twice', (t) => {
  const d = stocked();
  const cmd = stamped(adjust('a1', 'SKU-1', 'LOC-1', 7), T0);
  const first = d.one(T0, cmd);
  t.equal(first.code, 'OK');
  t.equal(onHand(d), 107);
  // Other writes move log time past the window and the retention: the outcome leaves memory.
  const later = T0 + d.ledger.outcome_retention_ms + 5_000;
  const out = d.entry(later, [stamped(adjust('other', 'SKU-2', 'LOC-1', 1), later)]);
  t.ok(out.writes.some((w) => w.sublevel === 'outcomes' && w.key === 'a1' && w.type === 'put'), 'archived in the same writes');
  t.ok(out.writes.some((w) => w.sublevel === 'state' && w.key === 'o!a1' && w.type === 'del'), 'and removed from state');
  t.equal(d.ledger.getOutcome('a1'), null, 'no longer in memory');
  const retry = d.one(later, cmd);
  t.same(retry, {
    code: 'OP_ID_TOO_OLD',
    replay: false,
    id_time_ms: T0,
    log_time_ms: later,
    window_ms: W,
    detail: retry.code === 'OP_ID_TOO_OLD' ? retry.detail : '',
  });
  t.match(retry.code === 'OP_ID_TOO_OLD' ? retry.detail : '', /dedup window is 10000 ms/);
  t.equal(onHand(d), 107, 'on_hand unchanged');
  t.same(archivedResult('a1', d.store.outcomes.get('a1')), first, 'the archived record answers the original result');
  t.same(replayFromArchive(cmd, 'a1', d.store.outcomes.get('a1')), { ...first, replay: true }, 'and a replay of the same content');
  t.equal(replayFromArchive(adjust('a1', 'SKU-1', 'LOC-1', 8), 'a1', d.store.outcomes.get('a1')).code, 'ALREADY_EXISTS_DIFFERENT');
  t.equal(d.store.state.has('o!a1'), false);
  d.ledger.checkInvariants();
  t.end();
});

t.test('for every id time the ledger accepts and every retry time, a stamped retry is a replay or a refusal', (t) => {
  // The argument of README "Exactly once", checked at its edges: the id time anywhere in
  // [log time - window + 1, log time + ahead] at the first apply, retries at every
  // millisecond around the moment the outcome leaves memory.
  let refused = 0;
  let replays = 0;
  for (const offset of [-(W - 1), -W / 2, 0, 1, W / 2, W]) {
    const d = stocked();
    const cmd = stamped(adjust('x', 'SKU-1', 'LOC-1', 3), T0 + offset);
    t.equal(d.one(T0, cmd).code, 'OK', `id time T0${offset >= 0 ? '+' : ''}${offset} accepted`);
    const leave = T0 + d.ledger.outcome_retention_ms;
    for (const at of [T0 + 1, T0 + W - 1, leave - 2, leave - 1, leave, leave + 1, leave + 5 * W]) {
      const r = d.one(at, cmd);
      if (appliedAnew(r)) t.fail(`applied twice: id time T0+${offset}, retry at T0+${at - T0}`);
      if (r.code === 'OP_ID_TOO_OLD') refused++;
      if (r.replay) replays++;
    }
    t.equal(onHand(d), 103, `on_hand once for id time T0+${offset}`);
    d.ledger.checkInvariants();
  }
  t.ok(refused > 0 && replays > 0, `both answers seen (${replays} replays, ${refused} refusals)`);
  t.end();
});

t.test('known-bad: an unstamped command (no id time, no leader check) is applied again once its outcome left memory', (t) => {
  // What happened before ids carried their time; the leader now checks such commands
  // before it proposes them (src/node/dedup-check.ts). The detection above must see it.
  const d = stocked();
  const cmd = adjust('legacy', 'SKU-1', 'LOC-1', 5);
  d.one(T0, cmd);
  const r = d.one(T0 + d.ledger.outcome_retention_ms + 1, cmd);
  t.ok(appliedAnew(r), 'the second apply is not a replay');
  t.equal(onHand(d), 110, 'applied twice');
  t.end();
});

t.test('an id time too far ahead is INVALID_ARGUMENT naming the bound, not recorded', (t) => {
  const d = stocked();
  const ahead = d.ledger.id_time_ahead_ms;
  t.equal(ahead, W, 'ahead is min(60 s, window)');
  const r = d.one(T0, stamped(adjust('f1', 'SKU-1', 'LOC-1', 1), T0 + ahead + 1));
  t.match(r, { code: 'INVALID_ARGUMENT', field: 'id_time_ms', value: String(T0 + ahead + 1) });
  t.match(r.code === 'INVALID_ARGUMENT' ? r.limit : '', new RegExp(`${T0 + ahead}`));
  t.equal(d.ledger.getOutcome('f1'), null);
  t.equal(d.one(T0, stamped(adjust('f1', 'SKU-1', 'LOC-1', 1), T0 + ahead)).code, 'OK', 'the bound itself is accepted');
  t.equal(new Ledger({ dedup_window_ms: 24 * 3600_000 }).id_time_ahead_ms, 60_000);
  t.end();
});

t.test('a leader-checked command is refused once an outcome applied after its check has left memory', (t) => {
  const d = stocked();
  // The leader checked 'y' at index 1 (found nowhere), then 'y' was applied at index 2
  // by another caller, and left memory before the checked command applied.
  const checked_at = d.log_index;
  d.one(T0, stamped(adjust('y', 'SKU-1', 'LOC-1', 2), T0));
  const later = T0 + d.ledger.outcome_retention_ms + 1;
  d.entry(later, []);
  t.equal(d.ledger.prunedIndex(), checked_at + 1, 'the pruned index is the apply index of y');
  const cmd: Command = { ...adjust('y', 'SKU-1', 'LOC-1', 2), id_time_ms: later, checked_index: checked_at };
  const r = d.one(later, cmd);
  t.match(r, { code: 'OP_ID_TOO_OLD', replay: false, id_time_ms: later, log_time_ms: later, window_ms: W });
  t.match(r.code === 'OP_ID_TOO_OLD' ? r.detail : '', new RegExp(`checked this id at log index ${checked_at}.*index ${checked_at + 1}`));
  t.equal(onHand(d), 102, 'not applied twice');
  // Checked after y applied: the leader saw y (memory or disk) and would not propose; a
  // command checked there with a fresh id applies.
  const fresh = d.one(later, { ...adjust('z', 'SKU-1', 'LOC-1', 1), id_time_ms: later, checked_index: d.log_index });
  t.equal(fresh.code, 'OK');
  const bad = d.one(later, { ...adjust('z2', 'SKU-1', 'LOC-1', 1), id_time_ms: later, checked_index: d.log_index + 1 });
  t.match(bad, { code: 'INVALID_ARGUMENT', field: 'checked_index' });
  t.end();
});

t.test('a reserve and its commit archived: replays from the archive, and load keeps the pruned index', (t) => {
  const d = stocked();
  const res = stamped(reserve('r1', [line('SKU-1', 'LOC-1', 4)], 5_000), T0);
  const made = d.one(T0, res);
  const sold = d.one(T0 + 1, stamped(commit('c1', 'r1'), T0 + 1));
  t.equal(sold.code, 'OK');
  const later = T0 + 1 + d.ledger.outcome_retention_ms;
  d.entry(later, []);
  t.equal(d.ledger.getReservation('r1'), null, 'the final reservation left memory');
  t.ok(d.store.outcomes.has('r1') && d.store.outcomes.has('c1'), 'both outcomes archived');
  t.same(archivedResult('r1', d.store.outcomes.get('r1')), made);
  t.same(replayFromArchive(res, 'r1', d.store.outcomes.get('r1')), { ...made, replay: true }, 'the reserve content survives in its digest');
  t.equal(replayFromArchive(reserve('r1', [line('SKU-1', 'LOC-1', 5)], 5_000), 'r1', d.store.outcomes.get('r1')).code, 'ALREADY_EXISTS_DIFFERENT');
  t.equal(d.one(later, res).code, 'OP_ID_TOO_OLD', 'the reserve retried: refused, no second reservation');
  t.equal(d.ledger.getPosition('SKU-1', 'LOC-1')?.on_hand, 96, 'sold once');
  const loaded = Ledger.load(d.store.rawStateEntries(), { dedup_window_ms: W });
  t.equal(loaded.prunedIndex(), d.ledger.prunedIndex());
  t.ok(loaded.prunedIndex() > 0);
  t.same(loaded.stateEntries(), d.ledger.stateEntries());
  t.same(d.store.stateEntries(), d.ledger.stateEntries(), 'the writes leave the state the ledger describes');
  t.end();
});
