// The Stockraft SDK's public surface.
export { StockraftClient, commandResult } from './client.js';
export type {
  AdjustInput,
  CommitInput,
  Consistency,
  EndpointStatus,
  AdminEventPage,
  EventPage,
  ExtendInput,
  IdInput,
  OpInput,
  ReadOptions,
  ReleaseInput,
  ReserveInput,
  Status,
  StockraftClientOptions,
  WatchItem,
  WatchOptions,
  WriteResult,
} from './client.js';
export type { BatchingOptions } from './batcher.js';
export type { CountInput, ReceiveTransferInput, ReserveCommerceInput, SetPositionPolicyInput, SetSkuPolicyInput, TransferInput } from './commerce.js';
export { StockraftError } from './errors.js';
export { OpIdGenerator } from './ids.js';
export type { AdminEvent, AllocationLine, AllocationStrategy, CommandResult, LedgerEvent, Line, Position, ReservationView, ResultCode } from '../ledger/types.js';
export { bearerTokenInterceptor, clientChannelCredentials, type ClientTlsOptions } from './tls.js';
