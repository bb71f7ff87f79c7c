/** Where a short load of requests stood: the latencies of those that answered, and how many failed. */
export interface LatencySummary {
  requests: number;
  errors: number;
  /** Milliseconds, over the requests that answered (errors included: their time was spent too). */
  minMs: number;
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Buckets by upper bound in ms (the last is Infinity), each with how many requests fell in it. */
  histogram: { upToMs: number; count: number }[];
}

/** Bucket bounds in ms: 1-2-5 steps, the usual reading of a latency histogram. */
const BOUNDS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000];

/**
 * The distribution of measured latencies (`latenciesMs`, one per request sent) with `errors` of
 * them failed. Percentiles are the nearest rank; undefined when no request was measured.
 */
export function summarizeLatencies(latenciesMs: number[], errors: number): LatencySummary | undefined {
  if (latenciesMs.length === 0) return undefined;
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  const rank = (p: number): number =>
    sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
  const histogram = [...BOUNDS, Infinity].map((upToMs) => ({ upToMs, count: 0 }));
  for (const value of sorted) histogram.find((bucket) => value <= bucket.upToMs)!.count += 1;
  while (histogram.length > 1 && histogram.at(-1)!.count === 0) histogram.pop();
  const firstUsed = histogram.findIndex((bucket) => bucket.count > 0);
  return {
    requests: latenciesMs.length,
    errors,
    minMs: sorted[0]!,
    meanMs: sorted.reduce((sum, value) => sum + value, 0) / sorted.length,
    p50Ms: rank(50),
    p90Ms: rank(90),
    p99Ms: rank(99),
    maxMs: sorted.at(-1)!,
    histogram: histogram.slice(Math.max(0, firstUsed)),
  };
}

/** The summary as terminal lines: the percentiles, then one bar per bucket. */
export function formatLatencies(summary: LatencySummary, width = 40): string[] {
  const ms = (value: number): string => (value < 10 ? value.toFixed(2) : value.toFixed(1));
  const most = Math.max(...summary.histogram.map((bucket) => bucket.count));
  const lines = [
    `${summary.requests} requests, ${summary.errors} failed: p50 ${ms(summary.p50Ms)} ms, p90 ${ms(summary.p90Ms)} ms, p99 ${ms(summary.p99Ms)} ms (min ${ms(summary.minMs)}, mean ${ms(summary.meanMs)}, max ${ms(summary.maxMs)})`,
  ];
  for (const bucket of summary.histogram) {
    const lower = lowerBoundOf(bucket.upToMs);
    const label = bucket.upToMs === Infinity ? `> ${lower} ms` : `${lower}-${bucket.upToMs} ms`;
    const bar = "█".repeat(Math.round((bucket.count / most) * width));
    lines.push(`  ${label.padStart(14)} ${bar} ${bucket.count}`);
  }
  return lines;
}

/** Where a histogram bucket starts (in ms): the bound below its own, 0 for the first. */
export function lowerBoundOf(upToMs: number): number {
  const index = upToMs === Infinity ? BOUNDS.length : BOUNDS.indexOf(upToMs);
  return index > 0 ? BOUNDS[index - 1]! : 0;
}
