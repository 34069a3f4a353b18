// Ledger rules versions. Every replicated entry names the rules version it was proposed
// under, and the cluster version (a replicated gate, raised by an admin command) says the
// highest version the leader may propose. A replica applies an entry only under a version
// it knows: one it does not know stops the node (RulesVersionError) instead of applying
// the entry under other rules and diverging from the replicas that know it.
//
// Versions:
//   1  the rules of every entry written before entries carried a version (an entry
//      without the field is version 1), including the admin action that raises the
//      cluster version.
//   2  the same stock rules as 1. It is the first version a cluster can be raised to, so
//      that the gate, the refusal of a member that lacks a version and the stop of a node
//      that meets one are in place before a rule change needs them. The next change of a
//      replicated rule (for example EXPIRIES_PER_ENTRY_MAX) becomes version 3, and a build
//      that supports 3 still applies 1 and 2 as they were.
//   3  history retention (retention.ts): an entry may carry a prune list, and the admin
//      action 'history_archived' sets the archived mark. Under 1 and 2 a prune list is
//      refused whole and 'history_archived' is an unknown action (INVALID_ARGUMENT), as a
//      build without retention treats them, so replicas of both builds agree.
//   4  commerce (issue 19): the commands set_position_policy, set_sku_policy, transfer,
//      receive_transfer and count, and the reserve fields allocations, customer_id,
//      backorder and wait_ms. Under 1..3 each is refused INVALID_ARGUMENT (field 'kind' or
//      the reserve field), as a build without them treats them.

import { EXPIRIES_PER_ENTRY_MAX } from './limits.js';

/** The oldest rules version this build applies. Raising it drops old entries' rules: only
 * once no log or snapshot of a supported cluster can hold them. */
export const RULES_VERSION_MIN = 1;
/** The newest rules version this build applies. */
export const RULES_VERSION_MAX = 4;
/** Bound on the version field of an entry or of the cluster version on the wire and in
 * state: a larger value is malformed, not merely unknown. */
export const RULES_VERSION_FIELD_MAX = 65_535;
/** The cluster version of a ledger that was never raised (absent from state). */
export const CLUSTER_VERSION_INITIAL = 1;

/** The replicated parameters that a rules version fixes. */
export interface LedgerRules {
  readonly version: number;
  /** See EXPIRIES_PER_ENTRY_MAX. */
  readonly expiries_per_entry_max: number;
  /** Prune lists and the archived mark (version 3 on). */
  readonly history_retention: boolean;
  /** Commerce commands and reserve fields (version 4 on). */
  readonly commerce: boolean;
}

/** The first rules version with commerce. */
export const COMMERCE_RULES_VERSION = 4;

/** The first rules version with history retention. */
export const HISTORY_RETENTION_RULES_VERSION = 3;

const RULES: Readonly<Record<number, LedgerRules>> = {
  1: { version: 1, expiries_per_entry_max: EXPIRIES_PER_ENTRY_MAX, history_retention: false, commerce: false },
  2: { version: 2, expiries_per_entry_max: EXPIRIES_PER_ENTRY_MAX, history_retention: false, commerce: false },
  3: { version: 3, expiries_per_entry_max: EXPIRIES_PER_ENTRY_MAX, history_retention: true, commerce: false },
  4: { version: 4, expiries_per_entry_max: EXPIRIES_PER_ENTRY_MAX, history_retention: true, commerce: true },
};

/** The rules of a version this build supports; throws for any other. */
export function ledgerRules(version: number): LedgerRules {
  const r = RULES[version];
  if (r === undefined) throw new RangeError(`ledger rules version ${version} is not one of ${RULES_VERSION_MIN}..${RULES_VERSION_MAX}`);
  return r;
}

/** A replica met a rules version it does not apply: fatal for the node, never a result. */
export class RulesVersionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RulesVersionError';
  }
}

/** True for a value that may stand in a version field (known or not). */
export function isRulesVersionField(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 1 && v <= RULES_VERSION_FIELD_MAX;
}

/** The target of a `cluster_version` admin command: the decimal version, or null when the
 * text is not one (apply answers INVALID_ARGUMENT naming 'target'). */
export function parseClusterVersionTarget(target: string): number | null {
  if (!/^[1-9][0-9]{0,4}$/.test(target)) return null;
  const n = Number(target);
  return n <= RULES_VERSION_FIELD_MAX ? n : null;
}

/** A supported range, checked at the edge of every place that takes one. */
export interface RulesRange {
  readonly min: number;
  readonly max: number;
}

/** This build's range, lowered to `max` (a test hook may lower it, never raise it). */
export function supportedRange(max: number = RULES_VERSION_MAX): RulesRange {
  if (!Number.isSafeInteger(max) || max < RULES_VERSION_MIN || max > RULES_VERSION_MAX) {
    throw new RangeError(`rules_version_max must be an integer ${RULES_VERSION_MIN}..${RULES_VERSION_MAX}, got ${String(max)}`);
  }
  return { min: RULES_VERSION_MIN, max };
}
