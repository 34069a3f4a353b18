// What peers announce about themselves: the peer protocol they speak and the ledger rules
// versions they apply (proto/raft.proto PeerVersion). A node sends its own on the first
// batch of every Raft.Stream and in every snapshot header. A peer of another protocol
// major version is refused (its messages could mean something else); the minor version
// only adds fields an older peer ignores. The leader reads the announcements of connected
// members before it raises the cluster version (src/server/cluster-version.ts).

import type { NodeId } from '../raft/types.js';
import { RULES_VERSION_FIELD_MAX } from '../ledger/rules.js';

/** Incompatible changes of proto/raft.proto or of its meaning raise the major version. */
export const PEER_PROTOCOL_MAJOR = 1;
/** 1.0: before announcements; 1.1: PeerVersion on the first batch and snapshot header;
 * 1.2: takes snapshot values in their stored binary layouts (storage-values.ts). */
export const PEER_PROTOCOL_MINOR = 2;
/** The first minor version that takes snapshot values as this build stores them. */
const STORED_SNAPSHOT_MINOR = 2;
/** Bound on announced protocol numbers (a larger one is malformed). */
const PROTOCOL_FIELD_MAX = 65_535;

export interface PeerVersion {
  readonly protocol_major: number;
  readonly protocol_minor: number;
  readonly rules_version_min: number;
  readonly rules_version_max: number;
}

export interface WirePeerVersion {
  protocol_major: number;
  protocol_minor: number;
  rules_version_min: number;
  rules_version_max: number;
}

/** What a peer of a build before announcements runs. */
export const UNANNOUNCED: PeerVersion = { protocol_major: 1, protocol_minor: 0, rules_version_min: 1, rules_version_max: 1 };

export class PeerVersionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PeerVersionError';
  }
}

export function peerVersionText(v: PeerVersion): string {
  return `protocol ${v.protocol_major}.${v.protocol_minor}, ledger rules ${v.rules_version_min}..${v.rules_version_max}`;
}

function field(v: unknown, name: string, max: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > max) throw new PeerVersionError(`peer version ${name} must be an integer 0..${max}, got ${String(v)}`);
  return v;
}

/** The announcement as sent (null or absent: UNANNOUNCED). Throws PeerVersionError on a
 * malformed one. */
export function peerVersionFromWire(w: WirePeerVersion | null | undefined): PeerVersion {
  if (w === null || w === undefined) return UNANNOUNCED;
  const v: PeerVersion = {
    protocol_major: field(w.protocol_major, 'protocol_major', PROTOCOL_FIELD_MAX),
    protocol_minor: field(w.protocol_minor, 'protocol_minor', PROTOCOL_FIELD_MAX),
    rules_version_min: field(w.rules_version_min, 'rules_version_min', RULES_VERSION_FIELD_MAX),
    rules_version_max: field(w.rules_version_max, 'rules_version_max', RULES_VERSION_FIELD_MAX),
  };
  if (v.rules_version_min < 1 || v.rules_version_min > v.rules_version_max) {
    throw new PeerVersionError(`peer version announces ledger rules ${v.rules_version_min}..${v.rules_version_max}: not a range of versions >= 1`);
  }
  return v;
}

/** Why a peer of this version is refused, or null when this node speaks with it. */
export function peerVersionRefusal(from: NodeId, v: PeerVersion): string | null {
  if (v.protocol_major === PEER_PROTOCOL_MAJOR) return null;
  return `peer '${from}' speaks peer protocol ${v.protocol_major}.${v.protocol_minor}; this node speaks ${PEER_PROTOCOL_MAJOR}.${PEER_PROTOCOL_MINOR} (major versions must match: upgrade or roll back one of the two)`;
}

/** Whether a snapshot to a peer that announced `v` (null: nothing heard) may carry values
 * as stored: binary layouts a build before them could not read. A peer not heard from is
 * sent the portable form, which every build reads. */
export function takesStoredSnapshot(v: PeerVersion | null): boolean {
  return v !== null && v.protocol_major === PEER_PROTOCOL_MAJOR && v.protocol_minor >= STORED_SNAPSHOT_MINOR;
}

/** The announcements of peers with an inbound stream open now. A peer whose streams all
 * closed is forgotten: what it said then may not hold for the process that comes back. */
export class PeerVersions {
  private readonly peers = new Map<NodeId, { version: PeerVersion; streams: number }>();

  /** A stream from `from` announced `v`; true when that is news (first, or changed). */
  opened(from: NodeId, v: PeerVersion): boolean {
    const p = this.peers.get(from);
    const changed = p === undefined || peerVersionText(p.version) !== peerVersionText(v);
    this.peers.set(from, { version: v, streams: (p?.streams ?? 0) + 1 });
    return changed;
  }

  closed(from: NodeId): void {
    const p = this.peers.get(from);
    if (p === undefined) return;
    if (p.streams <= 1) this.peers.delete(from);
    else p.streams -= 1;
  }

  /** What `id` announced on a stream still open, or null. */
  get(id: NodeId): PeerVersion | null {
    return this.peers.get(id)?.version ?? null;
  }
}
