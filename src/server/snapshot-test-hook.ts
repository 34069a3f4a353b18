// Test hook of a snapshot's receive and install, read from the environment and honoured
// only with stockd --test-hooks (boot.ts): fault tests end the process with SIGKILL at a
// named step, slow the stream down to catch it mid-way, or fail a step once to see the
// refusal and the sender's retry.
//
//   STOCKD_TEST_SNAPSHOT_KILL_AT=<step>[:<n>]   SIGKILL at the step (receive-chunk: once
//                                              n chunks are staged; default 1)
//   STOCKD_TEST_SNAPSHOT_FAIL_AT=<step>[:<n>]   throw once there (receive-chunk, received)
//   STOCKD_TEST_SNAPSHOT_CHUNK_DELAY_MS=<ms>    sleep after every staged chunk (0..10000)
// Steps: receive-chunk, received, install-before, install-after (see SnapshotStep).

import { writeSync } from 'node:fs';
import type { SnapshotStep, SnapshotTestHook } from '../node/snapshot-receive.js';

const STEPS: readonly SnapshotStep[] = ['receive-chunk', 'received', 'install-before', 'install-after'];
const FAILABLE: readonly SnapshotStep[] = ['receive-chunk', 'received'];
const DELAY_MS_MAX = 10_000;

interface At {
  readonly step: SnapshotStep;
  readonly n: number;
}

function parseAt(name: string, v: string | undefined, allowed: readonly SnapshotStep[]): At | null {
  if (v === undefined || v === '') return null;
  const [step, n_text] = v.split(':');
  if (!allowed.includes(step as SnapshotStep)) throw new Error(`${name}: step '${step}' is not one of ${allowed.join(', ')}`);
  const n = n_text === undefined ? 1 : Number(n_text);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name}: count must be a non-negative integer, got '${n_text}'`);
  return { step: step as SnapshotStep, n };
}

const reached = (at: At | null, step: SnapshotStep, n: number): boolean => at !== null && at.step === step && n >= at.n;

/** The hook the environment asks for, or null when it asks for none. Throws on a
 * malformed setting (stockd then refuses to start, naming it). */
export function snapshotTestHookFromEnv(env: NodeJS.ProcessEnv): SnapshotTestHook | null {
  const kill = parseAt('STOCKD_TEST_SNAPSHOT_KILL_AT', env.STOCKD_TEST_SNAPSHOT_KILL_AT, STEPS);
  const fail = parseAt('STOCKD_TEST_SNAPSHOT_FAIL_AT', env.STOCKD_TEST_SNAPSHOT_FAIL_AT, FAILABLE);
  const delay_text = env.STOCKD_TEST_SNAPSHOT_CHUNK_DELAY_MS;
  const delay_ms = delay_text === undefined || delay_text === '' ? 0 : Number(delay_text);
  if (!Number.isSafeInteger(delay_ms) || delay_ms < 0 || delay_ms > DELAY_MS_MAX) throw new Error(`STOCKD_TEST_SNAPSHOT_CHUNK_DELAY_MS must be 0..${DELAY_MS_MAX}, got '${delay_text}'`);
  if (kill === null && fail === null && delay_ms === 0) return null;
  let failed = false;
  return async (step, n) => {
    if (reached(kill, step, n)) {
      // Written synchronously: the logger's buffered line would die with the process.
      writeSync(2, `${JSON.stringify({ step, n, msg: 'test hook: SIGKILL at a snapshot step' })}\n`);
      process.kill(process.pid, 'SIGKILL');
    }
    if (!failed && reached(fail, step, n)) {
      failed = true;
      throw new Error(`test hook: snapshot step ${step} fails once`);
    }
    if (step === 'receive-chunk' && delay_ms > 0) await new Promise((r) => setTimeout(r, delay_ms));
  };
}
