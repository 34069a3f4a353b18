// Prints the event trace of one seed, for reading a failing run by hand:
//   node dist/test/sim/trace.js SEED NODES STEPS
import { runSeed } from './simulator.js';

const [seed, nodes, steps] = process.argv.slice(2).map(Number);
if (!Number.isInteger(seed) || (nodes !== 3 && nodes !== 5) || !Number.isInteger(steps) || steps < 1) {
  process.stderr.write('usage: node dist/test/sim/trace.js SEED 3|5 STEPS\n');
  process.exitCode = 2;
} else {
  const r = runSeed({ seed, nodes, steps, trace: (l) => process.stdout.write(`${l}\n`) });
  process.stdout.write(`${JSON.stringify({ violations: r.violations, error: r.error, at: r.failed_at_step })}\n`);
}
