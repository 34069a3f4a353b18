// Latency histograms: microsecond resolution HDR histograms that workers encode and the
// driver merges, so percentiles are computed over every sample, not averaged per worker.
import * as hdr from 'hdr-histogram-js';

/** Latencies above this are clamped: one minute is far beyond any deadline used here. */
export const LATENCY_US_MAX = 60_000_000;

export type Histogram = hdr.Histogram;

export function newHistogram(): Histogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: LATENCY_US_MAX,
    numberOfSignificantValueDigits: 3,
    autoResize: false,
  });
}

export function recordUs(h: Histogram, us: number): void {
  const v = Math.max(1, Math.min(LATENCY_US_MAX, Math.round(us)));
  h.recordValue(v);
}

export function encodeHistogram(h: Histogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

export function mergeEncoded(encoded: readonly string[]): Histogram {
  const total = newHistogram();
  for (const e of encoded) total.add(hdr.decodeFromCompressedBase64(e));
  return total;
}

export interface LatencySummary {
  readonly count: number;
  readonly p50_ms: number;
  readonly p99_ms: number;
  readonly p999_ms: number;
  readonly max_ms: number;
}

export function summarize(h: Histogram): LatencySummary {
  if (h.totalCount === 0) return { count: 0, p50_ms: NaN, p99_ms: NaN, p999_ms: NaN, max_ms: NaN };
  return {
    count: h.totalCount,
    p50_ms: h.getValueAtPercentile(50) / 1000,
    p99_ms: h.getValueAtPercentile(99) / 1000,
    p999_ms: h.getValueAtPercentile(99.9) / 1000,
    max_ms: h.maxValue / 1000,
  };
}
