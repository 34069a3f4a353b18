// Original file: proto/stockraft/v1/inventory.proto

import type { CommandResult as _stockraft_v1_CommandResult, CommandResult__Output as _stockraft_v1_CommandResult__Output } from '../../stockraft/v1/CommandResult.js';

export interface GetOutcomeResponse {
  'found'?: (boolean);
  'result'?: (_stockraft_v1_CommandResult | null);
}

export interface GetOutcomeResponse__Output {
  'found': (boolean);
  'result': (_stockraft_v1_CommandResult__Output | null);
}
