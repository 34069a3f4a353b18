// Original file: proto/stockraft/v1/inventory.proto


export interface BackupRequest {
}

export interface BackupRequest__Output {
}
