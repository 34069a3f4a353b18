// Original file: proto/stockraft/v1/inventory.proto


export interface RemoveRequest {
  'id'?: (string);
}

export interface RemoveRequest__Output {
  'id': (string);
}
