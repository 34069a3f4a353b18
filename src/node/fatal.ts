// What stops a node for good, and how it is named. A node never limps on after a broken
// invariant, a corrupt record or a failed durable write: it stops serving, counts the
// failure by kind (stockd_fatal_errors_total), reports NOT_SERVING and exits with a
// message that names what broke (docs/operations.md "Fatal errors").

import type { Message } from '../raft/types.js';
import { RaftInvariantError } from '../raft/invariant.js';
import { StorageError } from './storage-records.js';
import { RulesVersionError } from '../ledger/rules.js';

/** safety: a raft invariant broke (e.g. an append conflicting at or below the commit
 * index: durable data was lost somewhere). corruption: a stored record failed its checks.
 * disk_full: a durable write failed for want of space (restartable once space returns).
 * storage: any other failed read or write of the data dir. version: an entry or snapshot
 * under a ledger rules version this node does not apply (src/ledger/rules.ts; restartable
 * with a build that applies it). other: anything else. */
export type FatalKind = 'safety' | 'corruption' | 'disk_full' | 'storage' | 'version' | 'other';
export const FATAL_KINDS: readonly FatalKind[] = ['safety', 'corruption', 'disk_full', 'storage', 'version', 'other'];

/** A broken invariant met while the core handled a peer's message, with the message
 * named (type, sender, term, indexes). */
export class SafetyViolation extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SafetyViolation';
  }
}

/** Whether an error from LevelDB or the file system means the disk is full. */
export function isDiskFull(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown; cause?: unknown } | null;
  if (e === null || typeof e !== 'object') return false;
  if (e.code === 'ENOSPC') return true;
  const text = `${String(e.message ?? '')} ${String((e.cause as { message?: unknown } | undefined)?.message ?? '')}`;
  return /No space left on device|ENOSPC/i.test(text);
}

export function fatalKind(err: unknown): FatalKind {
  if (err instanceof SafetyViolation || err instanceof RaftInvariantError) return 'safety';
  if (isDiskFull(err)) return 'disk_full';
  if (err instanceof RulesVersionError) return 'version';
  if (err instanceof StorageError) return /corrupt/i.test(err.message) ? 'corruption' : 'storage';
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'LEVEL_CORRUPTION') return 'corruption';
  if (code === 'LEVEL_IO_ERROR') return 'storage';
  return 'other';
}

/** A peer message in a few words: type, sender, term and the indexes it speaks of. */
export function describeMessage(m: Message): string {
  const base = `${m.type} from ${m.from} at term ${m.term}`;
  switch (m.type) {
    case 'append': {
      const first = m.entries[0];
      const last = m.entries[m.entries.length - 1];
      const span = first && last ? `, entries ${first.index}..${last.index} (terms ${first.term}..${last.term})` : ', no entries';
      return `${base} (prev_index ${m.prev_index}, prev_term ${m.prev_term}${span}, commit ${m.commit})`;
    }
    case 'append_resp':
      return `${base} (index ${m.index}, reject ${String(m.reject)})`;
    case 'snapshot':
      return `${base} (snapshot index ${m.snapshot.index}, term ${m.snapshot.term})`;
    case 'vote':
    case 'pre_vote':
      return `${base} (last_index ${m.last_index}, last_term ${m.last_term})`;
    case 'heartbeat':
      return `${base} (commit ${m.commit})`;
    default:
      return base;
  }
}

/** The error that stops a node when stepping `m` threw `err` (not a refused message). */
export function violationWhileStepping(m: Message, self: string, err: unknown): SafetyViolation {
  const what = err instanceof Error ? err.message : String(err);
  return new SafetyViolation(`safety violation on node ${self} while handling ${describeMessage(m)}: ${what}`);
}
