// Parsing of stockctl's own argument forms: sku@location, sku@location=qty, durations,
// integers and endpoint lists. Every refusal says which argument, what is allowed and
// what was given.

import type { Line } from '../ledger/types.js';
import { addressProblem } from '../wire/names.js';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const DEFAULT_ENDPOINTS = '127.0.0.1:7401,127.0.0.1:7402,127.0.0.1:7403';
const ENDPOINTS_MAX = 64;

export function parseEndpoints(value: string | undefined): string[] {
  const text = value ?? process.env['STOCKRAFT_ENDPOINTS'] ?? DEFAULT_ENDPOINTS;
  const list = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (list.length === 0 || list.length > ENDPOINTS_MAX) throw new UsageError(`--endpoints: 1..${ENDPOINTS_MAX} host:port entries, got ${list.length}`);
  for (const e of list) {
    const problem = addressProblem(e);
    if (problem !== null) throw new UsageError(`--endpoints: each entry ${problem}`);
  }
  return list;
}

export function parseInteger(name: string, value: string, min: number, max: number): number {
  if (!/^-?\d+$/.test(value.trim())) throw new UsageError(`${name}: an integer in ${min}..${max}, got ${JSON.stringify(value)}`);
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new UsageError(`${name}: an integer in ${min}..${max}, got ${value}`);
  return n;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "90s", "15m", "2h", "1d", "1500ms" or a bare number of milliseconds. */
export function parseDuration(name: string, value: string): number {
  const m = /^(\d+)(ms|s|m|h|d)?$/.exec(value.trim());
  if (!m) throw new UsageError(`${name}: a duration like 1500ms, 90s, 15m, 2h or 1d, got ${JSON.stringify(value)}`);
  const n = Number(m[1]) * (UNIT_MS[m[2] ?? 'ms'] as number);
  if (!Number.isSafeInteger(n)) throw new UsageError(`${name}: too large: ${value}`);
  return n;
}

/** "sku@location" */
export function parsePositionRef(name: string, value: string): { sku: string; location: string } {
  const at = value.lastIndexOf('@');
  if (at <= 0 || at === value.length - 1) throw new UsageError(`${name}: sku@location, got ${JSON.stringify(value)}`);
  return { sku: value.slice(0, at), location: value.slice(at + 1) };
}

/** "sku@location=quantity" */
export function parseLine(name: string, value: string): Line {
  const eq = value.lastIndexOf('=');
  if (eq <= 0) throw new UsageError(`${name}: sku@location=quantity, got ${JSON.stringify(value)}`);
  const ref = parsePositionRef(name, value.slice(0, eq));
  return { ...ref, quantity: parseInteger(`${name} quantity`, value.slice(eq + 1), 1, Number.MAX_SAFE_INTEGER) };
}

/** Commander collector for repeatable options. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
