// Original file: proto/stockraft/v1/inventory.proto


export interface BackupChunk {
  'data'?: (Buffer | Uint8Array | string);
}

export interface BackupChunk__Output {
  'data': (Buffer);
}
