// Original file: proto/stockraft/v1/inventory.proto


export interface PositionKey {
  'sku'?: (string);
  'location'?: (string);
}

export interface PositionKey__Output {
  'sku': (string);
  'location': (string);
}
