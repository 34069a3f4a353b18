// buf lint (STANDARD rules, buf.yaml at the repository root) over proto/: any finding fails
// npm test. A deliberately bad proto in a scratch module proves the check can fail.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const BUF = path.join(ROOT, 'node_modules', '.bin', 'buf');
const LINT_TIMEOUT_MS = 60_000;

function lint(cwd: string): { status: number | null; out: string } {
  const r = spawnSync(BUF, ['lint'], { cwd, encoding: 'utf8', timeout: LINT_TIMEOUT_MS });
  if (r.error !== undefined) throw r.error;
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

t.test('the protos of proto/ pass buf lint with no finding', (t) => {
  const r = lint(ROOT);
  t.equal(r.out.trim(), '', 'no findings');
  t.equal(r.status, 0, 'buf lint exits 0');
  t.end();
});

t.test('buf lint reports the faults of a bad proto', (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'buf-lint-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'buf.yaml'), 'version: v2\nmodules:\n  - path: proto\nlint:\n  use:\n    - STANDARD\n');
  const proto = path.join(dir, 'proto', 'bad', 'v1');
  spawnSync('mkdir', ['-p', proto]);
  writeFileSync(
    path.join(proto, 'bad.proto'),
    'syntax = "proto3";\npackage bad.v1;\nenum Consistency {\n  LINEARIZABLE = 0;\n  SERIALIZABLE = 1;\n}\n',
  );
  const r = lint(dir);
  t.not(r.status, 0, 'buf lint fails');
  t.match(r.out, /Enum zero value name "LINEARIZABLE" should be suffixed with "_UNSPECIFIED"/);
  t.match(r.out, /Enum value name "SERIALIZABLE" should be prefixed with "CONSISTENCY_"/);
  t.end();
});
