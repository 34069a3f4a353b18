// --force-new-cluster as a setting: off by default, on from the command line, refused in a
// --config file (a one-off recovery left in a file would run at every start) and beside
// --join or --restore.

import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildCommand, ConfigError, resolveConfig } from '../../src/server/stockd-config.js';

function parse(args: string[]) {
  const cmd = buildCommand().exitOverride();
  cmd.parse(['node', 'stockd', ...args]);
  return resolveConfig(cmd);
}

const BASE = ['--id', 'n1', '--initial-cluster', 'n1=127.0.0.1:7401,n2=127.0.0.1:7402', '--insecure'];

t.test('off by default, on from the command line', async (t) => {
  t.equal(parse(BASE).force_new_cluster, false);
  t.equal(parse([...BASE, '--force-new-cluster']).force_new_cluster, true);
});

t.test('refused in a --config file, naming the file and the setting', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stockd-fnc-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const key of ['force-new-cluster', 'forceNewCluster']) {
    const file = path.join(dir, `${key}.json`);
    writeFileSync(file, JSON.stringify({ [key]: true }));
    t.throws(() => parse([...BASE, '--config', file]), new ConfigError(`--config ${file}: force-new-cluster is taken from the command line only (a one-off recovery, see docs/operations.md)`), key);
  }
  const other = path.join(dir, 'other.json');
  writeFileSync(other, JSON.stringify({ 'tick-ms': 40 }));
  t.equal(parse([...BASE, '--config', other, '--force-new-cluster']).force_new_cluster, true, 'a file without it does not stop the flag');
});

t.test('refused beside --join or --restore', async (t) => {
  t.throws(() => parse(['--id', 'n1', '--join', '--cluster-id', 'c-1', '--initial-cluster', 'n2=127.0.0.1:7402', '--insecure', '--force-new-cluster']), { message: /--force-new-cluster .* cannot be combined with --join/ });
  t.throws(() => parse([...BASE, '--restore', '/tmp/x.bin', '--force-new-cluster']), { message: /--force-new-cluster .* cannot be combined with --restore/ });
});
