// The flag reference in docs/configuration.md, generated from the flag table
// (stockd-flags.ts). The doc keeps its hand-written prose; each group's table sits between
// two marker comments and is rewritten by `npm run docs:config`. A test compares the blocks
// with what the table generates, so a changed default or range cannot leave the doc stale.

import { STOCKD_FLAGS, defaultText, flagTerm, rangeText, type FlagGroup, type FlagSpec } from './stockd-flags.js';

export const FLAG_GROUPS: readonly FlagGroup[] = ['identity', 'timing', 'log', 'operations', 'security'];

export function beginMarker(group: FlagGroup): string {
  return `<!-- BEGIN flags:${group} (generated from src/server/stockd-flags.ts by \`npm run docs:config\`: edit the table there) -->`;
}

export function endMarker(group: FlagGroup): string {
  return `<!-- END flags:${group} -->`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** A default that is a value, a flag or a path is shown as code; 'none', 'derived', ... as words. */
function defaultCell(spec: FlagSpec): string {
  const text = cell(defaultText(spec));
  const value = spec.kind === 'enum' || (spec.kind !== 'bool' && spec.default !== null);
  return value || /^(--|\.\/)/.test(text) ? `\`${text}\`` : text;
}

/** The markdown table of one group's flags. */
export function renderFlagGroup(group: FlagGroup, flags: readonly FlagSpec[] = STOCKD_FLAGS): string {
  const rows = flags
    .filter((f) => f.group === group)
    .map((f) => {
      const why = f.detail === undefined ? f.why : `${f.why} ${f.detail}`;
      return `| \`${cell(flagTerm(f))}\` | \`${f.key}\` | ${defaultCell(f)} | ${cell(rangeText(f))} | ${cell(why)} |`;
    });
  if (rows.length === 0) throw new Error(`flag group ${group} has no flags`);
  return ['| Flag | `--config` key | Default | Range / values | Why |', '|---|---|---|---|---|', ...rows].join('\n');
}

interface Block {
  readonly group: FlagGroup;
  /** Offsets of the text between the two markers. */
  readonly start: number;
  readonly end: number;
}

function findBlock(doc: string, group: FlagGroup): Block {
  const begin = beginMarker(group);
  const end = endMarker(group);
  const b = doc.indexOf(begin);
  const e = doc.indexOf(end);
  if (b < 0 || e < 0) throw new Error(`docs/configuration.md: the markers of flag group '${group}' are missing (expected ${begin} ... ${end})`);
  if (doc.indexOf(begin, b + 1) >= 0 || doc.indexOf(end, e + 1) >= 0) throw new Error(`docs/configuration.md: the markers of flag group '${group}' appear twice`);
  if (e < b) throw new Error(`docs/configuration.md: the end marker of flag group '${group}' comes before its begin marker`);
  return { group, start: b + begin.length, end: e };
}

function blockText(group: FlagGroup, flags: readonly FlagSpec[]): string {
  return `\n${renderFlagGroup(group, flags)}\n`;
}

/** The doc with every group's block replaced by what the table generates. */
export function rewriteFlagBlocks(doc: string, flags: readonly FlagSpec[] = STOCKD_FLAGS): string {
  const blocks = FLAG_GROUPS.map((g) => findBlock(doc, g)).sort((x, y) => x.start - y.start);
  let out = '';
  let at = 0;
  for (const b of blocks) {
    out += doc.slice(at, b.start) + blockText(b.group, flags);
    at = b.end;
  }
  return out + doc.slice(at);
}

/** The groups whose block in `doc` differs from what the table generates (empty: up to date). */
export function staleFlagGroups(doc: string, flags: readonly FlagSpec[] = STOCKD_FLAGS): FlagGroup[] {
  return FLAG_GROUPS.filter((g) => {
    const b = findBlock(doc, g);
    return doc.slice(b.start, b.end) !== blockText(g, flags);
  });
}
