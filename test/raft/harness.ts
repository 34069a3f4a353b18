// A small synchronous cluster for unit tests of the core: perfect in-memory storage, a
// message queue delivered in order, and helpers to tick until something happens. The
// seeded simulator in test/sim is the adversarial counterpart.

import { RaftNode } from '../../src/raft/raft-node.js';
import { defaultRaftConfig } from '../../src/raft/config.js';
import { seededRng } from '../../src/raft/rng.js';
import type { Entry, HardState, Message, NodeId, RaftConfig, ReadState, SnapshotMeta, ConfState } from '../../src/raft/types.js';

export interface Store {
  hard_state: HardState;
  snapshot: SnapshotMeta | null;
  conf_state: ConfState;
  entries: Entry[];
  applied: Entry[];
  read_states: ReadState[];
}

export class Harness {
  readonly nodes = new Map<NodeId, RaftNode>();
  readonly stores = new Map<NodeId, Store>();
  readonly queue: Message[] = [];
  /** Nodes whose traffic is dropped both ways. */
  readonly cut = new Set<NodeId>();

  private readonly rng: () => number;

  constructor(readonly ids: readonly NodeId[], seed = 1, private readonly tweak: (c: RaftConfig) => RaftConfig = (c) => c) {
    this.rng = seededRng(seed);
    for (const id of ids) this.addNode(id, { voters: [...ids], learners: [] });
  }

  /** Starts a node with empty storage and the given membership (empty for a joiner). */
  addNode(id: NodeId, conf_state: ConfState): RaftNode {
    const store: Store = { hard_state: { term: 0, vote: null, commit: 0 }, snapshot: null, conf_state, entries: [], applied: [], read_states: [] };
    this.stores.set(id, store);
    const n = new RaftNode(this.tweak(defaultRaftConfig(id, this.rng)), { hard_state: store.hard_state, conf_state, snapshot: null, entries: [], applied: 0 });
    this.nodes.set(id, n);
    return n;
  }

  /** Replaces a node by a fresh core built from its store (a restart). */
  restart(id: NodeId): RaftNode {
    const st = this.stores.get(id)!;
    const applied = st.applied.length > 0 ? st.applied[st.applied.length - 1].index : (st.snapshot?.index ?? 0);
    const n = new RaftNode(this.tweak(defaultRaftConfig(id, this.rng)), {
      hard_state: st.hard_state,
      conf_state: st.snapshot?.conf_state ?? st.conf_state,
      snapshot: st.snapshot,
      entries: st.entries,
      applied: Math.max(applied, st.snapshot?.index ?? 0),
    });
    this.nodes.set(id, n);
    return n;
  }

  node(id: NodeId): RaftNode {
    const n = this.nodes.get(id);
    if (n === undefined) throw new Error(`no node ${id}`);
    return n;
  }

  /** Processes every node's Ready until nothing is pending; bounded. */
  settle(rounds_max = 1000): void {
    for (let round = 0; round < rounds_max; round++) {
      let busy = false;
      for (const [id, n] of this.nodes) {
        if (!n.hasReady()) continue;
        busy = true;
        const rd = n.ready();
        const st = this.stores.get(id)!;
        if (rd.snapshot !== null) {
          st.snapshot = rd.snapshot;
          st.entries = [];
          st.applied = [];
        }
        if (rd.entries.length > 0) {
          const first = rd.entries[0].index;
          st.entries = st.entries.filter((e) => e.index < first).concat(rd.entries);
        }
        if (rd.hard_state !== null) st.hard_state = rd.hard_state;
        for (const m of rd.messages) {
          if (!this.cut.has(m.from) && !this.cut.has(m.to)) this.queue.push(m);
          else if (m.type === 'snapshot') n.reportSnapshot(m.to, false);
        }
        st.applied.push(...rd.committed_entries);
        st.read_states.push(...rd.read_states);
        n.advance();
      }
      while (this.queue.length > 0) {
        busy = true;
        const m = this.queue.shift()!;
        const to = this.nodes.get(m.to);
        if (to === undefined) continue;
        to.step(m);
        // The host streamed the snapshot's data beside the message.
        if (m.type === 'snapshot') this.nodes.get(m.from)?.reportSnapshot(m.to, true);
      }
      if (!busy) return;
    }
    throw new Error(`cluster did not settle in ${rounds_max} rounds`);
  }

  tickAll(times = 1): void {
    for (let k = 0; k < times; k++) {
      for (const n of this.nodes.values()) n.tick();
      this.settle();
    }
  }

  leader(): NodeId | null {
    for (const [id, n] of this.nodes) if (n.status().role === 'leader' && !this.cut.has(id)) return id;
    return null;
  }

  /** Ticks until a leader exists; bounded. */
  elect(ticks_max = 200): NodeId {
    for (let k = 0; k < ticks_max; k++) {
      const l = this.leader();
      if (l !== null) return l;
      this.tickAll();
    }
    throw new Error(`no leader after ${ticks_max} ticks`);
  }
}

export function bytes(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

export function text(b: Uint8Array): string {
  return new TextDecoder().decode(b);
}
