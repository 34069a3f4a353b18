// stockd's flags and --config file: defaults, precedence, and clear refusals.

import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildCommand, deriveClusterId, parseMemberList, resolveConfig } from '../../src/server/stockd-config.js';

function parse(args: string[]) {
  const cmd = buildCommand().exitOverride();
  cmd.parse(['node', 'stockd', ...args]);
  return resolveConfig(cmd);
}

const IC = 'n1=127.0.0.1:7401,n2=127.0.0.1:7402,n3=127.0.0.1:7403';

t.test('defaults and derived values', async (t) => {
  const c = parse(['--id', 'n1', '--initial-cluster', IC, '--insecure']);
  t.equal(c.listen, '127.0.0.1:7401');
  t.equal(c.advertise, c.listen, 'advertise defaults to listen');
  t.equal(c.tick_ms, 50);
  t.equal(c.election_ms_min, 500);
  t.equal(c.election_ms_max, 1000);
  t.equal(c.snapshot_entries, 10000);
  t.equal(c.trailing_entries, 5000);
  t.equal(c.cluster_id, deriveClusterId(parseMemberList('x', IC)), 'cluster id derived from the initial cluster');
  t.equal(deriveClusterId(parseMemberList('x', 'n3=127.0.0.1:7403,n1=127.0.0.1:7401,n2=127.0.0.1:7402')), c.cluster_id, 'order does not matter');
  t.equal(c.data_dir, path.resolve('data', 'n1'));
});

t.test('a --config file is read and flags win over it', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stockd-config-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'n1.json');
  writeFileSync(file, JSON.stringify({ id: 'n1', 'initial-cluster': IC, 'tick-ms': 20, 'election-ms-min': 300, 'election-ms-max': 600, insecure: true }));
  const c = parse(['--config', file, '--tick-ms', '25']);
  t.equal(c.id, 'n1');
  t.equal(c.tick_ms, 25, 'the flag wins');
  t.equal(c.election_ms_min, 300, 'the file wins over the default');
  writeFileSync(file, JSON.stringify({ id: 'n1', 'tick-mss': 20 }));
  t.throws(() => parse(['--config', file]), /unknown setting "tick-mss"/);
  writeFileSync(file, '{not json');
  t.throws(() => parse(['--config', file]), /not JSON/);
});

t.test('bad input is refused naming the field, the limit and the value', async (t) => {
  t.throws(() => parse(['--initial-cluster', IC]), /--id is required/);
  t.throws(() => parse(['--id', 'n 1', '--initial-cluster', IC]), /--id must be 1..64 characters of \[A-Za-z0-9._-\], got "n 1"/);
  t.throws(() => parse(['--id', 'n1', '--initial-cluster', 'n1=localhost']), /--initial-cluster address of n1 must be host:port/);
  t.throws(() => parse(['--id', 'n1', '--initial-cluster', 'n1=a:1,n1=b:2']), /member n1 appears twice/);
  t.throws(() => parse(['--id', 'n4', '--initial-cluster', IC]), /must name this node \(n4\) unless --join/);
  t.throws(() => parse(['--id', 'n4', '--join']), /--join needs --cluster-id/);
  t.throws(() => parse(['--id', 'n1', '--initial-cluster', IC, '--election-ms-max', '900']), /--election-ms-max must be twice --election-ms-min.*min 500 max 900/);
  t.throws(() => parse(['--id', 'n1', '--initial-cluster', IC, '--tick-ms', '0']), /--tick-ms must be an integer in 1..10000, got "0"/);
  t.throws(() => parse(['--id', 'n1', '--initial-cluster', IC, '--listen', '127.0.0.1:70000']), /--listen must be host:port .*port 0..65535/);
  t.throws(() => parse(['--id', 'n1', '--initial-cluster', IC, '--log-level', 'loud']), /--log-level must be/);
  const ok = parse(['--id', 'n4', '--join', '--cluster-id', 'c-abc', '--initial-cluster', IC]);
  t.equal(ok.join, true, 'a joiner with a cluster id is fine');
  t.equal(ok.cluster_id, 'c-abc');
});

t.test('every integer flag is bounded by the table: the limit and the value are named', async (t) => {
  const { STOCKD_FLAGS } = await import('../../src/server/stockd-flags.js');
  const ints = STOCKD_FLAGS.filter((f) => f.kind === 'int');
  t.ok(ints.length >= 12, 'the table has the integer flags');
  for (const f of ints) {
    // The election bounds are tied together; move both so only the range is at stake.
    const extra = f.key === 'electionMsMin' ? ['--election-ms-max', String(2 * (f.max + 1))] : f.key === 'electionMsMax' ? ['--election-ms-min', String(f.max / 2)] : [];
    const re = new RegExp(`^${f.flag} must be an integer in ${f.min}\\.\\.${f.max}, got "${f.max + 1}"$`);
    t.throws(() => parse(['--id', 'n1', '--initial-cluster', IC, '--insecure', f.flag, String(f.max + 1), ...extra]), re, `${f.flag} above its range`);
  }
  const c = parse(['--id', 'n1', '--initial-cluster', IC, '--insecure', '--principal-calls-max', '7', '--idle-gc-mib', '0']);
  t.equal(c.security.principalCallsMax, 7, 'a security limit is read as a number');
  t.equal(c.security.principalStreamsMax, 16, 'and defaults from the table');
  t.equal(c.idle_gc_mib, 0, 'the low end of a range is accepted');
  t.throws(() => parse(['--id', 'n1', '--initial-cluster', IC, '--insecure', '--principal-streams-max', '0']), /^--principal-streams-max must be an integer in 1\.\.1000000, got "0"$/);
});
