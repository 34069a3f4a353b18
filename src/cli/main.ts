#!/usr/bin/env node
// stockctl: the operator's and developer's command line for a Stockraft cluster.
// Endpoints come from --endpoints or STOCKRAFT_ENDPOINTS (default: the local cluster of
// `npm start`). Tables by default, --json for scripts; exit 0 on success, otherwise
// non-zero with a one-line reason on stderr (see context.ts for the statuses).

import { Command, CommanderError } from 'commander';
import { StockraftError } from '../client/index.js';
import { UsageError } from './args.js';
import { Exit, EXIT_CALL_FAILED, EXIT_USAGE } from './context.js';
import { addStockCommands } from './stock-commands.js';
import { addCommerceCommands } from './commerce-commands.js';
import { addClusterCommands } from './cluster-commands.js';
import { addVerifyCommand } from './verify.js';
import { addAdminEventsCommand } from './admin-events.js';
import { addBackupCommands } from './backup.js';
import { addHistoryCommands } from './history-commands.js';
import { io, type Io } from './io.js';

// Output is for people and scripts: Node's deprecation notices (e.g. about TLS server names
// that are IP addresses, which development certificates use) would break the one-line rule.
process.noDeprecation = true;

export function buildProgram(): Command {
  const program = new Command('stockctl')
    .description('Operate a Stockraft cluster: membership, stock operations, checks, backups')
    .option('--endpoints <list>', 'host:port,... of cluster nodes (or STOCKRAFT_ENDPOINTS; default 127.0.0.1:7401..7403)')
    .option('--json', 'print JSON instead of tables')
    .option('--deadline-ms <ms>', 'budget of each call including retries', '10000')
    .option('--ca <file>', 'TLS: CA bundle that issued the nodes\' certificates')
    .option('--cert <file>', 'TLS: client certificate (with --key)')
    .option('--key <file>', 'TLS: client key')
    .option('--token <token>', 'bearer token')
    .option('--insecure', 'plaintext (the default when --ca is not given)')
    .showHelpAfterError()
    .exitOverride();
  addClusterCommands(program);
  addStockCommands(program);
  addCommerceCommands(program);
  addVerifyCommand(program);
  addAdminEventsCommand(program);
  addBackupCommands(program);
  addHistoryCommands(program);
  return program;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/** Runs one stockctl command line; returns the exit status. `streams` replaces stdout and
 * stderr for the duration (tests); Commander's own messages go there too. */
export async function main(argv: readonly string[], streams?: Io): Promise<number> {
  const saved: Io = { out: io.out, err: io.err };
  if (streams !== undefined) {
    io.out = streams.out;
    io.err = streams.err;
  }
  try {
    return await runMain(argv);
  } finally {
    io.out = saved.out;
    io.err = saved.err;
  }
}

async function runMain(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  program.configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
  for (const sub of program.commands) {
    sub.configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
    for (const leaf of sub.commands) leaf.configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander already printed the problem (or the help / version asked for).
      return err.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    if (err instanceof Exit) {
      io.err(`stockctl: ${oneLine(err.message)}\n`);
      return err.code;
    }
    if (err instanceof UsageError) {
      io.err(`stockctl: ${oneLine(err.message)}\n`);
      return EXIT_USAGE;
    }
    if (err instanceof StockraftError) {
      const hint = err.outcome_unknown && err.id !== null ? ` (outcome unknown: retry with --op-id ${err.id}, or stockctl outcome ${err.id})` : '';
      io.err(`stockctl: ${oneLine(err.message)}${hint}\n`);
      return EXIT_CALL_FAILED;
    }
    io.err(`stockctl: ${oneLine(err instanceof Error ? err.message : String(err))}\n`);
    return EXIT_CALL_FAILED;
  }
}

// Run when executed (node dist/src/cli/main.js or the stockctl bin), not when imported.
const invoked = process.argv[1] ?? '';
if (invoked.endsWith('/cli/main.js') || invoked.endsWith('/stockctl')) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`stockctl: ${String(err)}\n`);
      process.exitCode = EXIT_CALL_FAILED;
    },
  );
}
