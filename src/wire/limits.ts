// The input limits the gRPC edge enforces. Ledger limits come from src/ledger/limits.ts
// (one source: the ledger re-checks them on apply); the rest bound the edge's own reads
// and admin calls.

export {
  ID_BYTES_MAX,
  ID_PATTERN,
  SKU_BYTES_MAX,
  LOCATION_BYTES_MAX,
  POSITION_NAME_PATTERN as KEY_PATTERN,
  LINES_MAX,
  QUANTITY_MAX,
  BALANCE_MAX,
  TTL_MS_MIN,
  TTL_MS_MAX,
  SUBMIT_OPS_MAX,
  TEXT_BYTES_MAX,
  TIME_MS_MAX,
} from '../ledger/limits.js';

/** Keys per GetPositions, and events or positions per page. */
export const READ_KEYS_MAX = 1000;
export const PAGE_LIMIT_MAX = 1000;
export const PAGE_LIMIT_DEFAULT = 100;
/** Node ids and addresses: src/wire/names.ts. */
export { ADDRESS_BYTES_MAX, NODE_ID_BYTES_MAX } from './names.js';
