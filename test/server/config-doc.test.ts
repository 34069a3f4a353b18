// The flag reference in docs/configuration.md is what the flag table generates: a changed
// default, range or reason in src/server/stockd-flags.ts without `npm run docs:config`
// fails here. The checker is also fed doctored docs and tables to show it catches them.

import t from 'tap';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FLAG_GROUPS, beginMarker, endMarker, renderFlagGroup, rewriteFlagBlocks, staleFlagGroups } from '../../src/server/config-doc.js';
import { STOCKD_FLAGS, type FlagSpec } from '../../src/server/stockd-flags.js';
import { buildCommand } from '../../src/server/stockd-config.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const DOC = readFileSync(path.join(ROOT, 'docs/configuration.md'), 'utf8');

t.test('docs/configuration.md holds the reference the table generates (run `npm run docs:config`)', async (t) => {
  t.same(staleFlagGroups(DOC), [], 'no stale group');
  t.equal(rewriteFlagBlocks(DOC), DOC, 'rewriting changes nothing');
  for (const f of STOCKD_FLAGS) {
    const rows = DOC.split('\n').filter((l) => l.startsWith(`| \`${f.flag} `) || l.startsWith(`| \`${f.flag}\``));
    t.equal(rows.length, 1, `${f.flag} has exactly one row in the doc`);
  }
});

t.test('a doctored block is detected and rewritten', async (t) => {
  const doctored = DOC.replace('| `--tick-ms <ms>` | `tickMs` | `50 ms` |', '| `--tick-ms <ms>` | `tickMs` | `40 ms` |');
  t.not(doctored, DOC, 'the doctoring changed the doc');
  t.same(staleFlagGroups(doctored), ['timing'], 'the edited group is reported');
  t.equal(rewriteFlagBlocks(doctored), DOC, 'the rewrite restores it');
  const dropped = DOC.replace(/^\| `--drain-ms.*\n/m, '');
  t.same(staleFlagGroups(dropped), ['log'], 'a missing row is reported');
  const prose = DOC.replace('Exit codes:', 'Exit statuses:');
  t.same(staleFlagGroups(prose), [], 'prose outside the markers is not the table\'s business');
});

t.test('a changed table makes the doc stale', async (t) => {
  const changed: FlagSpec[] = STOCKD_FLAGS.map((f) => (f.key === 'proposalsMax' ? { ...f, max: 2_000_000 } : f));
  t.same(staleFlagGroups(DOC, changed), ['log'], 'a new range is a stale log group');
  t.match(renderFlagGroup('log', changed), /\| 1\.\.2000000 calls \|/);
  const reason: FlagSpec[] = STOCKD_FLAGS.map((f) => (f.key === 'roles' ? { ...f, why: 'another reason' } : f));
  t.same(staleFlagGroups(DOC, reason), ['security']);
});

t.test('missing or doubled markers are refused, naming the group', async (t) => {
  t.throws(() => staleFlagGroups(DOC.replace(endMarker('operations'), '')), /flag group 'operations' are missing/);
  t.throws(() => rewriteFlagBlocks(DOC + '\n' + beginMarker('identity') + '\n'), /flag group 'identity' appear twice/);
  t.equal(FLAG_GROUPS.length, new Set(STOCKD_FLAGS.map((f) => f.group)).size, 'every group of the table has a block');
});

t.test('--help shows each flag with its default and range from the table', async (t) => {
  const help = buildCommand().helpInformation().replace(/\s+/g, ' ');
  t.match(help, /--tick-ms <ms> .*\(default: 50 ms; range: 1\.\.10000 ms\)/);
  t.match(help, /--log-bytes-max <n> .*\(default: 67108864 \(64 MiB\); range: 1 MiB\.\.16 GiB\)/);
  t.match(help, /--log-level <level> .*\(default: info; one of: fatal, error, warn, info, debug, trace, silent\)/);
  t.match(help, /--principal-streams-max <n> .*\(default: 16 streams; range: 1\.\.1000000 streams\)/);
  for (const f of STOCKD_FLAGS) t.ok(help.includes(` ${f.flag}`), `${f.flag} is in --help`);
});
