// Read barriers are gathered into read-index rounds, one in flight at a time; a lost round
// is re-issued; a barrier is released only once its round's index is applied.

import t from 'tap';
import { ReadRounds, type IssueResult } from '../../src/node/read-rounds.js';

const created: ReadRounds[] = [];
t.afterEach(() => {
  // Barriers left pending would hold their deadline timers open.
  for (const r of created.splice(0)) r.failAll(new Error('test over'));
});

function setup(waiters_max = 100) {
  let now = 0;
  const issued: string[] = [];
  let answer: IssueResult = { ok: true };
  const rounds = new ReadRounds('n1', {
    waiters_max,
    retry_after_ms: 200,
    now_ms: () => now,
    timeoutError: (ms) => new Error(`timeout ${ms}`),
    overloadedError: (max) => new Error(`overloaded ${max}`),
  });
  created.push(rounds);
  const issue = (ctx: string): IssueResult => {
    issued.push(ctx);
    return answer;
  };
  return {
    rounds,
    issued,
    next: () => rounds.nextRound(issue),
    advance: (ms: number) => {
      now += ms;
    },
    refuseWith: (e: Error) => {
      answer = { ok: false, error: e };
    },
  };
}

/** Tracks how a barrier ended. */
function track(p: Promise<void>): { state: 'pending' | 'resolved' | 'rejected'; error: Error | null } {
  const s = { state: 'pending' as 'pending' | 'resolved' | 'rejected', error: null as Error | null };
  p.then(
    () => (s.state = 'resolved'),
    (e: Error) => {
      s.state = 'rejected';
      s.error = e;
    },
  );
  return s;
}

const settle = () => new Promise((r) => setImmediate(r));

t.test('barriers arriving during a round wait for the next; release needs the index applied', async (t) => {
  const s = setup();
  const a = track(s.rounds.add(10_000));
  const b = track(s.rounds.add(10_000));
  s.next();
  t.same(s.issued, ['n1/1'], 'one round for both');
  const c = track(s.rounds.add(10_000));
  s.next();
  t.same(s.issued, ['n1/1'], 'no second round while the first is out');
  t.equal(s.rounds.wantsRound(), false);
  s.rounds.onReadState('n1/1', 7);
  s.rounds.release(6);
  await settle();
  t.equal(a.state, 'pending', 'index 7 not yet applied');
  s.rounds.release(7);
  await settle();
  t.equal(a.state, 'resolved');
  t.equal(b.state, 'resolved');
  t.equal(c.state, 'pending', 'c joined after round 1 started: it needs its own round');
  t.equal(s.rounds.wantsRound(), true);
  s.next();
  t.same(s.issued, ['n1/1', 'n1/2']);
  s.rounds.onReadState('n1/2', 9);
  s.rounds.release(9);
  await settle();
  t.equal(c.state, 'resolved');
  t.equal(s.rounds.size, 0);
});

t.test('a round unanswered past retry_after_ms is re-issued; the late answer is ignored', async (t) => {
  const s = setup();
  const a = track(s.rounds.add(10_000));
  s.next();
  s.advance(199);
  t.equal(s.rounds.wantsRound(), false);
  s.advance(1);
  t.equal(s.rounds.wantsRound(), true);
  s.next();
  t.same(s.issued, ['n1/1', 'n1/2']);
  s.rounds.onReadState('n1/1', 3); // stale answer
  s.rounds.release(100);
  await settle();
  t.equal(a.state, 'pending', 'an answer to a given-up round releases nothing');
  s.rounds.onReadState('n1/2', 4);
  s.rounds.release(4);
  await settle();
  t.equal(a.state, 'resolved');
});

t.test('a refused round fails its barriers with the refusal; failRound keeps queued ones', async (t) => {
  const s = setup();
  const a = track(s.rounds.add(10_000));
  s.refuseWith(new Error('no leader'));
  s.next();
  await settle();
  t.equal(a.state, 'rejected');
  t.equal(a.error?.message, 'no leader');

  const s2 = setup();
  const b = track(s2.rounds.add(10_000));
  s2.next();
  const c = track(s2.rounds.add(10_000));
  s2.rounds.failRound(new Error('leader changed'));
  await settle();
  t.equal(b.state, 'rejected');
  t.equal(c.state, 'pending', 'not yet sent anywhere: goes to the new leader');
  s2.next();
  t.same(s2.issued, ['n1/1', 'n1/2']);
  t.equal(s2.rounds.size, 1);
});

t.test('bounds: waiters_max refuses, deadlines reject, failAll empties', async (t) => {
  const s = setup(2);
  const a = track(s.rounds.add(10_000));
  track(s.rounds.add(10_000));
  const over = track(s.rounds.add(10_000));
  await settle();
  t.equal(over.state, 'rejected');
  t.match(over.error?.message, /overloaded 2/);
  const short = setup();
  const d = track(short.rounds.add(5));
  await new Promise((r) => setTimeout(r, 30));
  t.equal(d.state, 'rejected');
  t.match(d.error?.message, /timeout 5/);
  t.equal(short.rounds.size, 0);
  short.next();
  t.same(short.issued, [], 'a timed-out barrier starts no round');
  s.next();
  s.rounds.failAll(new Error('stopping'));
  await settle();
  t.equal(a.state, 'rejected');
  t.equal(s.rounds.size, 0);
});
