// Original file: proto/stockraft/v1/inventory.proto

export const Consistency = {
  CONSISTENCY_UNSPECIFIED: 'CONSISTENCY_UNSPECIFIED',
  CONSISTENCY_SERIALIZABLE: 'CONSISTENCY_SERIALIZABLE',
  CONSISTENCY_LINEARIZABLE: 'CONSISTENCY_LINEARIZABLE',
} as const;

export type Consistency =
  | 'CONSISTENCY_UNSPECIFIED'
  | 0
  | 'CONSISTENCY_SERIALIZABLE'
  | 1
  | 'CONSISTENCY_LINEARIZABLE'
  | 2

export type Consistency__Output = typeof Consistency[keyof typeof Consistency]
