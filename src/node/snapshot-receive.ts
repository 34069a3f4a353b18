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
  /** Aborts the stream being received, if any. */
  private current: ((reason: string) => void) | null = null;

  constructor(private readonly host: SnapshotReceiveHost) {}

  /** The gRPC handler of Raft.InstallSnapshot. */
  handle(call: grpc.ServerReadableStream<WireSnapshotChunk, unknown>, callback: grpc.sendUnaryData<SnapshotAck>): void {
    const host = this.host;
    let receiver: SnapshotReceiver | null = null;
    let from = '';
    let term = 0;
    let done = false;
    let busy = false;
    /** The sender half-closed: a stream paused on its last chunk still ends (Node emits
     * 'end' once the buffer is empty, paused or not), so 'end' only counts once the chunk
     * in hand is done. */
    let ended = false;
    let expect_seq = 0;
    let logged_bytes = 0;
    const t0 = Date.now();
    const cleanup = (): void => {
      receiver?.discard((err) => host.log.warn({ from, err: String(err) }, 'could not discard a staged snapshot'));
      receiver = null;
      if (this.current === abort) this.current = null;
    };
    const fail = (err: grpc.ServiceError): void => {
      if (done) return;
      done = true;
      host.onFailed();
      host.log.warn({ from, chunks: expect_seq, bytes: receiver?.progress.bytes ?? 0, err: err.details }, 'refused snapshot stream');
      callback(err);
      if (!busy) cleanup();
    };
    const abort = (reason: string): void => fail(refuse(grpc.status.ABORTED, reason));
    const begin = async (chunk: WireSnapshotChunk): Promise<SnapshotReceiver> => {
      const h = chunk.header;
      if (!h) throw new WireError('first snapshot chunk lacks its header');
      const err = host.checkSender(h.cluster_id, h.from, call.getPeer());
      if (err) throw err;
      if (h.to !== host.self_id) throw new WireError(`snapshot addressed to '${h.to}' arrived at '${host.self_id}'`);
      if (h.from_address) host.learnAddress(h.from, h.from_address);
      from = h.from;
      term = h.term;
      const meta: SnapshotMeta = snapshotMetaFromWire(h.meta);
      this.current?.(`superseded by a snapshot stream from ${from} at ${meta.index}/${meta.term}`);
      this.current = abort;
      host.log.info({ from, index: meta.index, term: meta.term }, 'receiving snapshot');
      return SnapshotReceiver.begin(host.staging, meta, from);
    };
    const onChunk = async (chunk: WireSnapshotChunk): Promise<void> => {
      if (chunk.seq !== expect_seq) throw new WireError(`snapshot chunk ${chunk.seq} arrived, expected ${expect_seq}`);
      expect_seq += 1;
      if (receiver === null) receiver = await begin(chunk);
      if (done) return;
      const records_before = receiver.progress.records;
      await receiver.add(chunk.data, chunk.last ? new Uint8Array(0) : chunk.sha256);
      host.onReceived(chunk.data.byteLength, receiver.progress.records - records_before);
      if (host.hook) await host.hook('receive-chunk', receiver.progress.chunks);
      const p = receiver.progress;
      if (p.bytes - logged_bytes >= PROGRESS_LOG_BYTES) {
        logged_bytes = p.bytes;
        const s = Math.max(0.001, (Date.now() - t0) / 1000);
        host.log.info({ from, index: receiver.meta.index, chunks: p.chunks, bytes: p.bytes, records: p.records, mib_per_s: +(p.bytes / 2 ** 20 / s).toFixed(1) }, 'receiving snapshot: progress');
      }
      if (!chunk.last) return;
      const staged = receiver.finish(chunk.sha256);
      receiver = null;
      if (host.hook) await host.hook('received', staged.progress.chunks);
      const ms = Date.now() - t0;
      host.log.info({ from, index: staged.meta.index, chunks: staged.progress.chunks, bytes: staged.bytes, records: staged.progress.records, ms, mib_per_s: +(staged.bytes / 2 ** 20 / Math.max(0.001, ms / 1000)).toFixed(1) }, 'snapshot received and staged');
      if (this.current === abort) this.current = null;
      const ack = await host.onSnapshot(from, term, staged);
      if (done) return;
      done = true;
      callback(null, ack);
    };
    call.on('data', (chunk: WireSnapshotChunk) => {
      if (done) return;
      busy = true;
      call.pause();
      onChunk(chunk).then(
        () => {
          busy = false;
          if (done) cleanup();
          else if (ended) fail(refuse(grpc.status.INVALID_ARGUMENT, 'snapshot stream ended before its last chunk'));
          else call.resume();
        },
        (e: unknown) => {
          busy = false;
          const err = isServiceError(e) ? e : refuse(grpc.status.INVALID_ARGUMENT, e instanceof Error ? e.message : String(e));
          fail(err);
          cleanup();
        },
      );
    });
    call.on('end', () => {
      ended = true;
      if (!done && !busy) fail(refuse(grpc.status.INVALID_ARGUMENT, 'snapshot stream ended before its last chunk'));
    });
    call.on('error', () => {
      if (!done) fail(refuse(grpc.status.CANCELLED, 'snapshot stream broke'));
    });
  }
}

function isServiceError(e: unknown): e is grpc.ServiceError {
  return e instanceof Error && typeof (e as Partial<grpc.ServiceError>).code === 'number' && (e as Partial<grpc.ServiceError>).metadata instanceof grpc.Metadata;
}
