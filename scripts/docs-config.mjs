// Rewrites the generated flag reference in docs/configuration.md from stockd's flag table
// (src/server/stockd-flags.ts). Run through `npm run docs:config`, which builds first.
import { readFileSync, writeFileSync } from 'node:fs';
import { rewriteFlagBlocks, staleFlagGroups } from '../dist/src/server/config-doc.js';

const file = new URL('../docs/configuration.md', import.meta.url);
const before = readFileSync(file, 'utf8');
const stale = staleFlagGroups(before);
if (stale.length === 0) {
  console.log('docs/configuration.md: flag reference up to date');
} else {
  writeFileSync(file, rewriteFlagBlocks(before));
  console.log(`docs/configuration.md: rewrote the flag reference of ${stale.join(', ')}`);
}
