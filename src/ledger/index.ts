// Public surface of the ledger package.
export * from './types.js';
export * from './limits.js';
export { Ledger, type LedgerOptions } from './ledger.js';
export { validateCommand, renderValue, type Validation } from './validate.js';
export { encodeEntry, decodeEntry, EntryDecodeError } from './codec.js';
export { verifyHistory, HistoryVerifier, eventHash, GENESIS_HEAD, type PositionHead, type VerifyResult } from './history.js';
export {
  snapshotChunks,
  snapshotChunksAsync,
  restoreChunks,
  restoreChunksAsync,
  SnapshotWriter,
  SnapshotReader,
  SnapshotError,
  type SnapshotRecord,
  type Sublevel,
} from './snapshot.js';
export { historyKey, historyRangeEnd, positionKey, outcomeKey, reservationKey, META_KEY } from './keys.js';
export { StateCorruption } from './records.js';
export {
  RULES_VERSION_MIN,
  RULES_VERSION_MAX,
  RULES_VERSION_FIELD_MAX,
  CLUSTER_VERSION_INITIAL,
  RulesVersionError,
  ledgerRules,
  supportedRange,
  parseClusterVersionTarget,
  type LedgerRules,
  type RulesRange,
} from './rules.js';
