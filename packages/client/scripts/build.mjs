// Builds @stockraft/client from the repository's sources: compiles src/client (and the
// src/wire and src/ledger modules it imports) with declarations into dist/, and copies the
// whole proto/ tree into the package so the SDK finds its contracts next to its own root.
// Run from anywhere: `node packages/client/scripts/build.mjs` (also the package's prepack).

import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REPO_DIR = path.resolve(PACKAGE_DIR, '../..');
const require = createRequire(path.join(REPO_DIR, 'package.json'));

function clean() {
  for (const dir of ['dist', 'proto']) rmSync(path.join(PACKAGE_DIR, dir), { recursive: true, force: true });
}

function compile() {
  const tsc = require.resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', path.join(PACKAGE_DIR, 'tsconfig.json')], { stdio: 'inherit' });
}

function copyProtos() {
  const from = path.join(REPO_DIR, 'proto');
  if (!existsSync(from)) throw new Error(`build: no proto directory at ${from}`);
  // Only .proto files (and the folders holding them) travel: the tree's layout is kept as
  // is, so a move to proto/stockraft/v1/ needs no change here.
  cpSync(from, path.join(PACKAGE_DIR, 'proto'), {
    recursive: true,
    // The peer protocol (stockraft/raft) is the nodes' own business: clients never load it.
    filter: (src) => !src.includes(`${path.sep}.`) && !src.includes(`${path.sep}raft`) && (src.endsWith('.proto') || statSync(src).isDirectory()),
  });
}

clean();
compile();
copyProtos();
