import t from 'tap';
import type { ReservationView } from '../../src/ledger/types.js';
import { EXPIRY_TTL_MS, ExpiryGenerator } from '../../jepsen-style-tests/expiry-workload.js';
import type { OpArgs, OpResult } from '../../jepsen-style-tests/history.js';
import { Rng } from '../../jepsen-style-tests/rng.js';

const POSITIONS = [{ sku: 'exp-0', location: 'e' }, { sku: 'exp-1', location: 'e' }];

/** Drives one generator against a perfect ledger on a fake clock (10 ms per call). */
function drive(seed: number, calls: number) {
  let now = 0;
  const gen = new ExpiryGenerator(POSITIONS, 1, new Rng(seed), 'run', () => now);
  const deadlines = new Map<string, number>();
  const log: { at: number; args: OpArgs; deadline: number | undefined }[] = [];
  for (let i = 0; i < calls; i++) {
    const args = gen.next();
    const id = 'reservation_id' in args ? args.reservation_id : '';
    log.push({ at: now, args, deadline: deadlines.get(id) });
    now += 10;
    let result: OpResult | undefined;
    let type: 'ok' | 'fail' = 'ok';
    const d = deadlines.get(id);
    if (args.f === 'reserve') {
      deadlines.set(id, now + args.ttl_ms);
      result = { kind: 'command', result: { code: 'OK', replay: false, positions: [], reservation: null } };
    } else if (d !== undefined && now >= d) {
      if (args.f === 'get-reservation') result = { kind: 'reservation', view: { state: 'EXPIRED' } as ReservationView };
      else (type = 'fail'), (result = { kind: 'command', result: { code: 'RESERVATION_EXPIRED', replay: false, detail: `reservation ${id} is EXPIRED` } });
    } else if (args.f === 'get-reservation') {
      result = { kind: 'reservation', view: { state: 'PENDING' } as ReservationView };
    } else {
      if (args.f === 'extend') deadlines.set(id, Math.max(d!, now + args.ttl_ms));
      result = { kind: 'command', result: { code: 'OK', replay: false, positions: [], reservation: null } };
    }
    gen.observe(args, type, result);
  }
  return log;
}

t.test('short TTLs; early settles before the deadline, late ones after, polls on both sides', (t) => {
  const log = drive(5, 20_000);
  const reserves = log.filter((l) => l.args.f === 'reserve');
  t.ok(reserves.length > 100, `${reserves.length} reservations`);
  for (const r of reserves) {
    if (r.args.f === 'reserve' && (r.args.ttl_ms < EXPIRY_TTL_MS[0] || r.args.ttl_ms > EXPIRY_TTL_MS[1])) t.fail(`ttl ${r.args.ttl_ms}`);
  }
  const settles = log.filter((l) => l.args.f === 'commit' || l.args.f === 'extend' || l.args.f === 'release');
  const before = settles.filter((l) => l.deadline !== undefined && l.at < l.deadline).length;
  const after = settles.filter((l) => l.deadline !== undefined && l.at >= l.deadline).length;
  t.ok(before > 20 && after > 20, `settles before the deadline ${before}, after ${after}`);
  const polls = log.filter((l) => l.args.f === 'get-reservation');
  t.ok(polls.filter((l) => l.at < l.deadline!).length > 100, 'polls before deadlines');
  t.ok(polls.filter((l) => l.at >= l.deadline!).length > 100, 'polls after deadlines');
  t.ok(reserves.some((r) => r.args.f === 'reserve' && r.args.lines.length === 2), 'some reservations hold both positions');
  t.end();
});

t.test('the same seed replays the same operations', (t) => {
  t.same(drive(9, 500).map((l) => l.args), drive(9, 500).map((l) => l.args));
  t.end();
});
