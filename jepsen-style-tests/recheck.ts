// Re-runs the checkers over a stored run: node dist/jepsen-style-tests/recheck.js DIR...
// Reads DIR/history.jsonl and DIR/final-state.json (if present), prints the verdict and
// the anomalies, and exits 0 only when every run is valid. Nothing in DIR is changed.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkHistory, checkOptionsFor } from './checkers/check.js';
import { DEFAULT_EXPIRY_OPTIONS } from './checkers/expiry.js';
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
  // The workload (and the expiry checker's options) as the run recorded them.
  const resultsFile = path.join(dir, 'results.json');
  const meta = fs.existsSync(resultsFile)
    ? (JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as { workload?: string; expiry_skew_bound_ms?: number; expiry_liveness_ms?: number })
    : {};
  const expiry = {
    skew_bound_ms: meta.expiry_skew_bound_ms ?? DEFAULT_EXPIRY_OPTIONS.skew_bound_ms,
    liveness_ms: meta.expiry_liveness_ms ?? DEFAULT_EXPIRY_OPTIONS.liveness_ms,
  };
  const started = Date.now();
  const v = checkHistory(history, final, checkOptionsFor(meta.workload ?? 'ledger', expiry));
  const a = v.availability;
  console.log(`${dir}: valid ${String(v.valid)}; ${v.stats.ops} ops (ok ${v.stats.ok}, fail ${v.stats.fail}, info ${v.stats.info}, resolved ${v.stats.info_resolved}); availability ${(a.fraction_with_majority * 100).toFixed(2)}%; longest unavailable ${a.longest_unavailable_ms} ms; checked in ${Date.now() - started} ms`);
  for (const an of v.anomalies.slice(0, 20)) console.log(`  ${an.kind}: ${an.position ?? ''} ${an.detail}`);
  if (v.valid !== true) allValid = false;
}
process.exit(allValid ? 0 : 1);
