// Translation between the core's Message values and the wire shapes of proto/stockraft/raft/raft.proto
// (as @grpc/proto-loader presents them with keepCase, longs: Number, defaults, oneofs).
// Kept apart from the gRPC plumbing so the framing can be tested without sockets.

import type { ConfState, Entry, Message, NodeId, SnapshotMeta } from '../raft/types.js';
import type { WirePeerVersion } from './peer-version.js';

export interface WireEntry {
  index: number;
  term: number;
  conf_change: boolean;
  data: Uint8Array;
}

export interface WireConfState {
  voters: string[];
  learners: string[];
}

export interface WireSnapshotMeta {
  index: number;
  term: number;
  conf_state: WireConfState | null;
}

type WireBodies = {
  append: { prev_index: number; prev_term: number; entries: WireEntry[]; commit: number };
  append_resp: { reject: boolean; index: number; reject_hint_index: number; reject_hint_term: number };
  heartbeat: { commit: number; context: string };
  heartbeat_resp: { context: string };
  vote: { last_index: number; last_term: number; transfer: boolean };
  pre_vote: { last_index: number; last_term: number; transfer: boolean };
  vote_resp: { reject: boolean };
  pre_vote_resp: { reject: boolean };
  timeout_now: Record<string, never>;
  read_index: { context: string };
  read_index_resp: { context: string; index: number; reject: boolean };
  propose: { entries: WireEntry[] };
};

export type WireBodyName = keyof WireBodies;

export type WireMessage = { to: string; term: number; body?: WireBodyName } & { [K in WireBodyName]?: WireBodies[K] | null };

export interface WireBatch {
  cluster_id: string;
  from: string;
  from_address: string;
  messages: WireMessage[];
  /** The sender's announcement (peer-version.ts), on a stream's first batch. */
  version?: WirePeerVersion | null;
}

export interface WireSnapshotHeader {
  cluster_id: string;
  from: string;
  from_address: string;
  to: string;
  term: number;
  meta: WireSnapshotMeta | null;
  version?: WirePeerVersion | null;
}

export interface WireSnapshotChunk {
  header: WireSnapshotHeader | null;
  seq: number;
  data: Uint8Array;
  last: boolean;
  sha256: Uint8Array;
}

export class WireError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WireError';
  }
}

function num(value: unknown, field: string): number {
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
    throw new WireError(`${field} must be a non-negative safe integer, got ${String(value)}`);
  }
  return n;
}

function entryToWire(e: Entry): WireEntry {
  return { index: e.index, term: e.term, conf_change: e.type === 'conf_change', data: e.data };
}

function entryFromWire(w: WireEntry, field: string): Entry {
  return {
    index: num(w.index, `${field}.index`),
    term: num(w.term, `${field}.term`),
    type: w.conf_change ? 'conf_change' : 'normal',
    data: w.data instanceof Uint8Array ? new Uint8Array(w.data.buffer, w.data.byteOffset, w.data.byteLength) : new Uint8Array(0),
  };
}

function entriesFromWire(list: WireEntry[] | undefined, field: string): Entry[] {
  const out: Entry[] = [];
  for (const [i, w] of (list ?? []).entries()) out.push(entryFromWire(w, `${field}[${i}]`));
  return out;
}

export function confStateToWire(c: ConfState): WireConfState {
  return { voters: [...c.voters], learners: [...c.learners] };
}

export function confStateFromWire(c: WireConfState | null | undefined): ConfState {
  return { voters: [...(c?.voters ?? [])], learners: [...(c?.learners ?? [])] };
}

export function snapshotMetaToWire(m: SnapshotMeta): WireSnapshotMeta {
  return { index: m.index, term: m.term, conf_state: confStateToWire(m.conf_state) };
}

export function snapshotMetaFromWire(m: WireSnapshotMeta | null | undefined): SnapshotMeta {
  if (!m) throw new WireError('snapshot meta is missing');
  return { index: num(m.index, 'meta.index'), term: num(m.term, 'meta.term'), conf_state: confStateFromWire(m.conf_state) };
}

/** Approximate wire size of a message, used to cut batches and bound queues. */
export function messageBytes(m: Message): number {
  if (m.type === 'append' || m.type === 'propose') {
    let n = 64;
    for (const e of m.entries) n += 24 + e.data.byteLength;
    return n;
  }
  return 64;
}

export function messageToWire(m: Message): WireMessage {
  const base = { to: m.to, term: m.term };
  switch (m.type) {
    case 'append':
      return { ...base, append: { prev_index: m.prev_index, prev_term: m.prev_term, entries: m.entries.map(entryToWire), commit: m.commit } };
    case 'append_resp':
      return {
        ...base,
        append_resp: { reject: m.reject, index: m.index, reject_hint_index: m.reject_hint_index, reject_hint_term: m.reject_hint_term },
      };
    case 'heartbeat':
      return { ...base, heartbeat: { commit: m.commit, context: m.context } };
    case 'heartbeat_resp':
      return { ...base, heartbeat_resp: { context: m.context } };
    case 'vote':
      return { ...base, vote: { last_index: m.last_index, last_term: m.last_term, transfer: m.transfer } };
    case 'pre_vote':
      return { ...base, pre_vote: { last_index: m.last_index, last_term: m.last_term, transfer: m.transfer } };
    case 'vote_resp':
      return { ...base, vote_resp: { reject: m.reject } };
    case 'pre_vote_resp':
      return { ...base, pre_vote_resp: { reject: m.reject } };
    case 'timeout_now':
      return { ...base, timeout_now: {} };
    case 'read_index':
      return { ...base, read_index: { context: m.context } };
    case 'read_index_resp':
      return { ...base, read_index_resp: { context: m.context, index: m.index, reject: m.reject } };
    case 'propose':
      return { ...base, propose: { entries: m.entries.map(entryToWire) } };
    case 'snapshot':
      // Snapshots travel on their own stream (InstallSnapshot), never inside a batch.
      throw new WireError(`a snapshot message to ${m.to} cannot travel in a batch`);
  }
}

function bodyName(w: WireMessage): WireBodyName {
  if (w.body) return w.body;
  const names: WireBodyName[] = [
    'append', 'append_resp', 'heartbeat', 'heartbeat_resp', 'vote', 'pre_vote', 'vote_resp', 'pre_vote_resp',
    'timeout_now', 'read_index', 'read_index_resp', 'propose',
  ];
  for (const n of names) if (w[n] !== undefined && w[n] !== null) return n;
  throw new WireError('message has no body');
}

export function messageFromWire(w: WireMessage, from: NodeId): Message {
  const to = w.to;
  if (typeof to !== 'string' || to.length === 0) throw new WireError('message.to must be a non-empty node id');
  const base = { from, to, term: num(w.term, 'message.term') };
  const name = bodyName(w);
  switch (name) {
    case 'append': {
      const b = w.append!;
      return { ...base, type: 'append', prev_index: num(b.prev_index, 'append.prev_index'), prev_term: num(b.prev_term, 'append.prev_term'), entries: entriesFromWire(b.entries, 'append.entries'), commit: num(b.commit, 'append.commit') };
    }
    case 'append_resp': {
      const b = w.append_resp!;
      return { ...base, type: 'append_resp', reject: !!b.reject, index: num(b.index, 'append_resp.index'), reject_hint_index: num(b.reject_hint_index, 'append_resp.reject_hint_index'), reject_hint_term: num(b.reject_hint_term, 'append_resp.reject_hint_term') };
    }
    case 'heartbeat': {
      const b = w.heartbeat!;
      return { ...base, type: 'heartbeat', commit: num(b.commit, 'heartbeat.commit'), context: b.context ?? '' };
    }
    case 'heartbeat_resp':
      return { ...base, type: 'heartbeat_resp', context: w.heartbeat_resp!.context ?? '' };
    case 'vote':
    case 'pre_vote': {
      const b = w[name]!;
      return { ...base, type: name, last_index: num(b.last_index, `${name}.last_index`), last_term: num(b.last_term, `${name}.last_term`), transfer: !!b.transfer };
    }
    case 'vote_resp':
    case 'pre_vote_resp':
      return { ...base, type: name, reject: !!w[name]!.reject };
    case 'timeout_now':
      return { ...base, type: 'timeout_now' };
    case 'read_index':
      return { ...base, type: 'read_index', context: w.read_index!.context ?? '' };
    case 'read_index_resp': {
      const b = w.read_index_resp!;
      return { ...base, type: 'read_index_resp', context: b.context ?? '', index: num(b.index, 'read_index_resp.index'), reject: !!b.reject };
    }
    case 'propose':
      return { ...base, type: 'propose', entries: entriesFromWire(w.propose!.entries, 'propose.entries') };
  }
}
