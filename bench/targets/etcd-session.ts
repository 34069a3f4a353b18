// Load-generator side of the etcd reference: how an order system would build reservations
// on etcd. A reserve is a linearizable read of the SKU's count, then a Txn that writes
// count - q only if the key's mod revision is unchanged, retried on conflict.
import type { PointSpec } from '../load/spec.js';
import { Refusal, type Session } from '../load/session.js';
import { keyChooser, seededRng, skuName } from '../lib/keys.js';
import { makeClients } from './channels.js';
import { EtcdClient, type EtcdKv } from './etcd-client.js';

/** A reserve gives up (counted as a refusal) after this many lost compare-and-swaps. */
export const CAS_ATTEMPTS_MAX = 64;
export const RESERVE_QUANTITY = 1;

export function etcdKey(rank: number): string {
  return `stock/${skuName(rank)}`;
}

export function etcdSession(spec: PointSpec): Session {
  const clients = makeClients(spec.endpoints, spec.channels_per_endpoint, (a) => new EtcdClient(a, spec.deadline_ms));
  const rng = seededRng(spec.seed + spec.worker_index * 7919);
  const nextKey = keyChooser(spec.dist, spec.keys, rng);

  async function reserve(c: EtcdClient): Promise<number> {
    const key = etcdKey(nextKey());
    let kv: EtcdKv | null = await c.get(key);
    for (let attempt = 0; attempt < CAS_ATTEMPTS_MAX; attempt++) {
      if (kv === null) throw new Refusal(`etcd: ${key} not found`);
      const count = Number(kv.value.toString());
      if (!(count >= RESERVE_QUANTITY)) throw new Refusal(`etcd: ${key} has ${count} left`);
      const r = await c.casPut(key, kv.mod_revision, String(count - RESERVE_QUANTITY));
      if (r.ok) return 1;
      kv = r.current;
    }
    throw new Refusal(`etcd: ${key} lost ${CAS_ATTEMPTS_MAX} compare-and-swaps in a row`);
  }

  async function get(c: EtcdClient): Promise<number> {
    const kv = await c.get(etcdKey(nextKey()));
    if (kv === null) throw new Refusal('etcd: key not found');
    return 1;
  }

  return {
    op(client: number): Promise<number> {
      const c = clients[client % clients.length];
      switch (spec.workload) {
        case 'reserve':
          return reserve(c);
        case 'get':
          return get(c);
        case 'mixed':
          return rng() < 0.8 ? get(c) : reserve(c);
        default:
          throw new Error(`etcd: workload ${spec.workload} is not defined for etcd`);
      }
    },
    async close(): Promise<void> {
      for (const c of clients) c.close();
    },
  };
}
