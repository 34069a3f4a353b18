// Errors the SDK raises. Business outcomes (insufficient stock, expired...) are NOT errors:
// they come back as result codes. A StockraftError means the call itself failed.

import * as grpc from '@grpc/grpc-js';
import type { StatusDetails } from '../wire/status-details.js';

export class StockraftError extends Error {
  constructor(
    /** gRPC status code of the last attempt. */
    readonly code: grpc.status,
    readonly details: string,
    /** True when the outcome of a write is unknown: retrying with the same id is safe,
     * or GetOutcome(id) tells what happened. */
    readonly outcome_unknown: boolean,
    /** Attempts made, across endpoints. */
    readonly attempts: number,
    /** The id of the write, when the call was one. */
    readonly id: string | null = null,
    /** The google.rpc details the server attached (field violations with the exact value,
     * ErrorInfo reason and leader, RetryInfo delay); null from servers that send none. */
    readonly status_details: StatusDetails | null = null,
  ) {
    super(`${grpc.status[code] ?? code}: ${details}${attempts > 1 ? ` (after ${attempts} attempts)` : ''}`);
    this.name = 'StockraftError';
  }
}

export function isServiceError(err: unknown): err is grpc.ServiceError {
  return err instanceof Error && typeof (err as Partial<grpc.ServiceError>).code === 'number';
}
