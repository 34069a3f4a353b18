// A session is what a worker drives: one operation per call, returning how many ledger
// units it did. A business refusal (e.g. no stock left) is reported by throwing Refusal so
// it is counted apart from transport errors.

export interface Session {
  /** One operation for closed-loop client `client`. Resolves with units done. */
  op(client: number): Promise<number>;
  close(): Promise<void>;
}

export class Refusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Refusal';
  }
}
