import { describe, expect, it } from "vitest";
import type { LogLine } from "../../../src/core/job/types";
import { isUnfinishedClusterRun } from "../../../src/core/workload/status";
import { newLinesAfter, recordedPositions } from "../../../src/targets/kube/recordedLogs";

const line = (source: string, time: number, text = ""): LogLine => ({ stream: "stdout", source, time, text });

describe("recordedPositions", () => {
  it("keeps each source's last millisecond and how many recorded lines carry it", () => {
    const positions = recordedPositions([
      line("master-0", 100),
      line("worker-0", 100),
      line("master-0", 105),
      line("master-0", 105),
      line("worker-0", 101),
    ]);
    expect(positions.get("master-0")).toEqual({ timeMs: 105, seen: 2 });
    expect(positions.get("worker-0")).toEqual({ timeMs: 101, seen: 1 });
    expect(positions.get("worker-1")).toBeUndefined();
  });
});

describe("newLinesAfter", () => {
  it("skips the recorded lines of a log read again from its start, then passes every later line", () => {
    const isNew = newLinesAfter({ timeMs: 105, seen: 2 });
    // The log again: two earlier lines, the two recorded at 105, a third at 105 never recorded, later ones.
    expect([100, 104, 105, 105, 105, 106, 106].map(isNew)).toEqual([
      false,
      false,
      false,
      false,
      true,
      true,
      true,
    ]);
  });

  it("passes everything for a source nothing was recorded of", () => {
    const isNew = newLinesAfter(undefined);
    expect([1, 1, 2].map(isNew)).toEqual([true, true, true]);
  });

  it("keeps passing lines once past the record, even one dated earlier (a clock step)", () => {
    const isNew = newLinesAfter({ timeMs: 10, seen: 1 });
    expect([10, 12, 9].map(isNew)).toEqual([false, true, true]);
  });
});

describe("isUnfinishedClusterRun", () => {
  const run = {
    runId: "r",
    target: "cluster" as const,
    status: "running" as const,
    exitCode: null,
    oomKilled: false,
    image: "i",
    notebook: "n",
    memoryLimitBytes: 1,
    diagnosis: [],
    cluster: {
      context: "kwok",
      server: "https://127.0.0.1:6443",
      namespace: "a",
      kind: "Job" as const,
      apiVersion: "batch/v1",
      name: "r",
    },
  };
  it("is true for a cluster run with no finish time, false once finished or for a local run", () => {
    expect(isUnfinishedClusterRun(run)).toBe(true);
    expect(isUnfinishedClusterRun({ ...run, finishedAt: "2026-03-02T10:00:00Z" })).toBe(false);
    expect(isUnfinishedClusterRun({ ...run, target: "local", cluster: undefined })).toBe(false);
  });
});
