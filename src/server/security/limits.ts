// Per-principal bounds on calls in flight and on long-lived streams (Watch, Backup), so one
// misbehaving client cannot take a node's capacity from the others. Beyond a bound the
// call is refused RESOURCE_EXHAUSTED before its handler runs.

export type SlotKind = 'call' | 'stream';

export interface PrincipalLimitsConfig {
  /** Unary and client-streaming calls one principal may have in flight on this node. */
  readonly calls_inflight_max: number;
  /** Server streams (Watch, Backup) one principal may hold open on this node. */
  readonly streams_open_max: number;
}

export const DEFAULT_PRINCIPAL_LIMITS: PrincipalLimitsConfig = { calls_inflight_max: 256, streams_open_max: 16 };

export type Acquire = { readonly ok: true; readonly release: () => void } | { readonly ok: false; readonly reason: string };

export function checkLimitsConfig(cfg: PrincipalLimitsConfig): void {
  for (const [name, v] of Object.entries(cfg)) {
    if (!Number.isInteger(v) || v < 1 || v > 1_000_000) throw new Error(`${name} must be an integer in 1..1000000, got ${String(v)}`);
  }
}

export class PrincipalLimits {
  // Entries exist only while a principal holds a slot, so the map is bounded by the number
  // of calls in flight on the node.
  private readonly held = new Map<string, { call: number; stream: number }>();

  constructor(private readonly cfg: PrincipalLimitsConfig = DEFAULT_PRINCIPAL_LIMITS) {
    checkLimitsConfig(cfg);
  }

  acquire(principal: string, kind: SlotKind): Acquire {
    const entry = this.held.get(principal) ?? { call: 0, stream: 0 };
    const max = kind === 'call' ? this.cfg.calls_inflight_max : this.cfg.streams_open_max;
    if (entry[kind] >= max) {
      const what = kind === 'call' ? 'calls in flight' : 'open streams';
      return { ok: false, reason: `principal '${principal}' has ${entry[kind]} ${what}, limit ${max}` };
    }
    entry[kind]++;
    this.held.set(principal, entry);
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return; // a call can end by status and by cancel: count it once
        released = true;
        entry[kind]--;
        if (entry[kind] < 0) throw new Error(`principal limits: ${principal} ${kind} count went negative`);
        if (entry.call === 0 && entry.stream === 0 && this.held.get(principal) === entry) this.held.delete(principal);
      },
    };
  }

  /** Slots held now, for metrics and tests. */
  inUse(principal: string): { call: number; stream: number } {
    const e = this.held.get(principal);
    return { call: e?.call ?? 0, stream: e?.stream ?? 0 };
  }

  principalsHolding(): number {
    return this.held.size;
  }
}
