// The peer transport: raft messages between nodes over gRPC (proto/stockraft/raft/raft.proto).
//
// Outbound, each peer has one long-lived client stream (Raft.Stream) carrying batches in
// order. Its queue is bounded (messages and bytes): when full, the message is dropped and
// the core is told the peer is unreachable, so a dead peer costs reconnect attempts with
// backoff, never memory. A broken stream drops what was queued (raft retransmits) and is
// reopened after a backoff that doubles up to backoff_ms_max.
//
// Inbound, every batch is checked: its cluster id must be ours and its sender a node we
// know; otherwise the stream is refused with PERMISSION_DENIED and the refusal is logged.
// The first batch of every stream (and every snapshot header) carries the sender's
// PeerVersion (peer-version.ts): a sender of another protocol major version is refused
// with FAILED_PRECONDITION; what connected peers announced is kept in `peer_versions`.
//
// Snapshots travel on their own client stream (Raft.InstallSnapshot) in bounded chunks read
// from a consistent LevelDB view (an iterator over a LevelDB snapshot, waiting for the
// stream to drain: bounded memory); the receiver stages them in its database as they
// arrive before handing them on (snapshot-receive.ts).

import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { Message, NodeId, SnapshotMeta } from '../raft/types.js';
import {
  messageBytes,
  messageFromWire,
  messageToWire,
  snapshotMetaToWire,
  WireError,
  type WireBatch,
  type WireMessage,
  type WireSnapshotChunk,
} from './transport-codec.js';
import { encodeSnapshotChunks, snapshotHasher, type StagedSnapshot, type StagingStore } from './storage-snapshot.js';
import type { SnapshotForm, SnapshotView } from './storage-level.js';
import { refuse, SnapshotReceiving, type SnapshotAck, type SnapshotTestHook } from './snapshot-receive.js';
import type { TransportCounts } from './node-health-metrics.js';
import { PeerVersionError, PeerVersions, peerVersionFromWire, peerVersionRefusal, peerVersionText, takesStoredSnapshot, type PeerVersion, type WirePeerVersion } from './peer-version.js';

const PROTO_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../proto/stockraft/raft/raft.proto');

export const GRPC_PEER_MESSAGE_BYTES_MAX = 4 * 1024 * 1024;

let cachedPackage: grpc.GrpcObject | null = null;
export function loadRaftProto(): grpc.GrpcObject {
  if (!cachedPackage) {
    const def = protoLoader.loadSync(PROTO_FILE, { keepCase: true, longs: Number, enums: String, defaults: true, arrays: true, oneofs: true });
    cachedPackage = grpc.loadPackageDefinition(def);
  }
  return cachedPackage;
}

export function raftServiceClient(name: 'Raft' | 'StockTest'): grpc.ServiceClientConstructor {
  const pkg = loadRaftProto();
  const ns = (pkg.stockraft as grpc.GrpcObject).raft as grpc.GrpcObject;
  return ns[name] as grpc.ServiceClientConstructor;
}

/** Channel options for peer links: keepalive pings notice a silent peer within seconds. */
export const PEER_CHANNEL_OPTIONS: grpc.ChannelOptions = {
  'grpc.max_send_message_length': GRPC_PEER_MESSAGE_BYTES_MAX,
  'grpc.max_receive_message_length': GRPC_PEER_MESSAGE_BYTES_MAX,
  'grpc.keepalive_time_ms': 2000,
  'grpc.keepalive_timeout_ms': 2000,
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.initial_reconnect_backoff_ms': 100,
  'grpc.max_reconnect_backoff_ms': 2000,
  // Each peer link gets its own connection, not one shared with client traffic.
  'grpc.use_local_subchannel_pool': 1,
};

/** Options the node's grpc.Server needs so that peers' keepalive pings are welcome. */
export const PEER_SERVER_OPTIONS: grpc.ServerOptions = {
  'grpc.max_receive_message_length': GRPC_PEER_MESSAGE_BYTES_MAX,
  'grpc.max_send_message_length': GRPC_PEER_MESSAGE_BYTES_MAX,
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.http2.min_ping_interval_without_data_ms': 1000,
};

export interface TransportLimits {
  /** Messages queued for one peer before new ones are dropped. */
  readonly queue_messages_max: number;
  /** Bytes (approximate wire size) queued for one peer before new ones are dropped. */
  readonly queue_bytes_max: number;
  /** Messages in one batch. */
  readonly batch_messages_max: number;
  /** Entry bytes in one batch (one larger message travels alone). */
  readonly batch_bytes_max: number;
  readonly backoff_ms_min: number;
  readonly backoff_ms_max: number;
  /** Snapshot chunk size. */
  readonly snapshot_chunk_bytes_max: number;
  /** How long a snapshot send waits for the receiver to take a chunk (the stream to drain)
   * before it gives up: a stalled receiver must not hold the sender's LevelDB view (which
   * pins old table files on disk) and its one snapshot slot for this peer for good. Raft
   * sends the snapshot again later. */
  readonly snapshot_stall_ms_max: number;
}

/** Codes with which a peer refuses a stream on purpose (another cluster, version, identity,
 * a malformed batch): reconnecting sooner would only be refused again. */
const REFUSAL_CODES: ReadonlySet<grpc.status> = new Set([grpc.status.PERMISSION_DENIED, grpc.status.FAILED_PRECONDITION, grpc.status.INVALID_ARGUMENT, grpc.status.UNAUTHENTICATED, grpc.status.UNIMPLEMENTED]);

export const DEFAULT_TRANSPORT_LIMITS: TransportLimits = {
  queue_messages_max: 4096,
  queue_bytes_max: 64 * 1024 * 1024,
  batch_messages_max: 256,
  batch_bytes_max: 1024 * 1024,
  backoff_ms_min: 50,
  backoff_ms_max: 2000,
  snapshot_chunk_bytes_max: 1024 * 1024,
  // A healthy receiver stages a 1 MiB chunk in well under a second even on a loaded disk;
  // a minute without one is a stuck peer, not a slow one.
  snapshot_stall_ms_max: 60_000,
};

export interface TransportLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

/** What the transport needs from the node. */
export interface TransportHost {
  readonly cluster_id: string;
  readonly self_id: NodeId;
  readonly self_address: string;
  /** What this node announces to its peers. */
  readonly self_version: PeerVersion;
  /** The address to reach a peer at, or null if unknown. */
  addressOf(id: NodeId): string | null;
  /** Whether traffic from this sender is accepted. */
  isKnownSender(id: NodeId): boolean;
  /** A sender told us its address (used only when nothing better is known). */
  learnAddress(id: NodeId, address: string): void;
  onMessages(messages: Message[]): void;
  onUnreachable(to: NodeId): void;
  /** A complete, verified snapshot is staged: check it and step it into the core. */
  onSnapshot(from: NodeId, term: number, staged: StagedSnapshot): Promise<SnapshotAck>;
  onSnapshotSent(to: NodeId, ok: boolean): void;
  /** Received snapshot bytes and refused streams, for metrics. */
  onSnapshotReceived(bytes: number, records: number): void;
  onSnapshotFailed(): void;
  /** A consistent view of the local state machine to send, its values in `form`. */
  openSnapshot(form: SnapshotForm): Promise<SnapshotView>;
  /** Where incoming snapshots are staged. */
  readonly staging: StagingStore;
  readonly snapshot_hook: SnapshotTestHook | null;
  readonly log: TransportLog;
}

type StreamCall = grpc.ClientWritableStream<WireBatch>;

/** Outbound link to one peer. */
class PeerLink {
  private queue: Message[] = [];
  private queued_bytes = 0;
  private call: StreamCall | null = null;
  private client: grpc.Client | null = null;
  private client_address: string | null = null;
  private waiting_drain = false;
  /** The open call has carried this node's PeerVersion (its first batch did). */
  private announced = false;
  private backoff_ms: number;
  private backoff_until = 0;
  private backoff_timer: NodeJS.Timeout | null = null;
  /** The code that ended the last stream, and when heard() last cut a backoff short. */
  private last_failure_code: grpc.status | null = null;
  private fast_reconnect_ms = 0;
  private closed = false;
  dropped = 0;
  sent_batches = 0;
  snapshot_in_flight = false;

  constructor(
    readonly id: NodeId,
    private readonly host: TransportHost,
    private readonly limits: TransportLimits,
    private readonly creds: (id: NodeId) => grpc.ChannelCredentials,
  ) {
    this.backoff_ms = limits.backoff_ms_min;
  }

  enqueue(m: Message): void {
    if (this.closed) return;
    const bytes = messageBytes(m);
    if (this.queue.length >= this.limits.queue_messages_max || this.queued_bytes + bytes > this.limits.queue_bytes_max) {
      this.dropped += 1;
      this.host.onUnreachable(this.id);
      return;
    }
    this.queue.push(m);
    this.queued_bytes += bytes;
  }

  flush(): void {
    if (this.closed || this.queue.length === 0) return;
    if (!this.call) {
      if (Date.now() < this.backoff_until) {
        this.armBackoffTimer();
        return;
      }
      if (!this.open()) return;
    }
    if (this.waiting_drain || !this.call) return;
    while (this.queue.length > 0) {
      const batch = this.takeBatch();
      this.sent_batches += 1;
      const more = this.call.write(batch);
      if (!more) {
        this.waiting_drain = true;
        this.call.once('drain', () => {
          this.waiting_drain = false;
          this.flush();
        });
        return;
      }
    }
  }

  private takeBatch(): WireBatch {
    const messages: WireMessage[] = [];
    let bytes = 0;
    while (this.queue.length > 0 && messages.length < this.limits.batch_messages_max) {
      const m = this.queue[0]!;
      const size = messageBytes(m);
      if (messages.length > 0 && bytes + size > this.limits.batch_bytes_max) break;
      this.queue.shift();
      this.queued_bytes -= size;
      messages.push(messageToWire(m));
      bytes += size;
    }
    const version = this.announced ? null : (this.host.self_version as WirePeerVersion);
    this.announced = true;
    return { cluster_id: this.host.cluster_id, from: this.host.self_id, from_address: this.host.self_address, messages, version };
  }

  private armBackoffTimer(): void {
    if (this.backoff_timer) return;
    this.backoff_timer = setTimeout(() => {
      this.backoff_timer = null;
      this.flush();
    }, Math.max(1, this.backoff_until - Date.now()));
  }

  ensureClient(): grpc.Client | null {
    const address = this.host.addressOf(this.id);
    if (address === null) return null;
    if (this.client && this.client_address === address) return this.client;
    this.client?.close();
    const Ctor = raftServiceClient('Raft');
    this.client = new Ctor(address, this.creds(this.id), PEER_CHANNEL_OPTIONS);
    this.client_address = address;
    return this.client;
  }

  private open(): boolean {
    const client = this.ensureClient();
    if (!client) {
      this.host.log.warn({ peer: this.id }, 'no address known for peer: dropping its messages');
      this.dropQueue();
      this.host.onUnreachable(this.id);
      return false;
    }
    const Ctor = raftServiceClient('Raft');
    const def = Ctor.service.Stream!;
    let call: StreamCall | null = null;
    call = client.makeClientStreamRequest<WireBatch, unknown>(
      def.path,
      def.requestSerialize as (v: WireBatch) => Buffer,
      def.responseDeserialize as (b: Buffer) => unknown,
      (err) => this.onClosed(call, err),
    );
    call.on('error', () => {
      /* reported through the callback */
    });
    this.call = call;
    this.waiting_drain = false;
    this.announced = false;
    return true;
  }

  private onClosed(call: StreamCall | null, err: grpc.ServiceError | null): void {
    if (this.call !== call) return;
    this.call = null;
    this.waiting_drain = false;
    if (this.closed) return;
    if (err) {
      if (err.code === grpc.status.PERMISSION_DENIED || err.code === grpc.status.FAILED_PRECONDITION) this.host.log.warn({ peer: this.id, detail: err.details }, 'peer refused our stream');
      else this.host.log.debug({ peer: this.id, code: err.code, detail: err.details }, 'peer stream broke');
      this.dropQueue();
      this.host.onUnreachable(this.id);
      this.last_failure_code = err.code;
      this.backoff_until = Date.now() + this.backoff_ms;
      this.backoff_ms = Math.min(this.limits.backoff_ms_max, this.backoff_ms * 2);
    } else {
      this.backoff_ms = this.limits.backoff_ms_min;
    }
    if (this.queue.length > 0) this.flush();
  }

  get queuedMessages(): number {
    return this.queue.length;
  }

  /** A message from the peer: it is up. The backoff starts over, and a link waiting out a
   * backoff reconnects at once, on a fresh channel (the old one may be in gRPC's own
   * reconnect backoff): a restarted peer would otherwise wait up to backoff_ms_max for
   * this node's answers, such as a leader's reply to its first read index. A channel that
   * carries a snapshot stream is kept. Only after a stream that broke or never connected
   * (a peer that refused it would refuse it again), and at most once per backoff_ms_max:
   * in a one-way partition the peer's every heartbeat would otherwise start a connection. */
  heard(): void {
    this.backoff_ms = this.limits.backoff_ms_min;
    const now = Date.now();
    if (this.call !== null || this.closed || now >= this.backoff_until) return;
    if (this.last_failure_code === null || REFUSAL_CODES.has(this.last_failure_code) || now - this.fast_reconnect_ms < this.limits.backoff_ms_max) return;
    this.fast_reconnect_ms = now;
    this.backoff_until = 0;
    if (this.backoff_timer) {
      clearTimeout(this.backoff_timer);
      this.backoff_timer = null;
    }
    if (!this.snapshot_in_flight) {
      this.client?.close();
      this.client = null;
      this.client_address = null;
    }
    this.flush();
  }

  private dropQueue(): void {
    this.dropped += this.queue.length;
    this.queue = [];
    this.queued_bytes = 0;
  }

  close(): void {
    this.closed = true;
    if (this.backoff_timer) clearTimeout(this.backoff_timer);
    this.dropQueue();
    this.call?.end();
    this.call = null;
    this.client?.close();
    this.client = null;
  }
}

export class GrpcTransport {
  private readonly links = new Map<NodeId, PeerLink>();
  private flush_scheduled = false;
  refused = 0;
  private readonly receiving: SnapshotReceiving;
  /** What peers with an inbound stream open announced. */
  readonly peer_versions = new PeerVersions();
  /** Messages handed to send(), by type (plain counts: the metrics read them at scrape
   * time, so counting costs nothing per message beyond an increment). */
  readonly sent_by_type = new Map<Message['type'], number>();
  /** Snapshot transfers by outcome, read by the metrics at scrape time like sent_by_type. */
  private snapshots_sent = 0;
  private snapshot_send_failures = 0;

  constructor(
    private readonly host: TransportHost,
    private readonly limits: TransportLimits = DEFAULT_TRANSPORT_LIMITS,
    /** Credentials to dial one member with (mutual TLS names the member; plaintext in tests). */
    private readonly creds: (id: NodeId) => grpc.ChannelCredentials = () => grpc.credentials.createInsecure(),
  ) {
    this.receiving = new SnapshotReceiving({
      self_id: host.self_id,
      staging: host.staging,
      log: host.log,
      hook: host.snapshot_hook,
      checkSender: (cluster_id, from, peer) => this.checkSender(cluster_id, from, peer),
      checkVersion: (from, version) => this.checkVersion(from, version),
      learnAddress: (id, address) => host.learnAddress(id, address),
      onSnapshot: (from, term, staged) => host.onSnapshot(from, term, staged),
      onReceived: (bytes, records) => host.onSnapshotReceived(bytes, records),
      onFailed: () => host.onSnapshotFailed(),
    });
  }

  private link(id: NodeId): PeerLink {
    let l = this.links.get(id);
    if (!l) {
      l = new PeerLink(id, this.host, this.limits, this.creds);
      this.links.set(id, l);
    }
    return l;
  }

  /** Queues messages for their peers; they leave together on the next turn of the loop. */
  send(messages: readonly Message[]): void {
    for (const m of messages) {
      if (m.to === this.host.self_id) throw new Error(`transport asked to send a ${m.type} message to this node itself`);
      this.sent_by_type.set(m.type, (this.sent_by_type.get(m.type) ?? 0) + 1);
      if (m.type === 'snapshot') {
        this.sendSnapshot(m.to, m.term);
        continue;
      }
      this.link(m.to).enqueue(m);
    }
    if (!this.flush_scheduled) {
      this.flush_scheduled = true;
      setImmediate(() => {
        this.flush_scheduled = false;
        for (const l of this.links.values()) l.flush();
      });
    }
  }

  /** Streams a consistent snapshot of our state machine to `to`; reports the outcome. */
  private sendSnapshot(to: NodeId, term: number): void {
    const link = this.link(to);
    if (link.snapshot_in_flight) return;
    link.snapshot_in_flight = true;
    void this.streamSnapshot(link, to, term)
      .then((ok) => {
        link.snapshot_in_flight = false;
        if (ok) this.snapshots_sent += 1;
        else this.snapshot_send_failures += 1;
        this.host.onSnapshotSent(to, ok);
      })
      .catch((err: unknown) => {
        link.snapshot_in_flight = false;
        this.snapshot_send_failures += 1;
        this.host.log.warn({ peer: to, err: String(err) }, 'snapshot send failed');
        this.host.onSnapshotSent(to, false);
      });
  }

  private async streamSnapshot(link: PeerLink, to: NodeId, term: number): Promise<boolean> {
    const client = link.ensureClient();
    if (!client) throw new Error(`no address known for ${to}`);
    const view = await this.host.openSnapshot(takesStoredSnapshot(this.peer_versions.get(to)) ? 'stored' : 'portable');
    const t0 = Date.now();
    try {
      const meta: SnapshotMeta = { index: view.applied.index, term: view.applied.term, conf_state: view.applied.conf_state };
      const Ctor = raftServiceClient('Raft');
      const def = Ctor.service.InstallSnapshot!;
      let result: { err: grpc.ServiceError | null; ack: { accepted: boolean; detail: string } | null } | null = null;
      let notify: (() => void) | null = null;
      // A write waiting for 'drain' also wakes when the call ends (the receiver refused or
      // the stream broke): 'drain' never comes then, and the wait would hold the LevelDB
      // view, and this peer's only snapshot slot, for good.
      let wake: (() => void) | null = null;
      let stalled = false;
      const call = client.makeClientStreamRequest<WireSnapshotChunk, { accepted: boolean; detail: string }>(
        def.path,
        def.requestSerialize as (v: WireSnapshotChunk) => Buffer,
        def.responseDeserialize as (b: Buffer) => { accepted: boolean; detail: string },
        (err, ack) => {
          result = { err, ack: ack ?? null };
          notify?.();
          wake?.();
        },
      );
      call.on('error', () => {
        /* reported through the callback */
      });
      const hash = snapshotHasher();
      let seq = 0;
      let pending: Uint8Array | null = null;
      let bytes = 0;
      const header = {
        cluster_id: this.host.cluster_id,
        from: this.host.self_id,
        from_address: this.host.self_address,
        to,
        term,
        meta: snapshotMetaToWire(meta),
        version: this.host.self_version as WirePeerVersion,
      };
      const write = async (data: Uint8Array, last: boolean): Promise<void> => {
        // Every chunk carries the digest of all chunk bytes so far (each chunk is hashed
        // before it is written): the receiver checks it before staging the chunk's records.
        const chunk: WireSnapshotChunk = { header: seq === 0 ? header : null, seq, data, last, sha256: last ? hash.digest() : hash.copy().digest() };
        seq += 1;
        // At most one chunk past the stream's buffer: the next is read only once it drained.
        if (!call.write(chunk) && !result) {
          await new Promise<void>((resolve) => {
            const done = (): void => {
              clearTimeout(stall);
              call.off('drain', done);
              wake = null;
              resolve();
            };
            // No drain within the bound: the receiver is stuck. Cancelling ends the call
            // (the callback reports CANCELLED), which ends the send and releases the view.
            const stall = setTimeout(() => {
              this.host.log.warn({ peer: to, chunks: seq, bytes, stall_ms: this.limits.snapshot_stall_ms_max }, 'snapshot send stalled: the receiver took no chunk in time; cancelled');
              stalled = true;
              call.cancel();
              done();
            }, this.limits.snapshot_stall_ms_max);
            wake = done;
            call.once('drain', done);
          });
        }
      };
      for await (const chunk of encodeSnapshotChunks(view, this.limits.snapshot_chunk_bytes_max)) {
        if (result || stalled) break;
        if (pending) await write(pending, false);
        hash.update(chunk);
        bytes += chunk.byteLength;
        pending = chunk;
      }
      if (!result && !stalled && pending) await write(pending, true);
      if (!stalled) call.end();
      if (!result) await new Promise<void>((resolve) => (notify = resolve));
      const r = result as unknown as { err: grpc.ServiceError | null; ack: { accepted: boolean; detail: string } | null };
      const ok = !r.err && !!r.ack?.accepted;
      this.host.log.info(
        { peer: to, index: meta.index, form: view.form, chunks: seq, bytes, ms: Date.now() - t0, ok, detail: r.err?.details ?? r.ack?.detail ?? '' },
        'snapshot sent',
      );
      return ok;
    } finally {
      await view.close();
    }
  }

  /** Drops links to peers that are no longer members. */
  forget(id: NodeId): void {
    this.links.get(id)?.close();
    this.links.delete(id);
  }

  close(): void {
    for (const l of this.links.values()) l.close();
    this.links.clear();
  }

  /** Running counts for the metrics: messages dropped per peer, snapshots sent (failures
   * received are counted where they are staged: snapshot-receive.ts). */
  counts(): TransportCounts {
    const dropped_by_peer = new Map<NodeId, number>();
    for (const [id, l] of this.links) dropped_by_peer.set(id, l.dropped);
    return { dropped_by_peer, snapshots_sent: this.snapshots_sent, snapshot_send_failures: this.snapshot_send_failures };
  }

  stats(): Record<NodeId, { dropped: number; sent_batches: number; queued: number }> {
    const out: Record<NodeId, { dropped: number; sent_batches: number; queued: number }> = {};
    for (const [id, l] of this.links) out[id] = { dropped: l.dropped, sent_batches: l.sent_batches, queued: l.queuedMessages };
    return out;
  }

  private checkSender(cluster_id: string, from: string, peer: string): grpc.ServiceError | null {
    if (cluster_id !== this.host.cluster_id) {
      this.refused += 1;
      this.host.log.warn({ from, peer, cluster_id, ours: this.host.cluster_id }, 'refused peer traffic from another cluster');
      return refuse(grpc.status.PERMISSION_DENIED, `cluster id '${cluster_id}' is not this cluster's ('${this.host.cluster_id}')`);
    }
    if (typeof from !== 'string' || from.length === 0 || from === this.host.self_id || !this.host.isKnownSender(from)) {
      this.refused += 1;
      this.host.log.warn({ from, peer }, 'refused peer traffic from an unknown sender');
      return refuse(grpc.status.PERMISSION_DENIED, `sender '${from}' is not a known member of cluster '${this.host.cluster_id}'`);
    }
    return null;
  }

  /** The implementation of the Raft service, to add to the node's grpc.Server. */
  service(): grpc.UntypedServiceImplementation {
    return {
      Stream: (call: grpc.ServerReadableStream<WireBatch, unknown>, callback: grpc.sendUnaryData<unknown>) => this.serveStream(call, callback),
      InstallSnapshot: (call: grpc.ServerReadableStream<WireSnapshotChunk, unknown>, callback: grpc.sendUnaryData<SnapshotAck>) => this.receiving.handle(call, callback),
    };
  }

  /** Raft.Stream: batches of peer messages from one sender, handed to the node. */
  private serveStream(call: grpc.ServerReadableStream<WireBatch, unknown>, callback: grpc.sendUnaryData<unknown>): void {
    let done = false;
    /** The sender, once its first batch was accepted (its announcement is recorded). */
    let sender: NodeId | null = null;
    const finish = (err: grpc.ServiceError | null): void => {
      if (done) return;
      done = true;
      if (sender !== null) this.peer_versions.closed(sender);
      if (err) callback(err);
      else callback(null, {});
    };
    // The peer's address names a refused sender in the log. grpc-js builds it from the
    // socket on every getPeer() (a native call): read once per stream, not per batch.
    const peer = call.getPeer();
    call.on('data', (batch: WireBatch) => {
      if (done) return;
      const err = this.checkSender(batch.cluster_id, batch.from, peer);
      if (err) return finish(err);
      if (sender === null) {
        const refused = this.checkVersion(batch.from, batch.version);
        if (refused) return finish(refused);
        this.recordVersion(batch.from, peerVersionFromWire(batch.version));
        sender = batch.from;
      } else if (batch.from !== sender) {
        return finish(refuse(grpc.status.INVALID_ARGUMENT, `stream of '${sender}' carries a batch from '${batch.from}'`));
      }
      if (batch.from_address) this.host.learnAddress(batch.from, batch.from_address);
      this.links.get(batch.from)?.heard();
      const out: Message[] = [];
      try {
        for (const w of batch.messages) {
          const m = messageFromWire(w, batch.from);
          if (m.to !== this.host.self_id) throw new WireError(`message addressed to '${m.to}' arrived at '${this.host.self_id}'`);
          out.push(m);
        }
      } catch (e) {
        this.host.log.warn({ from: batch.from, err: String(e) }, 'refused malformed peer batch');
        return finish(refuse(grpc.status.INVALID_ARGUMENT, String(e instanceof Error ? e.message : e)));
      }
      this.host.onMessages(out);
    });
    call.on('end', () => finish(null));
    call.on('error', () => finish(null));
  }

  /** The refusal of a peer's announcement (malformed, or another protocol major), or
   * null when this node speaks with it. */
  private checkVersion(from: NodeId, wire: WirePeerVersion | null | undefined): grpc.ServiceError | null {
    let v: PeerVersion;
    try {
      v = peerVersionFromWire(wire);
    } catch (e) {
      this.host.log.warn({ from, err: String(e) }, 'refused a malformed peer version');
      return refuse(grpc.status.INVALID_ARGUMENT, e instanceof PeerVersionError ? e.message : String(e));
    }
    const refusal = peerVersionRefusal(from, v);
    if (refusal === null) return null;
    this.refused += 1;
    this.host.log.warn({ from, version: peerVersionText(v) }, 'refused a peer of another protocol major version');
    return refuse(grpc.status.FAILED_PRECONDITION, refusal);
  }

  private recordVersion(from: NodeId, v: PeerVersion): void {
    if (this.peer_versions.opened(from, v)) this.host.log.info({ from, version: peerVersionText(v) }, 'peer version');
  }
}
