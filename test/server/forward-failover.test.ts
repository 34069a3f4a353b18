// Real stockd processes: the leader is paused (SIGSTOP: its connections stay open, it just
// never answers) and a write is sent to each follower with a raw gRPC client (no SDK
// retry) and a 2 s deadline. Each follower forwards it to the paused leader, learns of the
// new leader within an election timeout, cuts that attempt and sends the write there (or
// carries it out itself if it won): it succeeds within the deadline. Once the old leader
// resumes (SIGCONT), every node holds each write exactly once.

import t from 'tap';
import { StockdCluster } from './cluster-harness.js';
import { raw } from '../api/raw-call.js';

const DEADLINE_MS = 2000;

function adjust(op_id: string, delta: number): object {
  return { op_id, sku: 'fo', location: 'w', delta, reason: 'test', reference: '' };
}

t.test('writes through both followers follow a paused leader to the new one, within a 2 s deadline, applied once', async (t) => {
  const c = await StockdCluster.start({ size: 3 });
  let paused: (() => void) | null = null;
  t.teardown(async () => {
    paused?.();
    await c.close();
  });
  const leader = await c.waitForLeader();
  // One write through each follower: whichever wins the election, one of them carries its
  // write out itself and the other forwards it to the winner.
  const followers = [...c.nodes.keys()].filter((id) => id !== leader);
  t.equal(followers.length, 2);
  // A first write through each follower: the forwarding channels to the leader are open, as
  // they are on any follower that serves writes.
  for (const f of followers) {
    const seed = await raw(c.address(f), 'Inventory', 'Adjust', adjust(`fo-seed-${f}`, 10), 10_000);
    t.equal(seed.err, null, `seed write through ${f}: ${seed.err?.details ?? 'ok'}`);
  }
  await c.waitConverged();

  const proc = c.nodes.get(leader)?.proc;
  if (!proc || proc.pid === undefined) throw new Error(`leader ${leader} has no process`);
  proc.kill('SIGSTOP');
  paused = () => proc.kill('SIGCONT');

  const writes = await Promise.all(followers.map((f) => raw(c.address(f), 'Inventory', 'Adjust', adjust(`fo-${f}`, 1), DEADLINE_MS)));
  const view = await c.client(followers[0] as string).status();
  t.ok(view.leader_id !== null && view.leader_id !== leader, `a new leader: ${String(view.leader_id)}`);
  followers.forEach((f, i) => {
    const r = writes[i];
    if (r === undefined) throw new Error(`no answer for ${f}`);
    const path = f === view.leader_id ? 'carried out there' : `forwarded to ${String(view.leader_id)}`;
    t.comment(`write through ${f} (${path}) with leader ${leader} paused: answered in ${r.ms} ms (deadline ${DEADLINE_MS} ms)`);
    t.equal(r.err, null, `write through ${f} succeeded: ${r.err === null ? 'ok' : `${r.err.code} ${r.err.details}`}`);
    t.match(r.reply, { code: 'RESULT_CODE_OK', replay: false });
  });

  paused();
  paused = null;
  await c.waitConverged(60_000);
  for (const id of c.nodes.keys()) {
    const p = await c.client(id).position('fo', 'w');
    t.equal(p?.on_hand, 22, `${id}: each write applied exactly once`);
  }
  const outcomes = await c.client(leader).outcomes(followers.map((f) => `fo-${f}`));
  t.match(outcomes, [{ code: 'OK' }, { code: 'OK' }], 'the old leader knows their outcomes too');
});
