// Original file: proto/stockraft/v1/inventory.proto


export interface StatusRequest {
}

export interface StatusRequest__Output {
}
