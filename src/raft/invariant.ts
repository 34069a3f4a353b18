// Invariant checks at the core's boundaries. A broken invariant means a bug or corrupt
// input that could lose acknowledged data, so it throws instead of limping on.

export class RaftInvariantError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RaftInvariantError';
  }
}

export function invariant(condition: boolean, message: () => string): asserts condition {
  if (!condition) throw new RaftInvariantError(message());
}
