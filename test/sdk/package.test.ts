// The SDK as an order system gets it: packages/client is packed with `npm pack`, the
// tarball is installed into a scratch project, and a plain ESM script there imports
// `@stockraft/client`, reserves and commits against a real 3-node cluster.

import t from 'tap';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { StockdCluster } from '../server/cluster-harness.js';

const run = promisify(execFile);
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const PACKAGE_DIR = path.join(REPO, 'packages/client');
/** Whole npm steps (pack builds the package; install may fetch @grpc/grpc-js). */
const NPM_STEP_MS = 120_000;
const SCRIPT_MS = 30_000;
const OUTPUT_BYTES_MAX = 16 * 1024 * 1024;

interface PackedFile {
  readonly path: string;
}
interface PackResult {
  readonly filename: string;
  readonly files: readonly PackedFile[];
}

/** npm's own variables (set when the suite runs under `npm test`) would aim the nested
 * npm at the repository; the scratch project must stand on its own. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));
}

async function npm(args: readonly string[], cwd: string): Promise<string> {
  const { stdout } = await run('npm', [...args], { cwd, env: cleanEnv(), timeout: NPM_STEP_MS, maxBuffer: OUTPUT_BYTES_MAX });
  return stdout;
}

/** What a tarball listing shows that must not ship: server or node code, test code. */
export function forbiddenFiles(files: readonly string[]): string[] {
  return files.filter((f) => /(^|\/)(server|node|cli|raft|test)\//.test(f));
}

const ORDER_SCRIPT = `
import { StockraftClient } from '@stockraft/client';
const client = new StockraftClient({ endpoints: process.argv.slice(2), deadline_ms: 20000 });
const added = await client.adjust({ sku: 'pkg-sku', location: 'pkg-wh', delta: 10, reason: 'delivery' });
const reserved = await client.reserve({ lines: [{ sku: 'pkg-sku', location: 'pkg-wh', quantity: 3 }], ttl_ms: 60000 });
const committed = await client.commit({ reservation_id: reserved.id });
const position = await client.getPosition('pkg-sku', 'pkg-wh');
await client.close();
console.log(JSON.stringify({ added: added.code, reserved: reserved.code, committed: committed.code, position }));
`;

t.test('forbiddenFiles catches server and node code in a listing', async (t) => {
  t.same(forbiddenFiles(['dist/client/index.js', 'proto/inventory.proto', 'dist/wire/protos.js']), []);
  t.same(forbiddenFiles(['dist/server/main.js', 'dist/node/stock-node.js', 'dist/client/index.js']), ['dist/server/main.js', 'dist/node/stock-node.js']);
});

t.test('npm pack of packages/client installs into a scratch project and reserves and commits', async (t) => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'stockraft-sdk-pkg-'));
  t.teardown(() => rmSync(tmp, { recursive: true, force: true }));
  // The cluster starts while the package is built and packed.
  const starting = StockdCluster.start({ size: 3 });
  t.teardown(async () => (await starting.catch(() => null))?.close());

  // prepack builds the package (tsc with declarations, protos copied).
  const packed = JSON.parse(await npm(['pack', '--json', '--pack-destination', tmp], PACKAGE_DIR)) as PackResult[];
  t.equal(packed.length, 1, 'one tarball');
  const files = packed[0]!.files.map((f) => f.path);
  t.same(forbiddenFiles(files), [], 'no server, node or test code in the tarball');
  for (const f of ['package.json', 'dist/client/index.js', 'dist/client/index.d.ts', 'dist/wire/protos.js', 'proto/inventory.proto']) {
    t.ok(files.some((p) => p === f || (f === 'proto/inventory.proto' && p.startsWith('proto/') && p.endsWith('/inventory.proto'))), `tarball holds ${f}`);
  }
  const tarball = path.join(tmp, packed[0]!.filename);
  const { stdout: manifest_text } = await run('tar', ['-xzOf', tarball, 'package/package.json']);
  const manifest = JSON.parse(manifest_text) as { name: string; scripts?: Record<string, string>; dependencies?: Record<string, string> };
  t.equal(manifest.name, '@stockraft/client');
  for (const hook of ['preinstall', 'install', 'postinstall']) t.equal(manifest.scripts?.[hook], undefined, `no ${hook} script`);
  t.same(Object.keys(manifest.dependencies ?? {}).sort(), ['@grpc/grpc-js', '@grpc/proto-loader', 'google-proto-files', 'protobufjs'], 'only the gRPC libraries and the google.rpc error-detail codec as dependencies');

  const scratch = path.join(tmp, 'order-system');
  mkdirSync(scratch);
  writeFileSync(path.join(scratch, 'package.json'), JSON.stringify({ name: 'order-system', version: '1.0.0', private: true, type: 'module' }));
  await npm(['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], scratch);
  const installed = JSON.parse(readFileSync(path.join(scratch, 'node_modules/@stockraft/client/package.json'), 'utf8')) as { name: string };
  t.equal(installed.name, '@stockraft/client', 'installed under node_modules/@stockraft/client');
  writeFileSync(path.join(scratch, 'order.mjs'), ORDER_SCRIPT);

  const c = await starting;
  await c.waitForLeader();
  const endpoints = [...c.nodes.keys()].map((id) => c.address(id));
  const { stdout } = await run(process.execPath, ['order.mjs', ...endpoints], { cwd: scratch, timeout: SCRIPT_MS, maxBuffer: OUTPUT_BYTES_MAX });
  const out = JSON.parse(stdout.trim().split('\n').pop()!) as { added: string; reserved: string; committed: string; position: { on_hand: number; reserved: number; available: number } | null };
  t.same({ added: out.added, reserved: out.reserved, committed: out.committed }, { added: 'OK', reserved: 'OK', committed: 'OK' });
  t.match(out.position, { on_hand: 7, reserved: 0, available: 7 }, 'the sale of 3 out of 10 is on the books');
});
