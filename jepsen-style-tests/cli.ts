// npm run jepsen -- --workload ledger|register|expiry|commerce --nemesis LIST|all --time-limit S
//                   --nodes 3|5 --concurrency N --seed S [--known-bad wall-clock-stamping]
// Prints progress while it runs and the verdict at the end; exits 0 only when valid.

import { Command, InvalidArgumentError } from 'commander';
import { DEFAULT_EXPIRY_OPTIONS } from './checkers/expiry.js';
import { KNOWN_BAD, parseKnownBad } from './known-bad.js';
import { parseNemesisList } from './nemesis.js';
import { RUN_DEFAULTS, runTest, STORE_ROOT } from './run.js';
import { WORKLOADS, type WorkloadName } from './workloads.js';

function intIn(name: string, lo: number, hi: number): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < lo || n > hi) throw new InvalidArgumentError(`${name} must be an integer in ${lo}..${hi}, got "${v}"`);
    return n;
  };
}

const program = new Command()
  .name('jepsen')
  .description('Fault-injection test of a real Stockraft cluster: workload, nemesis, history, checkers.')
  .option('--workload <name>', WORKLOADS.join(' | '), 'ledger')
  .option('--nemesis <list>', 'comma list of faults or families (partition, kill, pause, membership, transfer, clock, slow-disk, slow-net, none) or all', 'partition')
  .option('--time-limit <seconds>', 'how long the workload runs (1..86400)', intIn('--time-limit', 1, 86_400), 60)
  .option('--nodes <n>', '3 or 5', intIn('--nodes', 3, 5), 3)
  .option('--concurrency <n>', 'client processes (1..256)', intIn('--concurrency', 1, 256), 8)
  .option('--seed <n>', 'seed for workload and nemesis choices', intIn('--seed', 0, 2 ** 31 - 1), Math.floor(Math.random() * 1_000_000))
  .option('--store <dir>', 'where run directories go', STORE_ROOT)
  .option('--quiet-ms <lo,hi>', 'pause between faults, ms', '2000,5000')
  .option('--fault-ms <lo,hi>', 'how long a fault lasts, ms', '4000,10000')
  .option('--client-deadline-ms <ms>', 'per-call budget of a client, retries included', intIn('--client-deadline-ms', 100, 120_000), RUN_DEFAULTS.client_deadline_ms)
  .option('--stockd-arg <arg...>', 'extra flags passed to every stockd', [])
  .option('--known-bad <list>', `comma list of deliberate misbehaviours for every stockd (${KNOWN_BAD.join(', ')}); the run should come out invalid`, '')
  .option('--expiry-skew-bound-ms <ms>', 'expiry checker: an expiry seen this much before the lowest possible deadline is a violation', intIn('--expiry-skew-bound-ms', 0, 3_600_000), DEFAULT_EXPIRY_OPTIONS.skew_bound_ms)
  .option('--expiry-liveness-ms <ms>', 'expiry checker: majority-up time after the highest possible deadline by which a left-alone reservation must be expired', intIn('--expiry-liveness-ms', 1, 3_600_000), DEFAULT_EXPIRY_OPTIONS.liveness_ms)
  .option('--keep-data', 'keep the nodes\' data dirs of a valid run (invalid runs always keep them)', false)
  .parse();

const opts = program.opts<{
  workload: string;
  nemesis: string;
  timeLimit: number;
  nodes: number;
  concurrency: number;
  seed: number;
  store: string;
  quietMs: string;
  faultMs: string;
  clientDeadlineMs: number;
  stockdArg: string[];
  keepData: boolean;
  knownBad: string;
  expirySkewBoundMs: number;
  expiryLivenessMs: number;
}>();

function pair(name: string, text: string): [number, number] {
  const [a, b] = text.split(',').map(Number);
  if (!Number.isInteger(a) || !Number.isInteger(b) || a < 0 || b < a || b > 3_600_000) {
    throw new Error(`${name} must be "lo,hi" integers with 0 <= lo <= hi <= 3600000, got "${text}"`);
  }
  return [a, b];
}

async function main(): Promise<number> {
  if (!(WORKLOADS as readonly string[]).includes(opts.workload)) throw new Error(`--workload must be one of ${WORKLOADS.join(', ')}, got "${opts.workload}"`);
  if (opts.nodes !== 3 && opts.nodes !== 5) throw new Error(`--nodes must be 3 or 5, got ${opts.nodes}`);
  const nemeses = parseNemesisList(opts.nemesis);
  const { dir, verdict } = await runTest({
    workload: opts.workload as WorkloadName,
    nemeses,
    nemesis_label: opts.nemesis,
    time_limit_s: opts.timeLimit,
    nodes: opts.nodes,
    concurrency: opts.concurrency,
    seed: opts.seed,
    store_root: opts.store,
    schedule: { quiet_ms: pair('--quiet-ms', opts.quietMs), fault_ms: pair('--fault-ms', opts.faultMs) },
    client_deadline_ms: opts.clientDeadlineMs,
    extra_args: opts.stockdArg,
    keep_data: opts.keepData,
    known_bad: parseKnownBad(opts.knownBad),
    expiry: { skew_bound_ms: opts.expirySkewBoundMs, liveness_ms: opts.expiryLivenessMs },
    log: (l) => console.log(l),
  });
  const a = verdict.availability;
  console.log('');
  console.log(`valid: ${String(verdict.valid)}`);
  console.log(`ops: ${verdict.stats.ops} (ok ${verdict.stats.ok}, fail ${verdict.stats.fail}, info ${verdict.stats.info}, resolved ${verdict.stats.info_resolved})`);
  console.log(`availability with a majority: ${(a.fraction_with_majority * 100).toFixed(2)}% of ${a.ops_with_majority} ops; longest unavailable ${a.longest_unavailable_ms} ms (with majority ${a.longest_unavailable_with_majority_ms} ms)`);
  const e = verdict.expiry;
  if (e !== null) {
    console.log(`expiry: ${e.reservations} reservations, ${e.observed_expired} seen expired; smallest margin to the lowest deadline ${e.min_margin_ms ?? '-'} ms (violation below -${e.options.skew_bound_ms} ms); ${e.liveness_checked} left alone, latest first sighting ${e.max_seen_after_deadline_ms ?? '-'} ms after the highest deadline`);
  }
  const c = verdict.commerce;
  if (c !== undefined && c !== null) {
    console.log(`commerce: ${c.stats.waiting} reserves waited, ${c.stats.grants} grants, ${c.stats.wait_expiries} waits expired, ${c.stats.customer_refusals} CUSTOMER_LIMIT refusals over ${c.stats.customer_skus} customer/SKU pairs, ${c.stats.transfers} transfers, ${c.stats.counts} counts`);
  }
  for (const an of verdict.anomalies.slice(0, 20)) console.log(`anomaly ${an.kind}: ${an.position ?? ''} ${an.detail}`);
  if (verdict.anomalies.length > 20) console.log(`... ${verdict.anomalies.length - 20} more in results.json`);
  console.log(`store: ${dir} (report.html, results.json, history.jsonl)`);
  return verdict.valid === true ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`jepsen: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    process.exit(2);
  },
);
