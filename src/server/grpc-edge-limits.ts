// The input limits the gRPC edge enforces (DESIGN.md "Limits"). The ledger re-checks
// everything it applies; the edge checks first so a bad request never becomes a proposal.

export const ID_BYTES_MAX = 64;
export const SKU_BYTES_MAX = 128;
export const LOCATION_BYTES_MAX = 64;
/** SKUs and locations: letters, digits and . _ : / - only. */
export const KEY_PATTERN = /^[A-Za-z0-9._:/-]+$/;
/** Op and reservation ids: printable ASCII without spaces. */
export const ID_PATTERN = /^[\x21-\x7e]+$/;
export const LINES_MAX = 100;
export const QUANTITY_MAX = 1_000_000_000_000;
export const TTL_MS_MIN = 1_000;
export const TTL_MS_MAX = 7 * 24 * 3600 * 1000;
export const SUBMIT_OPS_MAX = 1000;
/** Free text (reason, reference, order_ref). */
export const TEXT_BYTES_MAX = 256;
/** Keys per GetPositions, events or positions per page. */
export const READ_KEYS_MAX = 1000;
export const PAGE_LIMIT_MAX = 1000;
export const PAGE_LIMIT_DEFAULT = 100;
/** Node ids and addresses in membership calls. */
export const NODE_ID_BYTES_MAX = 64;
export const ADDRESS_BYTES_MAX = 256;
