// Original file: proto/stockraft/v1/inventory.proto

import type { Event as _stockraft_v1_Event, Event__Output as _stockraft_v1_Event__Output } from '../../stockraft/v1/Event.js';

export interface WatchEvent {
  'event'?: (_stockraft_v1_Event | null);
  'ordinal'?: (number);
}

export interface WatchEvent__Output {
  'event': (_stockraft_v1_Event__Output | null);
  'ordinal': (number);
}
