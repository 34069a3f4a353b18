// What the nemesis has done to the cluster, as plain data: which nodes run, which are
// paused, which voters exist, which links are cut. From it, whether a majority of voters
// can still elect and keep a leader, which is what availability is measured against.

export interface FaultState {
  readonly nodes: readonly string[];
  readonly voters: ReadonlySet<string>;
  readonly down: ReadonlySet<string>;
  readonly paused: ReadonlySet<string>;
  /** Directed links `from>to` that are cut. */
  readonly cut: ReadonlySet<string>;
}

export function linkName(from: string, to: string): string {
  return `${from}>${to}`;
}

/** Two nodes talk when both directed links between them are up. */
export function connected(s: FaultState, a: string, b: string): boolean {
  return !s.cut.has(linkName(a, b)) && !s.cut.has(linkName(b, a));
}

/** True when some running voter has working links to a majority of voters (itself
 * included), all running: such a node can be elected and can commit. */
export function majorityConnected(s: FaultState): boolean {
  const voters = [...s.voters];
  const quorum = Math.floor(voters.length / 2) + 1;
  const live = voters.filter((v) => !s.down.has(v) && !s.paused.has(v));
  for (const v of live) {
    const reach = 1 + live.filter((u) => u !== v && connected(s, v, u)).length;
    if (reach >= quorum) return true;
  }
  return false;
}

/** The directed links to cut so that only the given groups talk within themselves;
 * `bridges` may talk to everyone. */
export function cutsFor(nodes: readonly string[], groups: readonly (readonly string[])[], bridges: readonly string[] = []): Set<string> {
  const groupOf = new Map<string, number>();
  groups.forEach((g, i) => g.forEach((n) => groupOf.set(n, i)));
  const out = new Set<string>();
  for (const a of nodes) {
    for (const b of nodes) {
      if (a === b || bridges.includes(a) || bridges.includes(b)) continue;
      if (groupOf.get(a) !== groupOf.get(b)) out.add(linkName(a, b));
    }
  }
  return out;
}

/** A ring in the given order: every node talks only to its two neighbours. */
export function ringCuts(order: readonly string[]): Set<string> {
  const out = new Set<string>();
  const n = order.length;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      const d = Math.abs(i - j);
      if (d !== 1 && d !== n - 1) out.add(linkName(order[i], order[j]));
    }
  }
  return out;
}
