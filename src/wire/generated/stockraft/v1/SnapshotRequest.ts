// Original file: proto/stockraft/v1/inventory.proto


export interface SnapshotRequest {
}

export interface SnapshotRequest__Output {
}
