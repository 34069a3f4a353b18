import t from 'tap';
import type { Line, ReservationState, ReservationView } from '../../src/ledger/types.js';
import { pairOperations, type ClientRecord, type HistoryRecord, type OpArgs, type OpResult } from '../../jepsen-style-tests/history.js';
import { checkHistory, checkOptionsFor } from '../../jepsen-style-tests/checkers/check.js';
import { afterMajorityTime, checkExpiry, DEFAULT_EXPIRY_OPTIONS, STOCKD_MAX_CLOCK_SKEW_MS } from '../../jepsen-style-tests/checkers/expiry.js';
import { HistoryBuilder } from './history-builder.js';

const LINES: readonly Line[] = [{ sku: 'exp-0', location: 'e', quantity: 1 }];
const reserve = (id: string, ttl_ms: number): OpArgs => ({ f: 'reserve', reservation_id: id, lines: LINES, ttl_ms });
const look = (id: string): OpArgs => ({ f: 'get-reservation', reservation_id: id });

/** A view as the ledger reports it; log time starts at 1e12 to show it is never compared
 * with the harness's clock, only with itself. */
function view(id: string, state: ReservationState, ttl_ms: number, over: Partial<ReservationView> = {}): OpResult {
  const created_ms = 1e12;
  return { kind: 'reservation', view: { reservation_id: id, state, lines: LINES, order_ref: 'jepsen', created_ms, deadline_ms: created_ms + ttl_ms, committed_lines: [], ...over } };
}

function reserved(id: string, ttl_ms: number): OpResult {
  const v = view(id, 'PENDING', ttl_ms);
  if (v.kind !== 'reservation' || v.view === null) throw new Error('unreachable');
  return { kind: 'command', result: { code: 'OK', replay: false, positions: [], reservation: v.view } };
}

const expiredRefusal = (id: string): OpResult => ({ kind: 'command', result: { code: 'RESERVATION_EXPIRED', replay: false, detail: `reservation ${id} is EXPIRED` } });

function check(records: readonly HistoryRecord[]) {
  return checkExpiry(pairOperations(records), records);
}

/** Time of the last record: the completion just added. */
const last = (h: HistoryBuilder): number => h.records[h.records.length - 1].time_ms;
const invokeOf = (h: HistoryBuilder, id: string): number =>
  (h.records.find((r) => r.type === 'invoke' && (r as ClientRecord).args.f === 'reserve' && (r as { args: { reservation_id: string } }).args.reservation_id === id) as ClientRecord).time_ms;

t.test('the default bound is stockd\'s skew bound plus the measurement allowance', (t) => {
  t.equal(STOCKD_MAX_CLOCK_SKEW_MS, 250);
  t.equal(DEFAULT_EXPIRY_OPTIONS.skew_bound_ms, 300);
  t.equal(DEFAULT_EXPIRY_OPTIONS.liveness_ms, 5_000);
  t.end();
});

t.test('a valid history: watched before, seen expired after, committed early, late commit refused', (t) => {
  const h = new HistoryBuilder()
    .call(1, reserve('r1', 1_000), reserved('r1', 1_000))
    .call(2, reserve('r2', 2_000), reserved('r2', 2_000))
    .wait(400)
    .call(1, look('r1'), view('r1', 'PENDING', 1_000))
    .call(2, { f: 'commit', op_id: 'c2', reservation_id: 'r2' }, { kind: 'command', result: { code: 'OK', replay: false, positions: [], reservation: { ...(view('r2', 'COMMITTED', 2_000) as { view: ReservationView }).view } } })
    .wait(700)
    .call(1, look('r1'), view('r1', 'EXPIRED', 1_000))
    .call(3, reserve('r3', 1_000), reserved('r3', 1_000))
    .wait(1_500)
    .invoke(3, { f: 'commit', op_id: 'c3', reservation_id: 'r3' })
    .fail(3, expiredRefusal('r3'));
  const r = check(h.records);
  t.equal(r.valid, true, JSON.stringify(r.anomalies));
  t.equal(r.reservations, 3);
  t.equal(r.observed_expired, 2);
  t.equal(r.liveness_checked, 2, 'r1 and r3 were never settled; r2 was committed');
  t.ok(r.min_margin_ms !== null && r.min_margin_ms > 0, `every sighting after the deadline: ${r.min_margin_ms}`);
  t.end();
});

t.test('an early expiry is reported with its reservation, ttl, deadline, time and how early', (t) => {
  const h = new HistoryBuilder().call(1, reserve('r-early', 3_000), reserved('r-early', 3_000)).wait(1_000).call(2, look('r-early'), view('r-early', 'EXPIRED', 3_000));
  const deadline = invokeOf(h, 'r-early') + 3_000;
  const seen = last(h);
  const r = check(h.records);
  t.equal(r.valid, false);
  t.same(r.anomaly_counts, { 'early-expiry': 1 });
  const a = r.anomalies[0];
  t.equal(a.op_id, 'r-early');
  t.match(a.detail, 'ttl 3000 ms');
  t.match(a.detail, `deadline no earlier than ${deadline} ms`);
  t.match(a.detail, `observed EXPIRED at ${seen} ms`);
  t.match(a.detail, `${deadline - seen} ms early (bound 300 ms)`);
  t.equal(r.min_margin_ms, seen - deadline);
  t.end();
});

t.test('a commit refused RESERVATION_EXPIRED early is an early expiry too; within the bound is not', (t) => {
  const early = new HistoryBuilder().call(1, reserve('r', 2_000), reserved('r', 2_000)).wait(1_000).invoke(1, { f: 'commit', op_id: 'c', reservation_id: 'r' }).fail(1, expiredRefusal('r'));
  const r1 = check(early.records);
  t.same(r1.anomaly_counts, { 'early-expiry': 1 });
  t.match(r1.anomalies[0].detail, 'commit c by process 1');
  // 2000 ms ttl, seen at about 1800 ms: 200 ms early, inside the 300 ms bound.
  const close = new HistoryBuilder().call(1, reserve('r', 2_000), reserved('r', 2_000)).wait(1_795).call(2, look('r'), view('r', 'EXPIRED', 2_000));
  const r2 = check(close.records);
  t.equal(r2.valid, true, JSON.stringify(r2.anomalies));
  t.ok(r2.min_margin_ms! < -150 && r2.min_margin_ms! > -300, `margin ${r2.min_margin_ms}`);
  // The same history under a tighter bound fails: the option is honoured.
  const r3 = checkExpiry(pairOperations(close.records), close.records, { skew_bound_ms: 100, liveness_ms: 5_000 });
  t.same(r3.anomaly_counts, { 'early-expiry': 1 });
  t.end();
});

t.test('an extend that applied moves the lowest deadline; one refused does not', (t) => {
  const h = new HistoryBuilder()
    .call(1, reserve('r', 1_000), reserved('r', 1_000))
    .wait(500)
    .call(1, { f: 'extend', op_id: 'e', reservation_id: 'r', ttl_ms: 3_000 }, reserved('r', 3_600))
    .wait(1_000)
    .call(2, look('r'), view('r', 'EXPIRED', 3_600));
  const r = check(h.records);
  t.same(r.anomaly_counts, { 'early-expiry': 1 }, 'seen expired about 1.5 s after the extend by 3 s');
  const refused = new HistoryBuilder()
    .call(1, reserve('r', 1_000), reserved('r', 1_000))
    .wait(1_100)
    .invoke(1, { f: 'extend', op_id: 'e', reservation_id: 'r', ttl_ms: 3_000 })
    .fail(1, expiredRefusal('r'))
    .call(2, look('r'), view('r', 'EXPIRED', 1_000));
  t.equal(check(refused.records).valid, true);
  t.end();
});

t.test('a due reservation still pending well after its deadline with a majority up is late', (t) => {
  const h = new HistoryBuilder().call(1, reserve('r-late', 1_000), reserved('r-late', 1_000)).wait(7_000);
  h.call(1, look('r-late'), view('r-late', 'PENDING', 1_000));
  const r = check(h.records);
  t.equal(r.valid, false);
  t.same(r.anomaly_counts, { 'late-expiry': 1 });
  const deadline = h.records[1].time_ms + 1_000; // reserve completion + ttl
  t.match(r.anomalies[0].detail, `deadline no later than ${deadline} ms`);
  t.match(r.anomalies[0].detail, `it was due by ${deadline + 5_000} ms`);
  t.end();
});

t.test('a missed expiry while no majority was connected is not late', (t) => {
  const h = new HistoryBuilder()
    .call(1, reserve('r', 1_000), reserved('r', 1_000))
    .nemesis('partition-halves', 'start', false, 500)
    .wait(6_000)
    .invoke(1, look('r'))
    .ok(1, view('r', 'PENDING', 1_000))
    .nemesis('partition-halves', 'end', true, 10_000)
    .wait(1_000)
    .call(1, look('r'), view('r', 'EXPIRED', 1_000));
  const r = check(h.records);
  t.equal(r.valid, true, JSON.stringify(r.anomalies));
  // The clock keeps running once the majority is back: pending 5 s of majority time after
  // the deadline fails even though the outage came first.
  const after = new HistoryBuilder()
    .call(1, reserve('r', 1_000), reserved('r', 1_000))
    .nemesis('partition-halves', 'start', false, 500)
    .nemesis('partition-halves', 'end', true, 10_000)
    .wait(5_000)
    .call(1, look('r'), view('r', 'PENDING', 1_000));
  t.same(check(after.records).anomaly_counts, { 'late-expiry': 1 });
  t.end();
});

t.test('afterMajorityTime skips time without a majority', (t) => {
  t.equal(afterMajorityTime(0, 5_000, []), 5_000);
  t.equal(afterMajorityTime(0, 5_000, [{ from: 1_000, to: 4_000 }]), 8_000);
  t.equal(afterMajorityTime(2_000, 5_000, [{ from: 1_000, to: 4_000 }]), 9_000, 'starting inside an outage');
  t.equal(afterMajorityTime(0, 1_000, [{ from: 2_000, to: 4_000 }]), 1_000, 'outage after the window');
  t.end();
});

t.test('no liveness verdict when a deadline is not bounded from above', (t) => {
  const h = new HistoryBuilder()
    .call(1, reserve('r', 1_000), reserved('r', 1_000))
    .invoke(1, { f: 'extend', op_id: 'e', reservation_id: 'r', ttl_ms: 5_000 })
    .info(1)
    .wait(9_000)
    .call(2, look('r'), view('r', 'PENDING', 1_000, { deadline_ms: 1e12 + 5_500 }));
  const r = check(h.records);
  t.equal(r.valid, true, JSON.stringify(r.anomalies));
  t.equal(r.liveness_checked, 0);
  t.end();
});

t.test('values a refusal or a view reports are checked, not only the code', (t) => {
  const wrongId = new HistoryBuilder().call(1, reserve('r', 1_000), reserved('r', 1_000)).wait(1_200).invoke(1, { f: 'commit', op_id: 'c', reservation_id: 'r' }).fail(1, expiredRefusal('someone-else'));
  const r1 = check(wrongId.records);
  t.same(r1.anomaly_counts, { 'expiry-report-mismatch': 1 });
  t.match(r1.anomalies[0].detail, 'naming another reservation');
  const wrongSpan = new HistoryBuilder().call(1, reserve('r', 1_000), reserved('r', 1_000)).wait(1_200).call(1, look('r'), view('r', 'EXPIRED', 1_000, { deadline_ms: 1e12 + 400 }));
  const r2 = check(wrongSpan.records);
  t.same(r2.anomaly_counts, { 'expiry-report-mismatch': 2 }, 'not the ttl, and below it');
  const gone = new HistoryBuilder().call(1, reserve('r', 1_000), reserved('r', 1_000)).call(1, look('r'), { kind: 'reservation', view: null });
  t.same(check(gone.records).anomaly_counts, { 'expiry-report-mismatch': 1 });
  const otherLines = new HistoryBuilder().call(1, reserve('r', 1_000), reserved('r', 1_000)).call(1, look('r'), view('r', 'PENDING', 1_000, { lines: [{ sku: 'exp-1', location: 'e', quantity: 1 }] }));
  t.same(check(otherLines.records).anomaly_counts, { 'expiry-report-mismatch': 1 });
  t.end();
});

t.test('checkHistory: the expiry workload runs the expiry checker instead of linearizability', (t) => {
  const h = new HistoryBuilder().call(1, reserve('r', 3_000), reserved('r', 3_000)).wait(1_000).call(2, look('r'), view('r', 'EXPIRED', 3_000));
  const v = checkHistory(h.records, null, checkOptionsFor('expiry'));
  t.equal(v.valid, false);
  t.equal(v.expiry?.valid, false);
  t.ok(v.anomalies.some((a) => a.kind === 'early-expiry'));
  t.match(v.linearizability.skipped ?? '', /expiry/);
  const refusal = new HistoryBuilder().call(1, reserve('r', 1_000), reserved('r', 1_000)).wait(1_200).invoke(1, { f: 'commit', op_id: 'c', reservation_id: 'r' }).fail(1, expiredRefusal('r'));
  const asExpiry = checkHistory(refusal.records, null, checkOptionsFor('expiry'));
  t.notOk(asExpiry.anomalies.some((a) => a.kind === 'unexpected-expiry'), 'expected in the expiry workload');
  t.equal(asExpiry.expiry?.valid, true);
  const asLedger = checkHistory(refusal.records, null, checkOptionsFor('ledger'));
  t.ok(asLedger.anomalies.some((a) => a.kind === 'unexpected-expiry'), 'still an anomaly for long-TTL workloads');
  t.equal(asLedger.expiry, null);
  t.end();
});
