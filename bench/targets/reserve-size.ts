// Sizes of a typical single-line Reserve request and its reply on the wire, so the echo
// reference carries the same bytes per call as Stockraft.
import protobuf from 'protobufjs';
import fs from 'node:fs';
import type { EchoSizes } from '../load/spec.js';
import { INVENTORY_PROTO } from './inventory-client.js';
import { BENCH_TTL_MS } from './stockraft-session.js';

/** Used when proto/stockraft/v1/inventory.proto is not there (measured from it on an earlier run). */
export const FALLBACK_ECHO_SIZES: EchoSizes = { request_bytes: 55, response_bytes: 108 };

export function reserveSizes(): EchoSizes {
  if (!fs.existsSync(INVENTORY_PROTO)) return FALLBACK_ECHO_SIZES;
  const root = new protobuf.Root().loadSync(INVENTORY_PROTO, { keepCase: true });
  const Req = root.lookupType('stockraft.v1.ReserveRequest');
  const Res = root.lookupType('stockraft.v1.CommandResult');
  const line = { sku: 'SKU-0001234', location: 'L1', quantity: 1 };
  const now = Date.now();
  const req = { reservation_id: 'rk3j2h1a-0-1a2b', lines: [line], ttl_ms: BENCH_TTL_MS, order_ref: 'bench-order' };
  const res = {
    code: 1,
    replay: false,
    positions: [{ sku: line.sku, location: 'L1', on_hand: 1_000_000_000, reserved: 1234, available: 1_000_000_000 - 1234, seq: 1235 }],
    reservation: { reservation_id: req.reservation_id, state: 1, lines: [line], order_ref: req.order_ref, created_ms: now, deadline_ms: now + BENCH_TTL_MS },
  };
  return {
    request_bytes: Req.encode(Req.fromObject(req)).finish().length,
    response_bytes: Res.encode(Res.fromObject(res)).finish().length,
  };
}
