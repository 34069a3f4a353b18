// Records the history of a run: in memory for the checkers and, line by line, to
// history.jsonl so that a run that dies still leaves what it saw. Times are milliseconds
// since the run started on a monotonic clock; `index` gives the real-time order.

import * as fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { ClientRecord, CompletionType, HistoryRecord, NemesisRecord, OpArgs, OpResult, Resolution } from './history.js';

/** A run records at most this many records; beyond it the run stops issuing ops. */
export const RECORDS_MAX = 4_000_000;

export class Recorder {
  readonly records: HistoryRecord[] = [];
  private readonly t0 = performance.now();
  private readonly fd: number | null;
  private buffer: string[] = [];
  private flushTimer: NodeJS.Timeout | null = null;
  counts = { invoke: 0, ok: 0, fail: 0, info: 0 };

  constructor(file: string | null) {
    this.fd = file === null ? null : fs.openSync(file, 'w');
  }

  now(): number {
    return Math.round((performance.now() - this.t0) * 1000) / 1000;
  }

  get full(): boolean {
    return this.records.length >= RECORDS_MAX;
  }

  private add<R extends HistoryRecord>(r: R): R {
    this.records.push(r);
    if (this.fd !== null) {
      this.buffer.push(JSON.stringify(r));
      if (this.flushTimer === null) this.flushTimer = setTimeout(() => this.flush(), 200);
    }
    return r;
  }

  flush(): void {
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (this.fd === null || this.buffer.length === 0) return;
    fs.writeSync(this.fd, this.buffer.join('\n') + '\n');
    this.buffer = [];
  }

  close(): void {
    this.flush();
    if (this.fd !== null) fs.closeSync(this.fd);
  }

  invoke(process: number, args: OpArgs, node?: string): ClientRecord {
    this.counts.invoke++;
    return this.add({ index: this.records.length, type: 'invoke', process, time_ms: this.now(), op: args.f, args, ...(node ? { node } : {}) });
  }

  complete(process: number, type: CompletionType, args: OpArgs, result?: OpResult, error?: string): ClientRecord {
    this.counts[type]++;
    return this.add({
      index: this.records.length,
      type,
      process,
      time_ms: this.now(),
      op: args.f,
      args,
      ...(result !== undefined ? { result } : {}),
      ...(error !== undefined ? { error } : {}),
    });
  }

  nemesis(name: string, phase: 'start' | 'end', detail: string, majority_connected: boolean): NemesisRecord {
    return this.add({
      index: this.records.length,
      type: 'info',
      process: 'nemesis',
      time_ms: this.now(),
      op: 'nemesis',
      args: { name, phase, detail },
      majority_connected,
    });
  }

  resolve(op_id: string, result: Resolution): void {
    this.add({ index: this.records.length, type: 'ok', process: 'resolver', time_ms: this.now(), op: 'outcome', args: { op_id }, result });
  }
}
