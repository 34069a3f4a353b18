// Original file: proto/stockraft/v1/inventory.proto


export interface AddLearnerRequest {
  'id'?: (string);
  'address'?: (string);
}

export interface AddLearnerRequest__Output {
  'id': (string);
  'address': (string);
}
