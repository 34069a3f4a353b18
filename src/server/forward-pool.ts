// Channels from a follower to the leader, for passing on calls that only the leader can
// carry out. At most FORWARD_CHANNELS_MAX addresses are kept open; the least recently used
// one is closed when another is needed (leaders change rarely, so this stays small).

import * as grpc from '@grpc/grpc-js';
import { GRPC_MESSAGE_BYTES_MAX } from '../wire/protos.js';

import { FORWARD_CHANNELS_MAX } from './limits.js';

export class ForwardPool {
  private readonly channels = new Map<string, grpc.Client>();
  private closed = false;

  constructor(
    private readonly credentials: grpc.ChannelCredentials = grpc.credentials.createInsecure(),
    private readonly channels_max: number = FORWARD_CHANNELS_MAX,
  ) {
    if (!Number.isInteger(channels_max) || channels_max < 1) throw new Error(`ForwardPool: channels_max must be >= 1, got ${channels_max}`);
  }

  clientFor(address: string): grpc.Client {
    if (this.closed) throw new Error('ForwardPool: closed');
    const existing = this.channels.get(address);
    if (existing !== undefined) {
      // Re-insert to mark as most recently used.
      this.channels.delete(address);
      this.channels.set(address, existing);
      return existing;
    }
    while (this.channels.size >= this.channels_max) {
      const oldest = this.channels.keys().next().value as string;
      this.channels.get(oldest)?.close();
      this.channels.delete(oldest);
    }
    const c = new grpc.Client(address, this.credentials, {
      'grpc.max_receive_message_length': GRPC_MESSAGE_BYTES_MAX,
      'grpc.max_send_message_length': GRPC_MESSAGE_BYTES_MAX,
      // Per-call tracing nothing reads (see main.ts).
      'grpc.enable_channelz': 0,
    });
    this.channels.set(address, c);
    return c;
  }

  /** Sends one unary call to `address` with the method's own (de)serializers. Aborting
   * `signal` cancels the call (it then fails with CANCELLED). */
  unary<Req, Res>(address: string, def: grpc.MethodDefinition<Req, Res>, request: Req, metadata: grpc.Metadata, deadline: Date, signal?: AbortSignal): Promise<Res> {
    const c = this.clientFor(address);
    return new Promise((resolve, reject) => {
      const call = c.makeUnaryRequest(def.path, def.requestSerialize, def.responseDeserialize, request, metadata, { deadline }, (err, res) => {
        signal?.removeEventListener('abort', cancel);
        if (err) reject(err);
        else if (res === undefined) reject(new Error(`forward ${def.path}: empty reply`));
        else resolve(res);
      });
      function cancel(): void {
        call.cancel();
      }
      if (signal?.aborted === true) cancel();
      else signal?.addEventListener('abort', cancel, { once: true });
    });
  }

  close(): void {
    this.closed = true;
    for (const c of this.channels.values()) c.close();
    this.channels.clear();
  }
}
