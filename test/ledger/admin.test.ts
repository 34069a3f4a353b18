// The admin command: validation, idempotency, its own hash chain in the history sublevel,
// the ledger head, verifyHistory, snapshots and Ledger.load.

import t from 'tap';
import { Ledger } from '../../src/ledger/ledger.js';
import { adminEventHash, verifyHistory } from '../../src/ledger/history.js';
import { decodeEntry, encodeEntry } from '../../src/ledger/codec.js';
import { restoreChunks, snapshotChunks } from '../../src/ledger/snapshot.js';
import { validateCommand } from '../../src/ledger/validate.js';
import { ADMIN_HEAD_KEY, adminHistoryKey } from '../../src/ledger/keys.js';
import { ADMIN_DETAIL_BYTES_MAX, ADMIN_PRINCIPAL_BYTES_MAX } from '../../src/ledger/limits.js';
import type { AdminEvent, Command, LedgerEvent } from '../../src/ledger/types.js';
import { Driver, adjust, line, reserve } from './helpers.js';

const admin = (op_id: string, action: Extract<Command, { kind: 'admin' }>['action'] = 'add_learner', principal = 'alice', target = 'n4'): Command => ({
  kind: 'admin',
  op_id,
  action,
  principal,
  target,
  detail: `address 127.0.0.1:7404`,
});

function historyOf(d: Driver): (LedgerEvent | AdminEvent)[] {
  return [...d.store.history].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((e) => e[1] as LedgerEvent | AdminEvent);
}

t.test('validation names the field, the limit and the value', async (t) => {
  const good = admin('adm-1');
  t.same(validateCommand(good), { ok: true });
  const cases: [Record<string, unknown>, string][] = [
    [{ ...good, op_id: '' }, 'op_id'],
    [{ ...good, action: 'reboot' }, 'action'],
    [{ ...good, action: undefined }, 'action'],
    [{ ...good, principal: '' }, 'principal'],
    [{ ...good, principal: 'p'.repeat(ADMIN_PRINCIPAL_BYTES_MAX + 1) }, 'principal'],
    [{ ...good, principal: 'a\nb' }, 'principal'],
    [{ ...good, target: 7 }, 'target'],
    [{ ...good, detail: 'd'.repeat(ADMIN_DETAIL_BYTES_MAX + 1) }, 'detail'],
  ];
  for (const [cmd, field] of cases) {
    const v = validateCommand(cmd);
    t.equal(v.ok, false, `${field} refused`);
    if (!v.ok) {
      t.equal(v.field, field);
      t.ok(v.limit.length > 0);
    }
  }
  const d = new Driver();
  const r = d.one(1_000, { ...good, action: 'reboot' } as unknown as Command);
  t.equal(r.code, 'INVALID_ARGUMENT', 'apply refuses what the edge would');
  t.equal(d.ledger.adminHead().seq, 0, 'nothing appended');
});

t.test('applies as OK, changes no stock, appends a chained ADMIN event', async (t) => {
  const d = new Driver();
  d.one(1_000, adjust('a1', 'SKU-1', 'L1', 10));
  const before = d.ledger.headHash();
  const out = d.entry(2_000, [admin('adm-1'), admin('adm-2', 'promote', 'bob', 'n4')]);
  t.same(out.results.map((r) => r.code), ['OK', 'OK']);
  t.equal(out.events.length, 0, 'no position event');
  t.equal(out.admin_events.length, 2);
  const [e1, e2] = out.admin_events;
  t.match(e1, { kind: 'ADMIN', seq: 1, log_index: 2, time_ms: 2_000, op_id: 'adm-1', action: 'add_learner', principal: 'alice', target: 'n4', prev_hash: '' });
  t.match(e2, { seq: 2, action: 'promote', principal: 'bob', prev_hash: e1.hash });
  t.equal(e2.hash, adminEventHash(e2));
  t.not(d.ledger.headHash(), before, 'the head hash covers admin events');
  t.equal(d.ledger.getPosition('SKU-1', 'L1')?.on_hand, 10);
  t.same(d.ledger.adminHead(), { seq: 2, head: e2.hash });
  t.same(d.store.history.get(adminHistoryKey(2)), e2, 'stored in the history sublevel under its own key');
  t.match(d.store.state.get(ADMIN_HEAD_KEY), { seq: 2, head: e2.hash });
  t.same(d.ledger.stateEntries(), d.store.stateEntries(), 'stateEntries matches the writes');
});

t.test('idempotent by op_id', async (t) => {
  const d = new Driver();
  t.equal(d.one(1_000, admin('adm-1')).code, 'OK');
  const again = d.entry(2_000, [admin('adm-1')]);
  t.match(again.results[0], { code: 'OK', replay: true });
  t.equal(again.admin_events.length, 0, 'a replay appends nothing');
  t.equal(d.one(3_000, admin('adm-1', 'remove')).code, 'ALREADY_EXISTS_DIFFERENT');
  t.equal(d.one(4_000, { ...adjust('adm-1', 'S', 'L', 1) }).code, 'ALREADY_EXISTS_DIFFERENT', 'ids are shared with stock ops');
  t.equal(d.ledger.adminHead().seq, 1);
  t.same(d.ledger.getOutcome('adm-1'), { code: 'OK', replay: false, positions: [], reservation: null });
});

t.test('codec round trip keeps exactly the admin fields', async (t) => {
  const cmd = { ...admin('adm-1'), extra: 'dropped' } as unknown as Command;
  const back = decodeEntry(encodeEntry({ time_ms: 5, commands: [cmd] }));
  t.same(back.commands[0], admin('adm-1'));
});

t.test('two replicas reach the same head; verify passes, then catches doctored admin events', async (t) => {
  const a = new Driver();
  const b = new Driver();
  const entries: [number, Command[]][] = [
    [1_000, [adjust('a1', 'SKU-1', 'L1', 10)]],
    [2_000, [admin('adm-1'), reserve('r1', [line('SKU-1', 'L1', 2)])]],
    [3_000, [admin('adm-2', 'transfer_leadership', 'carol', 'n2')]],
  ];
  for (const [time, cmds] of entries) {
    a.entry(time, cmds);
    b.entry(time, cmds);
  }
  t.equal(a.ledger.headHash(), b.ledger.headHash());
  const events = historyOf(a);
  t.equal(events[0].kind, 'ADMIN', 'admin keys sort before every position');
  const ok = verifyHistory(events, a.ledger.positionHeads(), a.ledger.adminHead());
  t.match(ok, { ok: true, admin_events: 2, positions: 1 });

  const altered = events.map((e) => (e.kind === 'ADMIN' && e.seq === 1 ? { ...e, principal: 'mallory' } : e));
  t.match(verifyHistory(altered, a.ledger.positionHeads(), a.ledger.adminHead()), { ok: false, chain: 'admin', seq: 1, reason: /altered/ });

  const dropped = events.filter((e) => !(e.kind === 'ADMIN' && e.seq === 1));
  t.match(verifyHistory(dropped, a.ledger.positionHeads(), a.ledger.adminHead()), { ok: false, chain: 'admin', reason: /gap/ });

  const lastCut = events.filter((e) => !(e.kind === 'ADMIN' && e.seq === 2));
  t.match(verifyHistory(lastCut, a.ledger.positionHeads(), a.ledger.adminHead()), { ok: false, chain: 'admin', reason: /stored head/ }, 'a removed last event is caught by the stored head');

  const badAction = events.map((e) => (e.kind === 'ADMIN' && e.seq === 2 ? { ...e, action: 'format_disk' } : e));
  t.match(verifyHistory(badAction as (LedgerEvent | AdminEvent)[]), { ok: false, chain: 'admin', reason: /unknown admin action/ });
});

t.test('snapshot chunks and Ledger.load round trip, then both go on identically', async (t) => {
  const d = new Driver();
  d.entry(1_000, [adjust('a1', 'SKU-1', 'L1', 10), admin('adm-1')]);
  d.entry(2_000, [admin('adm-2', 'snapshot', 'ops', 'n1')]);
  const records = [...restoreChunks(snapshotChunks(d.store.records(), 4_096))];
  const state = records.filter((r) => r[0] === 'state').map((r) => [r[1], r[2]] as [string, unknown]);
  const history = records.filter((r) => r[0] === 'history').map((r) => r[2] as LedgerEvent | AdminEvent);
  const loaded = Ledger.load(state);
  t.equal(loaded.headHash(), d.ledger.headHash());
  t.same(loaded.adminHead(), d.ledger.adminHead());
  t.match(verifyHistory(history, loaded.positionHeads(), loaded.adminHead()), { ok: true, admin_events: 2 });
  const e = new Driver(loaded);
  const x = d.entry(3_000, [admin('adm-3', 'remove', 'ops', 'n3')]);
  const y = e.entry(3_000, [admin('adm-3', 'remove', 'ops', 'n3')]);
  t.same(y.admin_events, x.admin_events, 'the chain continues from the loaded head');
  t.equal(e.ledger.headHash(), d.ledger.headHash());
  t.throws(() => Ledger.load([...state.filter(([k]) => k !== ADMIN_HEAD_KEY), [ADMIN_HEAD_KEY, { v: 1, seq: 0, head: 'x' }]]), /admin head/);
});
