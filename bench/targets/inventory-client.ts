// A thin raw client for stockraft.v1.Inventory and Cluster, loaded from proto/stockraft/v1/inventory.proto
// the way any order system would: no SDK logic, one call per request.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { channelOptions, deadlineIn } from './channels.js';

/** This file compiles to dist/bench/targets/; the proto stays in proto/. */
export const INVENTORY_PROTO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../proto/stockraft/v1/inventory.proto');

export interface WireLine {
  sku: string;
  location: string;
  quantity: number;
}
export interface WireResult {
  readonly code: string;
  readonly detail: string;
  readonly short_lines: readonly unknown[];
}
/** id_time_ms: the issue time of a fresh id, as the SDK sends it (without it the leader
 * checks every id on disk before proposing: src/ledger/README.md "Exactly once"). */
export interface WireOp {
  adjust?: { op_id: string; sku: string; location: string; delta: number; reason: string; reference: string; id_time_ms?: number };
  reserve?: { reservation_id: string; lines: WireLine[]; ttl_ms: number; order_ref: string; id_time_ms?: number };
  commit?: { op_id: string; reservation_id: string; lines: WireLine[]; id_time_ms?: number };
}
export interface WireStatus {
  readonly id: string;
  readonly role: string;
  readonly leader_id: string;
  readonly leader_address: string;
  readonly address: string;
  readonly applied_index: number;
  readonly commit_index: number;
}

type Unary<Res> = (req: object, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res?: Res) => void) => void;
interface InventoryStub extends grpc.Client {
  Reserve: Unary<WireResult>;
  Commit: Unary<WireResult>;
  Adjust: Unary<WireResult>;
  Submit: Unary<{ results: WireResult[] }>;
  GetPosition: Unary<{ found: boolean; position: { available: number; on_hand: number; reserved: number } | null }>;
}
interface ClusterStub extends grpc.Client {
  Status: Unary<WireStatus>;
}
type Ctor<T> = new (address: string, creds: grpc.ChannelCredentials, opts: grpc.ChannelOptions) => T;

let ctors: { inv: Ctor<InventoryStub>; cluster: Ctor<ClusterStub> } | null = null;

function load(): { inv: Ctor<InventoryStub>; cluster: Ctor<ClusterStub> } {
  if (ctors === null) {
    const def = protoLoader.loadSync(INVENTORY_PROTO, { keepCase: true, longs: Number, enums: String, defaults: true, arrays: true, oneofs: true });
    const pkg = grpc.loadPackageDefinition(def) as unknown as { stockraft: { v1: { Inventory: Ctor<InventoryStub>; Cluster: Ctor<ClusterStub> } } };
    ctors = { inv: pkg.stockraft.v1.Inventory, cluster: pkg.stockraft.v1.Cluster };
  }
  return ctors;
}

function call<Res>(stub: grpc.Client, m: Unary<Res>, req: object, deadline_ms: number): Promise<Res> {
  return new Promise((resolve, reject) => {
    m.call(stub, req, { deadline: deadlineIn(deadline_ms) }, (err, res) => {
      if (err) reject(err);
      else if (res === undefined) reject(new Error('stockraft: empty reply'));
      else resolve(res);
    });
  });
}

export class InventoryClient {
  private readonly inv: InventoryStub;
  private readonly cluster: ClusterStub;

  constructor(
    readonly address: string,
    private readonly deadline_ms: number,
  ) {
    const c = load();
    this.inv = new c.inv(address, grpc.credentials.createInsecure(), channelOptions());
    this.cluster = new c.cluster(address, grpc.credentials.createInsecure(), channelOptions());
  }

  reserve(r: NonNullable<WireOp['reserve']>): Promise<WireResult> {
    return call(this.inv, this.inv.Reserve, r, this.deadline_ms);
  }
  commit(r: NonNullable<WireOp['commit']>): Promise<WireResult> {
    return call(this.inv, this.inv.Commit, r, this.deadline_ms);
  }
  submit(ops: WireOp[]): Promise<{ results: WireResult[] }> {
    return call(this.inv, this.inv.Submit, { ops }, this.deadline_ms);
  }
  getPosition(sku: string, location: string, consistency: 'CONSISTENCY_LINEARIZABLE' | 'CONSISTENCY_SERIALIZABLE' = 'CONSISTENCY_LINEARIZABLE') {
    return call(this.inv, this.inv.GetPosition, { sku, location, consistency }, this.deadline_ms);
  }
  status(): Promise<WireStatus> {
    return call(this.cluster, this.cluster.Status, {}, this.deadline_ms);
  }
  close(): void {
    this.inv.close();
    this.cluster.close();
  }
}
