// Original file: proto/stockraft/v1/inventory.proto

import type { EventKind as _stockraft_v1_EventKind, EventKind__Output as _stockraft_v1_EventKind__Output } from '../../stockraft/v1/EventKind.js';
import type { Long } from '@grpc/proto-loader';

export interface Event {
  'sku'?: (string);
  'location'?: (string);
  'seq'?: (number | string | Long);
  'log_index'?: (number | string | Long);
  'time_ms'?: (number | string | Long);
  'kind'?: (_stockraft_v1_EventKind);
  'op_id'?: (string);
  'reservation_id'?: (string);
  'delta_on_hand'?: (number | string | Long);
  'delta_reserved'?: (number | string | Long);
  'on_hand'?: (number | string | Long);
  'reserved'?: (number | string | Long);
  'prev_hash'?: (string);
  'hash'?: (string);
  'in_transit'?: (number | string | Long);
  'delta_in_transit'?: (number | string | Long);
  'variance'?: (number | string | Long);
  'customer_id'?: (string);
  'transfer_id'?: (string);
  'backordered'?: (number | string | Long);
  '_in_transit'?: "in_transit";
  '_delta_in_transit'?: "delta_in_transit";
  '_variance'?: "variance";
  '_customer_id'?: "customer_id";
  '_transfer_id'?: "transfer_id";
  '_backordered'?: "backordered";
}

export interface Event__Output {
  'sku': (string);
  'location': (string);
  'seq': (number);
  'log_index': (number);
  'time_ms': (number);
  'kind': (_stockraft_v1_EventKind__Output);
  'op_id': (string);
  'reservation_id': (string);
  'delta_on_hand': (number);
  'delta_reserved': (number);
  'on_hand': (number);
  'reserved': (number);
  'prev_hash': (string);
  'hash': (string);
  'in_transit'?: (number);
  'delta_in_transit'?: (number);
  'variance'?: (number);
  'customer_id'?: (string);
  'transfer_id'?: (string);
  'backordered'?: (number);
  '_in_transit'?: "in_transit";
  '_delta_in_transit'?: "delta_in_transit";
  '_variance'?: "variance";
  '_customer_id'?: "customer_id";
  '_transfer_id'?: "transfer_id";
  '_backordered'?: "backordered";
}
