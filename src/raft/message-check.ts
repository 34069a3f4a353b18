// Shape checks on a message arriving from the network, done before the core acts on it so
// that a malformed message is refused whole instead of half-applied (RaftMessageError:
// the host drops it; anything the core throws after these checks is a broken invariant).

import type { Message } from './types.js';
import { refuseMessage } from './invariant.js';

function index(name: string, m: Message, v: number): void {
  refuseMessage(Number.isSafeInteger(v) && v >= 0, () => `${m.type} from ${m.from}: ${name} must be a non-negative integer, got ${v}`);
}

export function checkMessage(m: Message, self: string): void {
  refuseMessage(m.to === self, () => `message ${m.type} for ${m.to} delivered to ${self}`);
  refuseMessage(m.from !== self, () => `message ${m.type} from ${self} to itself`);
  refuseMessage(typeof m.from === 'string' && m.from.length > 0, () => `message ${m.type} has no sender`);
  index('term', m, m.term);
  switch (m.type) {
    case 'append': {
      index('prev_index', m, m.prev_index);
      index('prev_term', m, m.prev_term);
      index('commit', m, m.commit);
      let prev_term = m.prev_term;
      for (let k = 0; k < m.entries.length; k++) {
        const e = m.entries[k];
        refuseMessage(e.index === m.prev_index + 1 + k, () =>
          `append from ${m.from}: entry ${k} has index ${e.index}, expected ${m.prev_index + 1 + k}`);
        refuseMessage(Number.isSafeInteger(e.term) && e.term >= prev_term && e.term <= m.term, () =>
          `append from ${m.from}: entry ${e.index} has term ${e.term}, outside [${prev_term}, ${m.term}]`);
        refuseMessage(e.data instanceof Uint8Array, () => `append from ${m.from}: entry ${e.index} data is not bytes`);
        prev_term = e.term;
      }
      return;
    }
    case 'append_resp':
      index('index', m, m.index);
      index('reject_hint_index', m, m.reject_hint_index);
      index('reject_hint_term', m, m.reject_hint_term);
      return;
    case 'heartbeat':
      index('commit', m, m.commit);
      return;
    case 'vote':
    case 'pre_vote':
      index('last_index', m, m.last_index);
      index('last_term', m, m.last_term);
      return;
    case 'snapshot':
      index('snapshot.index', m, m.snapshot.index);
      index('snapshot.term', m, m.snapshot.term);
      refuseMessage(m.snapshot.term <= m.term, () => `snapshot from ${m.from}: term ${m.snapshot.term} above message term ${m.term}`);
      return;
    case 'read_index_resp':
      index('index', m, m.index);
      return;
    default:
      return;
  }
}
