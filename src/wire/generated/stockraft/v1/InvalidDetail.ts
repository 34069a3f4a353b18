// Original file: proto/stockraft/v1/inventory.proto


export interface InvalidDetail {
  'field'?: (string);
  'limit'?: (string);
  'value'?: (string);
}

export interface InvalidDetail__Output {
  'field': (string);
  'limit': (string);
  'value': (string);
}
