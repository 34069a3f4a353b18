// CPU time of a process read from /proc: grows with work, and a process that is gone
// gives null instead of a number.

import t from 'tap';
import { spawnSync } from 'node:child_process';
import { cpuSeconds, totalCpuSeconds } from '../../bench/lib/proc-cpu.js';

t.test('cpuSeconds reads our own process and refuses a gone one', { skip: process.platform !== 'linux' && 'needs /proc' }, async (t) => {
  const before = cpuSeconds(process.pid);
  t.type(before, 'number');
  let x = 0;
  const until = Date.now() + 200;
  while (Date.now() < until) x += Math.sqrt(x + 1); // bounded busy loop
  const after = cpuSeconds(process.pid);
  t.ok(after !== null && before !== null && after > before, `CPU time grew (${before} -> ${after}, ${x > 0})`);
  const gone = spawnSync(process.execPath, ['-e', '0']).pid;
  t.equal(cpuSeconds(gone), null, 'an exited process');
  t.equal(totalCpuSeconds([process.pid, gone]), null, 'a sum with a gone process is null');
});
