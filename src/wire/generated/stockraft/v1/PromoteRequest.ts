// Original file: proto/stockraft/v1/inventory.proto


export interface PromoteRequest {
  'id'?: (string);
}

export interface PromoteRequest__Output {
  'id': (string);
}
