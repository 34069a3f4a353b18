// Synced batches of LevelStorage really reach the disk: storage writes its batches through
// the chained batch's native entry points (see LevelStorage.writeOps), so this counts
// fsync/fdatasync calls under strace (when strace is installed) to check that a persisted
// Ready is still synced.

import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function tempDir(t: { teardown(fn: () => void): void }): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'stockd-sync-'));
  t.teardown(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

t.test('every persisted Ready is fdatasync-ed', async (t) => {
  const probe = spawnSync('strace', ['-V'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    t.pass('strace is not installed: fsync count not checked');
    return;
  }
  // A child persists 5 Readies under strace; each must cost an fdatasync (or fsync).
  const dir = tempDir(t);
  const here = path.dirname(fileURLToPath(import.meta.url));
  const script = path.join(dir, 'persist.mjs');
  writeFileSync(
    script,
    `import { LevelStorage } from ${JSON.stringify(path.join(here, '../../src/node/storage-level.js'))};
const s = await LevelStorage.open(${JSON.stringify(path.join(dir, 'db'))});
await s.load();
const tick = () => new Promise((r) => setTimeout(r, 50));
await tick();
process.stdout.write('begin\\n');
for (let i = 1; i <= 5; i++) await s.persist([{ index: i, term: 1, type: 'normal', data: new Uint8Array(10) }], { term: 1, vote: 'a', commit: 0 });
process.stdout.write('end\\n');
await tick();
await s.close();
`,
  );
  const r = spawnSync('strace', ['-f', '-e', 'trace=fsync,fdatasync,write', '-o', path.join(dir, 'trace'), process.execPath, script], { encoding: 'utf8', timeout: 60_000 });
  t.equal(r.status, 0, `child ran (${r.stderr})`);
  const trace = readFileSync(path.join(dir, 'trace'), 'utf8').split('\n');
  const begin = trace.findIndex((l) => l.includes('"begin\\n"'));
  const end = trace.findIndex((l) => l.includes('"end\\n"'));
  t.ok(begin >= 0 && end > begin, 'markers found in the trace');
  const syncs = trace.slice(begin, end).filter((l) => (/\b(fsync|fdatasync)\(/.test(l) && !l.includes('unfinished')) || /<\.\.\. f(data)?sync resumed>/.test(l)).length;
  t.ok(syncs >= 5, `at least one sync per persisted Ready (saw ${syncs})`);
});
