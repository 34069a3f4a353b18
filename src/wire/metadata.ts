// Metadata keys of the client protocol, shared by the server's edge and the SDK.

/** Trailing metadata naming the leader, so a client can send its next write there. */
export const LEADER_ID_KEY = 'x-stockraft-leader-id';
export const LEADER_ADDRESS_KEY = 'x-stockraft-leader-address';
/** Trailing metadata on an error whose outcome is unknown: retry with the same id, or ask
 * GetOutcome. */
export const OUTCOME_UNKNOWN_KEY = 'x-stockraft-outcome-unknown';
/** Request metadata marking a call that a node already forwarded: never forwarded again. */
export const FORWARDED_KEY = 'x-stockraft-forwarded';
