import { describe, expect, it } from "vitest";
import type { RunResult } from "../../../src/core/job/types";
import { workloadOf } from "../../../src/core/workload/types";
import { isFinished, isUnfinishedClusterRun } from "../../../src/core/workload/status";

const record = (over: Partial<RunResult> = {}): RunResult => ({
  runId: "train-1",
  target: "local",
  status: "running",
  exitCode: null,
  oomKilled: false,
  image: "i",
  notebook: "/w/train.ipynb",
  memoryLimitBytes: 1,
  diagnosis: [],
  ...over,
});

describe("the workload model", () => {
  it("reads a record written before kinds as a job run without parts", () => {
    expect(workloadOf(record())).toEqual({
      id: "train-1",
      kind: "job",
      target: "local",
      status: "running",
      children: [],
    });
  });

  it("keeps a workload's parts and the workload it is part of", () => {
    const step = workloadOf(record({ runId: "prepare-1", kind: "job", parent: "pipeline-1" }));
    expect(step.parent).toBe("pipeline-1");
    const parent = workloadOf(
      record({ runId: "pipeline-1", target: "cluster", children: ["prepare-1", "train-1"] }),
    );
    expect(parent).toMatchObject({ id: "pipeline-1", target: "cluster", children: ["prepare-1", "train-1"] });
  });

  it("counts lost as an end, and a lost cluster run as finished", () => {
    expect(isFinished("lost")).toBe(true);
    expect(isFinished("running")).toBe(false);
    const cluster = {
      context: "c",
      server: "s",
      namespace: "n",
      kind: "Job" as const,
      apiVersion: "batch/v1",
      name: "x",
    };
    expect(isUnfinishedClusterRun(record({ target: "cluster", cluster }))).toBe(true);
    expect(isUnfinishedClusterRun(record({ target: "cluster", cluster, status: "lost" }))).toBe(false);
  });
});
