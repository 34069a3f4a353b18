// The measured window counts calls by when they complete: a call that began in the
// warm-up and ends inside the window counts, one that ends after it does not.
import t from 'tap';
import { ERROR_SAMPLES_MAX, MeasuredWindow } from '../../bench/load/window.js';

t.test('calls count by their completion inside the window', (t) => {
  const w = new MeasuredWindow();
  w.completed(1_000, 1); // completed during the warm-up: not counted
  w.start();
  w.completed(4_000_000, 100); // took 4 s, so it started in the warm-up; it completes in the window
  w.completed(2_000, 100);
  w.refused();
  w.failed('boom');
  w.stop();
  w.completed(3_000, 100); // completes after the window: not counted
  w.failed('late');
  t.equal(w.ops, 2, 'two calls completed inside the window');
  t.equal(w.units, 200, 'their ledger operations');
  t.equal(w.hist.totalCount, 2, 'two latencies recorded');
  t.ok(w.hist.maxValue >= 3_990_000, 'the long call that straddled the window start is among them');
  t.equal(w.refusals, 1);
  t.equal(w.errors, 1);
  t.same(w.error_samples, ['boom']);
  t.end();
});

t.test('error samples are bounded', (t) => {
  const w = new MeasuredWindow();
  w.start();
  for (let i = 0; i < 20; i++) w.failed(`e${i}`);
  t.equal(w.errors, 20);
  t.equal(w.error_samples.length, ERROR_SAMPLES_MAX);
  t.end();
});
