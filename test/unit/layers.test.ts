// The layering rules of docs/ARCHITECTURE.md, checked on the sources: each layer imports
// only the layers below it, and the pure layers import nothing that does I/O.

import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const SOURCE_FILES_MAX = 2000;

interface Rule {
  /** Layers (folders under src/) this layer may import from, besides itself. */
  readonly layers: readonly string[];
  /** Packages and node: modules it may import; null = any. */
  readonly packages: readonly string[] | null;
}

const PURE = ['node:crypto', 'msgpackr'];
export const RULES: Readonly<Record<string, Rule>> = {
  // free-port.ts, for the harnesses that start processes, probes ports.
  util: { layers: [], packages: ['node:fs', 'node:net'] },
  // msgpackr encodes membership changes inside entries, deterministically.
  raft: { layers: ['util'], packages: ['msgpackr'] },
  ledger: { layers: ['util'], packages: PURE },
  wire: { layers: ['ledger'], packages: ['@grpc/grpc-js', '@grpc/proto-loader', 'node:fs', 'node:path', 'node:url', 'protobufjs', 'node:module'] },
  client: { layers: ['wire', 'ledger'], packages: ['@grpc/grpc-js', 'node:crypto', 'node:fs'] },
  node: { layers: ['raft', 'ledger', 'wire', 'util'], packages: null },
  server: { layers: ['node', 'raft', 'ledger', 'wire', 'util', 'client'], packages: null },
  cli: { layers: ['client', 'wire', 'ledger', 'server', 'util'], packages: null },
};

function sources(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) sources(p, out);
    else if (p.endsWith('.ts')) out.push(p);
    if (out.length > SOURCE_FILES_MAX) throw new Error(`more than ${SOURCE_FILES_MAX} source files under ${dir}`);
  }
  return out;
}

/** Every module specifier a file imports or re-exports. */
export function importsOf(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/g)) out.push(m[1]!);
  for (const m of text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push(m[1]!);
  return out;
}

/** What is wrong with `spec` imported from `file` of `layer`, or null. */
export function violation(layer: string, file: string, spec: string): string | null {
  const rule = RULES[layer];
  if (rule === undefined) return `no rule for layer ${layer}`;
  if (spec.startsWith('.')) {
    const target = path.relative(path.join(ROOT, 'src'), path.resolve(path.dirname(file), spec));
    const target_layer = target.split(path.sep)[0]!;
    if (target_layer === layer || rule.layers.includes(target_layer)) return null;
    return `src/${layer} may not import src/${target_layer} (${spec})`;
  }
  if (rule.packages === null || rule.packages.includes(spec)) return null;
  return `src/${layer} may not import ${spec}`;
}

t.test('each layer imports only what docs/ARCHITECTURE.md allows', async (t) => {
  const problems: string[] = [];
  let files = 0;
  for (const layer of Object.keys(RULES)) {
    for (const file of sources(path.join(ROOT, 'src', layer))) {
      files += 1;
      for (const spec of importsOf(fs.readFileSync(file, 'utf8'))) {
        const v = violation(layer, file, spec);
        if (v !== null) problems.push(`${path.relative(ROOT, file)}: ${v}`);
      }
    }
  }
  t.ok(files > 50, `read ${files} source files`);
  t.same(problems, []);
});

t.test('the rule catches a forbidden import', async (t) => {
  const client_file = path.join(ROOT, 'src/client/client.ts');
  t.match(violation('client', client_file, '../server/edge.js'), /src\/client may not import src\/server/);
  t.match(violation('raft', path.join(ROOT, 'src/raft/raft-node.ts'), 'node:fs'), /src\/raft may not import node:fs/);
  t.match(violation('ledger', path.join(ROOT, 'src/ledger/ledger.ts'), '../node/storage-level.js'), /may not import src\/node/);
  t.equal(violation('client', client_file, '../wire/map.js'), null);
  t.same(importsOf("import a from 'x';\nexport { b } from '../y.js';\nconst c = await import('./z.js');"), ['x', '../y.js', './z.js']);
});
