// Exactly once for commands that arrive without an id time (raw gRPC callers, ids chosen
// by the caller): before proposing one, the leader waits for its read barrier (it has
// applied everything committed when the call arrived), looks the id up in the ledger's
// memory and then in the 'outcomes' sublevel, and answers a found id from there (a replay,
// or ALREADY_EXISTS_DIFFERENT) without proposing. Only an id found nowhere is proposed,
// stamped with an id time (the leader's clock, never behind log time) and the applied
// index it was checked at; the ledger refuses the command if an outcome applied after
// that index has left memory before it applied (src/ledger/README.md "Exactly once").
// Commands that carry an id time are proposed as they are: the ledger's window covers them.

import { archivedResult, replayFromArchive } from '../ledger/archive.js';
import type { Ledger } from '../ledger/ledger.js';
import type { Command, CommandResult } from '../ledger/types.js';
import { ARCHIVE_LOOKUP_IDS_MAX } from './storage-level.js';

export interface DedupHost {
  /** Resolves once this node applied (and stored) everything committed before the call. */
  readBarrier(deadline_ms: number): Promise<void>;
  /** The ledger as applied in memory now (a snapshot install may replace it). */
  ledger(): Ledger;
  /** Log index the in-memory ledger has applied. */
  memIndex(): number;
  /** Resolves once LevelDB holds every run applied in memory up to `index`. */
  storedThrough(index: number): Promise<void>;
  /** Archived outcome records of ids (undefined where none). */
  archived(ids: readonly string[]): Promise<(unknown | undefined)[]>;
  now(): number;
  /** Proposes commands as they are (node.propose before this check existed). */
  proposeStamped(commands: readonly Command[], deadline_ms: number): Promise<readonly CommandResult[]>;
}

function idOf(c: Command): string {
  return c.kind === 'reserve' ? c.reservation_id : c.op_id;
}

function unstamped(c: Command): boolean {
  return (c.id_time_ms === undefined || c.id_time_ms === null) && (c.checked_index === undefined || c.checked_index === null);
}

/** Answers commands whose id already has an outcome (memory, then disk) and proposes the
 * rest, unstamped ones stamped; one result per command, in order. */
export async function proposeChecked(host: DedupHost, commands: readonly Command[], deadline_ms: number): Promise<readonly CommandResult[]> {
  const check = commands.flatMap((c, i) => (unstamped(c) ? [i] : []));
  if (check.length === 0) return host.proposeStamped(commands, deadline_ms);
  await host.readBarrier(deadline_ms);
  const answers: (CommandResult | null)[] = new Array<CommandResult | null>(commands.length).fill(null);
  // The lookups and the index they hold for are taken together (no await between): an id
  // not in memory at this index was never applied, or was archived at or below it.
  const ledger = host.ledger();
  const checked_index = host.memIndex();
  const missing = check.filter((i) => (answers[i] = ledger.replayOf(commands[i] as Command)) === null);
  if (missing.length > 0) {
    await host.storedThrough(checked_index);
    // In reads of at most ARCHIVE_LOOKUP_IDS_MAX ids; bounded by the commands given.
    for (let from = 0; from < missing.length; from += ARCHIVE_LOOKUP_IDS_MAX) {
      const part = missing.slice(from, from + ARCHIVE_LOOKUP_IDS_MAX);
      const ids = part.map((i) => idOf(commands[i] as Command));
      const values = await host.archived(ids);
      values.forEach((v, j) => {
        const i = part[j] as number;
        if (v !== undefined) answers[i] = replayFromArchive(commands[i] as Command, ids[j] as string, v);
      });
    }
  }
  const id_time_ms = Math.max(host.now(), host.ledger().lastTimeMs());
  const proposed: Command[] = [];
  const at: number[] = [];
  commands.forEach((c, i) => {
    if (answers[i] !== null) return;
    proposed.push(unstamped(c) ? { ...c, id_time_ms, checked_index } : c);
    at.push(i);
  });
  if (proposed.length > 0) {
    const results = await host.proposeStamped(proposed, deadline_ms);
    if (results.length !== proposed.length) throw new Error(`node returned ${results.length} results for ${proposed.length} commands`);
    results.forEach((r, j) => (answers[at[j] as number] = r));
  }
  return answers as CommandResult[];
}

/** The recorded result of an id at any age: from memory, else (once LevelDB holds what
 * memory has applied) from the 'outcomes' sublevel; null when the id has no outcome. */
export async function outcomeOf(host: DedupHost, op_id: string): Promise<CommandResult | null> {
  const in_memory = host.ledger().getOutcome(op_id);
  if (in_memory !== null) return in_memory;
  await host.storedThrough(host.memIndex());
  const [value] = await host.archived([op_id]);
  return value === undefined ? null : archivedResult(op_id, value);
}
