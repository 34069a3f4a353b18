// STOCKRAFT_TEST_RULES_VERSION_MAX: lowers the rules versions a node applies, honoured
// only with --test-hooks, bounded by this build's range.

import t from 'tap';
import { buildCommand, resolveConfig, RULES_VERSION_MAX_ENV } from '../../src/server/stockd-config.js';
import { RULES_VERSION_MAX } from '../../src/ledger/rules.js';

function parse(args: string[], env: Record<string, string | undefined> = {}) {
  const cmd = buildCommand().exitOverride();
  cmd.parse(['node', 'stockd', '--id', 'n1', '--initial-cluster', 'n1=127.0.0.1:7401', '--insecure', ...args]);
  return resolveConfig(cmd, env);
}

t.test(`${RULES_VERSION_MAX_ENV} lowers the range only with --test-hooks`, async (t) => {
  t.equal(RULES_VERSION_MAX_ENV, 'STOCKRAFT_TEST_RULES_VERSION_MAX');
  t.equal(parse([]).rules_version_max, RULES_VERSION_MAX, "default: the build's newest version");
  t.equal(parse(['--test-hooks'], { [RULES_VERSION_MAX_ENV]: '1' }).rules_version_max, 1);
  t.throws(() => parse([], { [RULES_VERSION_MAX_ENV]: '1' }), /STOCKRAFT_TEST_RULES_VERSION_MAX \(a node that stands for an older build\) is for tests only: it needs --test-hooks/);
  t.throws(() => parse(['--test-hooks'], { [RULES_VERSION_MAX_ENV]: String(RULES_VERSION_MAX + 1) }), new RegExp(`must be an integer 1\\.\\.${RULES_VERSION_MAX}, got "${RULES_VERSION_MAX + 1}"`));
  t.throws(() => parse(['--test-hooks'], { [RULES_VERSION_MAX_ENV]: '0' }), /must be an integer 1\.\./);
  t.throws(() => parse(['--test-hooks'], { [RULES_VERSION_MAX_ENV]: '1.5' }), /got "1\.5"/);
});
