// The simulator's safety and liveness checkers. They see the cluster only through what
// hosts observe (Readys, stored logs, applied entries, read results), are updated
// incrementally after every step, and record the first violation of each property.
//
// An entry is identified by (index, term, id): `id` is the simulator's unique payload
// number (0 for a leader's no-op, negative for a membership change), so equal ids mean
// equal contents.

export type CheckerName =
  | 'election_safety'
  | 'log_matching'
  | 'leader_completeness'
  | 'state_machine_safety'
  | 'read_linearizability'
  | 'liveness';

export const CHECKER_NAMES: readonly CheckerName[] = [
  'election_safety',
  'log_matching',
  'leader_completeness',
  'state_machine_safety',
  'read_linearizability',
  'liveness',
];

export interface Violation {
  readonly checker: CheckerName;
  readonly detail: string;
}

export interface StoredEntry {
  readonly term: number;
  readonly id: number;
}

/** A node's stored log as the leader-completeness check reads it. */
export interface LogView {
  readonly snapshot_index: number;
  readonly snapshot_term: number;
  readonly last_index: number;
  entryAt(index: number): StoredEntry;
}

/** Terms and ids are packed into one number: bounded so the packing stays exact. */
const TERM_LIMIT = 1 << 21;
const UNKNOWN = -1;

function key(index: number, term: number): number {
  if (term >= TERM_LIMIT) throw new Error(`checker: term ${term} beyond limit ${TERM_LIMIT}`);
  return index * TERM_LIMIT + term;
}

export class Checkers {
  readonly violations: Violation[] = [];
  /** term -> leader */
  private readonly leaders = new Map<number, string>();
  /** (index, term) -> (id, prev_term) packed */
  private readonly written = new Map<number, number>();
  /** Committed entries as first observed: index -> term / id. */
  private readonly committed_term: number[] = [0];
  private readonly committed_id: number[] = [0];
  private max_commit = 0;
  /** Applied entries as first observed, and the state digest after each. */
  private readonly applied_term: number[] = [0];
  private readonly applied_id: number[] = [0];
  private readonly applied_digest: number[] = [0];
  /** read context -> floor (highest commit index known anywhere when the read began) */
  private readonly read_floor = new Map<string, number>();
  private calm_deadline = UNKNOWN;
  private calm_start = UNKNOWN;

  private fail(checker: CheckerName, detail: string): void {
    this.violations.push({ checker, detail });
  }

  get maxCommit(): number {
    return this.max_commit;
  }

  // --- election safety: at most one leader per term
  onLeader(node: string, term: number): void {
    const prior = this.leaders.get(term);
    if (prior === undefined) this.leaders.set(term, node);
    else if (prior !== node) this.fail('election_safety', `term ${term} has two leaders: ${prior} and ${node}`);
  }

  get elections(): number {
    return this.leaders.size;
  }

  // --- log matching: the same (index, term) always holds the same entry after the same
  // previous term; by induction equal (index, term) then implies equal prefixes.
  onStored(node: string, index: number, term: number, id: number, prev_term: number): void {
    const k = key(index, term);
    const packed = (id + TERM_LIMIT) * TERM_LIMIT + prev_term;
    const prior = this.written.get(k);
    if (prior === undefined) {
      this.written.set(k, packed);
    } else if (prior !== packed) {
      const prior_id = Math.floor(prior / TERM_LIMIT) - TERM_LIMIT;
      const prior_prev = prior % TERM_LIMIT;
      this.fail('log_matching', `${node} stored (index ${index}, term ${term}) as id ${id} after term ${prev_term}; seen before as id ${prior_id} after term ${prior_prev}`);
    }
  }

  // --- committed entries never change (reported under state machine safety: a
  // committed entry is what every replica will apply)
  onCommitted(node: string, index: number, term: number, id: number): void {
    if (index <= this.max_commit && this.committed_term[index] !== undefined) {
      if (this.committed_term[index] !== term || this.committed_id[index] !== id) {
        this.fail('state_machine_safety', `${node} committed index ${index} as (term ${term}, id ${id}); committed before as (term ${this.committed_term[index]}, id ${this.committed_id[index]})`);
      }
      return;
    }
    this.committed_term[index] = term;
    this.committed_id[index] = id;
    if (index > this.max_commit) this.max_commit = index;
  }

  /** The highest commit index a node reported, when the entry itself is not at hand
   * (e.g. it came with a snapshot). */
  onCommitIndex(index: number): void {
    if (index > this.max_commit) this.max_commit = index;
  }

  // --- leader completeness: a new leader holds every entry committed so far
  onNewLeaderLog(node: string, term: number, log: LogView): void {
    for (let i = Math.max(1, log.snapshot_index); i <= this.max_commit; i++) {
      const t = this.committed_term[i];
      if (t === undefined) continue;
      if (i > log.last_index) {
        this.fail('leader_completeness', `${node} leads term ${term} with last index ${log.last_index}, missing committed index ${i} (term ${t})`);
        return;
      }
      if (i === log.snapshot_index) {
        if (log.snapshot_term !== t) this.fail('leader_completeness', `${node} leads term ${term} from a snapshot at ${i} of term ${log.snapshot_term}; committed term is ${t}`);
        continue;
      }
      const e = log.entryAt(i);
      if (e.term !== t || e.id !== this.committed_id[i]) {
        this.fail('leader_completeness', `${node} leads term ${term} holding (term ${e.term}, id ${e.id}) at committed index ${i}, committed as (term ${t}, id ${this.committed_id[i]})`);
        return;
      }
    }
  }

  // --- state machine safety: every replica applies the same entry at each index, in order
  onApplied(node: string, expected_index: number, index: number, term: number, id: number, digest_after: number): void {
    if (index !== expected_index) {
      this.fail('state_machine_safety', `${node} applied index ${index}, expected ${expected_index} (gap or repeat)`);
      return;
    }
    const prior_term = this.applied_term[index];
    if (prior_term === undefined) {
      this.applied_term[index] = term;
      this.applied_id[index] = id;
      this.applied_digest[index] = digest_after;
    } else if (prior_term !== term || this.applied_id[index] !== id) {
      this.fail('state_machine_safety', `${node} applied (term ${term}, id ${id}) at index ${index}; another replica applied (term ${prior_term}, id ${this.applied_id[index]})`);
    }
  }

  onSnapshotInstalled(node: string, index: number, term: number, digest: number): void {
    const t = this.applied_term[index];
    if (t !== undefined && (t !== term || this.applied_digest[index] !== digest)) {
      this.fail('state_machine_safety', `${node} installed a snapshot at ${index} (term ${term}) whose state differs from what replicas applied there`);
    }
  }

  // --- read linearizability: a read index covers every write committed before the read began
  onReadStart(context: string): void {
    this.read_floor.set(context, this.max_commit);
  }

  onReadState(node: string, context: string, index: number): void {
    const floor = this.read_floor.get(context);
    if (floor === undefined) {
      this.fail('read_linearizability', `${node} released read ${context} that was never issued`);
      return;
    }
    this.read_floor.delete(context);
    if (index < floor) {
      this.fail('read_linearizability', `${node} released read ${context} at index ${index}, but index ${floor} was committed before the read began`);
    }
  }

  /** The read was refused: it will never be released. */
  onReadAbandoned(context: string): void {
    this.read_floor.delete(context);
  }

  get pendingReads(): number {
    return this.read_floor.size;
  }

  // --- liveness: once the network heals and every node is up, a leader is elected, a
  // proposal commits and every member applies it within `bound_ticks`
  onCalmStart(tick: number, bound_ticks: number): void {
    this.calm_start = tick;
    this.calm_deadline = tick + bound_ticks;
  }

  /** Called when a proposal made during the calm period commits; returns the ticks it took. */
  onCalmProgress(tick: number): number {
    const took = tick - this.calm_start;
    this.calm_deadline = UNKNOWN;
    this.calm_start = UNKNOWN;
    return took;
  }

  onTick(tick: number): void {
    if (this.calm_deadline !== UNKNOWN && tick > this.calm_deadline) {
      this.fail('liveness', `no proposal committed and reached every member within ${this.calm_deadline - this.calm_start} ticks after the network healed at tick ${this.calm_start}`);
      this.calm_deadline = UNKNOWN;
    }
  }

  get calm(): boolean {
    return this.calm_deadline !== UNKNOWN;
  }
}
