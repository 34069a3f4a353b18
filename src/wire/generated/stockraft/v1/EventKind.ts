// Original file: proto/stockraft/v1/inventory.proto

export const EventKind = {
  EVENT_KIND_UNSPECIFIED: 'EVENT_KIND_UNSPECIFIED',
  EVENT_KIND_ADJUST: 'EVENT_KIND_ADJUST',
  EVENT_KIND_RESERVE: 'EVENT_KIND_RESERVE',
  EVENT_KIND_COMMIT: 'EVENT_KIND_COMMIT',
  EVENT_KIND_RELEASE: 'EVENT_KIND_RELEASE',
  EVENT_KIND_EXPIRE: 'EVENT_KIND_EXPIRE',
  EVENT_KIND_EXTEND: 'EVENT_KIND_EXTEND',
} as const;

export type EventKind =
  | 'EVENT_KIND_UNSPECIFIED'
  | 0
  | 'EVENT_KIND_ADJUST'
  | 1
  | 'EVENT_KIND_RESERVE'
  | 2
  | 'EVENT_KIND_COMMIT'
  | 3
  | 'EVENT_KIND_RELEASE'
  | 4
  | 'EVENT_KIND_EXPIRE'
  | 5
  | 'EVENT_KIND_EXTEND'
  | 6

export type EventKind__Output = typeof EventKind[keyof typeof EventKind]
