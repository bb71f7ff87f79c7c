import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { LogLine } from "../../../src/core/job/types";
import { LineBatcher } from "../../../src/panels/logs/lineBatcher";

const lines = (count: number, text = "x"): LogLine[] =>
  Array.from({ length: count }, (_, index) => ({ stream: "stdout", text: `${text}${index}`, time: index }));

describe("LineBatcher", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("sends at most one bounded batch an interval", async () => {
    const sent: number[] = [];
    const batcher = new LineBatcher({
      send: (batch) => sent.push(batch.length),
      intervalMs: 20,
      maxLines: 100,
    });
    void batcher.push(lines(250));
    void batcher.push(lines(10));
    expect(sent).toEqual([]);

    await vi.advanceTimersByTimeAsync(20);
    expect(sent).toEqual([100]);
    await vi.advanceTimersByTimeAsync(40);
    expect(sent).toEqual([100, 100, 60]);
  });

  it("bounds a batch by characters, but still sends a single long line", async () => {
    const sent: number[] = [];
    const batcher = new LineBatcher({
      send: (batch) => sent.push(batch.length),
      intervalMs: 10,
      maxChars: 10,
    });
    void batcher.push([{ stream: "stderr", text: "y".repeat(50), time: 0 }, ...lines(3, "ab")]);
    await vi.advanceTimersByTimeAsync(30);
    expect(sent).toEqual([1, 3]);
  });

  it("makes a fast reader wait above the high-water mark, until the posts drain it", async () => {
    const batcher = new LineBatcher({ send: () => undefined, intervalMs: 10, maxLines: 10, highWater: 15 });
    let released = false;
    void batcher.push(lines(30)).then(() => (released = true));
    await vi.advanceTimersByTimeAsync(10);
    expect(released).toBe(false);
    await vi.advanceTimersByTimeAsync(10);
    expect(released).toBe(true);
  });

  it("drops waiting lines when cleared or disposed", async () => {
    const send = vi.fn();
    const batcher = new LineBatcher({ send, intervalMs: 10 });
    void batcher.push(lines(5));
    batcher.clear();
    await vi.advanceTimersByTimeAsync(20);
    batcher.dispose();
    void batcher.push(lines(5));
    await vi.advanceTimersByTimeAsync(20);
    expect(send).not.toHaveBeenCalled();
  });
});
