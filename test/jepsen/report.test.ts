import t from 'tap';
import type { OpArgs } from '../../jepsen-style-tests/history.js';
import { checkHistory } from '../../jepsen-style-tests/checkers/check.js';
import { nemesisIntervals, renderReport } from '../../jepsen-style-tests/report.js';
import { HistoryBuilder, okCmd, pos, readOf } from './history-builder.js';

const adj = (op_id: string): OpArgs => ({ f: 'adjust', op_id, sku: 's', location: 'l', delta: 1 });

t.test('the report shades faults and plots every operation', (t) => {
  const h = new HistoryBuilder()
    .call(1, adj('a1'), okCmd())
    .nemesis('kill-minority', 'start', true, 100)
    .call(1, adj('a2'), okCmd())
    .nemesis('kill-minority', 'end', true, 200)
    .nemesis('partition-halves', 'start', false, 300)
    .invoke(1, adj('a3'))
    .wait(50)
    .info(1)
    .nemesis('partition-halves', 'end', true, 400)
    .call(1, { f: 'read', sku: 's', location: 'l' }, readOf(pos('s', 'l', 2, 0)));
  const iv = nemesisIntervals(h.records, 1000);
  t.same(iv.map((i) => [i.name, i.from, i.to, i.majority]), [
    ['kill-minority', 100, 200, true],
    ['partition-halves', 300, 400, false],
  ]);
  const html = renderReport('t', { seed: 1 }, h.records, checkHistory(h.records, null));
  t.match(html, /<svg/);
  t.equal((html.match(/<circle /g) ?? []).length, 4, 'one point per completed operation');
  t.match(html, /fill="#f6c9c9"/, 'no-majority interval shaded red');
  t.match(html, /UNKNOWN/, 'no final state: unknown verdict shown');
  t.end();
});
