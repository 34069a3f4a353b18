// Original file: proto/stockraft/v1/inventory.proto

import type { Event as _stockraft_v1_Event, Event__Output as _stockraft_v1_Event__Output } from '../../stockraft/v1/Event.js';
import type { HistoryHorizon as _stockraft_v1_HistoryHorizon, HistoryHorizon__Output as _stockraft_v1_HistoryHorizon__Output } from '../../stockraft/v1/HistoryHorizon.js';
import type { Long } from '@grpc/proto-loader';

export interface ListEventsResponse {
  'events'?: (_stockraft_v1_Event)[];
  'next_after_seq'?: (number | string | Long);
  'more'?: (boolean);
  'horizon'?: (_stockraft_v1_HistoryHorizon | null);
}

export interface ListEventsResponse__Output {
  'events': (_stockraft_v1_Event__Output)[];
  'next_after_seq': (number);
  'more': (boolean);
  'horizon': (_stockraft_v1_HistoryHorizon__Output | null);
}
