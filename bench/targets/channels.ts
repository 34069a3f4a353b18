// Client channels for the load generator: several independent HTTP/2 connections per
// endpoint, so one connection's flow control or head-of-line blocking is not the limit.
import * as grpc from '@grpc/grpc-js';

export const CHANNELS_PER_ENDPOINT_MAX = 64;

export function channelOptions(): grpc.ChannelOptions {
  return {
    // Without a local pool, clients to the same address share one subchannel (one socket).
    'grpc.use_local_subchannel_pool': 1,
    'grpc.max_receive_message_length': 4 * 1024 * 1024,
    'grpc.max_send_message_length': 4 * 1024 * 1024,
    // Per-call tracing nobody reads here; the same for every system measured.
    'grpc.enable_channelz': 0,
  };
}

/** Builds `per_endpoint` clients for every endpoint with `make`, in round-robin order. */
export function makeClients<T>(endpoints: readonly string[], per_endpoint: number, make: (address: string) => T): T[] {
  if (!Number.isInteger(per_endpoint) || per_endpoint < 1 || per_endpoint > CHANNELS_PER_ENDPOINT_MAX) {
    throw new Error(`channels_per_endpoint: must be an integer in 1..${CHANNELS_PER_ENDPOINT_MAX}, got ${per_endpoint}`);
  }
  if (endpoints.length === 0) throw new Error('endpoints: at least one is needed');
  const out: T[] = [];
  for (let i = 0; i < per_endpoint; i++) for (const e of endpoints) out.push(make(e));
  return out;
}

export function deadlineIn(ms: number): Date {
  return new Date(Date.now() + ms);
}
