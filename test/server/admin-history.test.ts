// The node side of the admin history: any principal or detail is made to fit the ledger's
// limits, and a record that cannot be proposed is reported, never thrown.

import t from 'tap';
import { adminCommand, fitText, recordAdminEvent } from '../../src/server/admin-history.js';
import { validateCommand } from '../../src/ledger/validate.js';
import { ADMIN_DETAIL_BYTES_MAX, ADMIN_PRINCIPAL_BYTES_MAX } from '../../src/ledger/limits.js';
import { NodeError, type StockNode } from '../../src/node/node-api.js';
import type { Command } from '../../src/ledger/types.js';

t.test('fitText keeps within the byte bound, never splits a character, drops control characters', async (t) => {
  t.equal(fitText('plain', 10), 'plain');
  t.equal(fitText('a\nb\u0000c', 10), 'a b c');
  const cut = fitText('€'.repeat(100), 20);
  t.ok(Buffer.byteLength(cut, 'utf8') <= 20, `${Buffer.byteLength(cut, 'utf8')} bytes`);
  t.match(cut, /^€+\.\.\.$/);
  t.equal(fitText('\uD800x', 10), '?x', 'a lone surrogate is replaced');
});

t.test('adminCommand always validates, whatever it is given', async (t) => {
  const cmd = adminCommand('add_learner', 'p'.repeat(ADMIN_PRINCIPAL_BYTES_MAX * 2), 'n4', 'd\n'.repeat(ADMIN_DETAIL_BYTES_MAX));
  t.same(validateCommand(cmd), { ok: true });
  const empty = adminCommand('remove', '', '', '');
  t.same(validateCommand(empty), { ok: true });
  t.match(empty, { principal: 'unknown' });
  const other = adminCommand('remove', 'x', '', '');
  t.not((other as { op_id: string }).op_id, (empty as { op_id: string }).op_id, 'a fresh op id each time');
});

t.test('recordAdminEvent reports success and failure without throwing', async (t) => {
  const proposed: Command[] = [];
  let refuse = false;
  const node = {
    id: 'n1',
    propose: async (cmds: readonly Command[]) => {
      if (refuse) throw new NodeError('not_leader', 'not the leader');
      proposed.push(...cmds);
      return cmds.map(() => ({ code: 'OK', replay: false, positions: [], reservation: null }));
    },
  } as unknown as StockNode;
  const warnings: string[] = [];
  const onWarning = (w: Error): void => void warnings.push(w.message);
  process.on('warning', onWarning);
  t.teardown(() => void process.off('warning', onWarning));
  t.equal(await recordAdminEvent(node, 'promote', 'alice', 'n4', 'x', Date.now()), true);
  t.match(proposed[0], { kind: 'admin', action: 'promote', principal: 'alice', target: 'n4' });
  refuse = true;
  t.equal(await recordAdminEvent(node, 'remove', 'alice', 'n4', 'x', Date.now()), false);
  await new Promise((r) => setImmediate(r));
  t.match(warnings.join('\n'), /remove by alice on 'n4' not recorded \(not the leader\)/);
});
