// Original file: proto/stockraft/v1/inventory.proto

import type { ResultCode as _stockraft_v1_ResultCode, ResultCode__Output as _stockraft_v1_ResultCode__Output } from '../../stockraft/v1/ResultCode.js';
import type { Position as _stockraft_v1_Position, Position__Output as _stockraft_v1_Position__Output } from '../../stockraft/v1/Position.js';
import type { Reservation as _stockraft_v1_Reservation, Reservation__Output as _stockraft_v1_Reservation__Output } from '../../stockraft/v1/Reservation.js';
import type { InvalidDetail as _stockraft_v1_InvalidDetail, InvalidDetail__Output as _stockraft_v1_InvalidDetail__Output } from '../../stockraft/v1/InvalidDetail.js';
import type { ShortLine as _stockraft_v1_ShortLine, ShortLine__Output as _stockraft_v1_ShortLine__Output } from '../../stockraft/v1/ShortLine.js';
import type { CustomerLimitDetail as _stockraft_v1_CustomerLimitDetail, CustomerLimitDetail__Output as _stockraft_v1_CustomerLimitDetail__Output } from '../../stockraft/v1/CustomerLimitDetail.js';
import type { CountBelowHeldDetail as _stockraft_v1_CountBelowHeldDetail, CountBelowHeldDetail__Output as _stockraft_v1_CountBelowHeldDetail__Output } from '../../stockraft/v1/CountBelowHeldDetail.js';
import type { Long } from '@grpc/proto-loader';

export interface CommandResult {
  'code'?: (_stockraft_v1_ResultCode);
  'replay'?: (boolean);
  'positions'?: (_stockraft_v1_Position)[];
  'reservation'?: (_stockraft_v1_Reservation | null);
  'invalid'?: (_stockraft_v1_InvalidDetail | null);
  'short_lines'?: (_stockraft_v1_ShortLine)[];
  'expected_on_hand'?: (number | string | Long);
  'on_hand'?: (number | string | Long);
  'detail'?: (string);
  'id_time_ms'?: (number | string | Long);
  'log_time_ms'?: (number | string | Long);
  'window_ms'?: (number | string | Long);
  'customer_limit'?: (_stockraft_v1_CustomerLimitDetail | null);
  'count_below_held'?: (_stockraft_v1_CountBelowHeldDetail | null);
}

export interface CommandResult__Output {
  'code': (_stockraft_v1_ResultCode__Output);
  'replay': (boolean);
  'positions': (_stockraft_v1_Position__Output)[];
  'reservation': (_stockraft_v1_Reservation__Output | null);
  'invalid': (_stockraft_v1_InvalidDetail__Output | null);
  'short_lines': (_stockraft_v1_ShortLine__Output)[];
  'expected_on_hand': (number);
  'on_hand': (number);
  'detail': (string);
  'id_time_ms': (number);
  'log_time_ms': (number);
  'window_ms': (number);
  'customer_limit': (_stockraft_v1_CustomerLimitDetail__Output | null);
  'count_below_held': (_stockraft_v1_CountBelowHeldDetail__Output | null);
}
