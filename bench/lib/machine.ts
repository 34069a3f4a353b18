// The machine a run happened on, for the report.
import fs from 'node:fs';
import os from 'node:os';

export interface MachineInfo {
  readonly nproc: number;
  readonly cpu_model: string;
  readonly memory_mib: number;
  readonly node: string;
  readonly platform: string;
  readonly kernel: string;
  /** 1-minute load average when the run started: the machine may be shared. */
  readonly loadavg_1m: number;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  let model = cpus[0]?.model ?? 'unknown';
  try {
    // os.cpus() can report a generic name in containers; /proc/cpuinfo says the same or more.
    const m = /model name\s*:\s*(.+)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) model = m[1].trim();
  } catch {
    // not Linux: keep os.cpus()
  }
  return {
    nproc: os.availableParallelism(),
    cpu_model: model,
    memory_mib: Math.round(os.totalmem() / 1024 / 1024),
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    kernel: os.release(),
    loadavg_1m: os.loadavg()[0],
  };
}
