// Original file: proto/stockraft/v1/inventory.proto


export interface SetClusterVersionResponse {
  'cluster_version'?: (number);
  'previous'?: (number);
}

export interface SetClusterVersionResponse__Output {
  'cluster_version': (number);
  'previous': (number);
}
