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

// MALLOC_ARENA_MAX=2 (environment, read by glibc's malloc): at most two malloc arenas
// instead of 8 per core. LevelDB, libuv's thread pool and V8's helper threads each allocate
// from an arena of their own by default, and each arena keeps what was freed in it. With
// 1M positions a node's thread arenas held 52-85 MiB resident after a load; with two
// arenas 35-40 MiB. The threads that share an arena contend a little more for its lock;
// the event loop, where the work is, always uses the main arena anyway.
//
// MALLOC_MMAP_THRESHOLD_=131072: allocations of 128 KiB and more (raft entries of a Submit,
// the ledger's column pages, gRPC messages) get pages of their own, returned to the system
// when freed. By default glibc raises this threshold each time such a block is freed, up to
// 32 MiB, after which big blocks come from the main heap, and the holes they leave when
// freed stay resident. With 1M positions, nodes idle after the load held 454-520 MiB with
// it and 528-540 MiB without. Setting it also fixes the trim threshold (128 KiB, glibc's
// initial value). Other C libraries ignore both variables.
export const STOCKD_NODE_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072' };

/** The recommended environment settings this process was started without. */
export function missingNodeEnv(env: NodeJS.ProcessEnv): string[] {
  return Object.entries(STOCKD_NODE_ENV)
    .filter(([k]) => env[k] === undefined)
    .map(([k, v]) => `${k}=${v}`);
}
