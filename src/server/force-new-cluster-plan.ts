// The pure half of `stockd --force-new-cluster`: from what a surviving member's data dir
// holds, the log rewrite that leaves this node the only voter (docs/operations.md,
// "Recover from a lost majority").
//
// What the rewrite keeps and what it drops, and why:
// - Entries up to the highest commit index this node knows (hard state commit, snapshot)
//   stay: they were committed, so some client may have been told so.
// - Entries above it are dropped. The lost majority may or may not have committed them;
//   this node cannot know, and committing them now would make a write no client was
//   promised (and that the old leader may have overwritten) part of history. This is the
//   choice etcd's --force-new-cluster makes too.
// - Then, as ordinary committed conf_change entries: this node promoted if it was a
//   learner, every other member removed. Replaying them on the next load (the core rebuilds
//   membership from the snapshot's and every conf_change in the log) gives the one-voter
//   membership; applying them drops the lost members' addresses and links, like any
//   `stockctl members remove`.
// - The new entries carry a term one above the stored one, so they can never be taken for
//   entries another member wrote in an earlier term at the same index.

import { applyConfChange, encodeConfChange } from '../raft/conf-change.js';
import { decodeConfChange } from '../raft/conf-change.js';
import type { ConfChange, ConfState, Entry, HardState, NodeId } from '../raft/types.js';
import type { LoadedState } from '../node/storage-level.js';

export type ForcePlan =
  | { readonly kind: 'refuse'; readonly reason: string }
  /** Already a one-voter cluster of this node: nothing was lost (entries above its commit
   * index are its own, which it commits as usual). */
  | { readonly kind: 'unchanged'; readonly commit: number }
  | {
      readonly kind: 'rewrite';
      /** Membership at the known commit index, before the rewrite. */
      readonly before: ConfState;
      /** Members removed (the lost ones), sorted. */
      readonly removed: readonly NodeId[];
      readonly promoted_self: boolean;
      /** Entries above the known commit index that are dropped. */
      readonly dropped_entries: number;
      /** The known commit index the new entries follow. */
      readonly commit_before: number;
      /** The conf_change entries to write from commit_before + 1 on. */
      readonly entries: readonly Entry[];
      /** Hard state written with them: the new term, a vote for itself, commit = last. */
      readonly hard_state: HardState;
    };

/** Membership after the log up to `upto`: the snapshot's (or bootstrap) membership with
 * every conf_change entry at or below `upto` applied, as the core does on load. */
export function membershipAt(loaded: LoadedState, upto: number): ConfState {
  let conf: ConfState = loaded.snapshot?.conf_state ?? loaded.bootstrap_conf ?? { voters: [], learners: [] };
  for (const e of loaded.entries) {
    if (e.index > upto) break;
    if (e.type === 'conf_change') conf = applyConfChange(conf, decodeConfChange(e.data));
  }
  return conf;
}

/** The rewrite that makes `self_id` the only voter, or why it cannot be done. */
export function planForceNewCluster(loaded: LoadedState, self_id: NodeId, self_address: string): ForcePlan {
  if (loaded.identity === null) return { kind: 'refuse', reason: 'the data dir holds no member (it is empty): --force-new-cluster recovers from a surviving member\'s data dir and has nothing to recover here' };
  const commit = Math.max(loaded.hard_state.commit, loaded.snapshot?.index ?? 0);
  const last = loaded.entries.length > 0 ? loaded.entries[loaded.entries.length - 1]!.index : (loaded.snapshot?.index ?? 0);
  const before = membershipAt(loaded, commit);
  const is_voter = before.voters.includes(self_id);
  const is_learner = before.learners.includes(self_id);
  if (!is_voter && !is_learner) {
    return { kind: 'refuse', reason: `node '${self_id}' is not a member in its own data dir (voters [${before.voters.join(', ')}], learners [${before.learners.join(', ')}] at commit index ${commit}): it holds no committed membership to carry on` };
  }
  const removed = [...before.voters, ...before.learners].filter((id) => id !== self_id).sort();
  const dropped_entries = last - commit;
  if (is_voter && removed.length === 0) return { kind: 'unchanged', commit };
  const term = loaded.hard_state.term + 1;
  const enc = new TextEncoder();
  const changes: ConfChange[] = [];
  if (is_learner) changes.push({ type: 'promote', node_id: self_id, context: enc.encode(self_address) });
  for (const id of removed) changes.push({ type: 'remove', node_id: id, context: new Uint8Array(0) });
  const entries: Entry[] = changes.map((cc, i) => ({ index: commit + 1 + i, term, type: 'conf_change', data: encodeConfChange(cc) }));
  const hard_state: HardState = { term, vote: self_id, commit: commit + entries.length };
  return { kind: 'rewrite', before, removed, promoted_self: is_learner, dropped_entries, commit_before: commit, entries, hard_state };
}
