// The seeded simulator over 1,000 seeds of 2,000 steps (3- and 5-node clusters): no
// checker may report a violation and no core may throw.

import t from 'tap';
import { runSeed } from './simulator.js';
import { addResult, emptySummary, finishTiming, formatSummary, replayCommand, startTiming } from './summary.js';
import { nodesForSeed } from './seeds.js';

const SEEDS = 1000;
const STEPS = 2000;

t.test(`${SEEDS} seeds x ${STEPS} steps run without violations`, (t) => {
  const sum = emptySummary();
  const timing = startTiming();
  for (let seed = 1; seed <= SEEDS; seed++) addResult(sum, runSeed({ seed, nodes: nodesForSeed(seed), steps: STEPS }), STEPS);
  finishTiming(sum, timing);
  t.comment(formatSummary(sum));
  t.equal(sum.seeds, SEEDS);
  t.ok(sum.steps >= SEEDS * STEPS, 'every seed ran its steps');
  t.same(sum.failed.map((f) => `${f.checker}: ${f.detail} (${replayCommand(f)})`), []);
  t.ok(sum.faults.crash_unpersisted > 0 && sum.faults.bridge > 0 && sum.snapshots_installed > 0 && sum.membership_changes > 0,
    'faults, snapshots and membership changes were exercised');
  t.end();
});
