import { describe, expect, it } from "vitest";
import { formatLatencies, summarizeLatencies } from "../../../src/core/serving/latency";

/** 1, 2, ..., 100 ms, shuffled: the percentiles of a known list. */
const ONE_TO_HUNDRED = Array.from({ length: 100 }, (_, index) => ((index * 37) % 100) + 1);

describe("summarizeLatencies", () => {
  it("is undefined when no request was measured", () => {
    expect(summarizeLatencies([], 0)).toBeUndefined();
    expect(summarizeLatencies([], 3)).toBeUndefined();
  });

  it("takes nearest-rank percentiles, min, mean and max of a known list", () => {
    const summary = summarizeLatencies(ONE_TO_HUNDRED, 2)!;
    expect(summary).toMatchObject({
      requests: 100,
      errors: 2,
      minMs: 1,
      meanMs: 50.5,
      p50Ms: 50,
      p90Ms: 90,
      p99Ms: 99,
      maxMs: 100,
    });
  });

  it("rounds a rank up to the next measured value on a short list", () => {
    const summary = summarizeLatencies([30, 10, 20], 0)!;
    expect([summary.p50Ms, summary.p90Ms, summary.p99Ms]).toEqual([20, 30, 30]);
    expect(summary.meanMs).toBe(20);
    expect(summarizeLatencies([7], 0)).toMatchObject({ p50Ms: 7, p99Ms: 7, minMs: 7, maxMs: 7 });
  });

  it("does not reorder the caller's list", () => {
    const latencies = [3, 1, 2];
    summarizeLatencies(latencies, 0);
    expect(latencies).toEqual([3, 1, 2]);
  });

  it("counts each latency in the first bucket whose bound holds it, bounds included", () => {
    expect(summarizeLatencies(ONE_TO_HUNDRED, 0)!.histogram).toEqual([
      { upToMs: 1, count: 1 },
      { upToMs: 2, count: 1 },
      { upToMs: 5, count: 3 },
      { upToMs: 10, count: 5 },
      { upToMs: 20, count: 10 },
      { upToMs: 50, count: 30 },
      { upToMs: 100, count: 50 },
    ]);
  });

  it("drops the empty buckets before the first used and after the last, keeping those between", () => {
    expect(summarizeLatencies([7, 8, 450, 9.5], 0)!.histogram).toEqual([
      { upToMs: 10, count: 3 },
      { upToMs: 20, count: 0 },
      { upToMs: 50, count: 0 },
      { upToMs: 100, count: 0 },
      { upToMs: 200, count: 0 },
      { upToMs: 500, count: 1 },
    ]);
  });

  it("puts latencies over 10 s in the last bucket, without bound", () => {
    expect(summarizeLatencies([12_000, 10_000, 30_000], 0)!.histogram).toEqual([
      { upToMs: 10_000, count: 1 },
      { upToMs: Infinity, count: 2 },
    ]);
  });

  it("counts every latency once", () => {
    const latencies = [0.4, 1.5, 3, 12, 44, 99, 150, 700, 1500, 4000, 9000, 20_000];
    const total = summarizeLatencies(latencies, 0)!.histogram.reduce((sum, bucket) => sum + bucket.count, 0);
    expect(total).toBe(latencies.length);
  });
});

describe("formatLatencies", () => {
  it("says the percentiles first, two decimals under 10 ms and one above", () => {
    const lines = formatLatencies(summarizeLatencies([6, 7, 8, 9, 120], 1)!);
    expect(lines[0]).toBe(
      "5 requests, 1 failed: p50 8.00 ms, p90 120.0 ms, p99 120.0 ms (min 6.00, mean 30.0, max 120.0)",
    );
  });

  it("labels each bucket with its range and draws the fullest at the full width", () => {
    const lines = formatLatencies(summarizeLatencies([6, 7, 8, 9, 15], 0)!, 20);
    expect(lines).toEqual([
      expect.stringMatching(/^5 requests, 0 failed: /),
      `  ${"5-10 ms".padStart(14)} ${"█".repeat(20)} 4`,
      `  ${"10-20 ms".padStart(14)} ${"█".repeat(5)} 1`,
    ]);
  });

  it("labels the first bucket from 0 and the last as over 10000 ms", () => {
    const lines = formatLatencies(summarizeLatencies([0.5, 25_000], 0)!);
    expect(lines[1]).toContain("0-1 ms");
    expect(lines.at(-1)).toBe(`  ${"> 10000 ms".padStart(14)} ${"█".repeat(40)} 1`);
    expect(lines).toHaveLength(1 + 14);
  });

  it("draws no bar for an empty bucket between used ones", () => {
    const lines = formatLatencies(summarizeLatencies([3, 30], 0)!, 10);
    expect(lines.slice(1)).toEqual([
      `  ${"2-5 ms".padStart(14)} ${"█".repeat(10)} 1`,
      `  ${"5-10 ms".padStart(14)}  0`,
      `  ${"10-20 ms".padStart(14)}  0`,
      `  ${"20-50 ms".padStart(14)} ${"█".repeat(10)} 1`,
    ]);
  });
});
