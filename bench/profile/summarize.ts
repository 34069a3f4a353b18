// node dist/bench/profile/summarize.js FILE.cpuprofile [top]: prints the hot spots.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadProfile, profileText, summarizeProfile } from './cpuprofile.js';

const file = process.argv[2];
if (file === undefined) {
  process.stderr.write('usage: summarize FILE.cpuprofile [top]\n');
  process.exit(2);
}
const top = Number(process.argv[3] ?? '25');
if (!Number.isInteger(top) || top < 1 || top > 1000) throw new Error(`top: must be an integer in 1..1000, got ${process.argv[3]}`);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
process.stdout.write(`${profileText(summarizeProfile(loadProfile(file), root, top))}\n`);
