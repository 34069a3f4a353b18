// Metrics of the faults that stop a node or hold its writes back: fatal errors by kind
// (fatal.ts) and whether the disk guard refuses writes (disk-guard.ts; the free space
// itself is node-health-metrics.ts's stockd_data_dir_free_bytes). Part of NodeMetrics
// (same registry, same `node` label).

import { Counter, Gauge, type Registry } from 'prom-client';
import { FATAL_KINDS, type FatalKind } from './fatal.js';

export class FaultMetrics {
  readonly fatal_errors: Counter<'kind'>;
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
