// Builds native/ (malloc_trim for stockd's idle compaction) with node-gyp, which npm runs
// this under (`npm ci` / `npm install` call it as the install script). A machine without
// a C compiler still installs: stockd then runs without the trim and says so at start.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const r = spawnSync('node-gyp', ['rebuild', '--directory', path.join(root, 'native')], { stdio: 'inherit', shell: process.platform === 'win32' });
if (r.status !== 0) {
  process.stderr.write(`native/: node-gyp rebuild failed (${r.error?.message ?? `exit ${r.status}`}); stockd will run without malloc_trim\n`);
}
