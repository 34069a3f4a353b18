// Invariant checks at the core's boundaries. A broken invariant means a bug or corrupt
// input that could lose acknowledged data, so it throws instead of limping on: the host
// stops the node. A peer message that fails its shape checks is another matter: it is
// refused whole before anything changes (RaftMessageError), and the host drops it.

export class RaftInvariantError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RaftInvariantError';
  }
}

export function invariant(condition: boolean, message: () => string): asserts condition {
  if (!condition) throw new RaftInvariantError(message());
}

/** A peer message refused by the shape checks (message-check.ts) before the core acted on
 * it: nothing changed, the host may drop the message and go on. */
export class RaftMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RaftMessageError';
  }
}

export function refuseMessage(condition: boolean, message: () => string): asserts condition {
  if (!condition) throw new RaftMessageError(message());
}
