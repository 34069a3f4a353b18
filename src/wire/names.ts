// The one rule for node ids, cluster ids and network addresses, used by stockd's flags, the
// membership calls at the gRPC edge, the node, stockctl and the SDK. Each caller wraps the
// problem in its own error type (ConfigError, EdgeError, NodeError, a usage error).

/** Node ids and cluster ids: 1..64 bytes of [A-Za-z0-9._-]. They appear in metric labels,
 * file names (snapshot staging) and certificate names, so no separators or spaces. */
export const NODE_ID_BYTES_MAX = 64;
const NAME_RE = /^[A-Za-z0-9._-]{1,64}$/;

/** host:port, where host is a DNS name, an IPv4 address or a bracketed IPv6 address. */
export const ADDRESS_BYTES_MAX = 256;
const ADDRESS_RE = /^([A-Za-z0-9.-]+|\[[0-9a-fA-F:.]+\]):([0-9]{1,5})$/;
export const PORT_MAX = 65_535;

/** What is wrong with `value` as a node or cluster id, or null when it is fine. */
export function nameProblem(value: string): string | null {
  if (NAME_RE.test(value)) return null;
  return `must be 1..${NODE_ID_BYTES_MAX} characters of [A-Za-z0-9._-], got ${JSON.stringify(value)}`;
}

/** What is wrong with `value` as host:port, or null when it is fine. */
export function addressProblem(value: string): string | null {
  const m = value.length <= ADDRESS_BYTES_MAX ? ADDRESS_RE.exec(value) : null;
  if (m !== null && Number(m[2]) <= PORT_MAX) return null;
  return `must be host:port (a DNS name, IPv4 or [IPv6] host; port 0..${PORT_MAX}; at most ${ADDRESS_BYTES_MAX} bytes), got ${JSON.stringify(value.length > 300 ? value.slice(0, 300) + '...' : value)}`;
}
