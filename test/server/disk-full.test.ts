// Disk full on one node of a real 3-node cluster, its data dir on a 64 MiB tmpfs (root
// only: skipped otherwise). As leader below the reserve it refuses writes
// RESOURCE_EXHAUSTED "disk full" and accepts them again once the filler file is gone. As a
// follower whose disk fills up completely, its persist fails: it stops with a fatal
// disk_full error (exit 1) naming the cause, the others go on, and once space is back it
// restarts and catches up. No acknowledged write is lost: the final quantity counts them.

import t from 'tap';
import { execFileSync } from 'node:child_process';
import { closeSync, cpSync, mkdtempSync, openSync, rmSync, statfsSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { adjust, StockdCluster } from './cluster-harness.js';
import { StockraftClient, StockraftError } from '../../src/client/index.js';

const MiB = 1024 * 1024;

if (process.getuid?.() !== 0) {
  t.comment('skipped: mounting a tmpfs needs root');
  process.exit(0);
}

const freeBytes = (dir: string): number => {
  const s = statfsSync(dir);
  return s.bavail * s.bsize;
};

/** Writes `bytes` (or until the file system is full, when null) into `file`. */
function fill(file: string, bytes: number | null): number {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(MiB, 1);
  let written = 0;
  try {
    while (bytes === null || written < bytes) {
      const n = bytes === null ? chunk.byteLength : Math.min(chunk.byteLength, bytes - written);
      try {
        written += writeSync(fd, chunk, 0, n);
      } catch (err) {
        if ((err as { code?: string }).code === 'ENOSPC' && bytes === null) break;
        throw err;
      }
    }
  } finally {
    closeSync(fd);
  }
  return written;
}

t.test('a leader below its reserve refuses writes "disk full"; a follower out of space stops loudly and recovers', async (t) => {
  const mnt = mkdtempSync(path.join(os.tmpdir(), 'stockd-tmpfs-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', mnt]);
  const c = await StockdCluster.start({ size: 3, extra_args: ['--disk-reserve-mib', '16'] });
  t.teardown(async () => {
    await c.close();
    execFileSync('umount', [mnt]);
    rmSync(mnt, { recursive: true, force: true });
  });
  let acknowledged = 0;
  const write = async (id: string): Promise<void> => {
    await c.propose([adjust(`w-${id}`, 'sku-d', 'wh', 1)]);
    acknowledged++;
  };
  for (let i = 0; i < 5; i++) await write(`a${i}`);
  // n1's data dir moves onto the tmpfs.
  const n1 = c.nodes.get('n1')!;
  await c.stop('n1');
  const dir = path.join(mnt, 'n1');
  cpSync(n1.data_dir, dir, { recursive: true });
  n1.data_dir = dir;
  await c.startNode('n1');
  await c.waitFor('n1 to lead', async () => {
    const leader = await c.waitForLeader();
    if (leader === 'n1') return true;
    await c.client(leader).admin({ op: 'transfer', id: 'n1' }).catch(() => undefined);
    return undefined;
  }, 30_000, 500);

  const filler = path.join(mnt, 'filler');
  fill(filler, freeBytes(mnt) - 8 * MiB);
  const sdk = new StockraftClient({ endpoints: [c.address('n1')], deadline_ms: 3000 });
  t.teardown(() => sdk.close());
  const refused = await c.waitFor('a write refused disk full', async () => {
    try {
      await sdk.adjust({ sku: 'sku-d', location: 'wh', delta: 1 });
      acknowledged++;
      return undefined;
    } catch (err) {
      return err instanceof StockraftError ? err : undefined;
    }
  }, 10_000, 200);
  t.equal(refused.code, grpc.status.RESOURCE_EXHAUSTED);
  t.match(refused.details, /^disk full: only \d+\.\d MiB free on the data dir's file system \(.*\), below the reserve of 16\.0 MiB \(--disk-reserve-mib\)/);
  rmSync(filler);
  await c.waitFor('writes accepted again', async () => {
    try {
      await sdk.adjust({ sku: 'sku-d', location: 'wh', delta: 1 });
      acknowledged++;
      return true;
    } catch {
      return undefined;
    }
  }, 10_000, 200);
  t.pass('the leader accepts writes again once space is back');

  // n1 as a follower whose disk fills up completely: its next persist fails.
  await c.waitFor('leadership away from n1', async () => {
    const leader = await c.waitForLeader();
    if (leader !== 'n1') return true;
    await c.client('n1').admin({ op: 'transfer', id: 'n2' }).catch(() => undefined);
    return undefined;
  }, 30_000, 500);
  fill(filler, null);
  for (let i = 0; i < 200 && c.running('n1'); i++) await write(`b${i}`);
  t.equal(await c.waitExit('n1', 30_000), 1, 'n1 stops with a fatal error (exit 1)');
  t.match(c.output('n1'), /stockd: fatal \(disk_full\): .*No space left on device.*free space on the data dir/);
  for (let i = 0; i < 5; i++) await write(`c${i}`);
  rmSync(filler);
  await c.startNode('n1');
  const conv = await c.waitConverged(60_000);
  t.equal((await c.client('n1').status()).head_hash, conv.head_hash, 'n1 caught up: same head hash');
  t.equal((await c.client('n1').position('sku-d', 'wh'))?.on_hand, acknowledged, `every acknowledged write is there (${acknowledged})`);
});
