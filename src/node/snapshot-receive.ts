// The receiving end of Raft.InstallSnapshot: one client stream of chunks, staged as they
// arrive (see SnapshotReceiver) with the stream paused while each chunk is written, so
// memory holds one chunk whatever the snapshot's size. A refused or broken stream
// discards what it staged and answers with an error, which the sender reports to its
// core (reportSnapshot(false)); the core sends a snapshot again later. Nothing here is
// fatal to the node. One stream is received at a time: a newer one supersedes it.

import * as grpc from '@grpc/grpc-js';
import type { NodeId, SnapshotMeta } from '../raft/types.js';
import { snapshotMetaFromWire, WireError, type WireSnapshotChunk } from './transport-codec.js';
import { SnapshotReceiver, type StagedSnapshot, type StagingStore } from './storage-snapshot.js';
import type { WirePeerVersion } from './peer-version.js';

/** Steps of a snapshot's receive and install at which a test hook may act (see
 * SnapshotTestHook). */
export type SnapshotStep = 'receive-chunk' | 'received' | 'install-before' | 'install-after';

/** Test hook (stockd --test-hooks only): called at each step; may delay or end the
 * process there. `n` counts staged chunks ('receive-chunk', 'received'); 1 at the install steps. */
export type SnapshotTestHook = (step: SnapshotStep, n: number) => Promise<void>;

export type SnapshotAck = { accepted: boolean; detail: string };

/** Bytes received between two progress lines in the log. */
const PROGRESS_LOG_BYTES = 64 * 1024 * 1024;

export interface SnapshotReceiveHost {
  readonly self_id: NodeId;
  readonly staging: StagingStore;
  readonly log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  readonly hook: SnapshotTestHook | null;
  /** Refusal of a sender that is not a member of this cluster, or null. */
  checkSender(cluster_id: string, from: string, peer: string): grpc.ServiceError | null;
  /** Refusal of a sender's announced version (another protocol major), or null. */
  checkVersion(from: NodeId, version: WirePeerVersion | null | undefined): grpc.ServiceError | null;
  learnAddress(id: NodeId, address: string): void;
  /** A complete, verified snapshot is staged: hand it to the node (which loads and checks
   * its ledger, then steps it into the core) and answer with its verdict. */
  onSnapshot(from: NodeId, term: number, staged: StagedSnapshot): Promise<SnapshotAck>;
  /** Progress (this chunk's bytes and records) and failures, for metrics. */
  onReceived(bytes: number, records: number): void;
  onFailed(): void;
}

export function refuse(code: grpc.status, details: string): grpc.ServiceError {
  const err = new Error(details) as grpc.ServiceError;
  err.code = code;
  err.details = details;
  err.metadata = new grpc.Metadata();
  return err;
}

/** Receives InstallSnapshot streams, at most one at a time. */
export class SnapshotReceiving {
  /** The stream being received, if any: a newer stream supersedes it. */
  current: InboundSnapshotStream | null = null;

  constructor(readonly host: SnapshotReceiveHost) {}

  /** The gRPC handler of Raft.InstallSnapshot. */
  handle(call: grpc.ServerReadableStream<WireSnapshotChunk, unknown>, callback: grpc.sendUnaryData<SnapshotAck>): void {
    new InboundSnapshotStream(this, call, callback).listen();
  }
}

/** One InstallSnapshot stream: its chunks are handled one at a time with the stream paused,
 * so at most one chunk is in memory. */
class InboundSnapshotStream {
  private readonly host: SnapshotReceiveHost;
  private receiver: SnapshotReceiver | null = null;
  private from = '';
  private term = 0;
  private done = false;
  /** A chunk is being handled (the stream is paused meanwhile). */
  private busy = false;
  /** The sender half-closed: a stream paused on its last chunk still ends (Node emits 'end'
   * once the buffer is empty, paused or not), so 'end' only counts once the chunk in hand
   * is done. */
  private ended = false;
  private expect_seq = 0;
  private logged_bytes = 0;
  private readonly t0 = Date.now();

  constructor(
    private readonly owner: SnapshotReceiving,
    private readonly call: grpc.ServerReadableStream<WireSnapshotChunk, unknown>,
    private readonly callback: grpc.sendUnaryData<SnapshotAck>,
  ) {
    this.host = owner.host;
  }

  listen(): void {
    const call = this.call;
    call.on('data', (chunk: WireSnapshotChunk) => this.onData(chunk));
    call.on('end', () => {
      this.ended = true;
      if (!this.done && !this.busy) this.fail(refuse(grpc.status.INVALID_ARGUMENT, 'snapshot stream ended before its last chunk'));
    });
    call.on('error', () => {
      if (!this.done) this.fail(refuse(grpc.status.CANCELLED, 'snapshot stream broke'));
    });
    // A sender that gives up (its stall bound) cancels the call; a paused stream learns it
    // only through 'cancelled', and must let go of its staging and its place as current.
    call.on('cancelled', () => {
      if (!this.done) this.fail(refuse(grpc.status.CANCELLED, 'snapshot stream cancelled by the sender'));
    });
  }

  /** Ends this stream with ABORTED (a newer stream supersedes it). */
  abort(reason: string): void {
    this.fail(refuse(grpc.status.ABORTED, reason));
  }

  private onData(chunk: WireSnapshotChunk): void {
    if (this.done) return;
    this.busy = true;
    this.call.pause();
    this.onChunk(chunk).then(
      () => {
        this.busy = false;
        if (this.done) this.cleanup();
        else if (this.ended) this.fail(refuse(grpc.status.INVALID_ARGUMENT, 'snapshot stream ended before its last chunk'));
        else this.call.resume();
      },
      (e: unknown) => {
        this.busy = false;
        const err = isServiceError(e) ? e : refuse(grpc.status.INVALID_ARGUMENT, e instanceof Error ? e.message : String(e));
        this.fail(err);
        this.cleanup();
      },
    );
  }

  private cleanup(): void {
    this.receiver?.discard((err) => this.host.log.warn({ from: this.from, err: String(err) }, 'could not discard a staged snapshot'));
    this.receiver = null;
    if (this.owner.current === this) this.owner.current = null;
  }

  private fail(err: grpc.ServiceError): void {
    if (this.done) return;
    this.done = true;
    this.host.onFailed();
    this.host.log.warn({ from: this.from, chunks: this.expect_seq, bytes: this.receiver?.progress.bytes ?? 0, err: err.details }, 'refused snapshot stream');
    this.callback(err);
    if (!this.busy) this.cleanup();
  }

  private async begin(chunk: WireSnapshotChunk): Promise<SnapshotReceiver> {
    const host = this.host;
    const h = chunk.header;
    if (!h) throw new WireError('first snapshot chunk lacks its header');
    const err = host.checkSender(h.cluster_id, h.from, this.call.getPeer());
    if (err) throw err;
    if (h.to !== host.self_id) throw new WireError(`snapshot addressed to '${h.to}' arrived at '${host.self_id}'`);
    const verr = host.checkVersion(h.from, h.version);
    if (verr) throw verr;
    if (h.from_address) host.learnAddress(h.from, h.from_address);
    this.from = h.from;
    this.term = h.term;
    const meta: SnapshotMeta = snapshotMetaFromWire(h.meta);
    this.owner.current?.abort(`superseded by a snapshot stream from ${this.from} at ${meta.index}/${meta.term}`);
    this.owner.current = this;
    host.log.info({ from: this.from, index: meta.index, term: meta.term }, 'receiving snapshot');
    return SnapshotReceiver.begin(host.staging, meta, this.from);
  }

  private async onChunk(chunk: WireSnapshotChunk): Promise<void> {
    if (chunk.seq !== this.expect_seq) throw new WireError(`snapshot chunk ${chunk.seq} arrived, expected ${this.expect_seq}`);
    this.expect_seq += 1;
    if (this.receiver === null) this.receiver = await this.begin(chunk);
    if (this.done) return;
    const receiver = this.receiver;
    const records_before = receiver.progress.records;
    await receiver.add(chunk.data, chunk.last ? new Uint8Array(0) : chunk.sha256);
    this.host.onReceived(chunk.data.byteLength, receiver.progress.records - records_before);
    if (this.host.hook) await this.host.hook('receive-chunk', receiver.progress.chunks);
    this.logProgress(receiver);
    if (chunk.last) await this.finish(receiver, chunk.sha256);
  }

  private logProgress(receiver: SnapshotReceiver): void {
    const p = receiver.progress;
    if (p.bytes - this.logged_bytes < PROGRESS_LOG_BYTES) return;
    this.logged_bytes = p.bytes;
    const s = Math.max(0.001, (Date.now() - this.t0) / 1000);
    this.host.log.info({ from: this.from, index: receiver.meta.index, chunks: p.chunks, bytes: p.bytes, records: p.records, mib_per_s: +(p.bytes / 2 ** 20 / s).toFixed(1) }, 'receiving snapshot: progress');
  }

  private async finish(receiver: SnapshotReceiver, sha256: Uint8Array): Promise<void> {
    const staged = receiver.finish(sha256);
    this.receiver = null;
    if (this.host.hook) await this.host.hook('received', staged.progress.chunks);
    const ms = Date.now() - this.t0;
    const mib_per_s = +(staged.bytes / 2 ** 20 / Math.max(0.001, ms / 1000)).toFixed(1);
    this.host.log.info({ from: this.from, index: staged.meta.index, chunks: staged.progress.chunks, bytes: staged.bytes, records: staged.progress.records, ms, mib_per_s }, 'snapshot received and staged');
    if (this.owner.current === this) this.owner.current = null;
    const ack = await this.host.onSnapshot(this.from, this.term, staged);
    if (this.done) return;
    this.done = true;
    this.callback(null, ack);
  }
}

function isServiceError(e: unknown): e is grpc.ServiceError {
  return e instanceof Error && typeof (e as Partial<grpc.ServiceError>).code === 'number' && (e as Partial<grpc.ServiceError>).metadata instanceof grpc.Metadata;
}
