// Original file: proto/stockraft/v1/inventory.proto


export interface SetClusterVersionRequest {
  'version'?: (number);
}

export interface SetClusterVersionRequest__Output {
  'version': (number);
}
