// Original file: proto/stockraft/v1/inventory.proto

import type { CommandResult as _stockraft_v1_CommandResult, CommandResult__Output as _stockraft_v1_CommandResult__Output } from '../../stockraft/v1/CommandResult.js';

export interface SubmitResponse {
  'results'?: (_stockraft_v1_CommandResult)[];
}

export interface SubmitResponse__Output {
  'results': (_stockraft_v1_CommandResult__Output)[];
}
