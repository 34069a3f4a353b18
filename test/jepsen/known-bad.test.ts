import t from 'tap';
import { knownBadEnv, parseKnownBad } from '../../jepsen-style-tests/known-bad.js';

t.test('--known-bad names map to the environment stockd reads', (t) => {
  t.same(parseKnownBad(''), []);
  t.same(parseKnownBad('wall-clock-stamping'), ['wall-clock-stamping']);
  t.same(knownBadEnv(parseKnownBad('wall-clock-stamping, wall-clock-stamping')), { STOCKRAFT_TEST_WALL_CLOCK_STAMPING: '1' });
  t.same(knownBadEnv([]), {});
  t.throws(() => parseKnownBad('clock-skew'), /unknown "clock-skew"; known: wall-clock-stamping/);
  t.end();
});
