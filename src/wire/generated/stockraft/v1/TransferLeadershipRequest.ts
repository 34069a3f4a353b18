// Original file: proto/stockraft/v1/inventory.proto


export interface TransferLeadershipRequest {
  'to'?: (string);
}

export interface TransferLeadershipRequest__Output {
  'to': (string);
}
