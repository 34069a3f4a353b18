import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadProfile, summarizeProfile } from '../../bench/profile/cpuprofile.js';

const profile = {
  nodes: [
    { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 }, children: [2, 3, 5] },
    { id: 2, callFrame: { functionName: 'apply', url: 'file:///repo/dist/src/ledger/apply.js', lineNumber: 9 } },
    { id: 3, callFrame: { functionName: 'encode', url: 'file:///repo/dist/src/server/wire.js', lineNumber: 0 } },
    { id: 4, callFrame: { functionName: 'decode', url: 'file:///repo/dist/src/server/wire.js', lineNumber: 20 } },
    { id: 5, callFrame: { functionName: '(idle)', url: '', lineNumber: -1 } },
  ],
  samples: [2, 2, 2, 3, 4, 1, 5],
  timeDeltas: [1000, 1000, 1000, 2000, 2000, 3000, 10000],
};

t.test('self time per function and per file, as shares of the sampled time', (t) => {
  const s = summarizeProfile(profile, '/repo');
  t.equal(s.total_ms, 20);
  t.equal(s.idle_ms, 10);
  t.same(s.functions.map((f) => [f.name, f.self_ms]), [
    ['apply dist/src/ledger/apply.js:10', 3],
    ['(root) (native)', 3],
    ['encode dist/src/server/wire.js:1', 2],
    ['decode dist/src/server/wire.js:21', 2],
  ]);
  t.same(s.files[0], { name: 'dist/src/server/wire.js', self_ms: 4, share: 0.2, busy_share: 0.4 });
  t.notOk(s.functions.some((f) => f.name.startsWith('(idle)')), 'idle is not a hot spot');
  t.end();
});

t.test('a file that is not a cpuprofile, or is inconsistent, is refused', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-prof-test-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const bad = path.join(dir, 'bad.cpuprofile');
  fs.writeFileSync(bad, JSON.stringify({ ...profile, timeDeltas: [1] }));
  t.throws(() => loadProfile(bad), /7 samples but 1 time deltas/);
  const junk = path.join(dir, 'junk.cpuprofile');
  fs.writeFileSync(junk, JSON.stringify({ hello: 1 }));
  t.throws(() => loadProfile(junk), /not a V8 cpuprofile/);
  const good = path.join(dir, 'good.cpuprofile');
  fs.writeFileSync(good, JSON.stringify(profile));
  t.equal(loadProfile(good).samples.length, 7);
  t.end();
});
