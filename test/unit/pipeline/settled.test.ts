import { describe, expect, it } from "vitest";
import type { RunResult } from "../../../src/core/job/types";
import { settledPipeline, stepReason } from "../../../src/core/pipeline/settled";
import type { PipelineStepState } from "../../../src/core/pipeline/types";

const pipelineRun = (steps: PipelineStepState[]): RunResult => ({
  runId: "numbers-20261204-100000-abcd",
  kind: "pipeline",
  target: "local",
  status: "running",
  exitCode: null,
  oomKilled: false,
  image: "parity/numbers:1",
  notebook: "/w/numbers.ipynb",
  memoryLimitBytes: 128 * 1024 * 1024,
  steps,
  diagnosis: [],
});

const stepRun = (runId: string, over: Partial<RunResult>): RunResult => ({
  runId,
  kind: "job",
  target: "local",
  status: "succeeded",
  exitCode: 0,
  oomKilled: false,
  image: "parity/numbers:1",
  notebook: "/w/numbers.ipynb",
  memoryLimitBytes: 128 * 1024 * 1024,
  parent: "numbers-20261204-100000-abcd",
  finishedAt: "2026-12-04T10:02:00Z",
  diagnosis: [],
  ...over,
});

describe("a local pipeline run settled after its process went away", () => {
  it("leaves no step running or pending: each running step takes its run's end, the others are not run", () => {
    const record = pipelineRun([
      { name: "load", status: "succeeded", runId: "load-1" },
      { name: "squares", status: "running", runId: "squares-1" },
      { name: "total", status: "running", runId: "total-1" },
      { name: "cube", status: "running", runId: "cube-1" },
      { name: "report", status: "pending", after: ["squares", "total"] },
    ]);
    const parts = new Map([
      ["squares-1", stepRun("squares-1", {})],
      ["total-1", stepRun("total-1", { status: "cancelled", exitCode: null })],
    ]);
    const settled = settledPipeline(
      record,
      parts,
      { pid: 77, lastSeenAt: "2026-12-04T10:01:02Z" },
      "parity pipeline run numbers.ipynb",
    );
    expect(settled).toMatchObject({ status: "lost", exitCode: null });
    expect(settled.steps!.map((step) => [step.name, step.status, step.reason])).toEqual([
      ["load", "succeeded", undefined],
      ["squares", "succeeded", undefined],
      ["total", "cancelled", "stopped: the pipeline's process had gone away"],
      ["cube", "not-run", "the pipeline's process went away before the step's run started"],
      ["report", "not-run", "the pipeline's process went away"],
    ]);
    expect(settled.steps![1]).toMatchObject({ exitCode: 0, finishedAt: "2026-12-04T10:02:00Z" });
    expect(settled.diagnosis).toEqual([
      {
        code: "PipelineInterrupted",
        severity: "warning",
        message:
          "The process that ran the pipeline run (pid 77) went away before it ended (it was killed, or its window closed); it last wrote its record at 2026-12-04 10:01:02 UTC. Of the 3 steps running then, squares succeeded by itself, total was stopped and cube never started; the steps not started were not run.",
        fix: "Run it again: parity pipeline run numbers.ipynb (in VS Code: Run Pipeline Locally).",
      },
    ]);
  });

  it("records a step whose run left nothing to say how it ended as failed, with its run's words", () => {
    const lost = stepRun("squares-1", {
      status: "lost",
      exitCode: null,
      diagnosis: [
        { code: "RunLost", severity: "error", message: "Its container is gone.", fix: "Run it again." },
      ],
    });
    const settled = settledPipeline(
      pipelineRun([{ name: "squares", status: "running", runId: "squares-1" }]),
      new Map([["squares-1", lost]]),
      {},
      "parity pipeline run numbers.ipynb",
    );
    expect(settled.steps![0]).toMatchObject({ status: "failed", reason: "Its container is gone" });
    expect(settled.diagnosis[0]!.message).toContain("squares left nothing to say how it ended");
    expect(stepReason(stepRun("x", { status: "failed", exitCode: 3 }))).toBe("exit 3");
  });
});
