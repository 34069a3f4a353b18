// stockctl verify's walk of the admin history, fed known-bad cases through an in-process
// fake node: a doctored admin event, a stored head beyond the listed events, and a node
// that does not serve the admin history (not checked, not failed).

import t from 'tap';
import { fakeCluster } from '../api/fake-node.js';
import { StockraftClient } from '../../src/client/index.js';
import { verifyNode } from '../../src/cli/verify.js';
import { Ledger } from '../../src/ledger/ledger.js';
import type { AdminEvent } from '../../src/ledger/types.js';
import type { StockNode } from '../../src/node/node-api.js';

type Lister = NonNullable<StockNode['listAdminEvents']>;

t.test('verifyNode checks the admin chain against the stored head', async (t) => {
  const c = await fakeCluster(1);
  const n1 = c.nodes[0] as NonNullable<(typeof c.nodes)[0]>;
  const client = new StockraftClient({ endpoints: [n1.address], deadline_ms: 3000 });
  t.teardown(async () => {
    client.close();
    await c.close();
  });
  await client.adjust({ sku: 'v', location: 'w', delta: 1 });

  const notServed = await verifyNode(n1.address, client);
  t.equal(notServed.ok, true, 'a node without the admin history still verifies its positions');
  t.equal(notServed.admin_events, null);
  t.match(notServed.note, /not checked: UNIMPLEMENTED/);

  const l = new Ledger();
  const out = l.apply(1, {
    time_ms: 10,
    commands: [
      { kind: 'admin', op_id: 'adm-1', action: 'add_learner', principal: 'alice', target: 'n4', detail: '' },
      { kind: 'admin', op_id: 'adm-2', action: 'remove', principal: 'alice', target: 'n4', detail: '' },
    ],
  });
  let events: AdminEvent[] = [...out.admin_events];
  let head = l.adminHead();
  const serve: Lister = async (after_seq, limit) => ({ events: events.filter((e) => e.seq > after_seq).slice(0, limit), head });
  (n1 as unknown as { listAdminEvents: Lister }).listAdminEvents = serve;

  const good = await verifyNode(n1.address, client);
  t.same([good.ok, good.admin_events], [true, 2], 'a whole admin chain verifies');

  events = [out.admin_events[0] as AdminEvent, { ...(out.admin_events[1] as AdminEvent), principal: 'mallory' }];
  const doctored = await verifyNode(n1.address, client);
  t.equal(doctored.ok, false, 'a doctored admin event is caught');
  t.match(doctored.reason, /admin history.*altered/);

  events = [out.admin_events[0] as AdminEvent];
  const cut = await verifyNode(n1.address, client);
  t.equal(cut.ok, false, 'a history shorter than its stored head is caught');
  t.match(cut.reason, /admin history is at seq 2/);

  events = [...out.admin_events];
  head = { seq: 2, head: 'f'.repeat(64) };
  const wrongHead = await verifyNode(n1.address, client);
  t.equal(wrongHead.ok, false, 'a stored head that is not the chain end is caught');
  t.match(wrongHead.reason, /stored head/);
});
