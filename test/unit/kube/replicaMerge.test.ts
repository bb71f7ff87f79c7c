import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { LogLine } from "../../../src/core/job/types";
import { ReplicaMerge } from "../../../src/targets/kube/replicaMerge";

const line = (source: string, text: string, time: number): LogLine => ({
  stream: "stdout",
  text,
  time,
  source,
});

describe("a distributed run's logs, merged", () => {
  let now = 0;
  let out: string[];
  let merge: ReplicaMerge;
  beforeEach(() => {
    vi.useFakeTimers();
    now = 0;
    out = [];
    merge = new ReplicaMerge(
      (each) => out.push(`${each.source} ${each.text}`),
      1000,
      () => now,
    );
  });
  afterEach(() => vi.useRealTimers());

  it("orders the replicas' lines by their times, whatever order they arrive in", () => {
    merge.open("master");
    merge.open("worker");
    merge.add("master", line("master", "m1", 10));
    merge.add("master", line("master", "m2", 30));
    expect(out).toEqual([]); // The worker may still send something earlier.
    merge.add("worker", line("worker", "w1", 20));
    expect(out).toEqual(["master m1", "worker w1"]);
    merge.add("worker", line("worker", "w2", 40));
    expect(out).toEqual(["master m1", "worker w1", "master m2"]);
    merge.close("worker");
    expect(out).toHaveLength(3); // The master, still followed, may yet send a line before w2.
    merge.close("master");
    expect(out).toEqual(["master m1", "worker w1", "master m2", "worker w2"]);
  });

  it("keeps each replica's own order, where its times go back (its two pipes)", () => {
    merge.open("a");
    merge.open("b");
    merge.add("a", line("a", "a1", 50));
    merge.add("a", line("a", "a2", 40));
    merge.add("b", line("b", "b1", 45));
    merge.flush();
    expect(out).toEqual(["b b1", "a a1", "a a2"]);
  });

  it("holds lines back for a quiet replica no longer than its hold time", () => {
    merge.open("busy");
    merge.open("quiet");
    merge.add("busy", line("busy", "b1", 10));
    now = 999;
    vi.advanceTimersByTime(999);
    expect(out).toEqual([]);
    now = 1000;
    vi.advanceTimersByTime(1);
    expect(out).toEqual(["busy b1"]);
  });

  it("merges the full logs read at the end with what still waits, by time", () => {
    merge.open("a");
    merge.open("b");
    merge.add("a", line("a", "a1", 10));
    merge.addAll(
      new Map([
        ["a", [line("a", "a2", 40)]],
        ["b", [line("b", "b1", 20), line("b", "b2", 50)]],
      ]),
    );
    merge.flush();
    expect(out).toEqual(["a a1", "b b1", "a a2", "b b2"]);
  });
});
