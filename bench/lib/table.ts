// Plain-text and Markdown tables for results: fixed columns, numbers right-aligned.

export interface Column<T> {
  readonly title: string;
  readonly value: (row: T) => string;
  readonly align?: 'left' | 'right';
}

/** Rows in a table are bounded so a report cannot run away. */
export const TABLE_ROWS_MAX = 10_000;

function checkRows(n: number): void {
  if (n > TABLE_ROWS_MAX) throw new Error(`table: at most ${TABLE_ROWS_MAX} rows, got ${n}`);
}

export function textTable<T>(columns: readonly Column<T>[], rows: readonly T[]): string {
  checkRows(rows.length);
  const cells = rows.map((r) => columns.map((c) => c.value(r)));
  const widths = columns.map((c, i) => Math.max(c.title.length, ...cells.map((row) => row[i].length)));
  const fmt = (vals: readonly string[]): string =>
    vals.map((v, i) => (columns[i].align === 'left' ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  ').trimEnd();
  return [fmt(columns.map((c) => c.title)), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(fmt)].join('\n');
}

export function markdownTable<T>(columns: readonly Column<T>[], rows: readonly T[]): string {
  checkRows(rows.length);
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  const head = `| ${columns.map((c) => esc(c.title)).join(' | ')} |`;
  const sep = `|${columns.map((c) => (c.align === 'left' ? ' --- ' : ' ---: ')).join('|')}|`;
  const body = rows.map((r) => `| ${columns.map((c) => esc(c.value(r))).join(' | ')} |`);
  return [head, sep, ...body].join('\n');
}

/** Throughput with thousands separators, no decimals. */
export function fmtRate(v: number): string {
  if (!Number.isFinite(v)) return '-';
  return Math.round(v).toLocaleString('en-US');
}

/** Milliseconds with 2 significant decimals below 10 ms, 1 below 100, none above. */
export function fmtMs(v: number): string {
  if (!Number.isFinite(v)) return '-';
  if (v < 10) return v.toFixed(2);
  if (v < 100) return v.toFixed(1);
  return v.toFixed(0);
}
