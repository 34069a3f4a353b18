// The figures beyond throughput: failover, restart time, RSS. Each runs on its own fresh
// cluster; a failure is recorded with its reason and does not stop the others.
import type { Extra, FailoverFigures, RestartFigures, RssFigures } from '../report/model.js';
import { measureFailover } from './failover.js';
import { measureBigState } from './big-state.js';

export type ExtraName = 'failover' | 'restart' | 'rss';
export const EXTRA_NAMES: readonly ExtraName[] = ['failover', 'restart', 'rss'];

export interface ExtrasOptions {
  readonly log: (l: string) => void;
  readonly failover_trials: number;
  readonly workers: number;
  readonly channels: number;
}

function failed<T>(e: unknown): Extra<T> {
  return { ok: false, reason: e instanceof Error ? e.message.split('\n')[0] : String(e) };
}

export async function runExtras(
  which: readonly ExtraName[],
  o: ExtrasOptions,
): Promise<{ failover: Extra<FailoverFigures> | null; restart: Extra<RestartFigures> | null; rss: Extra<RssFigures> | null }> {
  let failover: Extra<FailoverFigures> | null = null;
  let restart: Extra<RestartFigures> | null = null;
  let rss: Extra<RssFigures> | null = null;
  if (which.includes('failover')) {
    o.log(`failover: ${o.failover_trials} trials`);
    try {
      failover = { ok: true, value: await measureFailover(o.failover_trials, o.log) };
    } catch (e) {
      failover = failed(e);
      o.log(`  !! failover: ${failover.ok ? '' : failover.reason}`);
    }
  }
  if (which.includes('restart') || which.includes('rss')) {
    o.log('big state: 1,000,000 positions and 100,000 open reservations');
    try {
      const b = await measureBigState(o.log);
      if (which.includes('restart')) restart = { ok: true, value: b.restart };
      if (which.includes('rss')) rss = { ok: true, value: b.rss };
    } catch (e) {
      const f = failed<never>(e);
      o.log(`  !! big state: ${f.ok ? '' : f.reason}`);
      if (which.includes('restart')) restart = f;
      if (which.includes('rss')) rss = f;
    }
  }
  return { failover, restart, rss };
}
