// Default tuning of the core and validation of a RaftConfig. Times are in ticks.

import type { NodeId, RaftConfig } from './types.js';

export const ELECTION_TICKS_MAX = 1_000_000;
export const APPEND_ENTRIES_MAX_LIMIT = 65_536;
export const APPEND_BYTES_MAX_LIMIT = 64 * 1024 * 1024;
export const INFLIGHT_APPENDS_MAX_LIMIT = 4_096;
export const UNCOMMITTED_ENTRIES_MAX_LIMIT = 10_000_000;
export const NODE_ID_BYTES_MAX = 64;

export function defaultRaftConfig(id: NodeId, rng: () => number): RaftConfig {
  return {
    id,
    election_ticks: 10,
    heartbeat_ticks: 1,
    rng,
    pre_vote: true,
    check_quorum: true,
    append_entries_max: 512,
    append_bytes_max: 1024 * 1024,
    inflight_appends_max: 64,
    uncommitted_entries_max: 10_000,
    forward_proposals: false,
  };
}

function checkRange(field: string, value: number, lo: number, hi: number): void {
  if (!Number.isInteger(value) || value < lo || value > hi) {
    throw new Error(`raft config: ${field} must be an integer in [${lo}, ${hi}], got ${value}`);
  }
}

export function validateNodeId(field: string, id: string): void {
  if (typeof id !== 'string' || id.length === 0 || id.length > NODE_ID_BYTES_MAX) {
    throw new Error(`${field} must be a string of 1..${NODE_ID_BYTES_MAX} characters, got ${JSON.stringify(id)}`);
  }
}

export function validateRaftConfig(c: RaftConfig): void {
  validateNodeId('raft config: id', c.id);
  checkRange('election_ticks', c.election_ticks, 2, ELECTION_TICKS_MAX);
  // Heartbeats must come well inside the election timeout or followers would campaign
  // against a healthy leader.
  checkRange('heartbeat_ticks', c.heartbeat_ticks, 1, c.election_ticks - 1);
  checkRange('append_entries_max', c.append_entries_max, 1, APPEND_ENTRIES_MAX_LIMIT);
  checkRange('append_bytes_max', c.append_bytes_max, 1, APPEND_BYTES_MAX_LIMIT);
  checkRange('inflight_appends_max', c.inflight_appends_max, 1, INFLIGHT_APPENDS_MAX_LIMIT);
  checkRange('uncommitted_entries_max', c.uncommitted_entries_max, 1, UNCOMMITTED_ENTRIES_MAX_LIMIT);
  if (typeof c.rng !== 'function') throw new Error('raft config: rng must be a function returning [0, 1)');
}
