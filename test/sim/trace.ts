// Prints the event trace of one seed: node trace.js SEED NODES STEPS
import { runSeed } from './simulator.js';
const [seed, nodes, steps] = process.argv.slice(2).map(Number);
const r = runSeed({ seed, nodes: nodes === 5 ? 5 : 3, steps, trace: (l) => process.stdout.write(`${l}\n`) });
process.stdout.write(`${JSON.stringify({ violations: r.violations, error: r.error, at: r.failed_at_step })}\n`);
