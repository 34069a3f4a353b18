// Re-runs the checkers over a stored run: node dist/jepsen-style-tests/recheck.js DIR...
// Reads DIR/history.jsonl and DIR/final-state.json (if present), prints the verdict and
// the anomalies, and exits 0 only when every run is valid. Nothing in DIR is changed.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkHistory } from './checkers/check.js';
import { parseHistory, type FinalState } from './history.js';

const dirs = process.argv.slice(2);
if (dirs.length === 0) {
  console.error('usage: node dist/jepsen-style-tests/recheck.js RUN_DIR...');
  process.exit(2);
}
let allValid = true;
for (const dir of dirs) {
  const history = parseHistory(fs.readFileSync(path.join(dir, 'history.jsonl'), 'utf8'));
  const finalFile = path.join(dir, 'final-state.json');
  const final = fs.existsSync(finalFile) ? (JSON.parse(fs.readFileSync(finalFile, 'utf8')) as FinalState) : null;
  const started = Date.now();
  const v = checkHistory(history, final);
  const a = v.availability;
  console.log(`${dir}: valid ${String(v.valid)}; ${v.stats.ops} ops (ok ${v.stats.ok}, fail ${v.stats.fail}, info ${v.stats.info}, resolved ${v.stats.info_resolved}); availability ${(a.fraction_with_majority * 100).toFixed(2)}%; longest unavailable ${a.longest_unavailable_ms} ms; checked in ${Date.now() - started} ms`);
  for (const an of v.anomalies.slice(0, 20)) console.log(`  ${an.kind}: ${an.position ?? ''} ${an.detail}`);
  if (v.valid !== true) allValid = false;
}
process.exit(allValid ? 0 : 1);
