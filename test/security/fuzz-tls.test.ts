// The API fuzz test (test/api/fuzz.test.ts) once more with TLS and mutual TLS on: the same
// hostile requests, made as the admin client certificate so they pass the access check
// and meet validation, must all be refused without applying anything. Runs the compiled
// fuzz file as a child process with FUZZ_TLS=1 and fewer requests.

import t from 'tap';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './fixture.js';

const FUZZ = path.join(ROOT, 'dist/test/api/fuzz.test.js');

t.test('API fuzz with TLS on', (t) => {
  const r = spawnSync(process.execPath, [FUZZ], {
    env: { ...process.env, FUZZ_TLS: '1', FUZZ_REQUESTS: '1500' },
    encoding: 'utf8',
    timeout: 300_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  const out = `${r.stdout ?? ''}\n${r.stderr ?? ''}`;
  const failures = out.split('\n').filter((l) => /^\s*not ok/.test(l));
  t.equal(r.status, 0, 'the fuzz run passes with TLS');
  t.same(failures, [], 'no failed assertions');
  t.match(out, /fuzz \(seed \d+, TLS\)/, 'it ran in TLS mode');
  t.match(out, /head hash unchanged/, 'it reached the final checks');
  if (r.status !== 0) t.comment(out.slice(-4000));
  t.end();
});
