// --max-clock-skew-ms and the known-bad wall-clock stamping switch: defaults, range, and the
// environment variable honoured only with --test-hooks.

import t from 'tap';
import { buildCommand, resolveConfig, WALL_CLOCK_STAMPING_ENV } from '../../src/server/stockd-config.js';

const IC = 'n1=127.0.0.1:7401';

function parse(args: string[], env: Record<string, string | undefined> = {}) {
  const cmd = buildCommand().exitOverride();
  cmd.parse(['node', 'stockd', '--id', 'n1', '--initial-cluster', IC, '--insecure', ...args]);
  return resolveConfig(cmd, env);
}

t.test('--max-clock-skew-ms: default 250, range 0..500', async (t) => {
  t.equal(parse([]).max_clock_skew_ms, 250);
  t.equal(parse(['--max-clock-skew-ms', '0']).max_clock_skew_ms, 0);
  t.equal(parse(['--max-clock-skew-ms', '500']).max_clock_skew_ms, 500);
  t.throws(() => parse(['--max-clock-skew-ms', '501']), /--max-clock-skew-ms must be an integer in 0\.\.500, got "501"/);
  t.throws(() => parse(['--max-clock-skew-ms', '-1']), /--max-clock-skew-ms must be an integer in 0\.\.500/);
});

t.test(`${WALL_CLOCK_STAMPING_ENV} switches to wall stamping only with --test-hooks`, async (t) => {
  t.equal(WALL_CLOCK_STAMPING_ENV, 'STOCKRAFT_TEST_WALL_CLOCK_STAMPING');
  t.equal(parse([]).log_clock_mode, 'anchored');
  t.equal(parse(['--test-hooks']).log_clock_mode, 'anchored');
  t.equal(parse(['--test-hooks'], { [WALL_CLOCK_STAMPING_ENV]: '0' }).log_clock_mode, 'anchored');
  t.equal(parse(['--test-hooks'], { [WALL_CLOCK_STAMPING_ENV]: '1' }).log_clock_mode, 'wall');
  t.throws(() => parse([], { [WALL_CLOCK_STAMPING_ENV]: '1' }), /is for tests only: it needs --test-hooks/);
  t.throws(() => parse(['--test-hooks'], { [WALL_CLOCK_STAMPING_ENV]: 'yes' }), /must be 1, 0 or unset, got "yes"/);
});
