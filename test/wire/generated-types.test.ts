// The committed types in src/wire/generated/ match what `npm run gen:types` makes from the
// protos now: a proto changed without regenerating (or a hand edit of the output) fails
// here, naming the files that differ. The generator's loader options must be the SDK's.

import t from 'tap';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PROTO_LOADER_OPTIONS } from '../../src/wire/protos.js';

interface GenScript {
  REPO_DIR: string;
  DEFAULT_OUT_DIR: string;
  GEN_LOADER_OPTIONS: Record<string, unknown>;
  generate(out_dir: string): void;
}

/** dist/test/wire/ is three levels below the repository root. */
const REPO_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const gen = (await import(pathToFileURL(path.join(REPO_DIR, 'scripts', 'gen-wire-types.mjs')).href)) as GenScript;

/** Files below dir, relative, sorted (the generated tree is a few dozen files). */
function filesUnder(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const child = path.join(rel, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(dir, child));
    else out.push(child);
  }
  return out.sort();
}

/** What differs between the committed tree and a fresh one: one line per file. */
function staleFiles(committed: string, fresh: string): string[] {
  const a = filesUnder(committed);
  const b = filesUnder(fresh);
  const problems: string[] = [];
  for (const f of b) if (!a.includes(f)) problems.push(`missing: ${f}`);
  for (const f of a) if (!b.includes(f)) problems.push(`not generated any more: ${f}`);
  for (const f of a.filter((x) => b.includes(x))) {
    if (readFileSync(path.join(committed, f), 'utf8') !== readFileSync(path.join(fresh, f), 'utf8')) problems.push(`differs: ${f}`);
  }
  return problems;
}

const scratch = mkdtempSync(path.join(tmpdir(), 'stockraft-gen-types-'));
t.teardown(() => rmSync(scratch, { recursive: true, force: true }));
const fresh = path.join(scratch, 'fresh');
gen.generate(fresh);

t.test('the generator uses the SDK loader options', async (t) => {
  const o = PROTO_LOADER_OPTIONS;
  const sdk = { keepCase: o.keepCase, longs: o.longs?.name, enums: o.enums?.name, defaults: o.defaults, arrays: o.arrays, oneofs: o.oneofs };
  t.same(gen.GEN_LOADER_OPTIONS, sdk);
  t.equal(path.resolve(gen.DEFAULT_OUT_DIR), path.join(REPO_DIR, 'src', 'wire', 'generated'));
});

t.test('the committed generated types are up to date (else: npm run gen:types)', async (t) => {
  t.ok(filesUnder(fresh).length > 40, 'the generator wrote one file per message');
  t.same(staleFiles(path.join(REPO_DIR, 'src', 'wire', 'generated'), fresh), []);
});

t.test('known bad: a doctored copy is reported stale', async (t) => {
  const doctored = path.join(scratch, 'doctored');
  cpSync(fresh, doctored, { recursive: true });
  const adjust = path.join(doctored, 'stockraft', 'v1', 'AdjustRequest.ts');
  writeFileSync(adjust, readFileSync(adjust, 'utf8').replace("'delta': (number);", "'delta': (string);"));
  appendFileSync(path.join(doctored, 'stockraft', 'v1', 'index.ts'), '// hand edit\n');
  writeFileSync(path.join(doctored, 'stockraft', 'v1', 'Gone.ts'), 'export interface Gone {}\n');
  rmSync(path.join(doctored, 'stockraft', 'v1', 'Line.ts'));
  t.same(staleFiles(doctored, fresh), [
    'missing: stockraft/v1/Line.ts',
    'not generated any more: stockraft/v1/Gone.ts',
    'differs: stockraft/v1/AdjustRequest.ts',
    'differs: stockraft/v1/index.ts',
  ]);
});
