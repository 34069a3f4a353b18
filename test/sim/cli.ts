// npm run sim -- --seeds N [--seed S] [--nodes 3|5] [--steps K] [--json]
// Runs seeds S..S+N-1 (S defaults to 1; --seed alone runs that one seed), prints a summary
// and, for every failing seed, the command that replays it. Exits 1 on any violation.

import { runSeed } from './simulator.js';
import { addResult, emptySummary, finishTiming, formatSummary, replayCommand, startTiming } from './summary.js';
import { nodesForSeed } from './seeds.js';

export const DEFAULT_STEPS = 2000;
const SEEDS_MAX = 10_000_000;
const STEPS_MAX = 100_000_000;

interface Args {
  seeds: number;
  seed: number;
  nodes: 3 | 5 | null;
  steps: number;
  json: boolean;
}

function intArg(name: string, value: string | undefined, lo: number, hi: number): number {
  const n = Number(value);
  if (value === undefined || !Number.isInteger(n) || n < lo || n > hi) {
    throw new Error(`--${name} must be an integer in [${lo}, ${hi}], got ${JSON.stringify(value)}`);
  }
  return n;
}

function parse(argv: readonly string[]): Args {
  const a: Args = { seeds: 1, seed: 1, nodes: null, steps: DEFAULT_STEPS, json: false };
  let seeds_given = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    switch (flag) {
      case '--seeds':
        a.seeds = intArg('seeds', argv[++i], 1, SEEDS_MAX);
        seeds_given = true;
        break;
      case '--seed':
        a.seed = intArg('seed', argv[++i], 0, 2 ** 32 - 1);
        break;
      case '--nodes': {
        const n = intArg('nodes', argv[++i], 3, 5);
        if (n !== 3 && n !== 5) throw new Error(`--nodes must be 3 or 5, got ${n}`);
        a.nodes = n;
        break;
      }
      case '--steps':
        a.steps = intArg('steps', argv[++i], 1, STEPS_MAX);
        break;
      case '--json':
        a.json = true;
        break;
      default:
        throw new Error(`unknown argument ${JSON.stringify(flag)}; usage: --seeds N [--seed S] [--nodes 3|5] [--steps K] [--json]`);
    }
  }
  if (!seeds_given) a.seeds = 1;
  return a;
}


function main(): number {
  let args: Args;
  try {
    args = parse(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
  const sum = emptySummary();
  const timing = startTiming();
  for (let k = 0; k < args.seeds; k++) {
    const seed = args.seed + k;
    const r = runSeed({ seed, nodes: args.nodes ?? nodesForSeed(seed), steps: args.steps });
    addResult(sum, r, args.steps);
  }
  finishTiming(sum, timing);
  process.stdout.write(`${formatSummary(sum)}\n`);
  for (const f of sum.failed) {
    process.stdout.write(`VIOLATION seed ${f.seed} (${f.nodes} nodes) ${f.checker} at step ${f.at_step}: ${f.detail}\n  replay: ${replayCommand(f)}\n`);
  }
  if (args.json) process.stdout.write(`${JSON.stringify(sum)}\n`);
  return sum.violations > 0 ? 1 : 0;
}

process.exitCode = main();
