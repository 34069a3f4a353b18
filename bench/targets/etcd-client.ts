// A minimal etcd v3 KV client over @grpc/grpc-js with our own copy of the few messages
// needed (bench/proto/etcd-kv.proto). Values are decimal unit counts.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { channelOptions, deadlineIn } from './channels.js';

/** This file compiles to dist/bench/targets/; the proto stays in bench/proto/. */
const PROTO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bench/proto/etcd-kv.proto');

export interface EtcdKv {
  readonly key: Buffer;
  readonly value: Buffer;
  readonly mod_revision: number;
}

interface RangeReply {
  readonly kvs: EtcdKv[];
}
interface TxnReply {
  readonly succeeded: boolean;
  readonly responses: { readonly response_range?: RangeReply | null }[];
}

type Unary<Req, Res> = (req: Req, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res?: Res) => void) => void;

interface KvStub extends grpc.Client {
  Range: Unary<object, RangeReply>;
  Put: Unary<object, object>;
  Txn: Unary<object, TxnReply>;
}

let ctor: (new (address: string, creds: grpc.ChannelCredentials, opts: grpc.ChannelOptions) => KvStub) | null = null;

function kvConstructor(): new (address: string, creds: grpc.ChannelCredentials, opts: grpc.ChannelOptions) => KvStub {
  if (ctor === null) {
    const def = protoLoader.loadSync(PROTO, { keepCase: true, longs: Number, enums: String, defaults: true, arrays: true, oneofs: true });
    const pkg = grpc.loadPackageDefinition(def) as unknown as { etcdserverpb: { KV: new (...a: unknown[]) => KvStub } };
    ctor = pkg.etcdserverpb.KV;
  }
  return ctor;
}

/** etcd refuses transactions with more operations than this by default (--max-txn-ops). */
export const ETCD_TXN_OPS_MAX = 128;

export class EtcdClient {
  private readonly stub: KvStub;

  constructor(
    address: string,
    private readonly deadline_ms: number,
  ) {
    const Ctor = kvConstructor();
    this.stub = new Ctor(address, grpc.credentials.createInsecure(), channelOptions());
  }

  private call<Req, Res>(m: Unary<Req, Res>, req: Req): Promise<Res> {
    return new Promise((resolve, reject) => {
      m.call(this.stub, req, { deadline: deadlineIn(this.deadline_ms) }, (err, res) => {
        if (err) reject(err);
        else if (res === undefined) reject(new Error('etcd: empty reply'));
        else resolve(res);
      });
    });
  }

  /** Linearizable read of one key (serializable: false). */
  async get(key: string): Promise<EtcdKv | null> {
    const r = await this.call(this.stub.Range, { key: Buffer.from(key), serializable: false });
    return r.kvs.length > 0 ? r.kvs[0] : null;
  }

  async putMany(entries: readonly (readonly [string, string])[]): Promise<void> {
    if (entries.length > ETCD_TXN_OPS_MAX) throw new Error(`putMany: at most ${ETCD_TXN_OPS_MAX} entries per Txn, got ${entries.length}`);
    const success = entries.map(([k, v]) => ({ request_put: { key: Buffer.from(k), value: Buffer.from(v) } }));
    const r = await this.call(this.stub.Txn, { compare: [], success, failure: [] });
    if (!r.succeeded) throw new Error('etcd: unconditional Txn did not succeed');
  }

  /** Writes `value` only if the key's mod revision is still `mod_revision`. On conflict
   * returns the key as it is now (read in the same Txn), so a retry needs no extra read. */
  async casPut(key: string, mod_revision: number, value: string): Promise<{ ok: true } | { ok: false; current: EtcdKv | null }> {
    const k = Buffer.from(key);
    const r = await this.call(this.stub.Txn, {
      compare: [{ result: 'EQUAL', target: 'MOD', key: k, mod_revision }],
      success: [{ request_put: { key: k, value: Buffer.from(value) } }],
      failure: [{ request_range: { key: k } }],
    });
    if (r.succeeded) return { ok: true };
    const rr = r.responses[0]?.response_range;
    return { ok: false, current: rr && rr.kvs.length > 0 ? rr.kvs[0] : null };
  }

  close(): void {
    this.stub.close();
  }
}
