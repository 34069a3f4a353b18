// Original file: proto/stockraft/v1/inventory.proto

import type { Long } from '@grpc/proto-loader';

export interface ReceiveTransferRequest {
  'op_id'?: (string);
  'transfer_id'?: (string);
  'received'?: (number | string | Long);
  'id_time_ms'?: (number | string | Long);
  '_id_time_ms'?: "id_time_ms";
}

export interface ReceiveTransferRequest__Output {
  'op_id': (string);
  'transfer_id': (string);
  'received': (number);
  'id_time_ms'?: (number);
  '_id_time_ms'?: "id_time_ms";
}
