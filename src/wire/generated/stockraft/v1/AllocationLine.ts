// Original file: proto/stockraft/v1/inventory.proto

import type { AllocationStrategy as _stockraft_v1_AllocationStrategy, AllocationStrategy__Output as _stockraft_v1_AllocationStrategy__Output } from '../../stockraft/v1/AllocationStrategy.js';
import type { Long } from '@grpc/proto-loader';

export interface AllocationLine {
  'sku'?: (string);
  'locations'?: (string)[];
  'quantity'?: (number | string | Long);
  'strategy'?: (_stockraft_v1_AllocationStrategy);
  'split'?: (boolean);
}

export interface AllocationLine__Output {
  'sku': (string);
  'locations': (string)[];
  'quantity': (number);
  'strategy': (_stockraft_v1_AllocationStrategy__Output);
  'split': (boolean);
}
