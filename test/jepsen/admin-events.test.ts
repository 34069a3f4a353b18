// Admin events (the membership nemesis now makes them) never count as ledger operations:
// mixed into a node's final events they change no verdict.

import t from 'tap';
import { pairOperations, type FinalState, type OpArgs } from '../../jepsen-style-tests/history.js';
import { checkInvariants } from '../../jepsen-style-tests/checkers/invariants.js';
import type { AdminEvent, LedgerEvent } from '../../src/ledger/types.js';
import { chain, HistoryBuilder, okCmd, pos } from './history-builder.js';

const S = 'sku-1';
const L = 'loc-a';
const adjust = (op_id: string, delta: number): OpArgs => ({ f: 'adjust', op_id, sku: S, location: L, delta });

const admin: AdminEvent = {
  kind: 'ADMIN',
  seq: 1,
  log_index: 3,
  time_ms: 1,
  op_id: 'adm-1',
  action: 'add_learner',
  principal: 'nemesis',
  target: 'n4',
  detail: '',
  prev_hash: '',
  hash: 'a'.repeat(64),
};

t.test('an ADMIN event among one node\'s events is not a ledger op', (t) => {
  const ops = pairOperations(new HistoryBuilder().call(1, adjust('a1', 10), okCmd([pos(S, L, 10, 0)])).records);
  const events: LedgerEvent[] = chain(S, L, [{ kind: 'ADJUST', op_id: 'a1', d_on_hand: 10, d_reserved: 0 }]);
  const node = (id: string, evs: (LedgerEvent | AdminEvent)[]) => ({ id, head_hash: 'h', applied_index: 3, positions: [pos(S, L, 10, 0)], events: evs as LedgerEvent[] });
  const final: FinalState = { nodes: [node('n1', [admin, ...events]), node('n2', events)] };
  const r = checkInvariants(ops, final);
  t.same(r.anomalies, [], 'no anomaly');
  t.equal(r.valid, true);
  // The same final state with the event taken for a position's event is broken: the
  // filter is what keeps it out.
  const disguised = { ...admin, kind: 'ADJUST', sku: S, location: L } as unknown as LedgerEvent;
  const bad = checkInvariants(ops, { nodes: [node('n1', [...events, disguised]), node('n2', events)] });
  t.equal(bad.valid, false, 'a stray position event is still caught');
  t.end();
});
