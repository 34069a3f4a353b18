// Node.js (V8) flags stockd is meant to run with. Every launcher in this repository
// (npm start, cluster-scripts/start.sh, the benchmark) passes them, and the `stockd` bin's
// first line does too; docs/configuration.md says why.
//
// --max-semi-space-size=32: a 32 MiB young-generation semi-space instead of V8's 16 MiB.
// Applying a command allocates many short-lived objects (decoded commands, events, records
// to pack, results); a larger nursery means fewer scavenges and fewer of those objects
// promoted to the old generation. Under reserve and Submit load the garbage collector's
// share of a node's CPU profile fell from 18-20% to 12-14%. It costs at most 32 MiB more
// memory per node.
export const STOCKD_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=32'];

/** The recommended flags this process was started without (from its command line and
 * NODE_OPTIONS), for a notice at start. */
export function missingNodeFlags(exec_argv: readonly string[], node_options: string): string[] {
  const given = [...exec_argv, ...node_options.split(/\s+/)].map((f) => f.split('=')[0]);
  return STOCKD_NODE_FLAGS.filter((f) => !given.includes(f.split('=')[0]));
}
