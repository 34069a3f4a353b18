// The edge's answer when a call may or may not have been carried out: the caller's
// deadline passed with an attempt out, or a forwarded attempt was lost on the way. It is
// answered with OUTCOME_UNKNOWN_KEY metadata and the advice below, which the SDK reads as
// "retry with the same ids" (src/client/endpoints.ts mayHaveApplied).

import * as grpc from '@grpc/grpc-js';
import type { NodeId } from '../raft/types.js';

/** First words of every outcome-unknown answer's details. */
export const OUTCOME_UNKNOWN_ADVICE = 'outcome unknown: retry with the same id (or ask GetOutcome)';

export type OutcomeUnknownCode = grpc.status.DEADLINE_EXCEEDED | grpc.status.UNAVAILABLE;

export class OutcomeUnknownError extends Error {
  constructor(
    /** DEADLINE_EXCEEDED when an attempt was still out at the deadline; UNAVAILABLE when
     * the attempt was lost and no leader took the call again in time. */
    readonly code: OutcomeUnknownCode,
    message: string,
    readonly leader_id: NodeId | null = null,
    readonly leader_address: string | null = null,
  ) {
    super(message);
    this.name = 'OutcomeUnknownError';
  }
}
