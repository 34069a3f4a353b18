// Metrics of the faults that stop a node or hold its writes back: fatal errors by kind
// (fatal.ts) and the disk guard's view of the data dir's free space (disk-guard.ts).
// Part of NodeMetrics (same registry, same `node` label).

import { Counter, Gauge, type Registry } from 'prom-client';
import { FATAL_KINDS, type FatalKind } from './fatal.js';

export class FaultMetrics {
  readonly fatal_errors: Counter<'kind'>;
  readonly disk_free_bytes: Gauge;
  readonly disk_writes_refused: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    this.fatal_errors = new Counter({
      name: 'stockd_fatal_errors_total',
      help: 'errors that stopped this node (it exits right after): safety (a broken raft invariant), corruption (a stored record failed its checks), disk_full (a durable write failed for want of space), storage, other',
      labelNames: ['kind'],
      registers,
    });
    // Every kind from the start at 0, so a rate or an alert sees the series before it moves.
    for (const kind of FATAL_KINDS) this.fatal_errors.inc({ kind }, 0);
    this.disk_free_bytes = new Gauge({
      name: 'stockd_disk_free_bytes',
      help: 'bytes available to stockd on the file system of the data dir, as the disk guard last read them (statfs)',
      registers,
    });
    this.disk_writes_refused = new Gauge({
      name: 'stockd_disk_writes_refused',
      help: '1 while free space is below --disk-reserve-mib and new writes are refused RESOURCE_EXHAUSTED "disk full", else 0',
      registers,
    });
  }

  countFatal(kind: FatalKind): void {
    this.fatal_errors.inc({ kind });
  }
}
