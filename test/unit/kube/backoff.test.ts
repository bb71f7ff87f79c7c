import { describe, expect, it } from "vitest";
import { backoffDelay } from "../../../src/targets/kube/backoff";

describe("backoffDelay", () => {
  it("doubles the ceiling per attempt up to the maximum", () => {
    const top = () => 0.999999;
    const ceilings = [1, 2, 3, 4, 5, 6, 7].map((attempt) =>
      backoffDelay(attempt, { initialMs: 100, maxMs: 1_000, random: top }),
    );
    expect(ceilings).toEqual([99, 199, 399, 799, 999, 999, 999]);
  });

  it("draws uniformly between zero and the ceiling (full jitter)", () => {
    expect(backoffDelay(3, { initialMs: 100, maxMs: 10_000, random: () => 0 })).toBe(0);
    expect(backoffDelay(3, { initialMs: 100, maxMs: 10_000, random: () => 0.5 })).toBe(200);
    const draws = Array.from({ length: 500 }, () => backoffDelay(4, { initialMs: 100, maxMs: 10_000 }));
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(800);
    // Spread over the whole range, not clustered at the ceiling.
    expect(draws.some((delay) => delay < 200)).toBe(true);
    expect(draws.some((delay) => delay > 600)).toBe(true);
  });

  it("stays finite for huge attempt numbers and treats attempt 0 like the first", () => {
    expect(backoffDelay(10_000, { maxMs: 5_000, random: () => 0.999 })).toBe(4_995);
    expect(backoffDelay(0, { initialMs: 100, random: () => 0.5 })).toBe(50);
  });
});
