// Original file: proto/stockraft/v1/inventory.proto

import type { Line as _stockraft_v1_Line, Line__Output as _stockraft_v1_Line__Output } from '../../stockraft/v1/Line.js';
import type { AllocationLine as _stockraft_v1_AllocationLine, AllocationLine__Output as _stockraft_v1_AllocationLine__Output } from '../../stockraft/v1/AllocationLine.js';
import type { Long } from '@grpc/proto-loader';

export interface ReserveRequest {
  'reservation_id'?: (string);
  'lines'?: (_stockraft_v1_Line)[];
  'ttl_ms'?: (number | string | Long);
  'order_ref'?: (string);
  'id_time_ms'?: (number | string | Long);
  'allocations'?: (_stockraft_v1_AllocationLine)[];
  'customer_id'?: (string);
  'backorder'?: (boolean);
  'wait_ms'?: (number | string | Long);
  '_id_time_ms'?: "id_time_ms";
}

export interface ReserveRequest__Output {
  'reservation_id': (string);
  'lines': (_stockraft_v1_Line__Output)[];
  'ttl_ms': (number);
  'order_ref': (string);
  'id_time_ms'?: (number);
  'allocations': (_stockraft_v1_AllocationLine__Output)[];
  'customer_id': (string);
  'backorder': (boolean);
  'wait_ms': (number);
  '_id_time_ms'?: "id_time_ms";
}
