// Server processes the harness starts (echo, etcd members, stockd nodes). Every one is
// remembered by pid and stopped by pid; nothing else on the machine is touched.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';

/** Lines of a process's output kept for error messages. */
const TAIL_LINES_MAX = 40;

export interface Proc {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  /** Last lines of stdout+stderr, for when something goes wrong. */
  tail(): string;
  /** Resolves with the first output line matching `re` (or rejects on exit / timeout). */
  waitForLine(re: RegExp, timeout_ms: number): Promise<string>;
  exited(): boolean;
}

const started = new Set<Proc>();

export function startProc(name: string, cmd: string, args: readonly string[], opts: SpawnOptions & { log_file?: string } = {}): Proc {
  const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`${name}: could not start ${cmd}`);
  const pid = child.pid;
  const lines: string[] = [];
  const waiters: { re: RegExp; resolve: (l: string) => void }[] = [];
  const log = opts.log_file ? fs.createWriteStream(opts.log_file) : null;
  let partial = '';
  const onData = (chunk: Buffer): void => {
    log?.write(chunk);
    partial += chunk.toString();
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      if (lines.length > TAIL_LINES_MAX) lines.shift();
      for (let i = waiters.length - 1; i >= 0; i--) {
        if (waiters[i].re.test(line)) {
          waiters[i].resolve(line);
          waiters.splice(i, 1);
        }
      }
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  let exitedFlag = false;
  const exitWaiters: ((code: string) => void)[] = [];
  child.on('exit', (code, signal) => {
    exitedFlag = true;
    log?.end();
    for (const w of exitWaiters) w(`${code ?? signal}`);
  });
  const proc: Proc = {
    name,
    child,
    pid,
    tail: () => lines.join('\n'),
    exited: () => exitedFlag,
    waitForLine(re: RegExp, timeout_ms: number): Promise<string> {
      const seen = lines.find((l) => re.test(l));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${name}: no line matching ${re} within ${timeout_ms} ms; last output:\n${lines.join('\n')}`)), timeout_ms);
        waiters.push({ re, resolve: (l) => { clearTimeout(timer); resolve(l); } });
        exitWaiters.push((code) => { clearTimeout(timer); reject(new Error(`${name}: exited (${code}) while waiting for ${re}; last output:\n${lines.join('\n')}`)); });
        if (exitedFlag) reject(new Error(`${name}: already exited`));
      });
    },
  };
  started.add(proc);
  child.on('exit', () => started.delete(proc));
  return proc;
}

/** Sends `signal` to the process we started and waits (bounded) for it to exit. */
export async function stopProc(p: Proc, signal: NodeJS.Signals = 'SIGTERM', timeout_ms = 10_000): Promise<void> {
  if (p.exited()) return;
  const gone = new Promise<void>((r) => p.child.once('exit', () => r()));
  process.kill(p.pid, signal);
  const timedOut = await Promise.race([gone.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), timeout_ms).unref())]);
  if (timedOut && !p.exited()) {
    process.kill(p.pid, 'SIGKILL');
    await gone;
  }
}

/** Stops every process this harness started that is still running. */
export async function stopAll(): Promise<void> {
  await Promise.all([...started].map((p) => stopProc(p).catch(() => undefined)));
}

/** Last resort on abrupt exit: SIGKILL our own children by pid, synchronously. */
export function killAllSync(): void {
  for (const p of started) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

export { freePorts } from '../../src/util/free-port.js';

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
