// Original file: proto/stockraft/v1/inventory.proto

export const AllocationStrategy = {
  ALLOCATION_STRATEGY_UNSPECIFIED: 'ALLOCATION_STRATEGY_UNSPECIFIED',
  ALLOCATION_STRATEGY_PRIORITY: 'ALLOCATION_STRATEGY_PRIORITY',
  ALLOCATION_STRATEGY_MOST_AVAILABLE: 'ALLOCATION_STRATEGY_MOST_AVAILABLE',
} as const;

export type AllocationStrategy =
  | 'ALLOCATION_STRATEGY_UNSPECIFIED'
  | 0
  | 'ALLOCATION_STRATEGY_PRIORITY'
  | 1
  | 'ALLOCATION_STRATEGY_MOST_AVAILABLE'
  | 2

export type AllocationStrategy__Output = typeof AllocationStrategy[keyof typeof AllocationStrategy]
