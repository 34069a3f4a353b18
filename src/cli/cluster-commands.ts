// stockctl's cluster commands: status, members, leader transfer, snapshot, cluster version.

import type { Command } from 'commander';
import type { EndpointStatus, Status } from '../client/index.js';
import { Exit, EXIT_CALL_FAILED, EXIT_USAGE } from './context.js';
import { table } from './output.js';
import { run } from './stock-commands.js';

function statusTable(all: readonly EndpointStatus[]): string {
  return table(
    ['ENDPOINT', 'ID', 'ROLE', 'TERM', 'LEADER', 'COMMIT', 'APPLIED', 'SNAPSHOT', 'HEAD_HASH', 'RULES', 'CLUSTER_VERSION', 'ERROR'],
    all.map((e) =>
      e.status === null
        ? [e.endpoint, null, 'unreachable', null, null, null, null, null, null, null, null, e.error]
        : [e.endpoint, e.status.id, e.status.role, e.status.term, e.status.leader_id || null, e.status.commit_index, e.status.applied_index, e.status.snapshot_index, e.status.head_hash.slice(0, 16), rulesText(e.status.rules_version_min, e.status.rules_version_max), e.status.cluster_version || null, null],
    ),
  );
}

function membersTable(s: Status): string {
  return table(
    ['ID', 'ADDRESS', 'ROLE', 'MATCH_INDEX', 'LAG', 'PROTOCOL', 'RULES'],
    s.members.map((m) => [m.id, m.address, m.role + (m.id === s.leader_id ? ' (leader)' : ''), m.has_match_index ? m.match_index : null, m.has_match_index ? m.lag_entries : null, m.protocol_version || null, rulesText(m.rules_version_min, m.rules_version_max)]),
  );
}

/** A rules range, or null when unknown (0: no announcement, or a node of an older build). */
function rulesText(min: number, max: number): string | null {
  return max === 0 ? null : `${min}..${max}`;
}

/** The leader's status if an endpoint is the leader, else any answering one. */
function bestStatus(all: readonly EndpointStatus[]): Status {
  const answered = all.filter((e) => e.status !== null).map((e) => e.status as Status);
  const best = answered.find((s) => s.role === 'leader') ?? answered[0];
  if (best === undefined) throw new Exit(EXIT_CALL_FAILED, `no endpoint answered: ${all.map((e) => `${e.endpoint}: ${e.error ?? '?'}`).join('; ')}`);
  return best;
}

function addStatusCommand(program: Command): void {
  program
    .command('status')
    .description("every endpoint's role, term, indexes and head hash, and the leader's view of the members")
    .action(
      run(async (ctx) => {
        const all = await ctx.client().statusAll();
        const best = bestStatus(all);
        ctx.out.emit(all, () => `${statusTable(all)}\n\ncluster ${best.cluster_id}, leader ${best.leader_id || 'unknown'}\n${membersTable(best)}`);
      }),
    );

  const members = program.command('members').description('cluster membership');
  members
    .command('list')
    .description("members as the leader (or any answering node) sees them")
    .action(
      run(async (ctx) => {
        const best = bestStatus(await ctx.client().statusAll());
        ctx.out.emit(best.members, () => membersTable(best));
      }),
    );
  members
    .command('add-learner <id> <address>')
    .description('add a node as a non-voting learner (start it with stockd --join first)')
    .action(
      run(async (ctx, id, address) => {
        const st = await ctx.client().addLearner(id as string, address as string);
        ctx.out.emit(st, () => `added learner ${id as string} at ${address as string}\n${st === null ? '' : membersTable(st)}`);
      }),
    );
  members
    .command('promote <id>')
    .description('make a caught-up learner a voter')
    .action(
      run(async (ctx, id) => {
        const st = await ctx.client().promote(id as string);
        ctx.out.emit(st, () => `promoted ${id as string}\n${st === null ? '' : membersTable(st)}`);
      }),
    );
  members
    .command('remove <id>')
    .description('remove a member')
    .action(
      run(async (ctx, id) => {
        const st = await ctx.client().remove(id as string);
        ctx.out.emit(st, () => `removed ${id as string}\n${st === null ? '' : membersTable(st)}`);
      }),
    );

  const leader = program.command('leader').description('leadership');
  leader
    .command('transfer <id>')
    .description('hand leadership to a caught-up voter')
    .action(
      run(async (ctx, id) => {
        const st = await ctx.client().transferLeadership(id as string);
        ctx.out.emit(st, () => `leadership transferred to ${id as string}`);
      }),
    );
}

function addSnapshotCommand(program: Command): void {
  program
    .command('snapshot')
    .description('take a state-machine snapshot now and compact the log (every endpoint, or --node)')
    .option('--node <host:port>', 'only this node')
    .action(
      run(async (ctx, opts) => {
        const o = opts as { node?: string };
        const targets = o.node === undefined ? ctx.endpoints : [o.node];
        const rows: { endpoint: string; index: number | null; error: string | null }[] = [];
        for (const endpoint of targets) {
          try {
            rows.push({ endpoint, index: await ctx.clientFor(endpoint).snapshot(), error: null });
          } catch (err) {
            rows.push({ endpoint, index: null, error: err instanceof Error ? err.message : String(err) });
          }
        }
        ctx.out.emit(rows, () => table(['ENDPOINT', 'SNAPSHOT_INDEX', 'ERROR'], rows.map((r) => [r.endpoint, r.index, r.error])));
        const failed = rows.find((r) => r.error !== null);
        if (failed !== undefined) throw new Exit(EXIT_CALL_FAILED, `snapshot failed on ${failed.endpoint}: ${failed.error}`);
      }),
    );
}

function addClusterVersionCommands(program: Command): void {
  const cv = program.command('cluster-version').description('the ledger rules version the cluster proposes under (docs/operations.md "Versions")');
  cv.command('show')
    .description("the cluster version and every member's supported rules versions, as the leader sees them")
    .action(
      run(async (ctx) => {
        const best = bestStatus(await ctx.client().statusAll());
        const view = { cluster_version: best.cluster_version, members: best.members };
        ctx.out.emit(view, () => `cluster version ${best.cluster_version || 1} (as ${best.id} applied it)\n${membersTable(best)}`);
      }),
    );
  cv.command('set <version>')
    .description('raise the cluster version; the leader refuses unless every member runs a build that supports it')
    .action(
      run(async (ctx, version) => {
        const n = Number(version);
        if (!/^[0-9]+$/.test(version as string) || !Number.isSafeInteger(n)) throw new Exit(EXIT_USAGE, `cluster-version set: version must be a positive integer, got ${JSON.stringify(version)}`);
        const r = await ctx.client().setClusterVersion(n);
        ctx.out.emit(r, () => (r.previous === r.cluster_version ? `cluster version is already ${r.cluster_version}` : `cluster version raised from ${r.previous} to ${r.cluster_version}`));
      }),
    );
}

export function addClusterCommands(program: Command): void {
  addStatusCommand(program);
  addSnapshotCommand(program);
  addClusterVersionCommands(program);
}
