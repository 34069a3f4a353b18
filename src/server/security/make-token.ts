// `node dist/src/server/security/make-token.js <principal>`: makes a fresh bearer token.
// Prints the token (hand it to the client; it is not stored anywhere) on the first line
// and the line for the --auth-tokens file on the second. With --append FILE the line is
// appended to the file instead of printed; send stockd SIGHUP to pick it up.

import { appendFileSync } from 'node:fs';
import { makeToken, tokenFileLine } from './tokens.js';

function main(argv: readonly string[]): number {
  const args = [...argv];
  let append: string | null = null;
  const i = args.indexOf('--append');
  if (i >= 0) {
    append = args[i + 1] ?? null;
    if (append === null) {
      process.stderr.write('make-token: --append needs a file\n');
      return 2;
    }
    args.splice(i, 2);
  }
  const principal = args[0];
  if (principal === undefined || args.length !== 1) {
    process.stderr.write('usage: make-token <principal> [--append TOKEN_FILE]\n');
    return 2;
  }
  const token = makeToken();
  let line: string;
  try {
    line = tokenFileLine(principal, token);
  } catch (err) {
    process.stderr.write(`make-token: ${(err as Error).message}\n`);
    return 2;
  }
  process.stdout.write(token + '\n');
  if (append !== null) appendFileSync(append, line + '\n', { mode: 0o600 });
  else process.stdout.write(line + '\n');
  return 0;
}

process.exitCode = main(process.argv.slice(2));
