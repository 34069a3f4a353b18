// Encoding of membership changes carried in 'conf_change' entries, and the pure rule that
// applies one to a configuration. Every replica applies the same committed changes in log
// order with this one function, so all of them derive the same membership.

import { Packr } from 'msgpackr';
import type { ConfChange, ConfState, NodeId } from './types.js';
import { validateNodeId } from './config.js';


/** Bound on an encoded change: the context holds an address, not a payload. */
export const CONF_CHANGE_CONTEXT_BYTES_MAX = 4096;

const packr = new Packr({ useRecords: false, moreTypes: false });

export function encodeConfChange(cc: ConfChange): Uint8Array {
  validateConfChangeShape(cc);
  return packr.pack({ type: cc.type, node_id: cc.node_id, context: cc.context });
}

export function decodeConfChange(data: Uint8Array): ConfChange {
  const raw: unknown = packr.unpack(data);
  if (typeof raw !== 'object' || raw === null) throw new Error('conf change: not a map');
  const r = raw as { type?: unknown; node_id?: unknown; context?: unknown };
  if (r.type !== 'add_learner' && r.type !== 'promote' && r.type !== 'remove') {
    throw new Error(`conf change: type must be add_learner|promote|remove, got ${JSON.stringify(r.type)}`);
  }
  if (typeof r.node_id !== 'string') throw new Error('conf change: node_id must be a string');
  if (!(r.context instanceof Uint8Array)) throw new Error('conf change: context must be bytes');
  const cc: ConfChange = { type: r.type, node_id: r.node_id, context: new Uint8Array(r.context) };
  validateConfChangeShape(cc);
  return cc;
}

function validateConfChangeShape(cc: ConfChange): void {
  validateNodeId('conf change: node_id', cc.node_id);
  if (cc.context.length > CONF_CHANGE_CONTEXT_BYTES_MAX) {
    throw new Error(`conf change: context is ${cc.context.length} bytes, limit ${CONF_CHANGE_CONTEXT_BYTES_MAX}`);
  }
}

/** Why `cc` cannot be proposed against `conf`, or null when it can. */
export function confChangeRefusal(conf: ConfState, cc: ConfChange): string | null {
  const isVoter = conf.voters.includes(cc.node_id);
  const isLearner = conf.learners.includes(cc.node_id);
  switch (cc.type) {
    case 'add_learner':
      return isVoter || isLearner ? `node ${cc.node_id} is already a member` : null;
    case 'promote':
      return isLearner ? null : `node ${cc.node_id} is not a learner`;
    case 'remove':
      if (!isVoter && !isLearner) return `node ${cc.node_id} is not a member`;
      if (isVoter && conf.voters.length === 1) return `node ${cc.node_id} is the last voter`;
      return null;
  }
}

/** The configuration after `cc`. A change that does not fit (it can only arrive from a
 * log written under different rules) leaves the configuration as it is, identically on
 * every replica. */
export function applyConfChange(conf: ConfState, cc: ConfChange): ConfState {
  if (confChangeRefusal(conf, cc) !== null) return conf;
  const without = (ids: readonly NodeId[]) => ids.filter((id) => id !== cc.node_id);
  switch (cc.type) {
    case 'add_learner':
      return { voters: conf.voters, learners: [...conf.learners, cc.node_id] };
    case 'promote':
      return { voters: [...conf.voters, cc.node_id], learners: without(conf.learners) };
    case 'remove':
      return { voters: without(conf.voters), learners: without(conf.learners) };
  }
}
