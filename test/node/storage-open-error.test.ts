// Start-up refusals name the real cause of a data dir that does not open: a full disk,
// no permission, a read-only filesystem, a second stockd holding the lock, corruption.
// Real LevelDB failures where the test can make them (lock, corruption, missing file);
// errors shaped like LevelDB's and Node's for the ones it cannot (ENOSPC, and EACCES when
// the tests run as root).

import t from 'tap';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LevelStorage, StorageError } from '../../src/node/storage-level.js';
import { classifyOpenFailure, openFailureMessage } from '../../src/node/storage-open-error.js';

const level = (status: string, code = 'LEVEL_IO_ERROR') => Object.assign(new Error('Database failed to open'), { code: 'LEVEL_DATABASE_NOT_OPEN', cause: Object.assign(new Error(status), { code }) });
const fsErr = (code: string, msg: string) => Object.assign(new Error(`${code}: ${msg}`), { code });

t.test('each cause gets its own kind and message', (t) => {
  const cases: Array<[unknown, string, RegExp]> = [
    [level('IO error: /d/000005.log: No space left on device'), 'disk_full', /the disk is full \(ENOSPC;.*\)\. Free space .*do NOT wipe the data dir/],
    [fsErr('ENOSPC', 'no space left on device, write'), 'disk_full', /disk is full/],
    [level('IO error: /d/LOCK: Permission denied'), 'permission', /permission denied \(.*LOCK: Permission denied\)\. stockd runs as uid 1234: give it read and write access .*do NOT wipe/],
    [fsErr('EACCES', "permission denied, scandir '/d'"), 'permission', /permission denied/],
    [fsErr('EPERM', 'operation not permitted'), 'permission', /permission denied/],
    [level('IO error: /d/LOCK: Read-only file system'), 'read_only', /mounted read-only \(EROFS/],
    [level('IO error: lock /d/LOCK: already held by process', 'LEVEL_LOCKED'), 'locked', /in use by another process .*another stockd probably runs on this dir/],
    [level('Corruption: no meta-nextfile entry in descriptor', 'LEVEL_CORRUPTION'), 'corrupt', /is corrupt \(.*no meta-nextfile.*\)\. Recover the node from its peers/],
    [level('IO error: /d/MANIFEST-000099: No such file or directory'), 'corrupt', /is corrupt/],
    [level('IO error: something else entirely'), 'io', /I\/O error .*do not wipe the dir before knowing the cause/],
  ];
  for (const [err, kind, msg] of cases) {
    t.equal(classifyOpenFailure(err).kind, kind, `${kind}: ${String((err as Error).message)}`);
    t.match(openFailureMessage('/d', err, 1234), msg);
    if (kind !== 'corrupt') t.notMatch(openFailureMessage('/d', err, 1234), /corrupt/, 'never called corrupt');
  }
  t.end();
});

t.test('real LevelDB: a held lock and a damaged database', async (t) => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'stockraft-open-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const dir = path.join(root, 'db');
  const first = await LevelStorage.open(dir);
  t.teardown(() => first.close());
  await t.rejects(LevelStorage.open(dir), { name: 'StorageError', message: /is in use by another process \(its LevelDB lock is held/ }, 'a second opener is told about the lock');

  const bad = path.join(root, 'bad');
  mkdirSync(bad);
  writeFileSync(path.join(bad, 'CURRENT'), 'MANIFEST-000099\n');
  await t.rejects(LevelStorage.open(bad), { message: /bad is corrupt \(.*MANIFEST-000099/ });

  const mangled = path.join(root, 'mangled');
  const s = await LevelStorage.open(mangled);
  await s.close();
  for (const f of readdirSync(mangled)) if (f.startsWith('MANIFEST')) writeFileSync(path.join(mangled, f), 'not a manifest at all, just words');
  const err = await LevelStorage.open(mangled).then(() => null, (e: unknown) => e);
  t.ok(err instanceof StorageError);
  t.match(String(err), /mangled is corrupt \(/, 'a mangled manifest is corruption');
});
